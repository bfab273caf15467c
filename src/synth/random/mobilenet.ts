/**
 * `mobilenet`: MobileNetV2/V3-style inverted residuals: 1x1 expand → depthwise 3x3/5x5 →
 * optional squeeze-excite (GlobalAveragePool → Conv → Relu → Conv → HardSigmoid → Mul) →
 * 1x1 project (linear), residual Add when stride 1 and channels match; HardSwish or Relu6
 * (Clip) activations; head 1x1 conv → GlobalAveragePool → Flatten → Gemm.
 */
import type { Act, GraphBuilder, Rng, T } from './common.ts';
import { IMAGE_SIDES } from './sizes.ts';

const round8 = (c: number): number => Math.max(8, Math.round(c / 8) * 8);

/** Samples one MobileNet-style net; returns the ONNX bytes (opset 14, the first with HardSwish). */
export function mobilenet(r: Rng, g: GraphBuilder): Uint8Array {
  const side = r.pick(IMAGE_SIDES);
  const input: T = { name: 'input', shape: [1, 3, side, side] };
  const v3 = r.bool();
  const actOf = (deep: boolean): Act => (v3 ? (deep ? 'hardswish' : 'relu') : 'relu6');
  const alpha = r.pick([0.25, 0.35, 0.5, 0.75, 1.0]);
  let x = g.act(g.conv(input, round8(16 * alpha), 3, 2), actOf(true));
  // (expansion, base channels, repeats max, stride) per stage, as in MobileNetV2 Table 2.
  const stages: Array<[number, number, number, number]> = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  const nStages = r.int(3, stages.length);
  for (let si = 0; si < nStages; si++) {
    const [tBase, cBase, nMax, sStride] = stages[si] as [number, number, number, number];
    const cout = round8(cBase * alpha);
    const n = r.int(1, nMax);
    const k = r.pick([3, 3, 5]);
    const se = v3 && r.bool(0.5);
    const t = si === 0 ? 1 : r.pick([tBase, 3, 4, 6]);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 && (x.shape[2] as number) >= 4 ? sStride : 1;
      const cin = x.shape[1] as number;
      const deep = si >= 2;
      let y = x;
      if (t !== 1) y = g.act(g.conv(y, round8(cin * t), 1), actOf(deep));
      const mid = y.shape[1] as number;
      y = g.act(g.conv(y, mid, k, stride, mid), actOf(deep));
      if (se) y = g.squeezeExcite(y, 4);
      y = g.conv(y, cout, 1);
      x = stride === 1 && cin === cout ? g.binary('Add', y, x) : y;
    }
  }
  x = g.act(g.conv(x, round8((x.shape[1] as number) * 6), 1), actOf(true));
  x = g.flatten(g.gap(x));
  if (v3 && r.bool()) x = g.act(g.gemm(x, r.pick([512, 1024, 1280])), 'hardswish');
  const out = g.gemm(x, r.pick([10, 100, 1000]));
  return g.finish('mobilenet', input, out, 14); // HardSwish is opset 14
}
