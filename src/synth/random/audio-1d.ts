/**
 * `audio-1d`: 1-D conv nets on [1, C, L]: raw waveform (C=1, L 4,000–16,000 samples, a strided
 * stem conv as in wav2letter/M5) or spectral frames (C 13–80 mel/MFCC bins, L 50–1,000 frames);
 * stacks of Conv1d (plain or depthwise-separable), BN folded, Relu, optional residual Add,
 * MaxPool 2/2 or strided conv downsampling; GAP → Flatten → Gemm.
 */
import type { GraphBuilder, Rng, T } from './common.ts';

/** Samples one 1-D audio conv net; returns the ONNX bytes (opset 13). */
export function audio1d(r: Rng, g: GraphBuilder): Uint8Array {
  const raw = r.bool(0.4);
  const input: T = raw
    ? { name: 'input', shape: [1, 1, r.pick([4000, 8000, 16000])] }
    : { name: 'input', shape: [1, r.pick([13, 40, 64, 80]), r.pick([50, 100, 200, 400, 1000])] };
  let width = r.pick([16, 32, 64, 128]);
  let x = raw ? g.act(g.conv(input, width, r.pick([11, 41, 81]), r.pick([4, 8, 16])), 'relu') : g.act(g.conv(input, width, 3), 'relu');
  const separable = r.bool();
  const residual = r.bool();
  const stages = r.int(2, 5);
  for (let s = 0; s < stages; s++) {
    const blocks = r.int(1, 3);
    const k = r.pick([3, 5, 7, 9]);
    for (let b = 0; b < blocks; b++) {
      const cin = x.shape[1] as number;
      let y = separable ? g.conv(g.conv(x, cin, k, 1, cin), width, 1) : g.conv(x, width, k);
      y = g.act(y, 'relu');
      x = residual && cin === width ? g.binary('Add', y, x) : y;
    }
    if ((x.shape[2] as number) >= 8) x = r.bool() ? g.pool('MaxPool', x, 2, 2) : g.act(g.conv(x, width, 3, 2), 'relu');
    width = Math.min(512, width * 2);
  }
  x = g.flatten(g.gap(x));
  const out = g.gemm(x, r.pick([2, 12, 35, 527]));
  return g.finish('audio_1d', input, out);
}
