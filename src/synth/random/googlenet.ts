/**
 * `googlenet`: GoogLeNet / Inception-v1 (Szegedy et al., "Going deeper with convolutions", CVPR
 * 2015, Table 1) at several widths, depths and input sizes. What sets it apart from the other
 * families is the stem, with Local Response Normalization after pooling:
 *
 *   7x7/2 conv → Relu → MaxPool 3x3/2 → LRN → 1x1 conv → Relu → 3x3 conv → Relu → LRN → MaxPool 3x3/2
 *
 * (LRN size 5, α 1e-4, β 0.75, k 1: the Caffe model's values, which the ONNX model zoo export
 * keeps). Then Inception modules with the paper's four branches (1x1; 1x1 → 3x3; 1x1 → 5x5;
 * MaxPool 3x3/1 → 1x1) joined by Concat on channels, in stages 3, 4 and 5 (the paper has 2, 5
 * and 2 modules) with MaxPool 3x3/2 between stages, and GlobalAveragePool (the paper's 7x7
 * AveragePool at 224) → Flatten → Gemm. Module widths are the paper's, times a width multiplier
 * (0.25–1) and a per-branch jitter (×0.75–1.25).
 *
 * Why a family of its own: `classic` samples LRN only right after a conv (AlexNet's placement)
 * and `inception` none at all; onnxruntime spends 27 of GoogLeNet's 66 ms in its two LRNs
 * (train/README.md), so how LRN costs after a pool has to be measured, not extrapolated.
 */
import type { GraphBuilder, Rng, T } from './common.ts';

/** Input sides (square): the ImageNet crop and the smaller ones edge deployments use. */
const GOOGLENET_SIDES = [96, 112, 128, 160, 192, 224] as const;

/**
 * Paper widths of the Inception modules, Table 1 (#1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5,
 * pool proj), by stage: 3a–3b, 4a–4e, 5a–5b.
 */
const MODULES: ReadonlyArray<ReadonlyArray<readonly [number, number, number, number, number, number]>> = [
  [
    [64, 96, 128, 16, 32, 32],
    [128, 128, 192, 32, 96, 64],
  ],
  [
    [192, 96, 208, 16, 48, 64],
    [160, 112, 224, 24, 64, 64],
    [128, 128, 256, 24, 64, 64],
    [112, 144, 288, 32, 64, 64],
    [256, 160, 320, 32, 128, 128],
  ],
  [
    [256, 160, 320, 32, 128, 128],
    [384, 192, 384, 48, 128, 128],
  ],
];

/** Samples one GoogLeNet-style net; returns the ONNX bytes (opset 13). */
export function googlenet(r: Rng, g: GraphBuilder): Uint8Array {
  const side = r.pick(GOOGLENET_SIDES);
  const input: T = { name: 'input', shape: [1, 3, side, side] };
  const m = r.pick([0.25, 0.5, 0.75, 1]);
  const w = (c: number): number => Math.max(4, Math.round(c * m * (0.75 + 0.5 * r.float())));
  const relu = (x: T, cout: number, k: number, s = 1): T => g.act(g.conv(x, cout, k, s), 'relu');

  let x = g.pool('MaxPool', relu(input, w(64), 7, 2), 3, 2);
  x = g.lrn(x, 5, 1);
  x = relu(relu(x, w(64), 1), w(192), 3);
  x = g.pool('MaxPool', g.lrn(x, 5, 1), 3, 2);

  // Modules per stage: a prefix of the paper's, at least one in stage 3.
  const counts = [r.int(1, 2), r.int(0, 5), r.int(0, 2)];
  counts.forEach((n, stage) => {
    if (n === 0) return;
    if (stage > 0 && (x.shape[2] as number) >= 4) x = g.pool('MaxPool', x, 3, 2);
    for (const [c1, r3, c3, r5, c5, pp] of (MODULES[stage] ?? []).slice(0, n)) {
      x = g.concat(
        [relu(x, w(c1), 1), relu(relu(x, w(r3), 1), w(c3), 3), relu(relu(x, w(r5), 1), w(c5), 5), relu(g.pool('MaxPool', x, 3, 1), w(pp), 1)],
        1,
      );
    }
  });
  return g.finish('googlenet', input, g.gemm(g.flatten(g.gap(x)), r.pick([10, 100, 1000])));
}
