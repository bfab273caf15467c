/**
 * Elementwise ops: activations and other unary maps, broadcasting binary/variadic arithmetic,
 * comparisons and logic, Where, Cast, Clip, Softmax family, Identity, Dropout.
 *
 * Source: ONNX Operators.md (each op), broadcasting per ONNX Broadcasting.md (numpy rules).
 * MACs: 0 for every op here (the thop/fvcore convention counts only conv/linear/matmul).
 * Elementwise ops: one per output element (Softmax/LogSoftmax: 3 per element: exp, sum, divide).
 */
import type { ConstTensor, DType, Node, Shape } from '../ir.ts';
import { dtypeFromOnnx } from '../dtype-codes.ts';
import { allocData, broadcastIndex, broadcastShapes, constTensor, isFloatDType, numel } from '../tensor.ts';
import type { Inputs, OpSpec } from './types.ts';
import {
  attrFloat,
  attrInt,
  fail,
  firstDType,
  isZero,
  outElems,
  shapeOf,
  zeroAll,
  zeroAny,
  zeroFirst,
} from './types.ts';

type Fn1 = (x: number, node: Node) => number;
type FnN = (a: number, b: number) => number;

const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));

/** Abramowitz-Stegun 7.1.26 erf approximation (|error| < 1.5e-7), enough for folding. */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/** Unary maps: value function (for folding) and whether f(0) = 0 (zero propagation). */
const UNARY: Record<string, { fn?: Fn1; zero: boolean; out?: DType }> = {
  Relu: { fn: (x) => (x > 0 ? x : 0), zero: true },
  LeakyRelu: { fn: (x, n) => (x >= 0 ? x : x * attrFloat(n, 'alpha', 0.01)), zero: true },
  ThresholdedRelu: { fn: (x, n) => (x > attrFloat(n, 'alpha', 1) ? x : 0), zero: true },
  Elu: { fn: (x, n) => (x >= 0 ? x : attrFloat(n, 'alpha', 1) * (Math.exp(x) - 1)), zero: true },
  Selu: {
    fn: (x, n) =>
      attrFloat(n, 'gamma', 1.0507009873554805) * (x > 0 ? x : attrFloat(n, 'alpha', 1.6732632423543772) * (Math.exp(x) - 1)),
    zero: true,
  },
  Celu: { fn: (x, n) => Math.max(0, x) + Math.min(0, attrFloat(n, 'alpha', 1) * (Math.exp(x / attrFloat(n, 'alpha', 1)) - 1)), zero: true },
  Sigmoid: { fn: (x) => 1 / (1 + Math.exp(-x)), zero: false },
  HardSigmoid: {
    fn: (x, n) => Math.max(0, Math.min(1, attrFloat(n, 'alpha', 0.2) * x + attrFloat(n, 'beta', 0.5))),
    zero: false,
  },
  HardSwish: { fn: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)), zero: true },
  Tanh: { fn: Math.tanh, zero: true },
  Erf: { fn: erf, zero: true },
  Gelu: { fn: gelu, zero: true },
  Mish: { fn: (x) => x * Math.tanh(Math.log1p(Math.exp(x))), zero: true },
  Softplus: { fn: (x) => Math.log1p(Math.exp(x)), zero: false },
  Softsign: { fn: (x) => x / (1 + Math.abs(x)), zero: true },
  Exp: { fn: Math.exp, zero: false },
  Log: { fn: Math.log, zero: false },
  Sqrt: { fn: Math.sqrt, zero: true },
  Reciprocal: { fn: (x) => 1 / x, zero: false },
  Neg: { fn: (x) => -x, zero: true },
  Abs: { fn: Math.abs, zero: true },
  Ceil: { fn: Math.ceil, zero: true },
  Floor: { fn: Math.floor, zero: true },
  Round: { fn: roundHalfEven, zero: true },
  Sign: { fn: Math.sign, zero: true },
  Sin: { fn: Math.sin, zero: true },
  Cos: { fn: Math.cos, zero: false },
  Tan: { fn: Math.tan, zero: true },
  Asin: { fn: Math.asin, zero: true },
  Acos: { fn: Math.acos, zero: false },
  Atan: { fn: Math.atan, zero: true },
  Sinh: { fn: Math.sinh, zero: true },
  Cosh: { fn: Math.cosh, zero: false },
  Asinh: { fn: Math.asinh, zero: true },
  Acosh: { fn: Math.acosh, zero: false },
  Atanh: { fn: Math.atanh, zero: true },
  Not: { fn: (x) => (x ? 0 : 1), zero: false, out: 'bool' },
  IsNaN: { fn: (x) => (Number.isNaN(x) ? 1 : 0), zero: false, out: 'bool' },
  IsInf: { fn: (x) => (x === Infinity || x === -Infinity ? 1 : 0), zero: false, out: 'bool' },
  Shrink: {
    fn: (x, n) => {
      const l = attrFloat(n, 'lambd', 0.5);
      const b = attrFloat(n, 'bias', 0);
      return x < -l ? x + b : x > l ? x - b : 0;
    },
    zero: false,
  },
  BitwiseNot: { zero: false },
  Trilu: { zero: true },
  CumSum: { zero: true },
};

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Binary/variadic broadcasting ops: value function and output dtype. */
const BINARY: Record<string, { fn?: FnN; bool?: boolean; zero?: 'any' | 'all' | 'first' | 'none' }> = {
  Add: { fn: (a, b) => a + b, zero: 'all' },
  Sub: { fn: (a, b) => a - b, zero: 'all' },
  Mul: { fn: (a, b) => a * b, zero: 'any' },
  Div: { fn: (a, b) => a / b, zero: 'first' },
  Pow: { fn: Math.pow, zero: 'none' },
  Mod: { fn: (a, b) => a - Math.floor(a / b) * b, zero: 'first' },
  Max: { fn: Math.max, zero: 'all' },
  Min: { fn: Math.min, zero: 'all' },
  Sum: { fn: (a, b) => a + b, zero: 'all' },
  Mean: { zero: 'all' },
  PRelu: { fn: (a, b) => (a >= 0 ? a : a * b), zero: 'first' },
  Equal: { fn: (a, b) => (a === b ? 1 : 0), bool: true },
  Less: { fn: (a, b) => (a < b ? 1 : 0), bool: true },
  Greater: { fn: (a, b) => (a > b ? 1 : 0), bool: true },
  LessOrEqual: { fn: (a, b) => (a <= b ? 1 : 0), bool: true },
  GreaterOrEqual: { fn: (a, b) => (a >= b ? 1 : 0), bool: true },
  And: { fn: (a, b) => (a && b ? 1 : 0), bool: true },
  Or: { fn: (a, b) => (a || b ? 1 : 0), bool: true },
  Xor: { fn: (a, b) => ((a ? 1 : 0) ^ (b ? 1 : 0)), bool: true },
  BitShift: { zero: 'first' },
  BitwiseAnd: { fn: (a, b) => a & b, zero: 'any' },
  BitwiseOr: { fn: (a, b) => a | b, zero: 'all' },
  BitwiseXor: { fn: (a, b) => a ^ b, zero: 'all' },
};

