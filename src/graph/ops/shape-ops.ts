/**
 * Shape and data-movement ops: Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Transpose,
 * Concat, Split, Slice, Gather(+Elements/ND), Expand, Tile, Pad, Range, DepthToSpace,
 * SpaceToDepth, NonZero, TopK, OneHot, Scatter*, EyeLike.
 *
 * Source: ONNX Operators.md. Opset differences are decided by what the node carries: attributes
 * (`axes` of Squeeze/Unsqueeze before opset 13, Slice `starts`/`ends` before 10, Pad `pads`
 * before 11, Split `split` before 13) or inputs (the later opsets), so one rule serves 6..21.
 * MACs: 0 (data movement). Elementwise ops: 0.
 */
import type { ConstTensor, DType, Node, TensorData } from '../ir.ts';
import { allocData, broadcastIndex, broadcastShapes, constTensor, makeData, normAxis, numel, stridesOf } from '../tensor.ts';
import type { Inputs, OpContext, OpSpec } from './types.ts';
import {
  DataDependentShape,
  attrInt,
  attrInts,
  attrStr,
  fail,
  firstDType,
  hasAttr,
  intsOf,
  shapeOf,
  zeroAll,
  zeroFirst,
} from './types.ts';

const noMacs = (): number => 0;

function axisOf(node: Node, axis: number, rank: number): number {
  const a = normAxis(axis, rank);
  if (a < 0) fail(node, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Same data, new shape (Reshape, Flatten, Squeeze, Unsqueeze). */
function foldSameData(node: Node, inputs: readonly (ConstTensor | undefined)[], shape: number[]): ConstTensor[] {
  const x = inputs[0]!;
  return [constTensor(node.outputs[0]!, x.dtype, shape, x.data)];
}

/** Shape(data): int64 [rank] (opset 15 `start`/`end` attributes slice it). Always folded. */
const shapeOp: OpSpec = {
  op: 'Shape',
  alwaysFold: true,
  inferShapes: (node, inputs) => [[shapeRange(node, shapeOf(node, inputs, 0)).length]],
  inferTypes: () => ['int64'],
  macs: noMacs,
  fold: (node, inputs) => {
    const s = shapeRange(node, inputs[0]!.shape);
    return [constTensor(node.outputs[0]!, 'int64', [s.length], s)];
  },
};

function shapeRange(node: Node, s: number[]): number[] {
  const r = s.length;
  const clampI = (v: number): number => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  return s.slice(clampI(attrInt(node, 'start', 0)), clampI(attrInt(node, 'end', r)));
}

/** Size(data): int64 scalar, the element count. Always folded. */
const sizeOp: OpSpec = {
  op: 'Size',
  alwaysFold: true,
  inferShapes: () => [[]],
  inferTypes: () => ['int64'],
  macs: noMacs,
  fold: (node, inputs) => [constTensor(node.outputs[0]!, 'int64', [], [numel(inputs[0]!.shape)])],
};

/** Reshape target: 0 copies the input dim (unless allowzero=1), one -1 is inferred. */
function reshapeShape(node: Node, inShape: number[], target: number[], ctx?: OpContext): number[] {
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const out = target.map((d, i) => (d === 0 && !allowZero ? (inShape[i] ?? fail(node, `shape[${i}] = 0 copies a dim the input lacks`)) : d));
  const total = numel(inShape);
  const neg = out.indexOf(-1);
  if (neg >= 0) {
    const known = out.reduce((a, d, i) => (i === neg ? a : a * d), 1);
    if (known === 0 || total % known !== 0) {
      fail(node, `cannot infer -1 in [${target.join(',')}] from input [${inShape.join(',')}] (${total} elements)`);
    }
    out[neg] = total / known;
  } else if (numel(out) !== total) {
    // The target is fully explicit: trust it, as the file says what the runtime produces.
    ctx?.warn(
      `Reshape '${node.name}': input [${inShape.join(',')}] has ${total} elements but target [${target.join(',')}] has ${numel(out)}; kept the target shape`,
    );
  }
  return out;
}

/** Reshape(data, shape) (opset 5+; opset 1-4 `shape` attribute). */
const reshape: OpSpec = {
  op: 'Reshape',
  zero: zeroFirst,
  inferShapes: (node, inputs, ctx) => {
    const s = shapeOf(node, inputs, 0);
    const target = intsOf(node, inputs, 1, 'shape') ?? attrInts(node, 'shape');
    if (!target) fail(node, 'no target shape');
    return [reshapeShape(node, s, target, ctx)];
  },
  macs: noMacs,
  fold: (node, inputs, ctx) => {
    const target = Array.from(inputs[1]?.data ?? attrInts(node, 'shape') ?? [], Number);
    return foldSameData(node, inputs, reshapeShape(node, inputs[0]!.shape, target, ctx));
  },
};

function flattenShape(node: Node, s: number[]): number[] {
  const axis = attrInt(node, 'axis', 1);
  const a = axis < 0 ? axis + s.length : axis;
  if (a < 0 || a > s.length) fail(node, `axis ${axis} out of range for rank ${s.length}`);
  return [numel(s.slice(0, a)), numel(s.slice(a))];
}

/** Flatten(input): 2-D [prod(dims[:axis]), prod(dims[axis:])], axis default 1. */
const flatten: OpSpec = {
  op: 'Flatten',
  zero: zeroFirst,
  inferShapes: (node, inputs) => [flattenShape(node, shapeOf(node, inputs, 0))],
  macs: noMacs,
  fold: (node, inputs) => foldSameData(node, inputs, flattenShape(node, inputs[0]!.shape)),
};

/** Axes from attribute `axes` (before opset 13/18) or input 1 (after). */
function axesOf(node: Node, inputs: Inputs, inputIndex: number): number[] | undefined {
  return attrInts(node, 'axes') ?? intsOf(node, inputs, inputIndex, 'axes');
}

function squeezeShape(node: Node, s: number[], axes: number[] | undefined): number[] {
  if (!axes || axes.length === 0) return s.filter((d) => d !== 1);
  const drop = new Set(axes.map((a) => axisOf(node, a, s.length)));
  for (const a of drop) if (s[a] !== 1) fail(node, `cannot squeeze axis ${a} of size ${s[a]} in [${s.join(',')}]`);
  return s.filter((_d, i) => !drop.has(i));
}

/** Squeeze(data, axes?): removes the listed size-1 axes (all size-1 axes when none given). */
const squeeze: OpSpec = {
  op: 'Squeeze',
  zero: zeroFirst,
  inferShapes: (node, inputs) => [squeezeShape(node, shapeOf(node, inputs, 0), axesOf(node, inputs, 1))],
  macs: noMacs,
  fold: (node, inputs) => foldSameData(node, inputs, squeezeShape(node, inputs[0]!.shape, axesOf(node, inputs, 1))),
};

function unsqueezeShape(node: Node, s: number[], axes: number[] | undefined): number[] {
  if (!axes) fail(node, 'no axes');
  const rank = s.length + axes.length;
  const ins = new Set(axes.map((a) => axisOf(node, a, rank)));
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(ins.has(i) ? 1 : (s[j++] as number));
  return out;
}

/** Unsqueeze(data, axes): inserts size-1 axes at the listed output positions. */
const unsqueeze: OpSpec = {
  op: 'Unsqueeze',
  zero: zeroFirst,
  inferShapes: (node, inputs) => [unsqueezeShape(node, shapeOf(node, inputs, 0), axesOf(node, inputs, 1))],
  macs: noMacs,
  fold: (node, inputs) => foldSameData(node, inputs, unsqueezeShape(node, inputs[0]!.shape, axesOf(node, inputs, 1))),
};

function permOf(node: Node, rank: number): number[] {
  const p = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_v, i) => rank - 1 - i);
  if (p.length !== rank) fail(node, `perm [${p.join(',')}] does not match rank ${rank}`);
  return p;
}

