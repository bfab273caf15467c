/**
 * `plain-conv`: VGG-style stacks of Conv (BN folded) + activation, downsampling by stride-2
 * conv or MaxPool between stages, then GlobalAveragePool → Flatten → Gemm classifier.
 */
import type { GraphBuilder, Rng, T } from './common.ts';
import { IMAGE_SIDES } from './sizes.ts';

/** Samples one plain conv net; returns the ONNX bytes (opset 13). */
export function plainConv(r: Rng, g: GraphBuilder): Uint8Array {
  const side = r.pick(IMAGE_SIDES);
  const input: T = { name: 'input', shape: [1, r.pick([1, 3, 3]), side, side] };
  const act = r.pick(['relu', 'relu', 'relu6', 'leakyrelu', 'silu'] as const);
  const stages = r.int(2, 5);
  const perStage = r.int(1, 3);
  let width = r.pick([8, 16, 24, 32, 48, 64]);
  const poolDown = r.bool();
  let x = input;
  for (let s = 0; s < stages; s++) {
    for (let i = 0; i < perStage; i++) {
      const down = s > 0 && i === 0 && !poolDown && (x.shape[2] as number) > 4;
      const k = r.pick([3, 3, 3, 5, 1]);
      x = g.act(g.conv(x, width, k, down ? 2 : 1), act);
    }
    if (poolDown && s < stages - 1 && (x.shape[2] as number) > 4) x = g.pool('MaxPool', x, 2, 2);
    width = Math.min(512, width * 2);
  }
  x = g.flatten(g.gap(x));
  const out = g.gemm(x, r.pick([10, 100, 1000]));
  return g.finish('plain_conv', input, out);
}
