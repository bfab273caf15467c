/**
 * TFLite operators → canonical registry ops (ONNX spelling) with attributes translated so the
 * registry's NHWC-aware rules compute the right shapes and MACs (see src/graph/ops/conv.ts for
 * `kernel_layout`). Ops with no ONNX equivalent keep their TFLite name in domain 'tflite'
 * (LSTM/SVDF have registry rules there; others count 0 MACs and are listed as unsupported);
 * CUSTOM ops become domain 'tflite.custom' with their custom code as name.
 *
 * Constant "parameter" inputs that ONNX spells as attributes (reshape targets, pads, axes,
 * permutations) are moved into attributes when their values are in the file, so they are not
 * counted as weights. Options slots: tflite-format.md §7.
 */
import type { AttrValue, DType, Node, TensorInfo } from '../graph/ir.ts';
import { dtypeToOnnx } from '../graph/dtype-codes.ts';
import type { Table } from './flatbuffer-table.ts';
import { ACTIVATIONS, autoPadFromTflite } from './tflite-schema.ts';

/** One TFLite operator as read from the file, with tensor lookups for its translation. */
export interface TfliteOp {
  /** Builtin name (`CONV_2D`) or, for CUSTOM, the custom code. */
  name: string;
  custom: boolean;
  /** Node name (first output tensor's name, or `op_<index>`). */
  nodeName: string;
  /** Input tensor ids, '' for −1 (omitted). */
  inputs: string[];
  outputs: string[];
  /** The builtin options table, null when absent. */
  options: Table | null;
  /** Tensor info by id (shapes and dtypes as the file declares them; data of small constants). */
  tensor(id: string): TensorInfo | undefined;
}

/** A translated operator: the node minus its name (`subgraphs` are added by the reader). */
export type MappedOp = Pick<Node, 'op' | 'domain' | 'inputs' | 'outputs' | 'attrs'> & { fusedActivation?: string };

/** Element-wise ops whose TFLite and ONNX semantics match (no options that matter). */
const SAME: Record<string, string> = {
  LOGISTIC: 'Sigmoid',
  TANH: 'Tanh',
  RELU: 'Relu',
  HARD_SWISH: 'HardSwish',
  PRELU: 'PRelu',
  ELU: 'Elu',
  EXP: 'Exp',
  LOG: 'Log',
  SQRT: 'Sqrt',
  ABS: 'Abs',
  NEG: 'Neg',
  FLOOR: 'Floor',
  CEIL: 'Ceil',
  ROUND: 'Round',
  SIN: 'Sin',
  COS: 'Cos',
  SIGN: 'Sign',
  GELU: 'Gelu',
  MAXIMUM: 'Max',
  MINIMUM: 'Min',
  POW: 'Pow',
  FLOOR_DIV: 'Div',
  FLOOR_MOD: 'Mod',
  LESS: 'Less',
  GREATER: 'Greater',
  EQUAL: 'Equal',
  LESS_EQUAL: 'LessOrEqual',
  GREATER_EQUAL: 'GreaterOrEqual',
  LOGICAL_AND: 'And',
  LOGICAL_OR: 'Or',
  LOGICAL_NOT: 'Not',
  SELECT: 'Where',
  SELECT_V2: 'Where',
  ADD_N: 'Sum',
  GATHER_ND: 'GatherND',
  TILE: 'Tile',
  QUANTIZE: 'QuantizeLinear',
  DEQUANTIZE: 'DequantizeLinear',
};

/** Clip bounds of TFLite's clamping activations. */
const CLAMPS: Record<string, [number, number]> = { RELU6: [0, 6], RELU_N1_TO_1: [-1, 1], RELU_0_TO_1: [0, 1] };

/** Reductions using ReducerOptions (keep_dims, slot 0) with axes in input 1. */
const REDUCERS: Record<string, string> = {
  MEAN: 'ReduceMean',
  SUM: 'ReduceSum',
  REDUCE_MAX: 'ReduceMax',
  REDUCE_MIN: 'ReduceMin',
  REDUCE_PROD: 'ReduceProd',
};

/** Constant integer values of tensor `id` when the file stores them, else undefined. */
function ints(op: TfliteOp, id: string | undefined): number[] | undefined {
  if (!id) return undefined;
  const t = op.tensor(id);
  if (!t?.isConstant || !t.data) return undefined;
  return Array.from(t.data as ArrayLike<number>, (v) => Math.trunc(v));
}

function shape(op: TfliteOp, id: string | undefined): number[] | undefined {
  const s = id ? op.tensor(id)?.shape : undefined;
  return s && s.every((d) => typeof d === 'number') ? (s as number[]) : undefined;
}

function act(op: TfliteOp, slot: number): string | undefined {
  const a = op.options?.i8(slot, 0) ?? 0;
  return a === 0 ? undefined : (ACTIVATIONS[a] ?? `ACT_${a}`);
}

