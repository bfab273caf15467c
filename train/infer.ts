/**
 * Batched GNN inference over dataset archs (training-time evaluation and `npm run evaluate`).
 */
import * as tf from '@tensorflow/tfjs';
import { makeBatch } from '../src/predict/batch.ts';
import type { PerfSageModel } from '../src/predict/perfsage.ts';
import { storeGraph as archGraph, type GraphStore } from './graph-store.ts';

/**
 * Predicted totals (ms) for archs `idx` (positions into the dataset), all heads.
 * @returns row-major [idx.length, T]
 */
export function predictArchs(model: PerfSageModel, ds: GraphStore, idx: readonly number[], batchSize = 256): Float64Array {
  const T = model.config.heads.length;
  const out = new Float64Array(idx.length * T);
  for (let s = 0; s < idx.length; s += batchSize) {
    const part = idx.slice(s, s + batchSize);
    const batch = makeBatch(
      part.map((a) => archGraph(ds, a)),
      model.config.featMean,
      model.config.featStd,
    );
    const tot = tf.tidy(() => model.forward(batch).total.dataSync());
    out.set(tot, s * T);
  }
  return out;
}

/** Column `t` of a row-major [n, T] matrix. */
export function column(m: Float64Array, T: number, t: number): Float64Array {
  const n = m.length / T;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = m[i * T + t] as number;
  return c;
}
