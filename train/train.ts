/**
 * Trains the bundled PerfSAGE model on the multi-source corpus (train/corpus.ts: NB201, FBNet,
 * HW-NAS-Bench-360, the cpu-onnxruntime random graphs): one shared encoder, one head per
 * (target, metric), and writes models/perfsage/weights.json and targets.json.
 *
 *   npm run train -- [--data DIR] [--sources nb201,fbnet,nb360,random] [--epochs 11] [--hidden 64]
 *                    [--batch 32] [--lr 0.003] [--seed 1] [--minutes 75] [--out DIR] [--limit N]
 *                    [--oversample SOURCE=K,...] [--no-random-extra] [--devices ID,...] [--init DIR]
 *
 * The `random` source holds all 12 generator families: the nine of RANDOM_CSV and the `detector`,
 * `batched` and `googlenet` graphs (train/corpus.ts RANDOM_EXTRA_CSVS); `--no-random-extra`
 * trains on the nine only, as the weights shipped until session 9 were.
 *
 * `--devices cpu-onnxruntime-noopt,cpu-onnxruntime-zen5` adds a head per further device measured on
 * the calibration-bench graphs (train/corpus.ts DEVICE_CSVS, source `random-devices`), so the
 * encoder sees how the same graphs' costs move between devices. `--init DIR` starts from the
 * weights of DIR instead of a fresh initialisation (`warmStart`; with a lower `--lr` and a few
 * `--epochs` a fine-tune). Both are for the experiment of train/README.md, "A third device".
 *
 * `--oversample random=2` (the default; `--oversample ''` for none) repeats every training sample
 * of source `random` twice per epoch: more gradient steps for the cpu-onnxruntime head, whose
 * 4,500 training graphs are one tenth of the corpus.
 *
 * Loss: per head, the weighted mean squared error of log(prediction) − log(label) over the batch
 * (a relative loss: MAPE is what users read), averaged over the heads present in the batch, so a
 * head with 4,000 graphs counts as much as one with 26,000. Model selection: best mean validation
 * MAPE over heads, every epoch. Test graphs are used only for the accuracy written to targets.json.
 */
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 as rng } from '../src/core/random.ts';
import { initBackend } from '../src/predict/backend.ts';
import { makeBatch } from '../src/predict/batch.ts';
import { PerfSageModel, type PerfSageConfig } from '../src/predict/perfsage.ts';
import type { IntervalBounds, IntervalCalibration, TargetEntry, TargetsFile } from '../src/predict/targets.ts';
import { encodeModel } from '../src/predict/weights-io.ts';
import { argValue, REPO_ROOT, resolveDataDir } from './dataset.ts';
import { groupArchs } from './dedupe.ts';
import { loadCorpus, parseSources, sourceSplit, type Corpus, type CorpusSource, type HeadDef } from './corpus.ts';
import { nodeCount, storeGraph } from './graph-store.ts';
import { predictArchs, readWeights } from './infer.ts';
import { accuracy, MIN_MS } from './metrics.ts';
import { targetMeta } from './target-defs.ts';
import type { Metric } from '../src/core/types.ts';

/** Upper median (the element at ⌊n/2⌋ of the sorted values); 1 for an empty list. */
function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 1;
}

/**
 * Per-column stats over the nodes of the given graphs of several sources: mean, standard
 * deviation (1 for a constant column), min and max of the raw feature values, each [F].
 */
export function featureStats(parts: Array<{ src: CorpusSource; graphs: number[] }>): { mean: number[]; std: number[]; min: number[]; max: number[] } {
  const F = parts[0]?.src.store.featureNames.length ?? 0;
  const mean = new Array<number>(F).fill(0);
  const sq = new Array<number>(F).fill(0);
  const min = new Array<number>(F).fill(Infinity);
  const max = new Array<number>(F).fill(-Infinity);
  let total = 0;
  for (const { src, graphs } of parts) {
    const s = src.store;
    const U = s.dict.length / F;
    const count = new Float64Array(U);
    for (const g of graphs) for (let i = s.nodeOffset[g] as number; i < (s.nodeOffset[g + 1] as number); i++) count[s.rowIds[i] as number]!++;
    for (let u = 0; u < U; u++) {
      const c = count[u] as number;
      if (c === 0) continue;
      total += c;
      for (let k = 0; k < F; k++) {
        const v = s.dict[u * F + k] as number;
        mean[k]! += c * v;
        sq[k]! += c * v * v;
        min[k] = Math.min(min[k] as number, v);
        max[k] = Math.max(max[k] as number, v);
      }
    }
  }
  const m = mean.map((v) => v / Math.max(total, 1));
  const std = sq.map((v, k) => {
    const sd = Math.sqrt(Math.max(v / Math.max(total, 1) - (m[k] as number) ** 2, 0));
    return sd > 1e-6 ? sd : 1;
  });
  return { mean: m, std, min, max };
}