/** Broadcast shape of the present inputs, or a ShapeError. */
function broadcastOf(node: Node, inputs: Inputs): number[] {
  const shapes: number[][] = [];
  for (let i = 0; i < inputs.length; i++) if (inputs[i]) shapes.push(shapeOf(node, inputs, i));
  const out = broadcastShapes(shapes);
  if (!out) fail(node, `inputs ${shapes.map((s) => `[${s.join(',')}]`).join(' and ')} are not broadcastable`);
  return out;
}

/** Integer-typed results are truncated toward zero (C semantics, as ONNX Runtime does). */
function finish(dtype: DType, v: number): number {
  if (isFloatDType(dtype) || dtype === 'unknown') return v;
  if (dtype === 'bool') return v ? 1 : 0;
  return Number.isFinite(v) ? Math.trunc(v) : v;
}

function ops1(node: Node, _inputs: Inputs, outputs: readonly import('../ir.ts').TensorInfo[]): number {
  return outElems(outputs);
}

function unarySpec(op: string): OpSpec {
  const u = UNARY[op]!;
  const spec: OpSpec = {
    op,
    inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
    inferTypes: (_n, inputs) => [u.out ?? firstDType(inputs)],
    macs: () => 0,
    elementwiseOps: ops1,
  };
  if (u.zero) spec.zero = zeroFirst;
  const fn = u.fn;
  if (fn) {
    spec.fold = (node, inputs) => {
      const x = inputs[0]!;
      const dt = u.out ?? x.dtype;
      const out = allocData(dt, x.data.length);
      for (let i = 0; i < x.data.length; i++) out[i] = finish(dt, fn(x.data[i] as number, node));
      return [constTensor(node.outputs[0]!, dt, [...x.shape], out)];
    };
  }
  return spec;
}

