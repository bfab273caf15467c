import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../src/cost/features.ts';
import { initBackend } from '../../src/predict/backend.ts';
import { makeBatch } from '../../src/predict/batch.ts';
import { PerfSageModel, type PerfSageConfig } from '../../src/predict/perfsage.ts';
import { encodeModel, type WeightsFile } from '../../src/predict/weights-io.ts';
import { mulberry32 as rng } from '../../src/core/random.ts';
import { extendFeatures } from '../../train/extend-features.ts';

// Weights of a build before the width columns, and this build's columns.
const WIDTH = ['log1p_width_in', 'log1p_width_out'];
const OLD = FEATURE_NAMES.filter((n) => !WIDTH.includes(n));
const F = OLD.length;
const config: PerfSageConfig = {
  featureNames: OLD,
  hidden: 8,
  layers: 3,
  headHidden: 8,
  heads: ['t/latency', 'u/latency'],
  featMean: OLD.map((_n, k) => k % 3),
  featStd: OLD.map((_n, k) => 1 + (k % 2)),
  scale: [0.1, 0.2],
  featMin: OLD.map(() => -3),
  featMax: OLD.map(() => 3),
  ownHeads: ['u/latency'],
};
const STATS = { log1p_width_in: { mean: 2, std: 4, min: 0, max: 10 }, log1p_width_out: { mean: 1, std: 1, min: 1, max: 1 } };

let file: WeightsFile;

beforeAll(async () => {
  await initBackend();
  const m = PerfSageModel.init(config, 7);
  // init leaves an own head's unit at 0 (fit-head sets it); give it one so it predicts.
  (m.weights['own/u/latency/scale'] as tf.Variable).assign(tf.tensor1d([0.3]));
  file = await encodeModel(m);
});

/** Decodes without the FEATURE_NAMES check of `decodeModel` (the old weights lack two columns). */
function decode(w: WeightsFile): PerfSageModel {
  return new PerfSageModel(w.config, tf.io.decodeWeights(new Uint8Array(Buffer.from(w.weightData, 'base64')).buffer, w.weightSpecs));
}

/** Graph totals [T] (ms) of a 3-node chain whose unnormalised rows are `rows`. */
function totals(m: PerfSageModel, rows: number[][]): number[] {
  const g = { n: rows.length, x: Float32Array.from(rows.flat()), edgeSrc: Int32Array.from([0, 1]), edgeDst: Int32Array.from([1, 2]) };
  return Array.from(m.forward(makeBatch([g], m.config.featMean, m.config.featStd)).total.dataSync());
}

describe('extendFeatures', () => {
  it('adds zero-weight columns: every head predicts what it did, whatever the new columns hold', async () => {
    const wide = await extendFeatures(file, FEATURE_NAMES, STATS);
    const r = rng(3);
    const rows = [0, 1, 2].map(() => OLD.map(() => 3 * r()));
    const before = totals(decode(file), rows);
    const after = totals(decode(wide), rows.map((row) => [...row, 9.5, -20]));
    expect(before).toHaveLength(2);
    expect(before.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i] as number, 5));
    expect(wide.config.featureNames).toEqual([...FEATURE_NAMES]);
    expect(wide.config.featMean.slice(F - 1)).toEqual([config.featMean[F - 1], 2, 1]);
    expect(wide.config.featStd.slice(F - 1)).toEqual([config.featStd[F - 1], 4, 1]);
    expect(wide.config.featMin.slice(F - 1)).toEqual([-3, -0.5, 0]);
    expect(wide.config.featMax.slice(F - 1)).toEqual([3, 2, 0]);
    const shapes = Object.fromEntries(wide.weightSpecs.map((s) => [s.name, s.shape]));
    expect([shapes['in/w'], shapes['head/w1'], shapes['own/u/latency/w1'], shapes['sage0/w']]).toEqual([[F + 2, 8], [F + 10, 8], [F + 10, 8], [24, 8]]);
  });

  it('the new rows are zero, so a head fitted later can give them weight', async () => {
    const wide = decode(await extendFeatures(file, FEATURE_NAMES, STATS));
    const w1 = wide.weights['own/u/latency/w1']!.arraySync() as number[][];
    expect(w1.slice(8 + F).flat()).toEqual(new Array(16).fill(0));
    expect(w1.slice(8, 8 + F).flat().some((v) => v !== 0)).toBe(true);
  });

  it('refuses to drop a column or add one without statistics', async () => {
    await expect(extendFeatures(file, OLD.slice(1), {})).rejects.toThrow(`the new columns drop ${OLD[0]}`);
    await expect(extendFeatures(file, FEATURE_NAMES, {})).rejects.toThrow('no statistics for the new column log1p_width_in');
  });
});
