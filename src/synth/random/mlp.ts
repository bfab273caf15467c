/**
 * `mlp`: multilayer perceptrons on [B, F] features: Gemm (transB) or MatMul + Add layers with
 * Relu / Tanh / Sigmoid / LeakyRelu activations, batch 1–64.
 */
import type { GraphBuilder, Rng, T } from './common.ts';

/** Samples one MLP; returns the ONNX bytes (opset 13). */
export function mlp(r: Rng, g: GraphBuilder): Uint8Array {
  const batch = r.pick([1, 1, 4, 16, 64]);
  const input: T = { name: 'input', shape: [batch, r.pick([16, 64, 128, 256, 512, 784, 1024, 2048, 4096])] };
  const layers = r.int(3, 10);
  const act = r.pick(['relu', 'relu', 'tanh', 'sigmoid', 'leakyrelu'] as const);
  const useGemm = r.bool();
  let x = input;
  for (let l = 0; l < layers; l++) {
    const last = l === layers - 1;
    const n = last ? r.pick([1, 10, 100, 1000]) : r.pick([64, 128, 256, 512, 1024, 2048, 4096]);
    x = useGemm ? g.gemm(x, n) : g.linear(x, n);
    if (!last) x = g.act(x, act);
  }
  return g.finish('mlp', input, x);
}
