/**
 * Learning curve of `edgeperf calibrate` (issue #5): a device the encoder never saw, simulated by
 * onnxruntime-node with graph optimisations disabled (1 thread), measured on seeded random graphs
 * (train/data/cpu-onnxruntime-noopt-ref.csv, -ref2.csv, … -ref5.csv: train/corpus.ts DEVICE_CSVS, passes over the
 * same graphs, each timing a fixed reference graph inside every batch so that drift between
 * batches divides out; family, seed, median_ms, ..., ref_ms; graphs rebuilt from (family, seed)
 * with src/synth/random).
 * The label of a graph is the geometric mean of its passes (train/corpus.ts `readRandomRows`).
 *
 *   node --import tsx bench/calibrate-curve.ts [--base-target ID] [--device ID | --csv FILE[,FILE2...]] [--seeds 3] [--folds 5]
 *                                              [--weights DIR] [--steps N] [--lr X] [--decay X] [--heldout] [--sizes 25,50,100,250]
 *                                              [--node-labels | --kernels FILE[,FILE2]] [--node-weight X] [--node-min-ms X] [--node-floor-ms X]
 *
 * `--weights DIR` calibrates on the weights.json and targets.json of DIR (a candidate written by
 * `npm run train -- --out DIR` and `npm run fit-head -- --weights DIR`) instead of the bundled ones.
 * `--steps`, `--lr`, `--decay` override `calibrateHead`'s defaults (CalibrateOptions), for method variants.
 * `--heldout` tests on the graphs outside the train split of train/corpus.ts (about 20%, up to 500)
 * instead of 500 drawn from all: the fair test of weights trained with `--devices` on these graphs.
 *
 * `--device cpu-onnxruntime-xeon-noopt` is the same protocol on the Intel Xeon (family 6 model
 * 167) of session 19, whose five passes are 1.7–2.0% apart (the EPYC's 4.3–5.0%): labels about 1%
 * from the truth, so what the bench prints there is the calibration's own error. Any id of
 * train/corpus.ts DEVICE_CSVS works (`cpu-onnxruntime-zen5`, `cpu-onnxruntime-xeon`: 12 families).
 * `--csv train/data/cpu-onnxruntime-noopt.csv` gives the first, reference-less pass alone;
 * `--csv ...noopt.csv,...noopt-remeasured.csv` its two reference-less passes.
 * `--csv train/data/cpu-onnxruntime-zen5-ref.csv,...-zen5-ref2.csv,...-zen5-ref3.csv` is a real
 * device the encoder never saw: the same 752 graphs, graph optimisation all, 1 thread, on an AMD
 * EPYC of CPU family 26 (Zen 5, AVX-512) that runs them about twice as fast as the CPU the
 * `cpu-onnxruntime` rows were measured on (train/README.md, "The machine changed").
 *
 * `--node-labels` adds per-node labels: onnxruntime's kernel times of every graph
 * (train/corpus.ts DEVICE_KERNELS of `--device`, measured by `train/measure-random.ts --kernels` as
 * `edgeperf measure --profile` does), mapped to the GNN's rows (src/predict/kernel-labels.ts) and
 * given to `calibrateHead` (`CalibrateOptions.nodeWeight`, `nodeMinMs`) as `edgeperf calibrate` does
 * with `measure --profile` lines; the row "calibrated, totals only" is the same sample without them.
 * `--kernels FILE[,FILE2]` names the kernel files instead. `--node-weight X`, `--node-min-ms X` and `--node-floor-ms X`
 * override the defaults.
 *
 * Fixed seeded split: 500 test graphs; the other graphs are the training pool, from which nested
 * samples of 25, 50, 100, 250 (or `--sizes`) are drawn (one draw per seed; figures are means over the draws).
 * Each sample is calibrated exactly as `edgeperf calibrate` does (head fine-tuned from the base
 * target's head, interval from 5-fold cross-validation) and evaluated on the test graphs (500; with `--heldout` fewer):
 * MAPE, share within ±10%, Kendall τ, share of test measurements inside the calibrated 90%
 * interval, calibration time (including the cross-validation). Baselines on the same samples:
 * the base head uncalibrated, the base head rescaled by the samples' geometric-mean ratio only,
 * a FLOPs-linear fit (ms = a·MACs + b, least squares), and the same calibration with the trust
 * region off (`trustRegion: []`). With two or more passes, the first row is the measurement's own
 * repeatability: pass 2, divided by the passes' geometric-mean ratio (machine drift, which
 * calibration absorbs), "predicting" pass 1 on the test graphs; the average of k passes is
 * about 1/√k as noisy as one pass. A line before the table breaks the pass-to-pass ratio down by
 * batch; a table after it gives the MAPE per generator family at 250 samples (calibrated, and
 * base head rescaled).
 */
