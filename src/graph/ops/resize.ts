/**
 * Resampling: Resize (opset 10: X, scales; opset 11+: X, roi, scales, sizes; opset 18: `axes`
 * and `keep_aspect_ratio_policy`) and Upsample (opset 7: `scales` attribute; 9: input).
 *
 * Source: ONNX Operators.md, Resize/Upsample: output = floor(input · scale) per axis, or `sizes`.
 * MACs: 0 (interpolation is not counted under the thop/fvcore convention).
 * Elementwise ops: output elements × taps (nearest 1, linear 2^axes-resized, cubic 4^axes).
 */
import type { Node } from '../ir.ts';
import type { Inputs, OpContext, OpSpec } from './types.ts';
import { attrInts, attrStr, fail, floatsOf, intsOf, outElems, shapeOf, zeroFirst } from './types.ts';

function resizeShape(node: Node, inputs: Inputs, ctx?: OpContext): number[] {
  const x = shapeOf(node, inputs, 0);
  // Opset 10 has (X, scales); 11+ has (X, roi, scales, sizes). With no opset known, a 2-input
  // node is taken as opset 10.
  const v10 = ctx && ctx.opset > 0 ? ctx.opset < 11 : node.inputs.length === 2;
  const scales = v10 ? floatsOf(node, inputs, 1, 'scales') : floatsOf(node, inputs, 2, 'scales');
  const sizes = v10 ? undefined : intsOf(node, inputs, 3, 'sizes');
  const axes = (attrInts(node, 'axes') ?? x.map((_d, i) => i)).map((a) => (a < 0 ? a + x.length : a));
  const out = [...x];
  if (sizes && sizes.length > 0) {
    if (sizes.length !== axes.length) fail(node, `sizes has ${sizes.length} values for ${axes.length} axes`);
    const policy = attrStr(node, 'keep_aspect_ratio_policy', 'stretch');
    if (policy === 'stretch') axes.forEach((a, i) => (out[a] = sizes[i] as number));
    else {
      const ratios = axes.map((a, i) => (sizes[i] as number) / (x[a] as number));
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => (out[a] = Math.round(s * (x[a] as number))));
    }
    return out;
  }
  if (!scales || scales.length === 0) fail(node, 'neither scales nor sizes given');
  if (scales.length !== axes.length) fail(node, `scales has ${scales.length} values for ${axes.length} axes`);
  axes.forEach((a, i) => (out[a] = Math.floor((x[a] as number) * (scales[i] as number))));
  return out;
}

function taps(node: Node, inputs: Inputs, outputs: readonly { shape: unknown }[]): number {
  const mode = attrStr(node, 'mode', 'nearest');
  const x = inputs[0]?.shape as number[] | undefined;
  const o = outputs[0]?.shape as number[] | undefined;
  const resized = x && o ? x.filter((d, i) => d !== o[i]).length : 2;
  return mode === 'nearest' ? 1 : mode === 'cubic' ? 4 ** resized : 2 ** resized;
}

/** Resize(X, roi?, scales?, sizes?). */
const resize: OpSpec = {
  op: 'Resize',
  zero: zeroFirst,
  inferShapes: (node, inputs, ctx) => [resizeShape(node, inputs, ctx)],
  macs: () => 0,
  elementwiseOps: (node, inputs, outputs) => outElems(outputs) * taps(node, inputs, outputs),
};

/** Upsample(X, scales) (opset 9) or Upsample(X) with `scales` attribute (opset 7). */
const upsample: OpSpec = {
  op: 'Upsample',
  zero: zeroFirst,
  inferShapes: (node, inputs) => {
    const x = shapeOf(node, inputs, 0);
    const attr = node.attrs['scales'];
    const scales = Array.isArray(attr) ? (attr as number[]) : floatsOf(node, inputs, 1, 'scales');
    if (!scales || scales.length !== x.length) fail(node, `scales must have ${x.length} values`);
    return [x.map((d, i) => Math.floor(d * (scales[i] as number)))];
  },
  macs: () => 0,
  elementwiseOps: (node, inputs, outputs) => outElems(outputs) * taps(node, inputs, outputs),
};

/** Every resampling op spec. */
export const RESIZE_OPS: OpSpec[] = [resize, upsample];