/** Folds a broadcasting n-ary op with a pairwise function (left fold over present inputs). */
function foldBroadcast(node: Node, inputs: readonly (ConstTensor | undefined)[], fn: FnN, outDType: DType): ConstTensor[] {
  const present = inputs.filter((t): t is ConstTensor => !!t);
  const shape = broadcastShapes(present.map((t) => t.shape));
  if (!shape) fail(node, 'inputs are not broadcastable');
  const n = numel(shape);
  const idx = present.map((t) => broadcastIndex(t.shape, shape));
  const out = allocData(outDType, n);
  for (let k = 0; k < n; k++) {
    let acc = present[0]!.data[idx[0]![k]!] as number;
    for (let j = 1; j < present.length; j++) acc = fn(acc, present[j]!.data[idx[j]![k]!] as number);
    out[k] = finish(outDType, acc);
  }
  return [constTensor(node.outputs[0]!, outDType, shape, out)];
}

function binarySpec(op: string): OpSpec {
  const b = BINARY[op]!;
  const spec: OpSpec = {
    op,
    inferShapes: (node, inputs) => [broadcastOf(node, inputs)],
    inferTypes: (_n, inputs) => [b.bool ? 'bool' : firstDType(inputs)],
    macs: () => 0,
    elementwiseOps: (_n, inputs, outputs) => outElems(outputs) * Math.max(1, inputs.filter((t) => t).length - 1),
  };
  if (b.zero === 'any') spec.zero = zeroAny;
  else if (b.zero === 'all') spec.zero = zeroAll;
  else if (b.zero === 'first') spec.zero = zeroFirst;
  const fn = b.fn;
  if (fn) {
    spec.fold = (node, inputs) => {
      const dt = b.bool ? 'bool' : firstDType(inputs);
      // Integer division truncates (C semantics).
      const f = op === 'Div' && !isFloatDType(dt) ? (x: number, y: number) => Math.trunc(x / y) : fn;
      return foldBroadcast(node, inputs, f, dt);
    };
  } else if (op === 'Mean') {
    spec.fold = (node, inputs) => {
      const k = inputs.filter((t) => t).length;
      const [s] = foldBroadcast(node, inputs, (x, y) => x + y, firstDType(inputs));
      for (let i = 0; i < s!.data.length; i++) s!.data[i] = (s!.data[i] as number) / k;
      return [constTensor(s!.id, s!.dtype, s!.shape, s!.data)];
    };
  }
  return spec;
}

/** Where(condition, X, Y): broadcast of the three; dtype of X. Output zero when X and Y are. */
const where: OpSpec = {
  op: 'Where',
  inferShapes: (node, inputs) => [broadcastOf(node, inputs)],
  inferTypes: (_n, inputs) => [inputs[1]?.dtype ?? 'unknown'],
  macs: () => 0,
  elementwiseOps: ops1,
  zero: (_n, inputs) => isZero(inputs[1]) && isZero(inputs[2]),
  fold: (node, inputs) => {
    const [c, x, y] = inputs as ConstTensor[];
    const shape = broadcastShapes([c!.shape, x!.shape, y!.shape]);
    if (!shape) fail(node, 'inputs are not broadcastable');
    const n = numel(shape);
    const ic = broadcastIndex(c!.shape, shape);
    const ix = broadcastIndex(x!.shape, shape);
    const iy = broadcastIndex(y!.shape, shape);
    const out = allocData(x!.dtype, n);
    for (let k = 0; k < n; k++) out[k] = (c!.data[ic[k]!] as number) ? (x!.data[ix[k]!] as number) : (y!.data[iy[k]!] as number);
    return [constTensor(node.outputs[0]!, x!.dtype, shape, out)];
  },
};

/** Cast: same shape, dtype from attribute `to` (ONNX TensorProto.DataType code). */
const cast: OpSpec = {
  op: 'Cast',
  inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
  inferTypes: (node) => [dtypeFromOnnx(attrInt(node, 'to', 0))],
  macs: () => 0,
  elementwiseOps: ops1,
  zero: zeroFirst,
  fold: (node, inputs) => {
    const x = inputs[0]!;
    const dt = dtypeFromOnnx(attrInt(node, 'to', 0));
    if (dt === 'string' || x.dtype === 'string') fail(node, 'string casts are not folded');
    const out = allocData(dt, x.data.length);
    for (let i = 0; i < x.data.length; i++) out[i] = finish(dt, x.data[i] as number);
    return [constTensor(node.outputs[0]!, dt, [...x.shape], out)];
  },
};