import { resolve } from 'node:path';
import { markdownTable } from 'markdown-table';
import { analyzeModel } from '../src/core/analyze.ts';
import { shuffled } from '../src/core/random.ts';
import { initBackend } from '../src/predict/backend.ts';
import {
  baseHeadWeights,
  calibrateHead,
  calibrationExample,
  servingHeadWeights,
  calibrateTarget,
  calibrationAccuracy,
  encodeExamples,
  predictEncoded,
  trustRegionGraphs,
  type CalibrationExample,
  type EncodedGraph,
} from '../src/predict/custom-target.ts';
import { loadBundledModel } from '../src/predict/predictor.ts';
import { bundledTargets, type TargetsFile } from '../src/predict/targets.ts';
import { decodeModel, type WeightsFile } from '../src/predict/weights-io.ts';
import { buildRandomOnnx } from '../src/synth/random/index.ts';
import { existsSync, readFileSync } from 'node:fs';
import { DEVICE_CSVS, DEVICE_KERNELS, randomCsvPath, randomSplit, readKernelRows, readRandomCsv, readRandomRows } from '../train/corpus.ts';
import { argValue } from '../train/dataset.ts';
import { fitLinear } from '../train/metrics.ts';
import { geometricMean, quantile } from '../src/measure/stats.ts';

/** Sample sizes of the curve (`--sizes a,b,...`; default the issue's 25, 50, 100, 250). */
const SIZES = argValue('sizes')?.split(',').map(Number) ?? [25, 50, 100, 250];
if (SIZES.some((n) => !Number.isInteger(n) || n < 2)) {
  console.error(`--sizes: expected comma-separated integers ≥ 2, got '${argValue('sizes')}'`);
  process.exit(1);
}
/** The largest sample size: the per-family table is printed for it. */
const LARGEST = Math.max(...SIZES);
const TEST = 500;
// `--device ID`: a committed device's passes (train/corpus.ts DEVICE_CSVS), in pass order; default
// the optimisation-off device (`-noopt-ref.csv` … `-noopt-ref5.csv`).
const device = argValue('device') ?? 'cpu-onnxruntime-noopt';
if (!DEVICE_CSVS[device]) {
  console.error(`--device: unknown device '${device}' (known: ${Object.keys(DEVICE_CSVS).join(', ')})`);
  process.exit(1);
}
const csvs = argValue('csv')?.split(',').map((f) => resolve(f)) ?? (DEVICE_CSVS[device] as string[]).map(randomCsvPath);
const csv = csvs.map((f) => f.split('/').at(-1)).join(' + ');
const seeds = Number(argValue('seeds') ?? 3);
const folds = Number(argValue('folds') ?? 5);
const tune = {
  ...(argValue('steps') ? { steps: Number(argValue('steps')) } : {}),
  ...(argValue('lr') ? { lr: Number(argValue('lr')) } : {}),
  ...(argValue('decay') ? { decay: Number(argValue('decay')) } : {}),
  ...(argValue('node-weight') ? { nodeWeight: Number(argValue('node-weight')) } : {}),
  ...(argValue('node-min-ms') ? { nodeMinMs: Number(argValue('node-min-ms')) } : {}),
  ...(argValue('node-floor-ms') ? { nodeFloorMs: Number(argValue('node-floor-ms')) } : {}),
};
const kernelFiles = argValue('kernels')?.split(',').map((f) => resolve(f)) ?? (process.argv.includes('--node-labels') ? DEVICE_KERNELS[device] : undefined);
if (process.argv.includes('--node-labels') && !kernelFiles) {
  console.error(`--node-labels: device '${device}' has no kernel files (devices with them: ${Object.keys(DEVICE_KERNELS).join(', ')}); name files with --kernels`);
  process.exit(1);
}
const kernelRows = kernelFiles ? readKernelRows(kernelFiles) : undefined;