/** Loss weight of a label: down-weights small labels of whole-unit (rounded) columns. */
function labelWeight(y: number, resolution: number): number {
  if (!Number.isFinite(y) || y <= 0) return 0;
  if (resolution === 0) return 1;
  const r = 3 * resolution;
  return (y * y) / (y * y + r * r);
}

/** One training sample: a WL-distinct graph of a source, with per-head mean log label and weight. */
interface Sample {
  src: number;
  graph: number;
  y: Float32Array;
  w: Float32Array;
}

/** Samples of the train split of every source (one per WL-equivalence group, see dedupe.ts). */
function trainSamples(corpus: Corpus, heads: HeadDef[]): Sample[] {
  const T = heads.length;
  const out: Sample[] = [];
  corpus.sources.forEach((src, si) => {
    const groups = groupArchs(src.store, sourceSplit(src, 'train'));
    for (const g of groups) {
      const empty = nodeCount(src.store, g.rep) === 0;
      const y = new Float32Array(T);
      const w = new Float32Array(T);
      heads.forEach((h, t) => {
        const col = src.labels[h.name];
        if (!col) return;
        let W = 0;
        let L = 0;
        for (const a of g.members) {
          const v = col[a] as number;
          // A graph folded to nothing whose label is >= MIN_MS contradicts its measurement.
          const wt = empty && v >= MIN_MS ? 0 : labelWeight(v, h.resolution);
          if (wt > 0) {
            W += wt;
            L += wt * Math.log(v);
          }
        }
        w[t] = W;
        y[t] = W > 0 ? L / W : 0;
      });
      if (w.some((v) => v > 0)) out.push({ src: si, graph: g.rep, y, w });
    }
  });
  return out;
}

/**
 * Parses `--oversample random=2,nb201=1`: source name → integer repeats ≥ 1 per epoch.
 * @throws Error naming the bad entry (unknown source, non-integer or < 1 repeats)
 */