function node(op: TfliteOp, name: string, attrs: Record<string, AttrValue> = {}, inputs = op.inputs, fused?: string): MappedOp {
  const m: MappedOp = { op: name, domain: '', inputs, outputs: op.outputs, attrs };
  if (fused) m.fusedActivation = fused;
  return m;
}

function own(op: TfliteOp): MappedOp {
  return { op: op.name, domain: op.custom ? 'tflite.custom' : 'tflite', inputs: op.inputs, outputs: op.outputs, attrs: {} };
}

/** Stride/dilation/padding of 2-D window options (stride 0 in a file means 1). */
function window2d(o: Table | null, s: { pad: number; sw: number; sh: number; dw?: number; dh?: number }): Record<string, AttrValue> {
  const pos = (v: number): number => (v > 0 ? v : 1);
  const attrs: Record<string, AttrValue> = {
    auto_pad: autoPadFromTflite(o?.i8(s.pad, 0) ?? 0),
    strides: [pos(o?.i32(s.sh, 1) ?? 1), pos(o?.i32(s.sw, 1) ?? 1)],
  };
  if (s.dw !== undefined && s.dh !== undefined) attrs['dilations'] = [pos(o?.i32(s.dh, 1) ?? 1), pos(o?.i32(s.dw, 1) ?? 1)];
  return attrs;
}

/** CONV_2D (Conv2DOptions §7) → Conv, OHWI weights, group = Cin / filter channels. */
function conv2d(op: TfliteOp): MappedOp {
  const attrs = window2d(op.options, { pad: 0, sw: 1, sh: 2, dw: 4, dh: 5 });
  const w = shape(op, op.inputs[1]);
  const x = shape(op, op.inputs[0]);
  attrs['kernel_layout'] = 'OHWI';
  if (w && w.length === 4) attrs['kernel_shape'] = w.slice(1, -1);
  const cin = x?.[x.length - 1];
  const wc = w?.[w.length - 1];
  if (cin && wc && cin % wc === 0 && cin !== wc) attrs['group'] = cin / wc;
  return node(op, 'Conv', attrs, op.inputs, act(op, 3));
}

/** DEPTHWISE_CONV_2D (DepthwiseConv2DOptions §7) → Conv with group = Cin, 1HWO weights. */
function depthwise(op: TfliteOp): MappedOp {
  const attrs = window2d(op.options, { pad: 0, sw: 1, sh: 2, dw: 5, dh: 6 });
  const w = shape(op, op.inputs[1]);
  const x = shape(op, op.inputs[0]);
  attrs['kernel_layout'] = '1HWO';
  attrs['depthwise'] = true;
  if (w && w.length === 4) attrs['kernel_shape'] = w.slice(1, -1);
  const cin = x?.[x.length - 1];
  if (cin) attrs['group'] = cin;
  const mult = op.options?.i32(3, 0) ?? 0;
  if (mult > 0) attrs['depth_multiplier'] = mult;
  return node(op, 'Conv', attrs, op.inputs, act(op, 4));
}

/** TRANSPOSE_CONV inputs [output_shape, weights OHWI, x, bias?] (§7) → ConvTranspose(x, w, b). */
function transposeConv(op: TfliteOp): MappedOp {
  const attrs = window2d(op.options, { pad: 0, sw: 1, sh: 2 });
  const w = shape(op, op.inputs[1]);
  attrs['kernel_layout'] = 'OHWI';
  if (w && w.length === 4) attrs['kernel_shape'] = w.slice(1, -1);
  const outShape = ints(op, op.inputs[0]) ?? shape(op, op.outputs[0]);
  if (outShape && outShape.length === 4) attrs['output_shape'] = outShape.slice(1, -1);
  const inputs = [op.inputs[2] ?? '', op.inputs[1] ?? ''];
  if (op.inputs[3]) inputs.push(op.inputs[3]);
  return node(op, 'ConvTranspose', attrs, inputs, act(op, 3));
}

/** CONV_3D (Conv3DOptions §7: strides d, w, h) → Conv with DHWIO weights ('HWIO' rule). */
function conv3d(op: TfliteOp): MappedOp {
  const o = op.options;
  const pos = (v: number): number => (v > 0 ? v : 1);
  const w = shape(op, op.inputs[1]);
  const attrs: Record<string, AttrValue> = {
    auto_pad: autoPadFromTflite(o?.i8(0, 0) ?? 0),
    strides: [pos(o?.i32(1, 1) ?? 1), pos(o?.i32(3, 1) ?? 1), pos(o?.i32(2, 1) ?? 1)],
    dilations: [pos(o?.i32(5, 1) ?? 1), pos(o?.i32(7, 1) ?? 1), pos(o?.i32(6, 1) ?? 1)],
    kernel_layout: 'HWIO',
  };
  if (w && w.length === 5) attrs['kernel_shape'] = w.slice(0, 3);
  return node(op, 'Conv', attrs, op.inputs, act(op, 4));
}