const weightsDir = argValue('weights');
const readJson = (name: string): unknown => {
  const path = resolve(weightsDir as string, name);
  if (!existsSync(path)) {
    console.error(`--weights ${weightsDir}: no ${name} there (a folder written by 'npm run train -- --out DIR' or 'npm run fit-head -- --out DIR')`);
    process.exit(1);
  }
  return JSON.parse(readFileSync(path, 'utf8'));
};
const bundled = (weightsDir ? (readJson('targets.json') as TargetsFile) : bundledTargets()).targets;
let baseTarget = argValue('base-target');
if (!baseTarget) {
  baseTarget = bundled.some((t) => t.id === 'cpu-onnxruntime') ? 'cpu-onnxruntime' : 'raspberry-pi-4';
  if (baseTarget !== 'cpu-onnxruntime') console.log('note: the bundled weights have no cpu-onnxruntime head; calibrating from raspberry-pi-4 (TFLite on a Pi 4)');
}
const baseHead = bundled.find((t) => t.id === baseTarget)?.heads.latency;
if (!baseHead) throw new Error(`base target '${baseTarget}' has no latency head; bundled: ${bundled.map((t) => t.id).join(', ')}`);

// ---- data
await initBackend();
const model = weightsDir ? decodeModel(readJson('weights.json') as WeightsFile, resolve(weightsDir, 'weights.json')) : loadBundledModel();
const t0 = performance.now();
const labelRows = readRandomRows(csvs);
const all: Array<CalibrationExample & { macs: number; family: string }> = labelRows.map(({ family, seed, ms }) => {
  const a = analyzeModel(buildRandomOnnx(family, seed, 'external'), `${family}-${seed}.onnx`);
  return { ...calibrationExample(a, ms, `${family}-${seed}`, kernelRows?.get(`${family}:${seed}`)).example, macs: a.macs, family };
});
if (kernelRows) {
  const labelled = all.filter((e) => e.kernels).length;
  console.log(`per-node labels: ${labelled} of ${all.length} graphs have kernel times (${kernelFiles!.map((f) => f.split('/').at(-1)).join(' + ')})`);
}
encodeExamples(model, all);
// Passes per graph: in how many files a graph is measured (files of other families add none).
const passes = quantile(labelRows.map((r) => r.passes), 0.5);
console.log(`${all.length} graphs from ${csv} (${passes} pass${passes > 1 ? 'es per graph, geometric mean' : ''}) rebuilt, analysed and encoded in ${((performance.now() - t0) / 1000).toFixed(0)} s; base target ${baseTarget}${weightsDir ? ` (weights of ${weightsDir})` : ''}`);
const heldout = process.argv.includes('--heldout');
if (!heldout && all.length < TEST + LARGEST) {
  console.error(`need ≥ ${TEST + LARGEST} rows (${TEST} test graphs + the largest sample), ${csv} has ${all.length}: use smaller --sizes`);
  process.exit(1);
}

