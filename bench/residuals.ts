/**
 * Where the `cpu-onnxruntime` head's error on the generated graphs comes from (issue #5): label
 * drift in time, or something the features cannot see. Reads only train/data and the weights.
 *
 *   node --import tsx bench/residuals.ts [--weights DIR]      (default: models/perfsage; ~1 minute)
 *
 * Residual of a graph: r = ln(measured / predicted), the head of its own through train/infer.ts,
 * labels as `npm run evaluate` reads them (train/corpus.ts `readRandomRows`, labels ≥ 0.5 ms).
 *
 * Table 1, per family: MAPE on the TRAIN and TEST splits; passes per graph; the lag-1
 * autocorrelation of r by seed over both splits. train/measure-random.ts measures seed s of
 * every family in one batch, in seed order, so a correlation between neighbouring seeds is the
 * machine's speed drifting during the pass, which no graph feature can predict. Last column: the
 * TEST MAPE when each test label is divided by exp(d) (the same as the prediction times exp(d)), d the mean r of the TRAIN graphs measured
 * at seeds s−1…s+1 in the same pass (the nine families of train/data/cpu-onnxruntime.csv share
 * one; every other family is a pass of its own), shrunk as Σr / (n + 3). That is a diagnostic of
 * how much of the error is drift, not a figure of the model: it borrows the model's residuals on
 * other graphs.
 *
 * Table 2, `batched` (the worst family): graph-level statistics of its Convs (MAC-weighted means
 * over the graph's Conv nodes; output H×W per image) fitted by least squares to r on the TRAIN
 * split, one at a time and all together, and the TEST MAPE after that correction. A statistic
 * that lowers the TEST MAPE is one the encoder does not yet extract; one that does not, is not
 * the missing information. Last line: the correlation of r with the MAC-weighted ln(W / H) of
 * the Convs of the 2-D `batched` graphs (the rows' shape, which the width columns of
 * src/cost/features.ts describe since session 18: −0.54 on the head fitted before them, −0.08 on the head that reads them).
 */
import { join, resolve } from 'node:path';
import { markdownTable } from 'markdown-table';
import { analyzeModel } from '../src/core/analyze.ts';
import { initBackend } from '../src/predict/backend.ts';
import { mean } from '../src/measure/stats.ts';
import { buildRandomOnnx } from '../src/synth/random/index.ts';
import { FIRST_FAMILIES, loadCorpus, RANDOM_CSV, RANDOM_EXTRA_CSVS, readRandomRows, sourceSplit } from '../train/corpus.ts';
import { argValue } from '../train/dataset.ts';
import { column, predictArchs, readWeights } from '../train/infer.ts';
import { fitLeastSquares, MIN_MS } from '../train/metrics.ts';

/** One graph's measured and predicted latency (ms). */
interface Row {
  family: string;
  seed: number;
  key: string;
  y: number;
  p: number;
  split: 'train' | 'test';
}

const HEAD = 'cpu-onnxruntime/latency';
const weightsPath = join(resolve(argValue('weights') ?? 'models/perfsage'), 'weights.json');
await initBackend();
const model = readWeights(weightsPath);
const t = model.config.heads.indexOf(HEAD);
if (t < 0) throw new Error(`${weightsPath}: no ${HEAD} head`);
const src = loadCorpus('', ['random'], { randomExtra: true, quiet: true }).sources[0]!;
const passes = new Map(readRandomRows([RANDOM_CSV, ...RANDOM_EXTRA_CSVS]).map((r) => [`${r.family}:${r.seed}`, r.passes]));

const rows: Row[] = [];
for (const split of ['train', 'test'] as const) {
  const idx = sourceSplit(src, split);
  const pred = column(predictArchs(model, src.store, idx), model.config.heads.length, t);
  idx.forEach((g, i) => {
    const key = src.keys[g] as string;
    const y = src.labels[HEAD]![g] as number;
    if (!(y >= MIN_MS)) return;
    const [family, seed] = key.split(':') as [string, string];
    rows.push({ family, seed: Number(seed), key, y, p: pred[i] as number, split });
  });
}

const resid = (r: Row): number => Math.log(r.y / r.p);
const mape = (rs: readonly Row[], adjust: (r: Row) => number = () => 0): number =>
  rs.reduce((s, r) => s + Math.abs((r.p * Math.exp(adjust(r))) / r.y - 1), 0) / rs.length;
const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;