/** Pool2DOptions (§7) → MaxPool / AveragePool / LpPool(p=2). */
function pool(op: TfliteOp, onnx: string): MappedOp {
  const o = op.options;
  const attrs = window2d(o, { pad: 0, sw: 1, sh: 2 });
  attrs['kernel_shape'] = [o?.i32(4, 1) ?? 1, o?.i32(3, 1) ?? 1];
  if (onnx === 'LpPool') attrs['p'] = 2;
  return node(op, onnx, attrs, op.inputs, act(op, 5));
}

/** RESHAPE: target from input 1 (constant), else the options' new_shape, else the output shape. */
function reshape(op: TfliteOp): MappedOp {
  const fromInput = ints(op, op.inputs[1]);
  const fromOptions = op.options?.i32s(0) ?? undefined;
  const target = fromInput ?? (op.inputs[1] ? undefined : (fromOptions && fromOptions.length > 0 ? fromOptions : shape(op, op.outputs[0])));
  if (!target) return node(op, 'Reshape', { allowzero: 1 });
  return node(op, 'Reshape', { shape: target, allowzero: 1 }, [op.inputs[0] ?? '']);
}

/** PAD / PADV2 / MIRROR_PAD: paddings [rank, 2] → ONNX pads [begins..., ends...]. */
function pad(op: TfliteOp): MappedOp {
  const p = ints(op, op.inputs[1]);
  const attrs: Record<string, AttrValue> = {};
  if (op.name === 'MIRROR_PAD') attrs['mode'] = (op.options?.i8(0, 0) ?? 0) === 1 ? 'edge' : 'reflect';
  if (!p || p.length % 2 !== 0) return node(op, 'Pad', attrs);
  const r = p.length / 2;
  attrs['pads'] = [...Array.from({ length: r }, (_v, i) => p[2 * i] as number), ...Array.from({ length: r }, (_v, i) => p[2 * i + 1] as number)];
  const inputs = [op.inputs[0] ?? ''];
  if (op.inputs[2]) inputs.push('', op.inputs[2]);
  return node(op, 'Pad', attrs, inputs);
}

/** Moves constant input `i` into attribute `name` (dropping the input), when known. */
function withIntsAttr(op: TfliteOp, onnx: string, i: number, name: string, attrs: Record<string, AttrValue> = {}): MappedOp {
  const v = ints(op, op.inputs[i]);
  if (!v) return node(op, onnx, attrs);
  return node(op, onnx, { ...attrs, [name]: v }, op.inputs.filter((_id, k) => k !== i));
}

/** RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR: size [h, w] in input 1 → Resize sizes over axes 1, 2. */
function resize(op: TfliteOp, mode: 'linear' | 'nearest'): MappedOp {
  const o = op.options;
  // ResizeBilinearOptions: align_corners slot 2, half_pixel slot 3; NearestNeighbor: slots 0, 1.
  const [ac, hp] = mode === 'linear' ? [2, 3] : [0, 1];
  const align = o?.bool(ac, false) ?? false;
  const half = o?.bool(hp, false) ?? false;
  const ctm = align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric';
  return node(op, 'Resize', { mode, axes: [1, 2], coordinate_transformation_mode: ctm }, [op.inputs[0] ?? '', '', '', op.inputs[1] ?? '']);
}

/** SPLIT (inputs [axis, x]) and SPLIT_V (inputs [x, size_splits, axis]) → Split. */
function split(op: TfliteOp): MappedOp {
  const v = op.name === 'SPLIT_V';
  const axisIn = v ? op.inputs[2] : op.inputs[0];
  const x = v ? op.inputs[0] : op.inputs[1];
  const axis = ints(op, axisIn)?.[0];
  if (axis === undefined) return own(op);
  const attrs: Record<string, AttrValue> = { axis, num_outputs: op.outputs.length };
  if (v) {
    const sizes = ints(op, op.inputs[1]);
    const xs = shape(op, x);
    if (!sizes || !xs) return own(op);
    const a = axis < 0 ? axis + xs.length : axis;
    const known = sizes.filter((s) => s >= 0).reduce((p, q) => p + q, 0);
    attrs['split'] = sizes.map((s) => (s < 0 ? (xs[a] as number) - known : s));
  }
  return node(op, 'Split', attrs, [x ?? '']);
}

/** CAST → Cast with `to` = the output's ONNX dtype code. */
function cast(op: TfliteOp): MappedOp {
  const out: DType = op.tensor(op.outputs[0] ?? '')?.dtype ?? 'unknown';
  return node(op, 'Cast', { to: dtypeToOnnx(out) });
}

