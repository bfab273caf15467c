/**
 * `unet`: U-Net encoder-decoder: per level two Conv3x3 + Relu, MaxPool 2/2 down; decoder
 * upsamples ×2 by Resize (nearest or linear) + Conv 3x3 or by ConvTranspose 2/2, Concats the
 * skip tensor on channels, two Conv3x3 + Relu; final 1x1 conv to the class maps.
 */
import type { GraphBuilder, Rng, T } from './common.ts';

/** Samples one U-Net; returns the ONNX bytes (opset 13). Output [1, classes, H, W]. */
export function unet(r: Rng, g: GraphBuilder): Uint8Array {
  const depth = r.int(2, 4);
  const side = r.pick([32, 48, 64, 96, 128, 160, 192, 224, 256].filter((s) => s % 2 ** depth === 0));
  const input: T = { name: 'input', shape: [1, r.pick([1, 3, 3]), side, side] };
  const base = r.pick([4, 8, 16, 32]);
  const up = r.pick(['nearest', 'linear', 'transpose'] as const);
  const double = (x: T, c: number): T => g.act(g.conv(g.act(g.conv(x, c, 3), 'relu'), c, 3), 'relu');
  const skips: T[] = [];
  let x = input;
  for (let d = 0; d < depth; d++) {
    x = double(x, base * 2 ** d);
    skips.push(x);
    x = g.pool('MaxPool', x, 2, 2);
  }
  x = double(x, base * 2 ** depth);
  for (let d = depth - 1; d >= 0; d--) {
    const c = base * 2 ** d;
    x = up === 'transpose' ? g.convTranspose(x, c, 2) : g.act(g.conv(g.resize(x, 2, up), c, 3), 'relu');
    x = double(g.concat([x, skips[d] as T], 1), c);
  }
  const out = g.conv(x, r.int(1, 4), 1);
  return g.finish('unet', input, out);
}
