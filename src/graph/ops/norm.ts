/**
 * Normalisation: BatchNormalization, InstanceNormalization, LayerNormalization,
 * GroupNormalization, LRN, MeanVarianceNormalization, LpNormalization.
 *
 * Source: ONNX Operators.md. All keep the input shape.
 * MACs: 0. Inference-time BatchNormalization is an affine map that runtimes fold into the
 * preceding convolution; thop/fvcore-style MAC counts used for published model sizes do not
 * count it (fvcore's default ignores it in inference), so we count it under elementwise ops:
 * 2 per element (scale, shift). Layer/Instance/Group norm: 5 per element (mean, variance,
 * normalise, scale, shift). LRN: `size` + 2 per element.
 */
import type { DType, Node, Shape } from '../ir.ts';
import type { OpSpec } from './types.ts';
import { attrInt, fail, outElems, shapeOf } from './types.ts';

function sameShape(op: string, perElement: number | ((node: Node) => number)): OpSpec {
  return {
    op,
    inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
    macs: () => 0,
    elementwiseOps: (node, _i, outputs) => outElems(outputs) * (typeof perElement === 'number' ? perElement : perElement(node)),
  };
}

/**
 * BatchNormalization(X, scale, B, mean, var): Y has X's shape. Training-mode outputs (running
 * mean/var, opset 14+) are [C]; the old opset < 9 saved mean/var outputs likewise.
 */
const batchNorm: OpSpec = {
  op: 'BatchNormalization',
  inferShapes: (node, inputs) => {
    const x = shapeOf(node, inputs, 0);
    if (x.length < 2) fail(node, `input rank ${x.length} < 2`);
    const c = x[1] as number;
    const out: Shape[] = [x];
    for (let i = 1; i < node.outputs.length; i++) out.push([c]);
    return out;
  },
  macs: () => 0,
  elementwiseOps: (_n, _i, outputs) => 2 * outElems(outputs),
};

/**
 * LayerNormalization(X, Scale, B?): Y as X; optional Mean and InvStdDev outputs have X's shape
 * with the normalised axes (from `axis`, default -1) set to 1.
 */
const layerNorm: OpSpec = {
  op: 'LayerNormalization',
  inferShapes: (node, inputs) => {
    const x = shapeOf(node, inputs, 0);
    const a = attrInt(node, 'axis', -1);
    const axis = a < 0 ? a + x.length : a;
    if (axis < 0 || axis >= x.length) fail(node, `axis ${a} out of range for rank ${x.length}`);
    const stat = x.map((d, i) => (i < axis ? d : 1));
    const out: Shape[] = [x];
    for (let i = 1; i < node.outputs.length; i++) out.push([...stat]);
    return out;
  },
  inferTypes: (node, inputs): DType[] => node.outputs.map((_o, i) => (i === 0 ? (inputs[0]?.dtype ?? 'unknown') : 'float32')),
  macs: () => 0,
  elementwiseOps: (_n, _i, outputs) => 5 * outElems(outputs),
};

/** Every normalisation op spec. */
export const NORM_OPS: OpSpec[] = [
  batchNorm,
  layerNorm,
  sameShape('InstanceNormalization', 5),
  sameShape('GroupNormalization', 5),
  sameShape('LRN', (node) => attrInt(node, 'size', 1) + 2),
  sameShape('MeanVarianceNormalization', 4),
  sameShape('LpNormalization', 3),
];