/** Pearson correlation of two equal-length series. */
function correlation(a: readonly number[], b: readonly number[]): number {
  const [ma, mb] = [mean(a), mean(b)];
  let [sab, saa, sbb] = [0, 0, 0];
  a.forEach((x, i) => {
    const y = (b[i] as number) - mb;
    sab += (x - ma) * y;
    saa += (x - ma) ** 2;
    sbb += y ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
}

/** Lag-1 autocorrelation of the residuals by seed (pairs s, s+1 both measured). */
function lag1(rs: readonly Row[]): number {
  const bySeed = new Map(rs.map((r) => [r.seed, resid(r)]));
  const pairs = [...bySeed].filter(([s]) => bySeed.has(s + 1));
  return correlation(pairs.map(([, v]) => v), pairs.map(([s]) => bySeed.get(s + 1) as number));
}

// Table 1.
const pass = (family: string): string => (FIRST_FAMILIES.includes(family) ? 'first 9' : family);
const trainByPass = new Map<string, Row[]>();
for (const r of rows.filter((q) => q.split === 'train')) {
  const group = trainByPass.get(pass(r.family)) ?? [];
  group.push(r);
  trainByPass.set(pass(r.family), group);
}
const drift = (r: Row): number => {
  const near = (trainByPass.get(pass(r.family)) ?? []).filter((q) => Math.abs(q.seed - r.seed) <= 1).map(resid);
  return near.reduce((s, v) => s + v, 0) / (near.length + 3);
};
const families = [...new Set(rows.map((r) => r.family))].sort();
const table1: string[][] = [['family', 'test n', 'TRAIN MAPE', 'TEST MAPE', 'passes', 'lag-1 autocorr.', 'TEST, drift divided out']];
for (const f of [...families, 'all']) {
  const of = rows.filter((r) => f === 'all' || r.family === f);
  const test = of.filter((r) => r.split === 'test');
  const lag = f === 'all' ? NaN : lag1(of);
  table1.push([f, String(test.length), pct(mape(of.filter((r) => r.split === 'train'))), pct(mape(test)), mean(test.map((r) => passes.get(r.key) ?? 1)).toFixed(1), Number.isNaN(lag) ? '' : lag.toFixed(2), pct(mape(test, drift))]);
}
console.log(`## Residuals of ${HEAD} (${weightsPath})\n`);
console.log(markdownTable(table1, { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'] }));

// Table 2.
/** Key of the 2-D flag in `convStats` (not a regressor of Table 2). */
const TWO_D = '2-D';

/** MAC-weighted graph-level statistics of the Convs of one `batched` graph. */
function convStats(family: string, seed: number): Record<string, number> {
  const graph = analyzeModel(buildRandomOnnx(family, seed, 'external'), `${family}:${seed}`).graph;
  const acc: Record<string, number> = {};
  let total = 0;
  let batch = 1;
  let convs = 0;
  let rank = 0;
  for (const node of graph.nodes) {
    if (node.op !== 'Conv') continue;
    const shape = (name: string | undefined): number[] => (graph.tensors.get(name ?? '')?.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    const [w, y] = [shape(node.inputs[1]), shape(node.outputs[0])];
    const spatial = y.slice(2);
    const hw = spatial.reduce((a, b) => a * b, 1);
    const width = spatial.at(-1) ?? 1;
    const macs = (y[0] ?? 1) * (y[1] ?? 1) * hw * w.slice(1).reduce((a, b) => a * b, 1);
    const stats: Record<string, number> = {
      'output W fill of 16': width / (16 * Math.ceil(width / 16)),
      'output H·W fill of 16': hw / (16 * Math.ceil(hw / 16)),
      'ln output W': Math.log(width),
      'ln output H': Math.log(spatial.length > 1 ? (spatial[0] as number) : 1),
      '1×1 share': w.slice(2).every((k) => k === 1) ? 1 : 0,
      'cout not ×8 share': (y[1] ?? 0) % 8 ? 1 : 0,
    };
    for (const [k, v] of Object.entries(stats)) acc[k] = (acc[k] ?? 0) + macs * v;
    total += macs;
    batch = y[0] ?? 1;
    rank = y.length;
    convs++;
  }
  const out = Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, v / total]));
  return { ...out, 'ln batch': Math.log(batch), 'Conv count': convs, [TWO_D]: rank === 4 ? 1 : 0 };
}
const batched = rows.filter((r) => r.family === 'batched');
const stats = new Map(batched.map((r) => [r.key, convStats(r.family, r.seed)]));
const names = Object.keys(stats.values().next().value ?? {}).filter((n) => n !== TWO_D);
const [train, test] = [batched.filter((r) => r.split === 'train'), batched.filter((r) => r.split === 'test')];
const table2: string[][] = [['statistic (least squares on TRAIN r)', 'TRAIN MAPE', 'TEST MAPE'], ['none', pct(mape(train)), pct(mape(test))]];
for (const cols of [...names.map((n) => [n]), names]) {
  const x = (r: Row): number[] => [1, ...cols.map((c) => (stats.get(r.key) as Record<string, number>)[c] ?? 0)];
  const b = fitLeastSquares(train.map(x), train.map(resid), 1e-3);
  const fit = (r: Row): number => x(r).reduce((s, v, i) => s + v * (b[i] as number), 0);
  table2.push([cols.length > 1 ? 'all of them' : (cols[0] as string), pct(mape(train, fit)), pct(mape(test, fit))]);
}
console.log(`\n## \`batched\`: what graph-level Conv statistics explain (${train.length} TRAIN, ${test.length} TEST graphs)\n`);
console.log(markdownTable(table2, { align: ['l', 'r', 'r'] }));

// The row shape: MLAS runs a blocked conv one output row at a time (src/cost/features.ts widthOf).
const twoD = batched.filter((r) => (stats.get(r.key) as Record<string, number>)[TWO_D] === 1);
const lnWH = (r: Row): number => {
  const st = stats.get(r.key) as Record<string, number>;
  return (st['ln output W'] as number) - (st['ln output H'] as number);
};
console.log(`\nCorrelation of r with the MAC-weighted ln(W / H) of the Convs, 2-D \`batched\` graphs (both splits, n ${twoD.length}): ${correlation(twoD.map(lnWH), twoD.map(resid)).toFixed(3)}`);