/** Transpose(data): dims permuted by `perm` (default: reversed). */
const transpose: OpSpec = {
  op: 'Transpose',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const s = shapeOf(node, inputs, 0);
    return [permOf(node, s.length).map((p) => s[p] as number)];
  },
  macs: noMacs,
  fold: (node, inputs) => {
    const x = inputs[0]!;
    const perm = permOf(node, x.shape.length);
    const outShape = perm.map((p) => x.shape[p] as number);
    const inStr = stridesOf(x.shape);
    const n = x.data.length;
    const out = allocData(x.dtype, n);
    const rank = outShape.length;
    const coord = new Array<number>(rank).fill(0);
    for (let k = 0; k < n; k++) {
      let f = 0;
      for (let i = 0; i < rank; i++) f += (coord[i] as number) * (inStr[perm[i] as number] as number);
      out[k] = x.data[f] as number;
      for (let i = rank - 1; i >= 0; i--) {
        coord[i] = (coord[i] as number) + 1;
        if ((coord[i] as number) < (outShape[i] as number)) break;
        coord[i] = 0;
      }
    }
    return [constTensor(node.outputs[0]!, x.dtype, outShape, out)];
  },
};

/** Concat(inputs...): sizes summed along `axis`; other dims must match. */
const concat: OpSpec = {
  op: 'Concat',
  zero: zeroAll,
  inferShapes: (node, inputs) => {
    const shapes: number[][] = [];
    for (let i = 0; i < inputs.length; i++) if (inputs[i]) shapes.push(shapeOf(node, inputs, i));
    if (shapes.length === 0) fail(node, 'no inputs');
    const first = shapes[0]!;
    const a = axisOf(node, attrInt(node, 'axis', 0), first.length);
    const out = [...first];
    out[a] = 0;
    for (const s of shapes) {
      if (s.length !== first.length) fail(node, `ranks differ: [${first.join(',')}] vs [${s.join(',')}]`);
      for (let i = 0; i < s.length; i++) {
        if (i !== a && s[i] !== first[i]) fail(node, `dim ${i} differs: [${first.join(',')}] vs [${s.join(',')}]`);
      }
      out[a] = (out[a] as number) + (s[a] as number);
    }
    return [out];
  },
  macs: noMacs,
  fold: (node, inputs) => {
    const xs = inputs.filter((t): t is ConstTensor => !!t);
    const first = xs[0]!;
    const a = axisOf(node, attrInt(node, 'axis', 0), first.shape.length);
    const outShape = [...first.shape];
    outShape[a] = xs.reduce((acc, t) => acc + (t.shape[a] as number), 0);
    const outer = numel(first.shape.slice(0, a));
    const inner = numel(first.shape.slice(a + 1));
    const out = allocData(first.dtype, numel(outShape));
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (const t of xs) {
        const chunk = (t.shape[a] as number) * inner;
        for (let j = 0; j < chunk; j++) out[k++] = t.data[o * chunk + j] as number;
      }
    }
    return [constTensor(node.outputs[0]!, first.dtype, outShape, out)];
  },
};

