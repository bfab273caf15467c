/**
 * TensorFlow GraphDef ops (as TF.js graph models store them) → canonical registry ops with
 * attributes translated for the NHWC-aware rules (`kernel_layout` 'HWIO'/'HWIM'/'HWOI', see
 * src/graph/ops/conv.ts). Ops with no ONNX equivalent keep their TF name in domain 'tfjs'
 * (0 MACs, listed as unsupported).
 *
 * Source: TensorFlow op definitions (tensorflow/core/ops/nn_ops.cc, math_ops.cc, array_ops.cc)
 * and the TF.js converter's fused ops (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul:
 * inputs x, filter, then `num_args` extra args — bias, PReLU alpha — with `fused_ops` such as
 * ['BiasAdd', 'Relu']).
 */
import type { AttrValue, DType, Node, TensorInfo } from '../graph/ir.ts';
import { dtypeToOnnx } from '../graph/dtype-codes.ts';

/** A GraphDef attribute value as TF.js JSON writes it (64-bit ints are strings). */
export interface TfAttr {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string;
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  list?: { i?: (string | number)[]; f?: number[]; s?: string[]; type?: string[] };
}

/** One GraphDef node, with lookups the translation needs. */
export interface TfOp {
  name: string;
  op: string;
  /** Data input ids ('node' or 'node:k'); control inputs (^x) already dropped. */
  inputs: string[];
  outputs: string[];
  attr: Record<string, TfAttr>;
  /** Tensor info of a constant (weights manifest) or graph input, by id. */
  tensor(id: string): TensorInfo | undefined;
}

/** A translated node (the reader adds the name). */
export type MappedTfOp = Pick<Node, 'op' | 'domain' | 'inputs' | 'outputs' | 'attrs'> & { fusedActivation?: string };

/** `DT_*` names → IR dtypes (tensorflow/core/framework/types.proto). */
const DT: Record<string, DType> = {
  DT_FLOAT: 'float32',
  DT_HALF: 'float16',
  DT_BFLOAT16: 'bfloat16',
  DT_DOUBLE: 'float64',
  DT_INT8: 'int8',
  DT_UINT8: 'uint8',
  DT_INT16: 'int16',
  DT_UINT16: 'uint16',
  DT_INT32: 'int32',
  DT_UINT32: 'uint32',
  DT_INT64: 'int64',
  DT_UINT64: 'uint64',
  DT_BOOL: 'bool',
  DT_STRING: 'string',
  DT_COMPLEX64: 'complex64',
};

/** IR dtype of a TF `DT_*` name ('unknown' when not listed). */
export function dtypeFromTf(name: string | undefined): DType {
  return (name && DT[name]) || 'unknown';
}

/** String attribute (stored base64-encoded in TF.js JSON). */
export function attrString(a: TfAttr | undefined): string | undefined {
  if (a?.s === undefined) return undefined;
  return Buffer.from(a.s, 'base64').toString('utf8');
}

function attrInts(a: TfAttr | undefined): number[] | undefined {
  return a?.list?.i?.map((v) => Number(v));
}