/**
 * Translates one TFLite operator (IF/WHILE/CALL are handled by the reader).
 * Unknown builtins and CUSTOM ops keep their own name (domain 'tflite' / 'tflite.custom').
 */
export function mapTfliteOp(op: TfliteOp): MappedOp {
  if (op.custom) return own(op);
  const same = SAME[op.name];
  if (same) return node(op, same);
  const clamp = CLAMPS[op.name];
  if (clamp) return node(op, 'Clip', { min: clamp[0], max: clamp[1] });
  const reducer = REDUCERS[op.name];
  if (reducer) return withIntsAttr(op, reducer, 1, 'axes', { keepdims: op.options?.bool(0, false) ? 1 : 0 });
  const o = op.options;
  switch (op.name) {
    case 'CONV_2D':
      return conv2d(op);
    case 'DEPTHWISE_CONV_2D':
      return depthwise(op);
    case 'TRANSPOSE_CONV':
      return transposeConv(op);
    case 'CONV_3D':
      return conv3d(op);
    case 'FULLY_CONNECTED':
      // FullyConnectedOptions: act 0, weights_format 1, keep_num_dims 2. Weights [Out, In].
      return node(op, 'Gemm', { transB: 1, keep_num_dims: o?.bool(2, false) ? 1 : 0 }, op.inputs, act(op, 0));
    case 'BATCH_MATMUL':
      if (o?.bool(0, false) || o?.bool(1, false)) return own(op);
      return node(op, 'MatMul');
    case 'AVERAGE_POOL_2D':
      return pool(op, 'AveragePool');
    case 'MAX_POOL_2D':
      return pool(op, 'MaxPool');
    case 'L2_POOL_2D':
      return pool(op, 'LpPool');
    case 'ADD':
      return node(op, 'Add', {}, op.inputs, act(op, 0));
    case 'SUB':
      return node(op, 'Sub', {}, op.inputs, act(op, 0));
    case 'MUL':
      return node(op, 'Mul', {}, op.inputs, act(op, 0));
    case 'DIV':
      return node(op, 'Div', {}, op.inputs, act(op, 0));
    case 'CONCATENATION':
      return node(op, 'Concat', { axis: o?.i32(0, 0) ?? 0 }, op.inputs, act(op, 1));
    case 'RESHAPE':
      return reshape(op);
    case 'SOFTMAX':
      return node(op, 'Softmax', { axis: -1, beta: o?.f32(0, 1) ?? 1 });
    case 'LOG_SOFTMAX':
      return node(op, 'LogSoftmax', { axis: -1 });
    case 'LEAKY_RELU':
      return node(op, 'LeakyRelu', { alpha: o?.f32(0, 0.2) ?? 0.2 });
    case 'PAD':
    case 'PADV2':
    case 'MIRROR_PAD':
      return pad(op);
    case 'TRANSPOSE':
      return withIntsAttr(op, 'Transpose', 1, 'perm');
    case 'EXPAND_DIMS':
      return withIntsAttr(op, 'Unsqueeze', 1, 'axes');
    case 'SQUEEZE': {
      const dims = o?.i32s(0) ?? [];
      return node(op, 'Squeeze', dims.length > 0 ? { axes: dims } : {});
    }
    case 'GATHER': {
      if ((o?.i32(1, 0) ?? 0) !== 0) return own(op);
      return node(op, 'Gather', { axis: o?.i32(0, 0) ?? 0 });
    }
    case 'ARG_MAX':
    case 'ARG_MIN': {
      const axis = ints(op, op.inputs[1])?.[0];
      if (axis === undefined) return own(op);
      return node(op, op.name === 'ARG_MAX' ? 'ArgMax' : 'ArgMin', { axis, keepdims: 0 }, [op.inputs[0] ?? '']);
    }
    case 'RESIZE_BILINEAR':
      return resize(op, 'linear');
    case 'RESIZE_NEAREST_NEIGHBOR':
      return resize(op, 'nearest');
    case 'SPLIT':
    case 'SPLIT_V':
      return split(op);
    case 'CAST':
      return cast(op);
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM': {
      const m = own(op);
      m.op = 'UnidirectionalSequenceLSTM';
      m.attrs = { time_major: o?.bool(3, false) ? 1 : 0, cell_clip: o?.f32(1, 0) ?? 0 };
      const a = act(op, 0);
      if (a) m.fusedActivation = a;
      return m;
    }
    case 'LSTM': {
      const m = own(op);
      const a = act(op, 0);
      if (a) m.fusedActivation = a;
      return m;
    }
    case 'SVDF': {
      const m = own(op);
      m.attrs = { rank: o?.i32(0, 1) ?? 1 };
      const a = act(op, 1);
      if (a) m.fusedActivation = a;
      return m;
    }
    default:
      return own(op);
  }
}