/** Split sizes: `split` attribute (< opset 13) or input 1 (≥ 13), else `num_outputs` / output count. */
function splitSizes(node: Node, inputs: Inputs, dim: number): number[] {
  const given = attrInts(node, 'split') ?? intsOf(node, inputs, 1, 'split');
  if (given && given.length > 0) return given;
  const n = attrInt(node, 'num_outputs', node.outputs.length);
  const chunk = Math.ceil(dim / n);
  return Array.from({ length: n }, (_v, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
}

/** Split(input, split?): one output per piece along `axis`. */
const split: OpSpec = {
  op: 'Split',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const s = shapeOf(node, inputs, 0);
    const a = axisOf(node, attrInt(node, 'axis', 0), s.length);
    const sizes = splitSizes(node, inputs, s[a] as number);
    if (sizes.reduce((x, y) => x + y, 0) !== s[a]) fail(node, `split [${sizes.join(',')}] does not sum to dim ${s[a]}`);
    return sizes.map((d) => s.map((v, i) => (i === a ? d : v)));
  },
  macs: noMacs,
};

interface SliceAxis {
  axis: number;
  start: number;
  step: number;
  len: number;
}

/** Per-axis start/step/length of Slice (clamping per ONNX Operators.md, Slice). */
function sliceAxes(node: Node, inputs: Inputs, s: number[]): SliceAxis[] {
  const attrForm = hasAttr(node, 'starts');
  const starts = attrForm ? attrInts(node, 'starts')! : intsOf(node, inputs, 1, 'starts')!;
  const ends = attrForm ? attrInts(node, 'ends')! : intsOf(node, inputs, 2, 'ends')!;
  if (!starts || !ends) fail(node, 'starts/ends missing');
  const axes = (attrForm ? attrInts(node, 'axes') : intsOf(node, inputs, 3, 'axes')) ?? starts.map((_v, i) => i);
  const steps = (attrForm ? undefined : intsOf(node, inputs, 4, 'steps')) ?? starts.map(() => 1);
  const res: SliceAxis[] = [];
  for (let i = 0; i < starts.length; i++) {
    const axis = axisOf(node, axes[i] as number, s.length);
    const dim = s[axis] as number;
    const step = steps[i] as number;
    if (step === 0) fail(node, 'step 0');
    let st = starts[i] as number;
    let en = ends[i] as number;
    if (st < 0) st += dim;
    if (en < 0) en += dim;
    if (step > 0) {
      st = Math.min(Math.max(st, 0), dim);
      en = Math.min(Math.max(en, 0), dim);
    } else {
      st = Math.min(Math.max(st, 0), dim - 1);
      en = Math.min(Math.max(en, -1), dim - 1);
    }
    const len = Math.max(0, Math.ceil((en - st) / step));
    res.push({ axis, start: st, step, len });
  }
  return res;
}

/** Slice(data, starts, ends, axes?, steps?) (attributes before opset 10). */
const slice: OpSpec = {
  op: 'Slice',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const s = shapeOf(node, inputs, 0);
    const out = [...s];
    for (const a of sliceAxes(node, inputs, s)) out[a.axis] = a.len;
    return [out];
  },
  macs: noMacs,
  fold: (node, inputs) => {
    const x = inputs[0]!;
    const rank = x.shape.length;
    const start = new Array<number>(rank).fill(0);
    const step = new Array<number>(rank).fill(1);
    const outShape = [...x.shape];
    for (const a of sliceAxes(node, inputs, x.shape)) {
      start[a.axis] = a.start;
      step[a.axis] = a.step;
      outShape[a.axis] = a.len;
    }
    return [constTensor(node.outputs[0]!, x.dtype, outShape, gatherStrided(x, outShape, start, step))];
  },
};