export function parseOversample(text: string | undefined, sources: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (text ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [name, k] = part.split('=').map((x) => x.trim());
    const n = Number(k);
    if (!name || !sources.includes(name)) throw new Error(`--oversample: unknown source '${name ?? ''}' (known: ${sources.join(', ')})`);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--oversample: '${part}' needs an integer number of repeats >= 1`);
    out.set(name, n);
  }
  return out;
}

/** Predictions [graphs, T] of one split of every source. */
function predictSplit(model: PerfSageModel, corpus: Corpus, split: 'val' | 'test'): Array<{ idx: number[]; pred: Float64Array }> {
  return corpus.sources.map((src) => {
    const idx = sourceSplit(src, split);
    return { idx, pred: predictArchs(model, src.store, idx) };
  });
}

/** Pooled (prediction, label) pairs of head t over the end-to-end / simulator sources. */
function pooled(corpus: Corpus, preds: Array<{ idx: number[]; pred: Float64Array }>, head: HeadDef, t: number, T: number): { p: number[]; y: number[] } {
  const p: number[] = [];
  const y: number[] = [];
  corpus.sources.forEach((src, si) => {
    const col = src.labels[head.name];
    if (!col || src.kind[head.name] === 'lookup-table-sum') return;
    const { idx, pred } = preds[si] as { idx: number[]; pred: Float64Array };
    idx.forEach((g, i) => {
      const v = col[g] as number;
      if (!Number.isFinite(v)) return;
      p.push(pred[i * T + t] as number);
      y.push(v);
    });
  });
  return { p, y };
}

/** What a target's training graphs covered: ops, raw feature ranges, node counts, MACs (OOD checks). */
export interface TrainingRanges {
  ops: string[];
  feat: Record<string, [number, number]>;
  nodes: [number, number];
  macs: [number, number];
}

/**
 * Ranges of the TRAIN split of `srcs` (feature columns named by `names`), as stored in a target's
 * `opsSeen`, `featureRanges`, `graphRanges` (src/predict/ood.ts reads them).
 */
export function trainingRanges(srcs: CorpusSource[], names: readonly string[]): TrainingRanges {
  const st = featureStats(srcs.map((src) => ({ src, graphs: sourceSplit(src, 'train') })));
  const feat: Record<string, [number, number]> = {};
  names.forEach((n, k) => {
    feat[n] = [st.min[k] as number, st.max[k] as number];
  });
  const ns: number[] = [];
  const ms: number[] = [];
  for (const src of srcs) {
    for (const g of sourceSplit(src, 'train')) {
      if (nodeCount(src.store, g) === 0) continue;
      ns.push(nodeCount(src.store, g));
      ms.push(src.store.macs[g] as number);
    }
  }
  const ops = [...new Set(srcs.flatMap((s) => s.store.ops))].sort();
  return { ops, feat, nodes: [Math.min(...ns), Math.max(...ns)], macs: [Math.min(...ms), Math.max(...ms)] };
}

/** Split-conformal ratio bounds (see `IntervalCalibration` in src/predict/targets.ts). */
export function conformalRatios(ratios: number[], coverage = 0.9): IntervalBounds {
  const s = [...ratios].sort((a, b) => a - b);
  const n = s.length;
  const a = (1 - coverage) / 2;
  // ε: (1 − 0.9) / 2 is 0.04999…9 in floating point, which would move both ranks one step out
  // whenever (n + 1)·a is a whole number (n + 1 a multiple of 20).
  const eps = 1e-9;
  const kLo = Math.max(Math.floor(a * (n + 1) + eps) - 1, 0);
  const kHi = Math.min(Math.ceil((1 - a) * (n + 1) - eps) - 1, n - 1);
  return { lo: s[kLo] ?? 1, hi: s[kHi] ?? 1, n };
}

/** Smallest group `conformalByBatch` gives quantiles of its own (a 5%/95% quantile of 100 ratios). */
export const MIN_GROUP = 100;

/**
 * Mondrian split-conformal ratio bounds by batch (`IntervalCalibration.batched` in
 * src/predict/targets.ts): `conformalRatios` of the batch-1 graphs, and of the batch > 1 graphs as
 * `batched`, when both groups hold at least `MIN_GROUP` ratios; else `conformalRatios` of all.
 * @param ratios measured / predicted per validation graph
 * @param batched per graph: true when it runs at batch > 1 (`graphBatch`); same length as `ratios`
 * @throws Error when the two arrays differ in length
 */
export function conformalByBatch(ratios: number[], batched: boolean[], coverage = 0.9): IntervalCalibration {
  if (batched.length !== ratios.length) throw new Error(`conformalByBatch: ${ratios.length} ratios but ${batched.length} batch flags`);
  const one = ratios.filter((_, i) => !batched[i]);
  const many = ratios.filter((_, i) => batched[i]);
  if (one.length < MIN_GROUP || many.length < MIN_GROUP) return conformalRatios(ratios, coverage);
  return { ...conformalRatios(one, coverage), batched: conformalRatios(many, coverage) };
}

/**
 * A trainable model for `config` that starts from the weights of DIR (`--init DIR`): the encoder,
 * the shared first head layer and the feature normalisation are copied (so `config`'s own
 * normalisation is replaced by DIR's), and each head's rate columns, bias and overhead from the head
 * of the same name, or from `cpu-onnxruntime/latency` for a head DIR lacks (its unit `scale`
 * stays the one computed for it). A head of its own in DIR is not carried over.
 * @throws Error when DIR's weights do not load or lack both a head and `cpu-onnxruntime/latency`
 */
function warmStart(config: PerfSageConfig, dir: string, seed: number): PerfSageModel {
  const old = readWeights(join(dir, 'weights.json'));
  const oc = old.config;
  if (oc.featureNames.join(',') !== config.featureNames.join(',')) throw new Error(`--init ${dir}: its feature columns differ from this corpus's`);
  Object.assign(config, { featMean: oc.featMean, featStd: oc.featStd, featMin: oc.featMin, featMax: oc.featMax, hidden: oc.hidden, layers: oc.layers, headHidden: oc.headHidden });
  const fresh = PerfSageModel.init(config, seed);
  const T0 = oc.heads.length;
  const from = config.heads.map((h) => {
    const i = oc.heads.indexOf(h) >= 0 ? oc.heads.indexOf(h) : oc.heads.indexOf('cpu-onnxruntime/latency');
    if (i < 0) throw new Error(`--init ${dir}: no head ${h} and no cpu-onnxruntime/latency to start it from`);
    return i;
  });
  config.scale = config.heads.map((h, t) => (oc.heads.includes(h) ? (oc.scale[from[t] as number] as number) : (config.scale[t] as number)));
  for (const v of fresh.variables()) {
    const src = old.weights[v.name];
    if (v.name === 'head/w2' || v.name === 'head/b2' || v.name === 'overhead') {
      const a = (src as tf.Tensor).arraySync() as number[][] | number[];
      const cols = v.name === 'overhead' ? from : [0, 1, 2].flatMap((k) => from.map((i) => k * T0 + i));
      const picked = v.name === 'head/w2' ? (a as number[][]).map((row) => cols.map((c) => row[c] as number)) : cols.map((c) => (a as number[])[c] as number);
      v.assign(tf.tensor(picked, v.shape));
    } else if (src && src.shape.join(',') === v.shape.join(',')) v.assign(src);
    else throw new Error(`--init ${dir}: weight ${v.name} missing or of another shape`);
  }
  return fresh;
}

async function main(): Promise<void> {
  const dataDir = resolveDataDir();
  const epochs = Number(argValue('epochs') ?? 11);
  const hidden = Number(argValue('hidden') ?? 64);
  const batchSize = Number(argValue('batch') ?? 32);
  const lr0 = Number(argValue('lr') ?? 0.003);
  const seed = Number(argValue('seed') ?? 1);
  const minutes = Number(argValue('minutes') ?? 75);
  const families = parseSources(argValue('sources'));
  const outDir = argValue('out') ?? join(REPO_ROOT, 'models', 'perfsage');
  const backend = await initBackend();
  console.log(`backend: ${backend.name}; sources: ${families.join(', ')}`);
  const t0 = Date.now();

  const randomExtra = !process.argv.includes('--no-random-extra');
  const devices = argValue('devices')?.split(',').filter((d) => d !== '') ?? [];
  const corpus = loadCorpus(dataDir, families, { randomExtra, devices });
  console.log(`corpus ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const heads = corpus.heads.filter((h) => corpus.sources.some((s) => s.labels[h.name] && sourceSplit(s, 'train').some((g) => Number.isFinite(s.labels[h.name]![g]))));
  const T = heads.length;
  const trainParts = corpus.sources.map((src) => ({ src, graphs: sourceSplit(src, 'train') }));
  const stats = featureStats(trainParts);
  const samples = trainSamples(corpus, heads);
  const limit = argValue('limit');
  if (limit) {
    // Smoke runs: a seeded random subset of the samples.
    const r = rng(seed + 7);
    for (let i = samples.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [samples[i], samples[j]] = [samples[j] as Sample, samples[i] as Sample];
    }
    samples.splice(Number(limit));
  }
  const repeats = parseOversample(argValue('oversample') ?? (families.includes('random') ? 'random=2' : ''), corpus.sources.map((src) => src.name));
  const oversample = [...repeats].map(([k, v]) => `${k}×${v}`).join(', ');
  if (repeats.size) {
    const extra = samples.flatMap((sm) => Array.from({ length: (repeats.get(corpus.sources[sm.src]!.name) ?? 1) - 1 }, () => sm));
    samples.push(...extra);
    console.log(`oversample ${oversample}: +${extra.length} samples per epoch`);
  }
  const scale = heads.map((h) => {
    const ys: number[] = [];
    const ns: number[] = [];
    for (const s of samples) {
      const t = heads.indexOf(h);
      if ((s.w[t] as number) > 0) {
        ys.push(Math.exp(s.y[t] as number));
        ns.push(nodeCount(corpus.sources[s.src]!.store, s.graph));
      }
    }
    return median(ys) / Math.max(median(ns.filter((n) => n > 0)), 1);
  });
  const config: PerfSageConfig = {
    featureNames: corpus.sources[0]!.store.featureNames,
    hidden,
    layers: 3,
    headHidden: hidden,
    heads: heads.map((h) => h.name),
    featMean: stats.mean,
    featStd: stats.std,
    scale,
    featMin: stats.min.map((v, k) => (v - (stats.mean[k] as number)) / (stats.std[k] as number)),
    featMax: stats.max.map((v, k) => (v - (stats.mean[k] as number)) / (stats.std[k] as number)),
  };
  const initDir = argValue('init');
  const model = initDir ? warmStart(config, initDir, seed) : PerfSageModel.init(config, seed);
  if (initDir) console.log(`warm start from ${initDir}: encoder, normalisation and matching heads copied; new heads start from cpu-onnxruntime/latency`);
  const vars = model.variables();
  const optimizer = tf.train.adam(lr0);
  const rand = rng(seed);
  for (const src of corpus.sources) {
    console.log(`  ${src.name}: ${sourceSplit(src, 'train').length} train / ${sourceSplit(src, 'val').length} val / ${sourceSplit(src, 'test').length} test graphs`);
  }
  console.log(`${samples.length} WL-distinct training samples, ${T} heads`);

  const stepsPerEpoch = Math.ceil(samples.length / batchSize);
  let plannedEpochs = epochs;
  let best = { score: Infinity, epoch: -1, values: new Map<string, Float32Array>() };
  const bar = new cliProgress.SingleBar(
    { format: 'train [{bar}] {percentage}% | epoch {epoch}/{epochs} | loss {loss} | val MAPE {val}% (best {best}%) | {duration_formatted}', noTTYOutput: true, notTTYSchedule: 30000 },
    cliProgress.Presets.shades_classic,
  );
  let step = 0;
  bar.start(plannedEpochs * stepsPerEpoch, 0, { epoch: 1, epochs: plannedEpochs, loss: '-', val: '-', best: '-' });
  const history: string[] = [];
  const tTrain = Date.now();
  for (let epoch = 0; epoch < plannedEpochs; epoch++) {
    const te = Date.now();
    const order = samples.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let lossSum = 0;
    for (let s = 0; s < order.length; s += batchSize) {
      const part = order.slice(s, s + batchSize).map((i) => samples[i] as Sample);
      // Cosine decay from lr0 to lr0/30 over the planned steps.
      const progress = Math.min(step / (plannedEpochs * stepsPerEpoch), 1);
      (optimizer as unknown as { learningRate: number }).learningRate = lr0 / 30 + (lr0 - lr0 / 30) * 0.5 * (1 + Math.cos(Math.PI * progress));
      const batch = makeBatch(
        part.map((p) => storeGraph(corpus.sources[p.src]!.store, p.graph)),
        config.featMean,
        config.featStd,
      );
      const y = new Float32Array(part.length * T);
      const w = new Float32Array(part.length * T);
      part.forEach((p, b) => {
        y.set(p.y, b * T);
        w.set(p.w, b * T);
      });
      const loss = tf.tidy(() => {
        const yT = tf.tensor2d(y, [part.length, T]);
        const wT = tf.tensor2d(w, [part.length, T]);
        const wSum = tf.sum(wT, 0);
        const active = tf.cast(tf.greater(wSum, 0), 'float32');
        const nActive = Math.max(active.sum().dataSync()[0] as number, 1);
        const { value, grads } = tf.variableGrads(() => {
          const out = model.forward(batch);
          const err = tf.sub(tf.log(tf.add(out.total, 1e-6)), yT);
          const perHead = tf.div(tf.sum(tf.mul(wT, tf.square(err)), 0), tf.add(wSum, 1e-6));
          return tf.div(tf.sum(tf.mul(perHead, active)), nActive) as tf.Scalar;
        }, vars);
        // Clip by global norm 5.
        const norm = Math.sqrt(Object.values(grads).reduce((acc, g) => acc + (tf.sum(tf.square(g)).dataSync()[0] as number), 0));
        const k = norm > 5 ? 5 / norm : 1;
        const clipped: tf.NamedTensorMap = {};
        for (const [name, g] of Object.entries(grads)) clipped[name] = k === 1 ? g : tf.mul(g, k);
        optimizer.applyGradients(clipped as unknown as Parameters<typeof optimizer.applyGradients>[0]);
        return value.dataSync()[0] as number;
      });
      lossSum += loss * part.length;
      step++;
      bar.update(step, { epoch: epoch + 1, epochs: plannedEpochs, loss: loss.toFixed(4) });
    }
    // Validation: mean MAPE over heads (labels >= MIN_MS, end-to-end and simulator sources).
    const pv = predictSplit(model, corpus, 'val');
    const mapes = heads.map((h, t) => {
      const { p, y } = pooled(corpus, pv, h, t, T);
      return accuracy(p, y).mape;
    });
    const score = mapes.reduce((a, b) => a + b, 0) / T;
    if (score < best.score) {
      const values = new Map<string, Float32Array>();
      for (const v of vars) values.set(v.name, Float32Array.from(v.dataSync() as Float32Array));
      best = { score, epoch, values };
    }
    const sec = (Date.now() - te) / 1000;
    history.push(`epoch ${epoch + 1}: train loss ${(lossSum / order.length).toFixed(4)}, val MAPE ${mapes.map((m) => m.toFixed(1)).join('/')} (mean ${score.toFixed(2)}%), ${sec.toFixed(0)} s`);
    if (!process.stdout.isTTY) console.log(history[history.length - 1]);
    if (epoch >= 1) {
      // Time budget (--minutes): from the second epoch on (the first includes warm-up), if the
      // mean epoch so far says the planned epochs would overrun, plan fewer (and say so: the
      // shipped weights were trained with the default epochs, inside the budget).
      const elapsed = (Date.now() - t0) / 1000;
      const perEpoch = (Date.now() - tTrain) / 1000 / (epoch + 1);
      const fit = epoch + 1 + Math.floor((minutes * 60 - 60 - elapsed) / perEpoch);
      if (fit < plannedEpochs) {
        console.log(`time budget ${minutes} min: ${plannedEpochs} epochs would overrun at ${perEpoch.toFixed(0)} s/epoch; training ${Math.max(fit, epoch + 1)}`);
        plannedEpochs = Math.max(fit, epoch + 1);
        bar.setTotal(plannedEpochs * stepsPerEpoch);
      }
    }
    bar.update(step, { epoch: epoch + 1, epochs: plannedEpochs, val: score.toFixed(2), best: best.score.toFixed(2) });
  }
  bar.stop();
  for (const h of history) console.log(h);
  for (const v of vars) v.assign(tf.tensor(best.values.get(v.name) as Float32Array, v.shape));
  const trainSeconds = (Date.now() - t0) / 1000;
  console.log(`best epoch ${best.epoch + 1} (val mean MAPE ${best.score.toFixed(2)}%), ${Math.round(trainSeconds)} s total`);

  // Interval calibration (val split) and held-out accuracy (test split), pooled per head.
  const pv = predictSplit(model, corpus, 'val');
  const pt = predictSplit(model, corpus, 'test');
  const rangesOf = (srcs: CorpusSource[]): TrainingRanges => trainingRanges(srcs, config.featureNames);
  const all = rangesOf(corpus.sources);
  const targetIds = [...new Set(heads.map((h) => h.targetId))];
  const targets: TargetEntry[] = targetIds.map((id) => {
    const meta = targetMeta(id);
    const hs = heads.filter((h) => h.targetId === id);
    const srcs = corpus.sources.filter((s) => hs.some((h) => s.labels[h.name]));
    const r = rangesOf(srcs);
    const metrics = hs.map((h) => h.metric);
    const units: Partial<Record<Metric, 'ms' | 'mJ'>> = {};
    const headNames: Partial<Record<Metric, string>> = {};
    const labelRange: Partial<Record<Metric, [number, number]>> = {};
    const acc: NonNullable<TargetEntry['accuracy']> = {};
    const interval: NonNullable<TargetEntry['interval']> = {};
    const trainingSets: Record<string, number> = {};
    let trainingCount = 0;
    for (const h of hs) {
      const t = heads.indexOf(h);
      units[h.metric] = h.unit;
      headNames[h.metric] = h.name;
      const v = pooled(corpus, pv, h, t, T);
      const ratios = v.y.map((y, i) => y / (v.p[i] as number)).filter((q, i) => (v.y[i] as number) >= MIN_MS && Number.isFinite(q));
      const cal = conformalRatios(ratios);
      interval[h.metric] = { lo: round(cal.lo, 4), hi: round(cal.hi, 4), n: cal.n };
      const te = pooled(corpus, pt, h, t, T);
      const a = accuracy(te.p, te.y);
      const keep = te.y.map((y) => y >= MIN_MS);
      const inside = te.y.filter((y, i) => keep[i] && y >= (te.p[i] as number) * cal.lo && y <= (te.p[i] as number) * cal.hi).length;
      acc[h.metric] = { n: a.n, mape: round(a.mape, 2), within10: round(a.within10, 3), kendallTau: round(a.kendallTau, 3), coverage90: round(inside / Math.max(keep.filter(Boolean).length, 1), 3) };
      let lo = Infinity;
      let hi = -Infinity;
      for (const src of srcs) {
        const col = src.labels[h.name];
        if (!col) continue;
        const tr = sourceSplit(src, 'train').filter((g) => Number.isFinite(col[g]));
        if (h.metric === metrics[0]) {
          trainingSets[src.name] = tr.length;
          trainingCount += tr.length;
        }
        for (const g of tr) {
          lo = Math.min(lo, col[g] as number);
          hi = Math.max(hi, col[g] as number);
        }
      }
      labelRange[h.metric] = [lo, hi];
    }
    return {
      id,
      device: meta.device,
      runtime: meta.runtime,
      threads: meta.threads,
      batch: meta.batch,
      metrics,
      units,
      heads: headNames,
      source: meta.source,
      license: meta.license,
      trainingCount,
      trainingSets,
      inputSizes: [...new Set(srcs.flatMap((s) => s.inputSizes))],
      labelRange,
      accuracy: acc,
      interval,
      opsSeen: r.ops,
      featureRanges: r.feat,
      graphRanges: { nodes: r.nodes, macs: r.macs },
    };
  });
  const targetsFile: TargetsFile = {
    format: 'edgeperf-targets-v1',
    training:
      `Sources ${corpus.sources.map((s) => s.name).join(', ')}${randomExtra ? ' (random: all 12 families, --random-extra)' : ''} (train/corpus.ts), split by a seeded hash of the architecture index ` +
      `(80/10/10; test graphs never trained on); hidden ${hidden}, K=3, batch ${batchSize}, ${plannedEpochs} epochs (best ${best.epoch + 1}), seed ${seed}${oversample ? `, oversample ${oversample}` : ''}, ` +
      `${Math.round(trainSeconds)} s on the ${backend.name} backend. Accuracy: test split, labels >= ${MIN_MS} ms, pooled over the end-to-end and simulator sources of each target.`,
    nb201ZeroEdges: 'hybrid',
    opsSeen: all.ops,
    featureRanges: all.feat,
    graphRanges: { nodes: all.nodes, macs: all.macs },
    targets,
  };
  const weights = await encodeModel(model);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'weights.json'), JSON.stringify(weights) + '\n');
  writeFileSync(join(outDir, 'targets.json'), JSON.stringify(targetsFile, null, 2) + '\n');
  for (const t of targets) {
    for (const m of t.metrics) {
      const a = t.accuracy?.[m];
      console.log(`${t.id}/${m}: test n=${a?.n} MAPE ${a?.mape}% ±10% ${a?.within10} tau ${a?.kendallTau}; interval ×[${t.interval?.[m]?.lo}, ${t.interval?.[m]?.hi}] covers ${a?.coverage90}`);
    }
  }
  console.log(`wrote ${join(outDir, 'weights.json')} (${(JSON.stringify(weights).length / 1024).toFixed(0)} KB) and targets.json`);
}

function round(v: number, d: number): number {
  const k = 10 ** d;
  return Math.round(v * k) / k;
}

if (process.argv[1] && process.argv[1].endsWith('train.ts')) await main();