// --heldout: test only on graphs outside the train split of train/corpus.ts (`randomSplit`: the
// key hash, with TRAIN_ONLY_SEEDS in TRAIN), so an encoder trained with further device heads on these graphs (`npm run train --
// --devices …`) is tested on graphs it never saw; the pool is every other graph.
const split = shuffled(all, 20240501);
const outside = (e: { name?: string }): boolean => randomSplit((e.name as string).replace(/-(\d+)$/, ':$1')) !== 'train';
const test = heldout ? split.filter(outside).slice(0, TEST) : split.slice(0, TEST);
const pool = heldout ? split.filter((e) => !test.includes(e)) : split.slice(TEST);
if (heldout) console.log(`--heldout: ${test.length} test graphs outside the train split, pool ${pool.length}`);
if (LARGEST > pool.length) {
  console.error(`--sizes: the largest sample (${LARGEST}) exceeds the ${pool.length} graphs outside the test set: use sizes ≤ ${pool.length}`);
  process.exit(1);
}
const measured = test.map((e) => e.ms);
const testEnc = test.map((e) => e.encoded as EncodedGraph);
const base = baseHeadWeights(model, baseHead);
const basePred = predictEncoded(testEnc, base);
// What the bundled target predicts (its head of its own, when it has one: train/fit-head.ts).
const served = (model.config.ownHeads ?? []).includes(baseHead) ? predictEncoded(testEnc, servingHeadWeights(model, baseHead)) : undefined;

// The trust region's graphs, encoded once (calibrateTarget would rebuild them per call).
const trustRegion = trustRegionGraphs(model);

// ---- curve
interface Row {
  mape: number;
  within10: number;
  tau: number;
  coverage?: number;
  secs?: number;
  cvMape?: number;
}
const results = new Map<string, Row[]>();
/** Appends `v` to the list of `key` in `m`. */
const append = <T>(m: Map<string, T[]>, key: string, v: T): void => void (m.get(key) ?? m.set(key, []).get(key)!).push(v);
const push = (key: string, r: Row): void => append(results, key, r);
const evalPred = (pred: ArrayLike<number>): Row => {
  const a = calibrationAccuracy(pred, measured);
  return { mape: a.mape, within10: a.within10, tau: a.kendallTau };
};
if (csvs.length > 1) {
  // Repeatability: the labels' second pass against their first (each drift-corrected by its
  // reference graph when it has one), on the test graphs.
  const pass = (f: string): PassRows => new Map(readRandomCsv(f).map((r) => [`${r.family}-${r.seed}`, r]));
  const [first, again] = [pass(csvs[0] as string), pass(csvs[1] as string)];
  const both = test.filter((e) => first.has(e.name as string) && again.has(e.name as string));
  const [p1, p2] = [both.map((e) => first.get(e.name as string)!.ms), both.map((e) => again.get(e.name as string)!.ms)];
  // Divided by the passes' geometric-mean ratio, as calibration rescales: what is left is noise.
  const drift = geometricMean(p1.map((m, i) => (p2[i] as number) / m));
  const cv = (xs: number[]): string => `${(100 * quantile(xs, 0.5)).toFixed(1)}%`;
  console.log(
    `pass 2 on ${both.length} test graphs: ×${drift.toFixed(3)} pass 1 (geometric mean: machine drift); median within-run CV ${cv(both.map((e) => first.get(e.name as string)!.cv))} and ${cv(both.map((e) => again.get(e.name as string)!.cv))}`,
  );
  const a = calibrationAccuracy(p2.map((m) => m / drift), p1);
  push('0|repeat', { mape: a.mape, within10: a.within10, tau: a.kendallTau });
  batchDrift(first, again);
}

/** One pass's rows by `family-seed` (drift-corrected when the file has `ref_ms`). */
type PassRows = Map<string, { ms: number; cv: number }>;

/**
 * Drift per measurement batch (the graphs of one seed are timed together, interleaved), over all
 * graphs of both passes: the pass 2 / pass 1 ratio between and inside batches, and the passes'
 * agreement when one graph of each batch (the `transformer` one) serves as the others' reference.
 */
