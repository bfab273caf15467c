/**
 * The graph IR every format is read into and every later stage (shapes, cost features, the GNN,
 * the report) reads. Pure data: no I/O, no format-specific types.
 *
 * Conventions (see ../shared/DESIGN.md, "Graph IR"):
 * - `Graph.nodes` are in topological order.
 * - Tensors are named by string ids, unique within a graph (and its subgraphs).
 * - Shapes are integer dims in the format's own layout (`Graph.layout`); a dimension the file
 *   leaves open is a string symbol (e.g. "batch", "height") until resolved.
 */

/** Element types, named as numpy/ONNX spell them. */
export type DType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int4'
  | 'uint4'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string'
  | 'complex64'
  | 'complex128'
  | 'float8'
  | 'unknown';

/** A dimension: a non-negative integer, or a named symbol the file left open. */
export type Dim = number | string;

/** A tensor shape; `[]` is a scalar. */
export type Shape = Dim[];

/** Data layout of image-like tensors: ONNX is NCHW, TFLite and TF.js are NHWC. */
export type Layout = 'NCHW' | 'NHWC';

/** Model file formats the IR is read from. */
export type ModelFormat = 'onnx' | 'tflite' | 'tfjs';

/**
 * Values of a constant tensor, kept only when small enough to fold (see `ConstTensor`).
 * Integers are stored as JS numbers (exact to 2^53, enough for shapes and indices).
 */
export type TensorData = Float32Array | Float64Array | Int32Array | number[];

/** Quantization parameters (TFLite per-tensor or per-axis; ONNX QuantizeLinear operands). */
export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  /** Axis of per-channel quantization; absent for per-tensor. */
  axis?: number;
}

/** Static information about one tensor. */
export interface TensorInfo {
  /** Unique id within the graph. */
  id: string;
  /** Shape, `null` when unknown even after inference. */
  shape: Shape | null;
  dtype: DType;
  /**
   * True when the value is known before inference: a weight (ONNX initializer, TFLite buffer
   * with data), a `Constant` output, or anything folded from constants.
   */
  isConstant: boolean;
  /**
   * True for stored weights (initializers / buffers / weight shards) as opposed to constants the
   * folder computed; weights are what `params` and `weights_bytes` count.
   */
  isWeight: boolean;
  /** Element values when constant and small (≤ `MAX_FOLD_ELEMENTS`), for folding. */
  data?: TensorData;
  /**
   * True when every element of a constant is known to be zero (also for large constants whose
   * `data` is not kept, e.g. `ConstantOfShape` with value 0).
   */
  allZero?: boolean;
  quantization?: Quantization;
}

/** A tensor that is constant with its data materialised. */
export interface ConstTensor extends TensorInfo {
  isConstant: true;
  shape: number[];
  data: TensorData;
}

/** Largest constant (in elements) whose data the IR keeps for folding. */
export const MAX_FOLD_ELEMENTS = 1 << 16;

/** An attribute value: ONNX attributes and TFLite builtin options map onto these. */
export type AttrValue = number | string | number[] | string[] | boolean | ConstTensor | Graph | Graph[];

/** One operator instance. */
export interface Node {
  /** Node name from the file, or a generated `op_<index>` when the file has none. */
  name: string;
  /**
   * Canonical op name: ONNX spelling (`Conv`, `Gemm`, `MaxPool`); TFLite/TF.js readers map their
   * op names onto these where the semantics match, else keep their own spelling
   * (`DepthwiseConv2D` is canonical `Conv` with `group` = channels plus `attrs.depthwise = true`).
   */
  op: string;
  /** Operator domain ('' = ai.onnx default; 'com.microsoft', 'tflite', 'tfjs', ...). */
  domain: string;
  /** Input tensor ids in operator order; '' for an omitted optional input. */
  inputs: string[];
  /** Output tensor ids; '' for an omitted optional output. */
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** Nested graphs (ONNX If `then_branch`/`else_branch`, Loop `body`, TFLite WHILE/IF). */
  subgraphs?: Record<string, Graph>;
  /** Fused activation applied to the output (TFLite `fused_activation_function`, or fusion). */
  fusedActivation?: string;
  /**
   * How many times the node runs per inference (added for inlined ONNX `Loop` bodies with a
   * constant trip count); absent means 1. Costs are multiplied by it.
   */
  repeat?: number;
}

/** A model graph in topological order. */
export interface Graph {
  name: string;
  format: ModelFormat;
  layout: Layout;
  /** Opset of the default domain (ONNX) or schema version (TFLite); 0 when not applicable. */
  opset: number;
  nodes: Node[];
  /** Every tensor referenced by a node, a graph input or a graph output. */
  tensors: Map<string, TensorInfo>;
  /** Runtime inputs (weights listed as inputs by IR-3 files are excluded). */
  inputs: string[];
  outputs: string[];
  /** Human-readable notes produced while reading or transforming (dynamic dims, skipped ops). */
  warnings: string[];
  /** Opset per operator domain ('' = ai.onnx), when the format has opsets (ONNX). */
  opsets?: Record<string, number>;
}

/** Per-node static cost, computed from the op registry after shape inference. */
export interface NodeCost {
  /** Index into `Graph.nodes`. */
  node: number;
  name: string;
  op: string;
  /** Multiply-accumulates of one inference (1 MAC = 2 FLOPs). */
  macs: number;
  /** Number of stored weight elements this node reads. */
  params: number;
  /** Bytes of stored weights this node reads. */
  weightBytes: number;
  /** Bytes of non-constant inputs read. */
  inputBytes: number;
  /** Bytes of outputs written. */
  outputBytes: number;
  /** False when the op is not in the registry (zero MACs counted, listed in the report). */
  known: boolean;
  /**
   * Non-MAC arithmetic of one inference, an estimate: one op per output element for elementwise
   * ops and activations, output elements × window for pooling, a few per element for
   * normalisation and softmax (see each op's docstring in src/graph/ops/). 0 for data movement.
   */
  elementwiseOps?: number;
}