/** CastLike(input, target_type): same shape as input, dtype of target. */
const castLike: OpSpec = {
  op: 'CastLike',
  inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
  inferTypes: (_n, inputs) => [inputs[1]?.dtype ?? 'unknown'],
  macs: () => 0,
  elementwiseOps: ops1,
  zero: zeroFirst,
  fold: (node, inputs) => {
    const x = inputs[0]!;
    const dt = inputs[1]!.dtype;
    const out = allocData(dt, x.data.length);
    for (let i = 0; i < x.data.length; i++) out[i] = finish(dt, x.data[i] as number);
    return [constTensor(node.outputs[0]!, dt, [...x.shape], out)];
  },
};

/** Bounds of Clip: attributes `min`/`max` before opset 11, optional inputs 1 and 2 from 11. */
function clipBounds(node: Node, inputs: Inputs): { lo: number; hi: number } | undefined {
  let lo = attrFloat(node, 'min', -Infinity);
  let hi = attrFloat(node, 'max', Infinity);
  for (const [i, set] of [
    [1, (v: number) => (lo = v)],
    [2, (v: number) => (hi = v)],
  ] as const) {
    const t = inputs[i];
    if (!t) continue;
    if (!t.isConstant || !t.data) return undefined;
    set(t.data[0] as number);
  }
  return { lo, hi };
}

/** Clip(x, min?, max?): same shape. Zero when x is zero and min ≤ 0 ≤ max. */
const clip: OpSpec = {
  op: 'Clip',
  inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
  macs: () => 0,
  elementwiseOps: ops1,
  zero: (node, inputs) => {
    if (!isZero(inputs[0])) return false;
    const b = clipBounds(node, inputs);
    return !!b && b.lo <= 0 && b.hi >= 0;
  },
  fold: (node, inputs) => {
    const x = inputs[0]!;
    const b = clipBounds(node, inputs);
    if (!b) fail(node, 'bounds are not constant');
    const out = allocData(x.dtype, x.data.length);
    for (let i = 0; i < x.data.length; i++) out[i] = Math.min(b.hi, Math.max(b.lo, x.data[i] as number));
    return [constTensor(node.outputs[0]!, x.dtype, [...x.shape], out)];
  },
};

/** Softmax / LogSoftmax / Hardmax: same shape (axis default 1 before opset 13, -1 after). */
function softmaxSpec(op: string): OpSpec {
  return {
    op,
    inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
    macs: () => 0,
    elementwiseOps: (_n, _i, outputs) => 3 * outElems(outputs),
  };
}

/**
 * Identity and Dropout (inference: output = input; Dropout's optional mask output is all true).
 * The shape pass removes both by rewiring consumers; these rules serve graphs that keep them.
 */
function passSpec(op: string): OpSpec {
  return {
    op,
    inferShapes: (node, inputs) => {
      const s = shapeOf(node, inputs, 0);
      const out: Shape[] = [s];
      for (let i = 1; i < node.outputs.length; i++) out.push([...s]);
      return out;
    },
    inferTypes: (node, inputs) => node.outputs.map((_o, i) => (i === 0 ? firstDType(inputs) : 'bool')),
    macs: () => 0,
    zero: zeroFirst,
    fold: (node, inputs) => {
      const x = inputs[0]!;
      const out: ConstTensor[] = [constTensor(node.outputs[0]!, x.dtype, [...x.shape], x.data)];
      if (node.outputs.length > 1 && node.outputs[1]) {
        const mask = allocData('bool', x.data.length);
        for (let i = 0; i < mask.length; i++) mask[i] = 1;
        out.push(constTensor(node.outputs[1], 'bool', [...x.shape], mask));
      }
      return out;
    },
  };
}

/** Every elementwise op spec. */
export const ELEMENTWISE_OPS: OpSpec[] = [
  ...Object.keys(UNARY).map(unarySpec),
  ...Object.keys(BINARY).map(binarySpec),
  where,
  cast,
  castLike,
  clip,
  softmaxSpec('Softmax'),
  softmaxSpec('LogSoftmax'),
  softmaxSpec('Hardmax'),
  passSpec('Identity'),
  passSpec('Dropout'),
];
