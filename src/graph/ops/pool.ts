/**
 * Pooling: MaxPool, AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool, GlobalLpPool, and
 * the quantized QLinearAveragePool/QLinearGlobalAveragePool (com.microsoft).
 * Layout: NCHW, or N, spatial..., C when `channelsLast` (TFLite/TF.js graphs).
 *
 * Source: ONNX Operators.md, MaxPool/AveragePool (output size with pads, dilations, ceil_mode).
 * MACs: 0 (pooling is not a multiply-accumulate under the thop/fvcore convention).
 * Elementwise ops: output elements × window size (global pools: input elements), i.e. one
 * compare/add per element read.
 */
import type { DType, Node, TensorInfo } from '../ir.ts';
import { numel } from '../tensor.ts';
import type { Inputs, OpContext, OpSpec } from './types.ts';
import { attrInt, channelsLast, fail, outElems, shapeOf, spatialDims, zeroFirst } from './types.ts';
import { windowOf, windowOutShape } from './conv.ts';

function poolShape(node: Node, inputs: Inputs, ctx?: OpContext): number[][] {
  const x = shapeOf(node, inputs, 0);
  const last = channelsLast(node, ctx);
  if (x.length < 3) fail(node, `input rank ${x.length} < 3 (expected N, ${last ? 'spatial..., C' : 'C, spatial...'})`);
  const win = windowOf(node, x.length - 2);
  const spatial = windowOutShape(node, spatialDims(x, last), win, attrInt(node, 'ceil_mode', 0) === 1);
  const c = (last ? x[x.length - 1] : x[1]) as number;
  const out = last ? [x[0] as number, ...spatial, c] : [x[0] as number, c, ...spatial];
  // MaxPool's optional second output (Indices) has the same shape, int64.
  return node.outputs.length > 1 ? [out, [...out]] : [out];
}

function windowOps(node: Node, _inputs: Inputs, outputs: readonly TensorInfo[]): number {
  const k = (node.attrs['kernel_shape'] as number[] | undefined) ?? [];
  return outElems(outputs) * numel(k);
}

function poolSpec(op: string): OpSpec {
  return {
    op,
    zero: zeroFirst,
    inferShapes: (node, inputs, ctx) => poolShape(node, inputs, ctx),
    inferTypes: (node, inputs): DType[] => node.outputs.map((_o, i) => (i === 0 ? (inputs[0]?.dtype ?? 'unknown') : 'int64')),
    macs: () => 0,
    elementwiseOps: windowOps,
  };
}

function globalSpec(op: string, domain = ''): OpSpec {
  return {
    op,
    domain,
    zero: zeroFirst,
    inferShapes: (node, inputs, ctx) => {
      const x = shapeOf(node, inputs, 0);
      if (x.length < 3) fail(node, `input rank ${x.length} < 3 (expected N, C, spatial...)`);
      // Every spatial dim becomes 1, in either layout.
      return [channelsLast(node, ctx) ? x.map((d, i) => (i === 0 || i === x.length - 1 ? d : 1)) : [x[0] as number, x[1] as number, ...x.slice(2).map(() => 1)]];
    },
    macs: () => 0,
    elementwiseOps: (_n, inputs) => (inputs[0]?.shape ? numel(inputs[0].shape) : 0),
  };
}

/** Every pooling op spec. */
export const POOL_OPS: OpSpec[] = [
  poolSpec('MaxPool'),
  poolSpec('AveragePool'),
  poolSpec('LpPool'),
  globalSpec('GlobalAveragePool'),
  globalSpec('GlobalMaxPool'),
  globalSpec('GlobalLpPool'),
  { ...poolSpec('QLinearAveragePool'), domain: 'com.microsoft' },
  globalSpec('QLinearGlobalAveragePool', 'com.microsoft'),
];