/** Reads `x` at coords start + i*step for every output coord i (row-major). */
function gatherStrided(x: ConstTensor, outShape: number[], start: number[], step: number[]): TensorData {
  const n = numel(outShape);
  const out = allocData(x.dtype, n);
  if (n === 0) return out;
  const inStr = stridesOf(x.shape);
  const rank = outShape.length;
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let f = 0;
    for (let i = 0; i < rank; i++) f += ((start[i] as number) + (coord[i] as number) * (step[i] as number)) * (inStr[i] as number);
    out[k] = x.data[f] as number;
    for (let i = rank - 1; i >= 0; i--) {
      coord[i] = (coord[i] as number) + 1;
      if ((coord[i] as number) < (outShape[i] as number)) break;
      coord[i] = 0;
    }
  }
  return out;
}

/** Gather(data, indices): data.shape[:axis] + indices.shape + data.shape[axis+1:]. */
const gather: OpSpec = {
  op: 'Gather',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const d = shapeOf(node, inputs, 0);
    const ix = shapeOf(node, inputs, 1);
    const a = axisOf(node, attrInt(node, 'axis', 0), d.length);
    return [[...d.slice(0, a), ...ix, ...d.slice(a + 1)]];
  },
  macs: noMacs,
  fold: (node, inputs) => {
    const x = inputs[0]!;
    const ind = inputs[1]!;
    const a = axisOf(node, attrInt(node, 'axis', 0), x.shape.length);
    const dim = x.shape[a] as number;
    const outer = numel(x.shape.slice(0, a));
    const inner = numel(x.shape.slice(a + 1));
    const outShape = [...x.shape.slice(0, a), ...ind.shape, ...x.shape.slice(a + 1)];
    const out = allocData(x.dtype, numel(outShape));
    let k = 0;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < ind.data.length; j++) {
        let q = ind.data[j] as number;
        if (q < 0) q += dim;
        if (q < 0 || q >= dim) fail(node, `index ${ind.data[j]} out of range for dim ${dim}`);
        const base = (o * dim + q) * inner;
        for (let r = 0; r < inner; r++) out[k++] = x.data[base + r] as number;
      }
    }
    return [constTensor(node.outputs[0]!, x.dtype, outShape, out)];
  },
};

