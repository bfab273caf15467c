/**
 * `classic`: AlexNet / ZFNet / GoogLeNet-stem era CNNs (Krizhevsky et al. 2012; Szegedy et al.
 * 2015): a large-kernel strided stem (11x11/4, 7x7/2 or 5x5/2), Local Response Normalization
 * (LRN, size 5, α 1e-4, β 0.75, the papers' values) after early convs, overlapping MaxPool
 * 3x3/2, a stack of 3x3 convs, and either the AlexNet classifier (Flatten → Gemm → Relu → Gemm →
 * Relu → Gemm, wide fully connected layers) or GlobalAveragePool → Gemm.
 */
import type { GraphBuilder, Rng, T } from './common.ts';

/** Input sides: the ImageNet crops of the era (224, AlexNet's 227) and smaller edge inputs. */
const CLASSIC_SIDES = [64, 96, 112, 128, 160, 192, 224, 227] as const;

/** Samples one classic CNN; returns the ONNX bytes (opset 13). */
export function classic(r: Rng, g: GraphBuilder): Uint8Array {
  const side = r.pick(CLASSIC_SIDES);
  const input: T = { name: 'input', shape: [1, 3, side, side] };
  const [k, s] = r.pick([[11, 4], [7, 2], [7, 2], [5, 2]] as const);
  const width = r.pick([32, 48, 64, 96]);
  const lrnBias = r.pick([1, 2]);
  let x = g.act(g.conv(input, width, k, s), 'relu');
  if (r.bool(0.8)) x = g.lrn(x, 5, lrnBias);
  x = g.pool('MaxPool', x, 3, 2);
  x = g.act(g.conv(x, width * r.int(2, 3), r.pick([5, 3])), 'relu');
  if (r.bool(0.6)) x = g.lrn(x, 5, lrnBias);
  if ((x.shape[2] as number) >= 4) x = g.pool('MaxPool', x, 3, 2);
  const convs = r.int(1, 3);
  const top = width * r.pick([3, 4, 6]);
  for (let i = 0; i < convs; i++) x = g.act(g.conv(x, i === convs - 1 ? top : Math.round(top * 1.5), 3), 'relu');
  if ((x.shape[2] as number) >= 4) x = g.pool('MaxPool', x, 3, 2);
  const classes = r.pick([10, 100, 1000]);
  if (r.bool()) {
    x = g.flatten(x);
    const fc = r.pick([512, 1024, 2048, 4096]);
    for (let i = 0; i < 2; i++) x = g.act(g.gemm(x, fc), 'relu');
    return g.finish('classic', input, g.gemm(x, classes));
  }
  return g.finish('classic', input, g.gemm(g.flatten(g.gap(x)), classes));
}
