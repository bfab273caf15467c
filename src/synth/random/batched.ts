/**
 * `batched`: small conv stacks run at batch 2–64, as batch-inference services, calibration loops
 * and operator test suites run them (the ONNX backend tests' conv models are batch 2–20): any
 * channel count 1–64 (not multiples of 8), 2-D inputs of 8–64 per side (square or not) or 1-D
 * inputs of 16–256, `same` or `valid` padding, kernels 1–7, optional stride 2 and grouped convs, BatchNormalization
 * unfused or folded, Relu / Sigmoid / Tanh / no activation; 1–8 convs, optionally ending in
 * GlobalAveragePool → Flatten → Gemm.
 */
import type { Act, GraphBuilder, Ranges, Rng, T } from './common.ts';

/** MACs and node bounds: single-op graphs included (1 node), capped at 1 G MACs. */
export const BATCHED_RANGES: Ranges = { minMacs: 1e6, maxMacs: 1e9, minNodes: 1, maxNodes: 60 };

/** Samples one batched conv stack; returns the ONNX bytes (opset 13). */
export function batched(r: Rng, g: GraphBuilder): Uint8Array {
  const batch = r.pick([2, 4, 8, 16, 20, 32, 64]);
  const oneD = r.bool(0.2);
  const sp = oneD ? [r.int(16, 256)] : [r.int(8, 64), r.int(8, 64)];
  const input: T = { name: 'input', shape: [batch, r.int(1, 16), ...sp] };
  const n = r.int(1, 8);
  const bn = r.bool(0.3);
  const act = r.pick<Act>(['relu', 'relu', 'none', 'sigmoid', 'tanh']);
  const pad = r.pick(['same', 'valid'] as const);
  let x = input;
  for (let i = 0; i < n; i++) {
    const spatial = x.shape.slice(2) as number[];
    const k = Math.min(r.pick([1, 3, 3, 5, 7]), ...spatial.map((d) => (pad === 'valid' ? d : 99)));
    const stride = r.bool(0.2) && Math.min(...spatial) >= 8 ? 2 : 1;
    const cin = x.shape[1] as number;
    const group = cin % 2 === 0 && r.bool(0.15) ? 2 : 1;
    let cout = r.int(1, 64);
    if (group === 2 && cout % 2 === 1) cout += 1;
    x = g.conv(x, cout, k, stride, group, 1, { bias: !bn, pad });
    if (bn) x = g.batchNorm(x);
    x = g.act(x, act);
  }
  if (r.bool(0.3)) x = g.gemm(g.flatten(g.gap(x)), r.pick([10, 100]));
  return g.finish('batched', input, x);
}