/** GatherElements(data, indices): output has the shape of indices. */
const gatherElements: OpSpec = {
  op: 'GatherElements',
  inferShapes: (node, inputs) => [shapeOf(node, inputs, 1)],
  macs: noMacs,
};

/** GatherND(data, indices): indices.shape[:-1] + data.shape[batch_dims + indices.shape[-1]:]. */
const gatherND: OpSpec = {
  op: 'GatherND',
  inferShapes: (node, inputs) => {
    const d = shapeOf(node, inputs, 0);
    const ix = shapeOf(node, inputs, 1);
    const b = attrInt(node, 'batch_dims', 0);
    const last = ix[ix.length - 1] ?? 0;
    return [[...ix.slice(0, -1), ...d.slice(b + last)]];
  },
  macs: noMacs,
};

/** Expand(input, shape): broadcast of input shape and `shape`. */
const expand: OpSpec = {
  op: 'Expand',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const s = shapeOf(node, inputs, 0);
    const target = intsOf(node, inputs, 1, 'shape')!;
    const out = broadcastShapes([s, target]);
    if (!out) fail(node, `[${s.join(',')}] cannot expand to [${target.join(',')}]`);
    return [out];
  },
  macs: noMacs,
  fold: (node, inputs) => {
    const x = inputs[0]!;
    const target = Array.from(inputs[1]!.data, Number);
    const shape = broadcastShapes([x.shape, target]);
    if (!shape) fail(node, 'not broadcastable');
    const idx = broadcastIndex(x.shape, shape);
    const out = allocData(x.dtype, idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = x.data[idx[k]!] as number;
    return [constTensor(node.outputs[0]!, x.dtype, shape, out)];
  },
};

/** Tile(input, repeats): dims multiplied by repeats. */
const tile: OpSpec = {
  op: 'Tile',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const s = shapeOf(node, inputs, 0);
    const r = intsOf(node, inputs, 1, 'repeats')!;
    if (r.length !== s.length) fail(node, `repeats [${r.join(',')}] do not match rank ${s.length}`);
    return [s.map((d, i) => d * (r[i] as number))];
  },
  macs: noMacs,
};

/**
 * Pad(data, pads, constant_value?, axes?) (opset 11+; `pads` attribute before): each dim grows
 * by its begin and end pads. Zero stays zero for constant mode with value 0 and other modes.
 */
const pad: OpSpec = {
  op: 'Pad',
  zero: (node, inputs) => {
    if (!zeroFirst(node, inputs)) return false;
    if (attrStr(node, 'mode', 'constant') !== 'constant') return true;
    const v = inputs[2];
    if (!v) return node.attrs['value'] === undefined || node.attrs['value'] === 0;
    return v.isConstant && (v.allZero === true || (!!v.data && v.data[0] === 0));
  },
  inferShapes: (node, inputs) => {
    const s = shapeOf(node, inputs, 0);
    const pads = attrInts(node, 'pads') ?? attrInts(node, 'paddings') ?? intsOf(node, inputs, 1, 'pads');
    if (!pads) fail(node, 'no pads');
    const axesIn = intsOf(node, inputs, 3, 'axes');
    const axes = axesIn && axesIn.length > 0 ? axesIn.map((a) => axisOf(node, a, s.length)) : s.map((_d, i) => i);
    if (pads.length !== 2 * axes.length) fail(node, `pads has ${pads.length} values for ${axes.length} axes`);
    const out = [...s];
    axes.forEach((a, i) => {
      out[a] = (out[a] as number) + (pads[i] as number) + (pads[i + axes.length] as number);
      if ((out[a] as number) < 0) fail(node, `negative size after padding axis ${a}`);
    });
    return [out];
  },
  macs: noMacs,
};

