/**
 * `inception`: GoogLeNet-style modules of 2–4 parallel branches (1x1; 1x1 → 3x3; 1x1 → 5x5 or
 * 1x1 → 3x3 → 3x3; MaxPool 3x3/1 → 1x1) joined by Concat on channels, MaxPool 3x3/2 between
 * groups; GAP → Flatten → Gemm.
 */
import type { GraphBuilder, Rng, T } from './common.ts';
import { IMAGE_SIDES } from './sizes.ts';

/** Samples one Inception-style net; returns the ONNX bytes (opset 13). */
export function inception(r: Rng, g: GraphBuilder): Uint8Array {
  const side = r.pick(IMAGE_SIDES);
  const input: T = { name: 'input', shape: [1, r.pick([1, 3, 3]), side, side] };
  let base = r.pick([8, 16, 24, 32]);
  let x = g.act(g.conv(input, base * 2, 3, side >= 96 ? 2 : 1), 'relu');
  if (side >= 96) x = g.pool('MaxPool', x, 3, 2);
  const groups = r.int(1, 3);
  for (let gi = 0; gi < groups; gi++) {
    const modules = r.int(1, 3);
    for (let m = 0; m < modules; m++) {
      const kinds = ['1x1', '3x3', '5x5', 'pool'].filter(() => r.bool(0.75));
      if (kinds.length < 2) kinds.splice(0, kinds.length, '1x1', '3x3');
      const branches: T[] = [];
      for (const kind of kinds) {
        if (kind === '1x1') branches.push(g.act(g.conv(x, base * r.int(1, 4), 1), 'relu'));
        else if (kind === '3x3') {
          const red = g.act(g.conv(x, base * r.int(1, 2), 1), 'relu');
          branches.push(g.act(g.conv(red, base * r.int(2, 4), 3), 'relu'));
        } else if (kind === '5x5') {
          const red = g.act(g.conv(x, Math.max(4, base / 2), 1), 'relu');
          if (r.bool()) branches.push(g.act(g.conv(red, base, 5), 'relu'));
          else branches.push(g.act(g.conv(g.act(g.conv(red, base, 3), 'relu'), base, 3), 'relu'));
        } else {
          branches.push(g.act(g.conv(g.pool('MaxPool', x, 3, 1), base, 1), 'relu'));
        }
      }
      x = g.concat(branches, 1);
    }
    if (gi < groups - 1 && (x.shape[2] as number) >= 4) x = g.pool('MaxPool', x, 3, 2);
    base *= 2;
  }
  x = g.flatten(g.gap(x));
  const out = g.gemm(x, r.pick([10, 100, 1000]));
  return g.finish('inception', input, out);
}
