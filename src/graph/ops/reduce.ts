/**
 * Reductions: ReduceMean/Sum/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare, ArgMax, ArgMin.
 *
 * Source: ONNX Operators.md. `axes` is an attribute before opset 13 (ReduceSum) / 18 (the
 * others) and an optional input after; both forms are read. keepdims defaults to 1; with no
 * axes every axis is reduced unless noop_with_empty_axes = 1.
 * MACs: 0. Elementwise ops: input elements (one add/compare per element read).
 */
import type { ConstTensor, Node } from '../ir.ts';
import { allocData, constTensor, numel, stridesOf } from '../tensor.ts';
import type { Inputs, OpSpec } from './types.ts';
import { attrInt, attrInts, fail, intsOf, shapeOf, zeroFirst } from './types.ts';

function reducedAxes(node: Node, inputs: Inputs, rank: number): number[] {
  const axes = attrInts(node, 'axes') ?? intsOf(node, inputs, 1, 'axes');
  if (!axes || axes.length === 0) {
    return attrInt(node, 'noop_with_empty_axes', 0) === 1 ? [] : Array.from({ length: rank }, (_v, i) => i);
  }
  return axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) fail(node, `axis ${a} out of range for rank ${rank}`);
    return n;
  });
}

function reduceShape(node: Node, s: number[], axes: number[]): number[] {
  const keep = attrInt(node, 'keepdims', 1) === 1;
  const set = new Set(axes);
  const out: number[] = [];
  s.forEach((d, i) => {
    if (!set.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

type Acc = { init: number; step: (acc: number, v: number) => number; end?: (acc: number, n: number) => number };

const ACC: Record<string, Acc> = {
  ReduceSum: { init: 0, step: (a, v) => a + v },
  ReduceMean: { init: 0, step: (a, v) => a + v, end: (a, n) => a / n },
  ReduceProd: { init: 1, step: (a, v) => a * v },
  ReduceMax: { init: -Infinity, step: Math.max },
  ReduceMin: { init: Infinity, step: Math.min },
};

function foldReduce(op: string, node: Node, inputs: readonly (ConstTensor | undefined)[]): ConstTensor[] {
  const acc = ACC[op]!;
  const x = inputs[0]!;
  const axes = new Set(reducedAxes(node, inputs, x.shape.length));
  const outFull = x.shape.map((d, i) => (axes.has(i) ? 1 : d));
  const outStr = stridesOf(outFull);
  const n = numel(outFull);
  const res = new Array<number>(n).fill(acc.init);
  const cnt = numel(x.shape) / Math.max(1, n);
  const rank = x.shape.length;
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < x.data.length; k++) {
    let f = 0;
    for (let i = 0; i < rank; i++) if (!axes.has(i)) f += (coord[i] as number) * (outStr[i] as number);
    res[f] = acc.step(res[f] as number, x.data[k] as number);
    for (let i = rank - 1; i >= 0; i--) {
      coord[i] = (coord[i] as number) + 1;
      if ((coord[i] as number) < (x.shape[i] as number)) break;
      coord[i] = 0;
    }
  }
  const out = allocData(x.dtype, n);
  for (let i = 0; i < n; i++) out[i] = acc.end ? acc.end(res[i] as number, cnt) : (res[i] as number);
  return [constTensor(node.outputs[0]!, x.dtype, reduceShape(node, x.shape, [...axes]), out)];
}

function reduceSpec(op: string): OpSpec {
  const spec: OpSpec = {
    op,
    inferShapes: (node, inputs) => {
      const s = shapeOf(node, inputs, 0);
      return [reduceShape(node, s, reducedAxes(node, inputs, s.length))];
    },
    macs: () => 0,
    elementwiseOps: (_n, inputs) => (inputs[0]?.shape ? numel(inputs[0].shape) : 0),
  };
  if (op !== 'ReduceLogSumExp' && op !== 'ReduceLogSum') spec.zero = zeroFirst;
  if (ACC[op]) spec.fold = (node, inputs) => foldReduce(op, node, inputs);
  return spec;
}

function argSpec(op: string): OpSpec {
  return {
    op,
    inferShapes: (node, inputs) => {
      const s = shapeOf(node, inputs, 0);
      const a = attrInt(node, 'axis', 0);
      const n = a < 0 ? a + s.length : a;
      if (n < 0 || n >= s.length) fail(node, `axis ${a} out of range for rank ${s.length}`);
      return [reduceShape(node, s, [n])];
    },
    inferTypes: () => ['int64'],
    macs: () => 0,
    elementwiseOps: (_n, inputs) => (inputs[0]?.shape ? numel(inputs[0].shape) : 0),
  };
}

/** Every reduction op spec. */
export const REDUCE_OPS: OpSpec[] = [
  ...[
    'ReduceMean',
    'ReduceSum',
    'ReduceMax',
    'ReduceMin',
    'ReduceProd',
    'ReduceL1',
    'ReduceL2',
    'ReduceLogSum',
    'ReduceLogSumExp',
    'ReduceSumSquare',
  ].map(reduceSpec),
  argSpec('ArgMax'),
  argSpec('ArgMin'),
];