/** ConstantOfShape(shape): a tensor of `shape` filled with `value` (default float32 0). */
const constantOfShape: OpSpec = {
  op: 'ConstantOfShape',
  inferShapes: (node, inputs) => [intsOf(node, inputs, 0, 'shape') ?? []],
  inferTypes: (node) => [valueAttr(node)?.dtype ?? 'float32'],
  macs: noMacs,
  fold: (node, inputs) => {
    const shape = Array.from(inputs[0]!.data, Number);
    const v = valueAttr(node);
    const dt: DType = v?.dtype ?? 'float32';
    const fill = v ? (v.data[0] as number) : 0;
    const out = allocData(dt, numel(shape));
    if (fill !== 0) for (let i = 0; i < out.length; i++) out[i] = fill;
    return [constTensor(node.outputs[0]!, dt, shape, out)];
  },
};

function valueAttr(node: Node): ConstTensor | undefined {
  const v = node.attrs['value'];
  return v && typeof v === 'object' && !Array.isArray(v) && 'data' in v ? v : undefined;
}

/**
 * Constant: value from one of the attributes value / value_float(s) / value_int(s). The ONNX
 * reader turns Constant nodes into constant tensors directly; this rule serves in-memory graphs.
 */
const constant: OpSpec = {
  op: 'Constant',
  alwaysFold: true,
  inferShapes: (node) => [constantValue(node).shape],
  inferTypes: (node) => [constantValue(node).dtype],
  macs: noMacs,
  fold: (node) => {
    const c = constantValue(node);
    return [constTensor(node.outputs[0]!, c.dtype, c.shape, c.data)];
  },
};

function constantValue(node: Node): ConstTensor {
  const v = valueAttr(node);
  if (v) return v;
  const a = node.attrs;
  if (typeof a['value_float'] === 'number') return constTensor('', 'float32', [], makeData('float32', [a['value_float']]));
  if (typeof a['value_int'] === 'number') return constTensor('', 'int64', [], [a['value_int']]);
  const fl = a['value_floats'];
  if (Array.isArray(fl)) return constTensor('', 'float32', [fl.length], makeData('float32', fl as number[]));
  const il = a['value_ints'];
  if (Array.isArray(il)) return constTensor('', 'int64', [il.length], [...(il as number[])]);
  fail(node, 'no value attribute');
}

/** Range(start, limit, delta): 1-D of max(0, ceil((limit - start) / delta)) elements. */
const range: OpSpec = {
  op: 'Range',
  inferShapes: (node, inputs) => {
    const [st, li, de] = [0, 1, 2].map((i) => {
      const d = inputs[i]?.isConstant ? inputs[i]!.data : undefined;
      if (!d) throw new DataDependentShape(node.name, node.op, `input ${i} is not a constant`);
      return d[0] as number;
    }) as [number, number, number];
    return [[Math.max(0, Math.ceil((li - st) / de))]];
  },
  macs: noMacs,
  fold: (node, inputs) => {
    const [st, li, de] = [0, 1, 2].map((i) => inputs[i]!.data[0] as number) as [number, number, number];
    const n = Math.max(0, Math.ceil((li - st) / de));
    const dt = inputs[0]!.dtype;
    const out = allocData(dt, n);
    for (let i = 0; i < n; i++) out[i] = st + i * de;
    return [constTensor(node.outputs[0]!, dt, [n], out)];
  },
};

