/**
 * An EfficientNet-style CNN (Tan & Le 2019, "EfficientNet: Rethinking Model Scaling for
 * Convolutional Neural Networks", Table 1: the B0 stage table) with its stage repeats scaled by a
 * depth multiplier, 1×3×224×224 input, 1000 classes: MBConv blocks (1×1 expand → SiLU →
 * depthwise k×k → SiLU → squeeze-excite → 1×1 project → residual Add). A realistic large graph
 * of a chosen size for the predict-time benchmark and goal (~100 nodes at depth 0.3, ~1,000 at 4.35).
 */
import { GraphBuilder, type T } from './random/common.ts';
import type { WeightMode } from './onnx-writer.ts';

const round8 = (c: number): number => Math.max(8, Math.round(c / 8) * 8);

/** (expansion, channels, repeats, stride, kernel) of EfficientNet-B0 (Tan & Le 2019, Table 1). */
const B0_STAGES: ReadonlyArray<[number, number, number, number, number]> = [
  [1, 16, 1, 1, 3],
  [6, 24, 2, 2, 3],
  [6, 40, 2, 2, 5],
  [6, 80, 3, 2, 3],
  [6, 112, 3, 1, 5],
  [6, 192, 4, 2, 5],
  [6, 320, 1, 1, 3],
];

/**
 * Builds the network as ONNX (opset 14).
 * @param depth multiplier of every stage's repeat count (1 = B0)
 * @param weights `external` (default: shape-only, for analysis and prediction) or `random`
 * @returns the bytes and the number of compute nodes written
 */
export function buildEfficientNetOnnx(depth: number, weights: WeightMode = 'external'): { bytes: Uint8Array; nodes: number } {
  const g = new GraphBuilder(0, weights);
  const input: T = { name: 'input', shape: [1, 3, 224, 224] };
  let x = g.act(g.conv(input, 32, 3, 2), 'silu');
  for (const [t, c, n, s, k] of B0_STAGES) {
    for (let i = 0; i < Math.ceil(n * depth); i++) {
      const cin = x.shape[1] as number;
      let y = x;
      if (t !== 1) y = g.act(g.conv(y, cin * t, 1), 'silu');
      const mid = y.shape[1] as number;
      y = g.act(g.conv(y, mid, k, i === 0 ? s : 1, mid), 'silu');
      y = g.squeezeExcite(y, 4 * t);
      y = g.conv(y, round8(c), 1);
      x = i > 0 ? g.binary('Add', y, x) : y;
    }
  }
  x = g.act(g.conv(x, 1280, 1), 'silu');
  const out = g.gemm(g.flatten(g.gap(x)), 1000);
  const bytes = g.finish('efficientnet', input, out, 14);
  return { bytes, nodes: g.nodes };
}
