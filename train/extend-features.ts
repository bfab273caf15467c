/**
 * Gives trained weights the node-feature columns this EdgePerf computes and they lack, without
 * changing a single prediction: every weight that reads the feature vector (the encoder's input
 * layer `in/w` [F, H] and the heads' first layers `head/w1`, `own/<head>/w1` [H+F, Hh], which
 * read [encoder output, features]) gets a zero row for each new column, and the normalisation
 * (`featMean`, `featStd`, `featMin`, `featMax`) of the new columns is computed from the TRAIN
 * splits of the given sources as `npm run train` computes it.
 *
 *   node --import tsx train/extend-features.ts --weights DIR --out DIR [--sources nb201,...]
 *
 * Then `npm run fit-head -- --weights DIR` (or `edgeperf calibrate`) fits a head that reads the
 * new columns through its skip connection; the encoder keeps ignoring them until a full
 * `npm run train`. Why: a retrain of the encoder takes an hour, a head fit 13 minutes, and a
 * zero row reads as the column not being there (test/train/extend-features.test.ts).
 *
 * Writes DIR/weights.json and, when the weights have one, DIR/targets.json with a note in its
 * `training` text. Reads ../shared/data for the sources' graphs (the feature statistics), like
 * `npm run train`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { join, resolve } from 'node:path';
import { FEATURE_NAMES } from '../src/cost/features.ts';
import { initBackend } from '../src/predict/backend.ts';
import type { TargetsFile } from '../src/predict/targets.ts';
import { type WeightsFile, WEIGHTS_FORMAT } from '../src/predict/weights-io.ts';
import { loadCorpus, parseSources, sourceSplit } from './corpus.ts';
import { argValue, resolveDataDir } from './dataset.ts';
import { featureStats } from './train.ts';

/** Raw-value statistics of feature columns, by name (as `featureStats` gives them). */
export type ColumnStats = Record<string, { mean: number; std: number; min: number; max: number }>;

/**
 * The weights file with the feature columns `names` (a superset of its own, in any order):
 * columns it has keep their weights and normalisation, the others get zero weight rows and the
 * normalisation in `stats`.
 * @throws Error when `names` drops a column of the weights, a new column has no stats, or a
 *   weight reading the features has an unexpected shape
 */
export async function extendFeatures(file: WeightsFile, names: readonly string[], stats: ColumnStats): Promise<WeightsFile> {
  if (file.format !== WEIGHTS_FORMAT) throw new Error(`weights have format '${file.format}', expected '${WEIGHTS_FORMAT}'`);
  const old = file.config.featureNames;
  const dropped = old.filter((n) => !names.includes(n));
  if (dropped.length) throw new Error(`extendFeatures: the new columns drop ${dropped.join(', ')}`);
  const from = names.map((n) => old.indexOf(n));
  for (const [k, n] of names.entries()) if ((from[k] as number) < 0 && !stats[n]) throw new Error(`extendFeatures: no statistics for the new column ${n}`);
  const H = file.config.hidden;
  const buf = Buffer.from(file.weightData, 'base64');
  const named = tf.io.decodeWeights(new Uint8Array(buf).buffer, file.weightSpecs);
  const out: tf.NamedTensorMap = {};
  for (const spec of file.weightSpecs) {
    const t = named[spec.name] as tf.Tensor;
    const skip = spec.name === 'in/w' ? 0 : spec.name === 'head/w1' || /^own\/.+\/w1$/.test(spec.name) ? H : -1;
    if (skip < 0) {
      out[spec.name] = t;
      continue;
    }
    const [rows, cols] = t.shape as [number, number];
    if (rows !== skip + old.length) throw new Error(`extendFeatures: ${spec.name} has ${rows} rows, expected ${skip + old.length}`);
    const a = t.arraySync() as number[][];
    const zero = new Array<number>(cols).fill(0);
    out[spec.name] = tf.tensor2d([...a.slice(0, skip), ...from.map((i) => (i >= 0 ? (a[skip + i] as number[]) : zero))]);
  }
  const c = file.config;
  const pick = (own: number[], key: 'mean' | 'std' | 'min' | 'max', norm: boolean): number[] =>
    names.map((n, k) => {
      const i = from[k] as number;
      if (i >= 0) return own[i] as number;
      const s = stats[n]!;
      return norm ? (s[key] - s.mean) / s.std : s[key];
    });
  const { data, specs } = await tf.io.encodeWeights(out);
  return {
    format: file.format,
    config: { ...c, featureNames: [...names], featMean: pick(c.featMean, 'mean', false), featStd: pick(c.featStd, 'std', false), featMin: pick(c.featMin, 'min', true), featMax: pick(c.featMax, 'max', true) },
    weightSpecs: specs,
    weightData: Buffer.from(data).toString('base64'),
  };
}

async function main(): Promise<void> {
  const weightsDir = resolve(argValue('weights') ?? 'models/perfsage');
  const outDir = resolve(argValue('out') ?? weightsDir);
  const families = parseSources(argValue('sources'));
  await initBackend();
  const file = JSON.parse(readFileSync(join(weightsDir, 'weights.json'), 'utf8')) as WeightsFile;
  const added = FEATURE_NAMES.filter((n) => !file.config.featureNames.includes(n));
  if (added.length === 0) {
    console.log(`${join(weightsDir, 'weights.json')} already has all ${FEATURE_NAMES.length} feature columns`);
    return;
  }
  const corpus = loadCorpus(resolveDataDir(), families, { randomExtra: true });
  const st = featureStats(corpus.sources.map((src) => ({ src, graphs: sourceSplit(src, 'train') })));
  const stats: ColumnStats = {};
  for (const n of added) {
    const k = FEATURE_NAMES.indexOf(n);
    stats[n] = { mean: st.mean[k] as number, std: st.std[k] as number, min: st.min[k] as number, max: st.max[k] as number };
    console.log(`${n}: mean ${stats[n].mean.toFixed(3)}, std ${stats[n].std.toFixed(3)}, range [${stats[n].min.toFixed(3)}, ${stats[n].max.toFixed(3)}]`);
  }
  const extended = await extendFeatures(file, FEATURE_NAMES, stats);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'weights.json'), JSON.stringify(extended) + '\n');
  const targetsPath = join(weightsDir, 'targets.json');
  if (existsSync(targetsPath)) {
    // The note goes before fit-head's, which fit-head rewrites from its start to the end.
    const targets = JSON.parse(readFileSync(targetsPath, 'utf8')) as TargetsFile;
    const note = ` Node features ${added.join(', ')} added after training with zero weights (train/extend-features.ts, statistics over ${families.join(', ')}).`;
    const at = targets.training.indexOf(' cpu-onnxruntime/latency: a head of its own');
    targets.training = at < 0 ? targets.training + note : targets.training.slice(0, at) + note + targets.training.slice(at);
    writeFileSync(join(outDir, 'targets.json'), JSON.stringify(targets, null, 2) + '\n');
  }
  console.log(`wrote ${join(outDir, 'weights.json')}: ${added.length} zero-weight columns added (${added.join(', ')})`);
}

if (process.argv[1] && process.argv[1].endsWith('extend-features.ts')) {
  await main().catch((e: unknown) => {
    console.error(`extend-features: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