/** DepthToSpace: [N, C/b², H·b, W·b]. */
const depthToSpace: OpSpec = {
  op: 'DepthToSpace',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const [n, c, h, w] = shapeOf(node, inputs, 0) as [number, number, number, number];
    const b = attrInt(node, 'blocksize', 1);
    if (c % (b * b) !== 0) fail(node, `channels ${c} not divisible by blocksize² ${b * b}`);
    return [[n, c / (b * b), h * b, w * b]];
  },
  macs: noMacs,
};

/** SpaceToDepth: [N, C·b², H/b, W/b]. */
const spaceToDepth: OpSpec = {
  op: 'SpaceToDepth',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const [n, c, h, w] = shapeOf(node, inputs, 0) as [number, number, number, number];
    const b = attrInt(node, 'blocksize', 1);
    return [[n, c * b * b, Math.floor(h / b), Math.floor(w / b)]];
  },
  macs: noMacs,
};

/** NonZero: int64 [rank, count]; count is data-dependent, bounded by the element count. */
const nonZero: OpSpec = {
  op: 'NonZero',
  inferShapes: (node, inputs, ctx) => {
    const s = shapeOf(node, inputs, 0);
    ctx?.warn(`NonZero '${node.name}': output size depends on data; counted as every element non-zero (upper bound)`);
    return [[s.length, numel(s)]];
  },
  inferTypes: () => ['int64'],
  macs: noMacs,
};

/** TopK(X, K): values and int64 indices with dim `axis` = K (input from opset 10, else attr k). */
const topK: OpSpec = {
  op: 'TopK',
  inferShapes: (node, inputs) => {
    const s = shapeOf(node, inputs, 0);
    const a = axisOf(node, attrInt(node, 'axis', -1), s.length);
    const k = hasAttr(node, 'k') ? attrInt(node, 'k', 1) : intsOf(node, inputs, 1, 'K')![0]!;
    const out = s.map((d, i) => (i === a ? Math.min(k, d) : d));
    return [out, [...out]];
  },
  inferTypes: (_n, inputs) => [firstDType(inputs), 'int64'],
  macs: noMacs,
};

/** OneHot(indices, depth, values): indices shape with `depth` inserted at `axis` (default -1). */
const oneHot: OpSpec = {
  op: 'OneHot',
  inferShapes: (node, inputs) => {
    const s = shapeOf(node, inputs, 0);
    const depth = intsOf(node, inputs, 1, 'depth')![0]!;
    const rank = s.length + 1;
    const a = axisOf(node, attrInt(node, 'axis', -1), rank);
    const out = [...s];
    out.splice(a, 0, depth);
    return [out];
  },
  inferTypes: (_n, inputs) => [inputs[2]?.dtype ?? 'float32'],
  macs: noMacs,
};

/** Scatter ops: output has the shape and dtype of `data`. */
function scatterSpec(op: string): OpSpec {
  return { op, inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)], macs: noMacs };
}

/** EyeLike(input): same 2-D shape; dtype attribute or input dtype. */
const eyeLike: OpSpec = {
  op: 'EyeLike',
  inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
  macs: noMacs,
};

/** Every shape/data-movement op spec. */
export const SHAPE_OPS: OpSpec[] = [
  shapeOp,
  sizeOp,
  reshape,
  flatten,
  squeeze,
  unsqueeze,
  transpose,
  concat,
  split,
  slice,
  gather,
  gatherElements,
  gatherND,
  expand,
  tile,
  pad,
  constantOfShape,
  constant,
  range,
  depthToSpace,
  spaceToDepth,
  nonZero,
  topK,
  oneHot,
  scatterSpec('ScatterND'),
  scatterSpec('ScatterElements'),
  scatterSpec('Scatter'),
  eyeLike,
];



/**
 * ScanStack (domain 'edgeperf', internal): stacks `count` copies of a Loop scan output, made by
 * the Loop inliner in ../shapes.ts. Output [count, ...input shape].
 */
export const SCAN_STACK: OpSpec = {
  op: 'ScanStack',
  domain: 'edgeperf',
  inferShapes: (node, inputs) => [[attrInt(node, 'count', 1), ...shapeOf(node, inputs, 0)]],
  macs: noMacs,
};
