/**
 * `transformer`: encoder blocks on a token embedding input [1, T, D] (BERT/ViT-style, pre- or
 * post-LayerNorm): Q, K, V as MatMul + Add (separate, or one fused QKV MatMul + Split), heads by
 * Reshape [1, T, h, d] + Transpose, scaled scores MatMul → Mul 1/√d → Softmax → MatMul V,
 * Transpose + Reshape back, output projection, residual Add, LayerNormalization (opset 17), FFN
 * MatMul → GELU → MatMul. GELU is either the exact Erf pattern torch exports at opset 17
 * (x · 0.5 · (1 + Erf(x / √2))) or the opset-20 `Gelu` op; onnxruntime's CPU EP runs both
 * (it fuses the Erf pattern into Gelu at graph optimisation level `all`).
 * Optional head: ReduceMean over tokens → Gemm.
 */
import type { GraphBuilder, Rng, T } from './common.ts';

/** Samples one transformer encoder; returns the ONNX bytes (opset 17, or 20 with `Gelu`). */
export function transformer(r: Rng, g: GraphBuilder): Uint8Array {
  const d = r.pick([64, 96, 128, 192, 256, 384, 512]);
  const heads = r.pick([1, 2, 4, 8, 12].filter((h) => d % h === 0 && d / h >= 16));
  const dh = d / heads;
  const tokens = r.pick([8, 16, 32, 49, 64, 128, 197, 256]);
  const layers = r.int(1, 8);
  const ffn = d * r.pick([2, 3, 4]);
  const preLn = r.bool();
  const fusedQkv = r.bool();
  const geluOp = r.bool(0.3);
  const input: T = { name: 'input', shape: [1, tokens, d] };

  const ln = (x: T): T => ({
    name: g.op('LayerNormalization', [x.name, g.weight([d], 0.1, 1), g.weight([d], 0.05)], { axis: -1, epsilon: { float: 1e-5 } }),
    shape: x.shape,
  });
  const gelu = (x: T): T => {
    if (geluOp) return { name: g.op('Gelu', [x.name]), shape: x.shape };
    const e = g.op('Erf', [g.op('Div', [x.name, g.floats([Math.SQRT2], [])])]);
    const one = g.op('Add', [e, g.floats([1], [])]);
    const xm = g.op('Mul', [x.name, one]);
    return { name: g.op('Mul', [xm, g.floats([0.5], [])]), shape: x.shape };
  };
  const heads4 = (x: T, perm: number[]): T => g.transpose(g.reshape(x, [1, tokens, heads, dh]), perm);

  let x = input;
  for (let l = 0; l < layers; l++) {
    const h = preLn ? ln(x) : x;
    let q: T, k: T, v: T;
    if (fusedQkv) {
      const qkv = g.linear(h, 3 * d);
      const outs = g.w.node('Split', '/Split', [qkv.name, g.ints([d, d, d])], { axis: -1 }, 3) as [string, string, string];
      g.nodes++;
      [q, k, v] = outs.map((name) => ({ name, shape: [1, tokens, d] })) as [T, T, T];
    } else {
      q = g.linear(h, d);
      k = g.linear(h, d);
      v = g.linear(h, d);
    }
    const qh = heads4(q, [0, 2, 1, 3]); // [1, h, T, dh]
    const kh = heads4(k, [0, 2, 3, 1]); // [1, h, dh, T]
    const vh = heads4(v, [0, 2, 1, 3]);
    let s = g.matmul(qh, kh); // [1, h, T, T]
    s = g.binary('Mul', s, g.floats([1 / Math.sqrt(dh)], []));
    s = { name: g.op('Softmax', [s.name], { axis: -1 }), shape: s.shape };
    let a = g.matmul(s, vh); // [1, h, T, dh]
    a = g.reshape(g.transpose(a, [0, 2, 1, 3]), [1, tokens, d]);
    a = g.linear(a, d);
    x = g.binary('Add', x, a);
    if (!preLn) x = ln(x);
    let f = preLn ? ln(x) : x;
    f = g.linear(gelu(g.linear(f, ffn)), d);
    x = g.binary('Add', x, f);
    if (!preLn) x = ln(x);
  }
  if (preLn) x = ln(x);
  let out = x;
  if (r.bool()) {
    // ReduceMean takes `axes` as an attribute up to opset 17 and as an input from opset 18.
    const pooled = geluOp ? g.op('ReduceMean', [x.name, g.ints([1])], { keepdims: 0 }) : g.op('ReduceMean', [x.name], { axes: [1], keepdims: 0 });
    out = g.gemm({ name: pooled, shape: [1, d] }, r.pick([2, 10, 1000]));
  }
  return g.finish('transformer', input, out, geluOp ? 20 : 17);
}