function attrStrings(a: TfAttr | undefined): string[] {
  return (a?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

/** Elementwise ops whose TF and ONNX semantics match. */
const SAME: Record<string, string> = {
  BiasAdd: 'Add',
  Add: 'Add',
  AddV2: 'Add',
  Sub: 'Sub',
  Mul: 'Mul',
  RealDiv: 'Div',
  Div: 'Div',
  FloorDiv: 'Div',
  Maximum: 'Max',
  Minimum: 'Min',
  Pow: 'Pow',
  AddN: 'Sum',
  Relu: 'Relu',
  Sigmoid: 'Sigmoid',
  Tanh: 'Tanh',
  Elu: 'Elu',
  Selu: 'Selu',
  Softplus: 'Softplus',
  Prelu: 'PRelu',
  Exp: 'Exp',
  Log: 'Log',
  Sqrt: 'Sqrt',
  Reciprocal: 'Reciprocal',
  Neg: 'Neg',
  Abs: 'Abs',
  Floor: 'Floor',
  Ceil: 'Ceil',
  Round: 'Round',
  Sin: 'Sin',
  Cos: 'Cos',
  Sign: 'Sign',
  Less: 'Less',
  Greater: 'Greater',
  Equal: 'Equal',
  LessEqual: 'LessOrEqual',
  GreaterEqual: 'GreaterOrEqual',
  LogicalAnd: 'And',
  LogicalOr: 'Or',
  LogicalNot: 'Not',
  Select: 'Where',
  SelectV2: 'Where',
  Identity: 'Identity',
  Shape: 'Shape',
  Tile: 'Tile',
  GatherNd: 'GatherND',
  Fill: 'Expand',
};

/** Reductions with `keep_dims` and axes in input 1. */
const REDUCERS: Record<string, string> = { Mean: 'ReduceMean', Sum: 'ReduceSum', Max: 'ReduceMax', Min: 'ReduceMin', Prod: 'ReduceProd' };

/** Constant integer values of input `id` when known (weight data read), else undefined. */
function ints(op: TfOp, id: string | undefined): number[] | undefined {
  const t = id ? op.tensor(id) : undefined;
  if (!t?.isConstant || !t.data) return undefined;
  return Array.from(t.data as ArrayLike<number>, (v) => Math.trunc(v));
}

function shape(op: TfOp, id: string | undefined): number[] | undefined {
  const s = id ? op.tensor(id)?.shape : undefined;
  return s && s.every((d) => typeof d === 'number') ? (s as number[]) : undefined;
}

function node(op: TfOp, name: string, attrs: Record<string, AttrValue> = {}, inputs = op.inputs, fused?: string): MappedTfOp {
  const m: MappedTfOp = { op: name, domain: '', inputs, outputs: op.outputs, attrs };
  if (fused) m.fusedActivation = fused;
  return m;
}

function own(op: TfOp): MappedTfOp {
  return { op: op.op, domain: 'tfjs', inputs: op.inputs, outputs: op.outputs, attrs: {} };
}

/** H, W entries of an NHWC (or NCHW) 4-element list attribute. */
function spatial(op: TfOp, key: string, nchw: boolean): number[] | undefined {
  const v = attrInts(op.attr[key]);
  if (!v || v.length < 3) return undefined;
  return nchw ? v.slice(2) : v.slice(1, -1);
}

/** strides, dilations, padding (SAME/VALID/EXPLICIT) and data_format of a window op. */
function window(op: TfOp): Record<string, AttrValue> {
  const fmt = attrString(op.attr['data_format']) ?? 'NHWC';
  const nchw = fmt.startsWith('NC');
  const attrs: Record<string, AttrValue> = { data_format: fmt };
  const st = spatial(op, 'strides', nchw);
  if (st) attrs['strides'] = st;
  const dl = spatial(op, 'dilations', nchw);
  if (dl) attrs['dilations'] = dl;
  const padding = attrString(op.attr['padding']) ?? 'VALID';
  if (padding === 'SAME') attrs['auto_pad'] = 'SAME_UPPER';
  else if (padding === 'VALID') attrs['auto_pad'] = 'VALID';
  else if (padding === 'EXPLICIT') {
    // explicit_paddings: [before, after] per dim of the data format.
    const ep = attrInts(op.attr['explicit_paddings']) ?? [];
    const dims = nchw ? [2, 3] : [1, 2];
    attrs['pads'] = [...dims.map((d) => ep[2 * d] ?? 0), ...dims.map((d) => ep[2 * d + 1] ?? 0)];
  }
  return attrs;
}

/** The activation of a fused op's `fused_ops` list (after BiasAdd / FusedBatchNorm), uppercased. */
function fusedAct(op: TfOp): string | undefined {
  const ops = attrStrings(op.attr['fused_ops']).filter((s) => s !== 'BiasAdd' && s !== 'FusedBatchNorm');
  return ops.length > 0 ? ops.map((s) => s.toUpperCase()).join('+') : undefined;
}

/** Conv2D / _FusedConv2D (filter HWIO) and the depthwise forms (filter HWIM). */
function conv(op: TfOp, depthwise: boolean): MappedTfOp {
  const attrs = window(op);
  const w = shape(op, op.inputs[1]);
  attrs['kernel_layout'] = depthwise ? 'HWIM' : 'HWIO';
  if (w && w.length === 4) {
    attrs['kernel_shape'] = w.slice(0, 2);
    if (depthwise) attrs['group'] = w[2] as number;
  }
  if (depthwise) attrs['depthwise'] = true;
  // Fused ops carry the bias (and e.g. PReLU alpha, batch-norm terms) as extra args: Conv keeps
  // them as inputs 2.. (read as weights; the rule uses inputs 0 and 1).
  return node(op, 'Conv', attrs, op.inputs, fusedAct(op));
}

/** Moves constant input `i` into attribute `name` when its values are known. */
function withInts(op: TfOp, onnx: string, i: number, name: string, attrs: Record<string, AttrValue> = {}): MappedTfOp {
  const v = ints(op, op.inputs[i]);
  if (!v) return node(op, onnx, attrs);
  return node(op, onnx, { ...attrs, [name]: v }, op.inputs.filter((_x, k) => k !== i));
}

/**
 * Translates one GraphDef node. `warn` records guesses (e.g. a ConcatV2 axis whose value is in
 * the weight shards, which were not given).
 */
export function mapTfOp(op: TfOp, warn: (m: string) => void): MappedTfOp {
  const same = SAME[op.op];
  if (same) return node(op, same);
  const reducer = REDUCERS[op.op];
  if (reducer) return withInts(op, reducer, 1, 'axes', { keepdims: op.attr['keep_dims']?.b ? 1 : 0 });
  switch (op.op) {
    case 'Conv2D':
    case '_FusedConv2D':
      return conv(op, false);
    case 'DepthwiseConv2dNative':
    case 'FusedDepthwiseConv2dNative':
      return conv(op, true);
    case 'Conv2DBackpropInput': {
      // inputs [input_sizes, filter [kh, kw, Cout, Cin], x]
      const attrs = window(op);
      const w = shape(op, op.inputs[1]);
      attrs['kernel_layout'] = 'HWOI';
      if (w && w.length === 4) attrs['kernel_shape'] = w.slice(0, 2);
      const sizes = ints(op, op.inputs[0]);
      if (sizes && sizes.length === 4) attrs['output_shape'] = String(attrs['data_format']).startsWith('NC') ? sizes.slice(2) : sizes.slice(1, -1);
      return node(op, 'ConvTranspose', attrs, [op.inputs[2] ?? '', op.inputs[1] ?? '']);
    }
    case 'MatMul':
    case 'BatchMatMul':
    case 'BatchMatMulV2':
    case '_FusedMatMul': {
      const ta = !!(op.attr['transpose_a']?.b || op.attr['adj_x']?.b);
      const tb = !!(op.attr['transpose_b']?.b || op.attr['adj_y']?.b);
      if (op.op === '_FusedMatMul' || ta || tb) {
        return node(op, 'Gemm', { transA: ta ? 1 : 0, transB: tb ? 1 : 0 }, op.inputs, fusedAct(op));
      }
      return node(op, 'MatMul', {}, op.inputs.slice(0, 2));
    }
    case 'Relu6':
      return node(op, 'Clip', { min: 0, max: 6 });
    case 'LeakyRelu':
      return node(op, 'LeakyRelu', { alpha: op.attr['alpha']?.f ?? 0.2 });
    case 'Softmax':
      return node(op, 'Softmax', { axis: -1 });
    case 'LogSoftmax':
      return node(op, 'LogSoftmax', { axis: -1 });
    case 'MaxPool':
    case 'AvgPool': {
      const attrs = window(op);
      const k = spatial(op, 'ksize', String(attrs['data_format']).startsWith('NC'));
      if (k) attrs['kernel_shape'] = k;
      delete attrs['dilations'];
      return node(op, op.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', attrs);
    }
    case 'Reshape':
      return withInts(op, 'Reshape', 1, 'shape', { allowzero: 1 });
    case 'Squeeze': {
      const dims = attrInts(op.attr['squeeze_dims']) ?? [];
      return node(op, 'Squeeze', dims.length > 0 ? { axes: dims } : {});
    }
    case 'ExpandDims':
      return withInts(op, 'Unsqueeze', 1, 'axes');
    case 'Transpose':
      return withInts(op, 'Transpose', 1, 'perm');
    case 'ConcatV2':
    case 'Concat': {
      // ConcatV2: values..., axis (last); Concat: axis (first), values...
      const axisAt = op.op === 'ConcatV2' ? op.inputs.length - 1 : 0;
      const values = op.inputs.filter((_x, k) => k !== axisAt);
      let axis = ints(op, op.inputs[axisAt])?.[0];
      if (axis === undefined) {
        axis = -1;
        warn(`node '${op.name}' (${op.op}): axis value is in the weight files, which were not read; assumed the channel axis (-1)`);
      }
      return node(op, 'Concat', { axis }, values);
    }
    case 'Pad':
    case 'PadV2':
    case 'MirrorPad': {
      const p = ints(op, op.inputs[1]);
      const attrs: Record<string, AttrValue> = {};
      if (op.op === 'MirrorPad') attrs['mode'] = attrString(op.attr['mode']) === 'SYMMETRIC' ? 'edge' : 'reflect';
      if (!p || p.length % 2 !== 0) return node(op, 'Pad', attrs, op.inputs.slice(0, 2));
      const r = p.length / 2;
      attrs['pads'] = [...Array.from({ length: r }, (_v, i) => p[2 * i] as number), ...Array.from({ length: r }, (_v, i) => p[2 * i + 1] as number)];
      const inputs = [op.inputs[0] ?? ''];
      if (op.inputs[2]) inputs.push('', op.inputs[2]);
      return node(op, 'Pad', attrs, inputs);
    }
    case 'ResizeBilinear':
    case 'ResizeNearestNeighbor': {
      const align = !!op.attr['align_corners']?.b;
      const half = !!op.attr['half_pixel_centers']?.b;
      return node(
        op,
        'Resize',
        {
          mode: op.op === 'ResizeBilinear' ? 'linear' : 'nearest',
          axes: [1, 2],
          coordinate_transformation_mode: align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric',
        },
        [op.inputs[0] ?? '', '', '', op.inputs[1] ?? ''],
      );
    }
    case 'FusedBatchNorm':
    case 'FusedBatchNormV2':
    case 'FusedBatchNormV3':
      return { ...node(op, 'BatchNormalization', { epsilon: op.attr['epsilon']?.f ?? 1e-4 }, op.inputs.slice(0, 5)), outputs: op.outputs.slice(0, 1) };
    case 'Cast':
      return node(op, 'Cast', { to: dtypeToOnnx(dtypeFromTf(op.attr['DstT']?.type)) });
    case 'ArgMax':
    case 'ArgMin': {
      const axis = ints(op, op.inputs[1])?.[0];
      if (axis === undefined) return own(op);
      return node(op, op.op, { axis, keepdims: 0 }, [op.inputs[0] ?? '']);
    }
    default:
      return own(op);
  }
}
