/**
 * Batched GNN inference over dataset archs (training-time evaluation and `npm run evaluate`).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Metric } from '../src/core/types.ts';
import { makeBatch, type GnnGraph } from '../src/predict/batch.ts';
import type { PerfSageModel } from '../src/predict/perfsage.ts';
import type { TargetsFile } from '../src/predict/targets.ts';
import { decodeModel, type WeightsFile } from '../src/predict/weights-io.ts';
import { storeGraph as archGraph, type GraphStore } from './graph-store.ts';

/**
 * Reads and decodes a weights.json (`npm run train` output) from `path`.
 * @throws Error naming `path` when the file is unreadable or not JSON, or when `decodeModel`
 *   refuses it (format tag, weight shapes, node features other than this build's)
 */
export function readWeights(path: string): PerfSageModel {
  let file: WeightsFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as WeightsFile;
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return decodeModel(file, path);
}

/** A model and its targets registry, read from a weights folder. */
export interface LoadedModel {
  dir: string;
  model: PerfSageModel;
  targets: TargetsFile;
  /** Size of weights.json in bytes. */
  bytes: number;
}

/**
 * Reads `<dir>/weights.json` (`readWeights`) and `<dir>/targets.json`. Entries written before
 * targets.json named heads (`heads[metric]`) get `<id>/<metric>`.
 * @throws Error naming the file when either is unreadable or refused
 */
export function loadModel(dir: string): LoadedModel {
  const wPath = join(dir, 'weights.json');
  const model = readWeights(wPath);
  const tPath = join(dir, 'targets.json');
  let targets: TargetsFile;
  try {
    targets = JSON.parse(readFileSync(tPath, 'utf8')) as TargetsFile;
  } catch (e) {
    throw new Error(`${tPath}: ${(e as Error).message}`);
  }
  for (const t of targets.targets) {
    const heads: Partial<Record<Metric, string>> = { ...(t.heads ?? {}) };
    for (const m of t.metrics) heads[m] ??= `${t.id}/${m}`;
    t.heads = heads;
  }
  return { dir, model, targets, bytes: statSync(wPath).size };
}

/**
 * Predicted totals (ms or mJ per head) of in-memory GNN graphs, in batches.
 * @returns row-major [graphs.length, T]
 */
export function predictGraphs(model: PerfSageModel, graphs: readonly GnnGraph[], batchSize = 256): Float64Array {
  const T = model.config.heads.length;
  const out = new Float64Array(graphs.length * T);
  for (let s = 0; s < graphs.length; s += batchSize) {
    const batch = makeBatch(graphs.slice(s, s + batchSize), model.config.featMean, model.config.featStd);
    out.set(tf.tidy(() => model.forward(batch).total.dataSync()), s * T);
  }
  return out;
}

/**
 * Predicted totals for graphs `idx` (positions into the store), all heads, built a batch at a time.
 * @returns row-major [idx.length, T]
 */
export function predictArchs(model: PerfSageModel, ds: GraphStore, idx: readonly number[], batchSize = 256): Float64Array {
  const T = model.config.heads.length;
  const out = new Float64Array(idx.length * T);
  for (let s = 0; s < idx.length; s += batchSize) {
    out.set(predictGraphs(model, idx.slice(s, s + batchSize).map((a) => archGraph(ds, a)), batchSize), s * T);
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