function batchDrift(first: PassRows, again: PassRows): void {
  const bySeed = new Map<string, Map<string, number>>();
  for (const [name, r] of first) {
    const m = again.get(name);
    if (!m) continue;
    const [family, seed] = [name.replace(/-\d+$/, ''), name.replace(/^.*-/, '')];
    (bySeed.get(seed) ?? bySeed.set(seed, new Map()).get(seed)!).set(family, Math.log(m.ms / r.ms));
  }
  const batches = [...bySeed.values()];
  const means = batches.map((b) => [...b.values()].reduce((x, y) => x + y, 0) / b.size);
  const sds = batches.map((b, i) => Math.sqrt([...b.values()].reduce((x, y) => x + (y - (means[i] as number)) ** 2, 0) / b.size));
  const inBatch = batches.flatMap((b) => (b.has('transformer') ? [...b].filter(([f]) => f !== 'transformer').map(([, v]) => v - (b.get('transformer') as number)) : []));
  const centre = inBatch.reduce((x, y) => x + y, 0) / inBatch.length;
  const mapeRef = (100 * inBatch.reduce((x, v) => x + Math.abs(Math.exp(v - centre) - 1), 0)) / inBatch.length;
  console.log(
    `per batch (${batches.length} seeds, all graphs): pass 2 / pass 1 ×${Math.exp(quantile(means, 0.1)).toFixed(2)}–×${Math.exp(quantile(means, 0.9)).toFixed(2)} between batches (p10–p90), ` +
      `spread inside a batch median ±${(100 * quantile(sds, 0.5)).toFixed(0)}% (p90 ±${(100 * quantile(sds, 0.9)).toFixed(0)}%); ` +
      `with each batch's transformer graph as the reference of the others, the passes differ by ${mapeRef.toFixed(1)}% MAPE`,
  );
}
/** MAPE per generator family on the test graphs, one entry per draw, at the largest sample size. */
const families = [...new Set(test.map((e) => e.family))].sort();
const familyTests = new Map(families.map((f) => [f, test.flatMap((e, i) => (e.family === f ? [i] : []))]));
const byFamily = new Map<string, number[]>();
function perFamily(kind: string, pred: ArrayLike<number>): void {
  for (const [f, idx] of familyTests) append(byFamily, `${f}|${kind}`, calibrationAccuracy(idx.map((i) => pred[i] as number), idx.map((i) => measured[i] as number)).mape);
}
if (served) push('0|served', evalPred(served));
push('0|base', evalPred(basePred));
for (let s = 0; s < seeds; s++) {
  const draw = shuffled(pool, 1000 + s);
  for (const n of SIZES) {
    const train = draw.slice(0, n);
    const t1 = performance.now();
    const fit = calibrateTarget(train, model, baseHead, { ...tune, folds, seed: s + 1, trustRegion });
    const secs = (performance.now() - t1) / 1000;
    const pred = predictEncoded(testEnc, fit.head);
    const inside = measured.filter((m, i) => m >= (pred[i] as number) * fit.interval.lo && m <= (pred[i] as number) * fit.interval.hi).length;
    push(`${n}|calibrated`, { ...evalPred(pred), coverage: inside / test.length, secs, cvMape: fit.accuracy.mape });
    if (n === LARGEST) perFamily('calibrated', pred);
    const free = calibrateHead(train, model, baseHead, { ...tune, trustRegion: [] });
    push(`${n}|free`, evalPred(predictEncoded(testEnc, free.head)));
    if (kernelRows) {
      const totals = calibrateHead(train.map((e) => ({ ...e, kernels: undefined })), model, baseHead, { ...tune, trustRegion });
      const p = predictEncoded(testEnc, totals.head);
      push(`${n}|totals`, evalPred(p));
      if (n === LARGEST) perFamily('totals', p);
    }
    // Baseline: base head × geometric-mean ratio on the sample.
    const pTrain = predictEncoded(train.map((e) => e.encoded as EncodedGraph), base);
    const k = geometricMean(train.map((e, i) => e.ms / (pTrain[i] as number)));
    const rescaled = Array.from(basePred, (p) => p * k);
    push(`${n}|rescaled`, evalPred(rescaled));
    if (n === LARGEST) perFamily('rescaled', rescaled);
    // Baseline: FLOPs-linear.
    const lin = fitLinear(train.map((e) => e.macs), train.map((e) => e.ms));
    push(`${n}|flops`, evalPred(test.map((e) => Math.max(lin.a * e.macs + lin.b, 1e-3))));
    const last = results.get(`${n}|calibrated`)!.at(-1)!;
    console.log(`seed ${s} n=${n}: calibrated MAPE ${last.mape.toFixed(1)}% (without trust region ${results.get(`${n}|free`)!.at(-1)!.mape.toFixed(1)}%; cv ${last.cvMape!.toFixed(1)}%), coverage ${(100 * last.coverage!).toFixed(0)}%, ${secs.toFixed(1)} s`);
  }
}

// ---- table
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1)));
const label: Record<string, string> = {
  served: `${baseTarget} as bundled (head of its own), uncalibrated`,
  base: `${baseTarget} head${served ? ' trained with the encoder (the calibration start)' : ''}, uncalibrated`,
  repeat: `measurement repeatability: pass 2 ÷ its drift against pass 1 (the labels average ${passes} passes)`,
  calibrated: `**calibrated** (head fine-tuned, as \`edgeperf calibrate\`${kernelRows ? ', per-node labels' : ''})`,
  totals: 'calibrated, totals only (the same sample without per-node labels)',
  free: 'calibrated without the trust region',
  rescaled: `${baseTarget} head × mean ratio`,
  flops: 'FLOPs-linear fit',
};
const rows = [['samples', 'predictor', `MAPE (test ${test.length})`, '±10%', 'Kendall τ', '90% interval coverage', 'CV MAPE (in file)', 'calibration time']];
for (const [key, rs] of results) {
  const [n, kind] = key.split('|') as [string, string];
  const m = rs.map((r) => r.mape);
  rows.push([
    n,
    label[kind] as string,
    `${mean(m).toFixed(1)}%${rs.length > 1 ? ` ± ${sd(m).toFixed(1)}` : ''}`,
    `${(100 * mean(rs.map((r) => r.within10))).toFixed(0)}%`,
    mean(rs.map((r) => r.tau)).toFixed(3),
    rs[0]!.coverage === undefined ? '' : `${(100 * mean(rs.map((r) => r.coverage!))).toFixed(0)}%`,
    rs[0]!.cvMape === undefined ? '' : `${mean(rs.map((r) => r.cvMape!)).toFixed(1)}%`,
    rs[0]!.secs === undefined ? '' : `${mean(rs.map((r) => r.secs!)).toFixed(1)} s`,
  ]);
}
console.log(`\nTest: ${test.length} graphs of ${csv.split('/').at(-1)}; mean${seeds > 1 ? ' ± sd' : ''} over ${seeds} sample draw(s); calibration time includes ${folds}-fold cross-validation.\n`);
console.log(markdownTable(rows, { align: ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'] }));
console.log(`\nPer generator family at ${LARGEST} samples (test graphs; mean over the draws):\n`);
console.log(
  markdownTable(
    [
      ['family', 'test graphs', 'calibrated MAPE', ...(kernelRows ? ['totals only'] : []), `${baseTarget} head × mean ratio`],
      ...families.map((f) => [
        f,
        String(familyTests.get(f)!.length),
        `${mean(byFamily.get(`${f}|calibrated`)!).toFixed(1)}%`,
        ...(kernelRows ? [`${mean(byFamily.get(`${f}|totals`)!).toFixed(1)}%`] : []),
        `${mean(byFamily.get(`${f}|rescaled`)!).toFixed(1)}%`,
      ]),
    ],
    { align: ['l', 'r', 'r', 'r', 'r'] },
  ),
);
