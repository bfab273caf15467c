/**
 * Held-out evaluation of a PerfSAGE model (default the shipped models/perfsage) on the TEST split of
 * every source of the training corpus (train/corpus.ts: graphs never trained on or used for model
 * selection), next to three baselines fitted on the TRAIN split of the same (head, source)
 * (train/baselines.ts: FLOPs-linear, per-op lookup table, graph-level MLP), plus:
 * GNN/FLOPs ratios, the rounding error of whole-millisecond phone labels, a cross-space row (a
 * model trained without FBNet, scored on FBNet), the NB201 test graphs fed as TFLite, onnxruntime
 * on real models measured in the same run (cpu-onnxruntime), predict time on a 1,000-node graph,
 * and the goals of issues 3 and 5. Prints markdown tables and writes them into
 * models/perfsage/MODEL_CARD.md between `<!-- evaluate:begin -->` and `<!-- evaluate:end -->`.
 *
 *   npm run evaluate -- [--data DIR] [--weights DIR] [--models DIR] [--no-measure] [--no-card]
 *                       [--tflite-limit N] [--runs 30] [--warmup 5] [--repeats 3]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { markdownTable } from 'markdown-table';
import { analyzeModel } from '../src/core/analyze.ts';
import { RuntimeMissingError, type ModelInput } from '../src/measure/ort.ts';
import { quantile } from '../src/measure/stats.ts';
import { initBackend } from '../src/predict/backend.ts';
import type { PerfSageModel } from '../src/predict/perfsage.ts';
import { createPredictor } from '../src/predict/predictor.ts';
import { intervalFor, type IntervalCalibration, type TargetsFile } from '../src/predict/targets.ts';
import type { Nb201Task } from '../src/synth/nb201.ts';
import { gnnGraphOf } from '../src/predict/custom-target.ts';
import { machineTargets } from './machine-targets.ts';
import { analyseRealModels, measureRepeated } from './real-models.ts';
import { buildEfficientNetOnnx } from '../src/synth/efficientnet.ts';
import { buildRandomOnnx } from '../src/synth/random/index.ts';
import { fitAdditive, fitFlopsLinear, fitMlp, graphLevelFeatures, opTableRow } from './baselines.ts';
import { FIRST_FAMILIES, keyIndex, loadCorpus, randomGraphBatch, SOURCE_FAMILIES, sourceSplit, type Corpus, type CorpusSource, type HeadDef, type LabelKind } from './corpus.ts';
import { analyseNb201, argValue, REPO_ROOT, resolveDataDir } from './dataset.ts';
import { loadModel, predictArchs, predictGraphs, type LoadedModel } from './infer.ts';
import { accuracy, MIN_MS, type Accuracy } from './metrics.ts';
import { corpusTable, spliceCard } from './model-card.ts';

// ---------------------------------------------------------------------------------------------
// Output helpers

const pct = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 2 : 1)}%` : '—');
const share = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '—');
const tau = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
const ms = (v: number): string => (!Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const ratio = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');
const yesNo = (ok: boolean | undefined): string => (ok === undefined ? '—' : ok ? 'yes' : 'no');

/** Markdown of the whole run (goes into the model card). */
const card: string[] = [];
const timings: Array<[string, number]> = [];

/** Prints a section (heading, text, table) and keeps it for the card. */
function section(title: string, text: string[], table?: string[][], align?: string[]): void {
  const parts = [`### ${title}`, '', ...text];
  if (table && table.length > 1) parts.push('', markdownTable(table, align ? { align } : {}));
  else if (table) parts.push('', '_(no rows)_');
  const md = parts.join('\n');
  console.log(`\n${md}`);
  card.push(md);
}

async function timed<R>(label: string, f: () => R | Promise<R>): Promise<R> {
  const t0 = performance.now();
  const r = await f();
  const s = (performance.now() - t0) / 1000;
  timings.push([label, s]);
  console.error(`[evaluate] ${label}: ${s.toFixed(1)} s`);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Arguments

interface Args {
  dataDir: string;
  weightsDir: string;
  modelsDir: string;
  measure: boolean;
  card: boolean;
  tfliteLimit: number;
  runs: number;
  warmup: number;
  /** Repeats of the interleaved real-model measurement (median of the repeats' medians). */
  repeats: number;
}

function parseArgs(): Args {
  const dataDir = resolveDataDir();
  return {
    dataDir,
    weightsDir: resolve(argValue('weights') ?? join(REPO_ROOT, 'models', 'perfsage')),
    modelsDir: resolve(argValue('models') ?? join(dataDir, '..', 'models')),
    measure: !process.argv.includes('--no-measure'),
    card: !process.argv.includes('--no-card'),
    tfliteLimit: Number(argValue('tflite-limit') ?? Infinity),
    runs: Number(argValue('runs') ?? 30),
    warmup: Number(argValue('warmup') ?? 5),
    repeats: Number(argValue('repeats') ?? 3),
  };
}

/** MAPE (percent) over the real models: the cpu-onnxruntime head, FLOPs-linear, a calibrated target for this CPU. */
interface RealMape {
  gnn: number;
  flops: number;
  n: number;
  cal?: { id: string; mape: number };
}

// ---------------------------------------------------------------------------------------------
// Per-source predictions and baselines

/** Test-split predictions of one source: GNN (all model heads) and baselines (per head). */
interface SourceEval {
  src: CorpusSource;
  test: number[];
  /** GNN totals [test.length, T], T = model heads. */
  gnn: Float64Array;
  /** Baseline predictions per head name, aligned with `test`. */
  flops: Record<string, Float64Array>;
  table: Record<string, Float64Array>;
  mlp: Record<string, Float64Array>;
}

/** Heads of `corpus` with labels in `src`, in corpus order. */
function sourceHeads(corpus: Corpus, src: CorpusSource): HeadDef[] {
  return corpus.heads.filter((h) => src.labels[h.name]);
}

function evalSource(corpus: Corpus, src: CorpusSource, model: PerfSageModel, mlpEpochs: number): SourceEval {
  const test = sourceSplit(src, 'test');
  const train = sourceSplit(src, 'train');
  const gnn = predictArchs(model, src.store, test);
  const heads = sourceHeads(corpus, src);
  const flops: Record<string, Float64Array> = {};
  const table: Record<string, Float64Array> = {};
  const mlp: Record<string, Float64Array> = {};
  const trTable = train.map((g) => opTableRow(src.store, g));
  const teTable = test.map((g) => opTableRow(src.store, g));
  for (const h of heads) {
    const col = src.labels[h.name] as Float64Array;
    const y = train.map((g) => col[g] as number);
    const lin = fitFlopsLinear(
      train.map((g) => src.store.macs[g] as number),
      y,
    );
    flops[h.name] = Float64Array.from(test, (g) => lin.predict(src.store.macs[g] as number));
    const add = fitAdditive(trTable, y);
    table[h.name] = Float64Array.from(teTable, (r) => add.predict(r));
  }
  // One MLP per source, one output per head (missing labels masked out of the loss).
  const rows = train.filter((g) => heads.some((h) => Number.isFinite(src.labels[h.name]![g]) && (src.labels[h.name]![g] as number) > 0));
  if (rows.length > 0) {
    const net = fitMlp(
      rows.map((g) => graphLevelFeatures(src.store, g)),
      rows.map((g) => heads.map((h) => src.labels[h.name]![g] as number)),
      { hidden: [64, 32], epochs: mlpEpochs, batch: 256, lr: 0.003, seed: 1 },
    );
    const p = net.predict(test.map((g) => graphLevelFeatures(src.store, g)));
    heads.forEach((h, k) => {
      mlp[h.name] = Float64Array.from(p, (r) => r[k] as number);
    });
    net.dispose();
  }
  return { src, test, gnn, flops, table, mlp };
}

/** One scored row: (head, source or pooled). */
interface Row {
  head: HeadDef;
  source: string;
  kind: LabelKind | 'pooled';
  y: number[];
  gnn?: number[];
  flops: number[];
  table: number[];
  mlp: number[];
  /** Graph keys (for per-family grouping). */
  keys: string[];
  /** Batch each graph runs at (`graphBatch`), for the interval group (`intervalFor`). */
  batches: number[];
}

interface Scored {
  row: Row;
  gnn?: Accuracy;
  coverage?: number;
  flops: Accuracy;
  table: Accuracy;
  mlp: Accuracy;
}

function coverageOf(p: number[], y: number[], batches: number[], iv: IntervalCalibration | undefined): number | undefined {
  if (!iv) return undefined;
  let n = 0;
  let inside = 0;
  y.forEach((v, i) => {
    if (!(v >= MIN_MS)) return;
    n++;
    const q = p[i] as number;
    const { lo, hi } = intervalFor(iv, batches[i] as number);
    if (v >= q * lo && v <= q * hi) inside++;
  });
  return n ? inside / n : undefined;
}

function score(row: Row, iv: IntervalCalibration | undefined): Scored {
  return {
    row,
    ...(row.gnn ? { gnn: accuracy(row.gnn, row.y), coverage: coverageOf(row.gnn, row.y, row.batches, iv) } : {}),
    flops: accuracy(row.flops, row.y),
    table: accuracy(row.table, row.y),
    mlp: accuracy(row.mlp, row.y),
  };
}

/** Rows of one head over the evaluated sources: one per source with test labels, plus pooled. */
function headRows(head: HeadDef, evals: SourceEval[], modelHeads: string[]): { perSource: Row[]; pooled?: Row } {
  const t = modelHeads.indexOf(head.name);
  const T = modelHeads.length;
  const perSource: Row[] = [];
  for (const e of evals) {
    const col = e.src.labels[head.name];
    if (!col) continue;
    const keep = e.test.map((g, i) => [g, i] as const).filter(([g]) => Number.isFinite(col[g]));
    if (keep.length === 0) continue;
    const sel = (a: Float64Array | undefined): number[] => keep.map(([, i]) => (a ? (a[i] as number) : NaN));
    perSource.push({
      head,
      source: e.src.name,
      kind: e.src.kind[head.name] ?? 'end-to-end',
      y: keep.map(([g]) => col[g] as number),
      ...(t >= 0 ? { gnn: keep.map(([, i]) => e.gnn[i * T + t] as number) } : {}),
      flops: sel(e.flops[head.name]),
      table: sel(e.table[head.name]),
      mlp: sel(e.mlp[head.name]),
      keys: keep.map(([g]) => e.src.keys[g] as string),
      // The NAS-space builders make batch-1 graphs; the random families run at batch 1–64.
      batches: keep.map(([g]) => (e.src.name === 'random' ? randomGraphBatch(e.src.keys[g] as string) : 1)),
    });
  }
  const parts = perSource.filter((r) => r.kind !== 'lookup-table-sum');
  if (parts.length < 2) return { perSource };
  const cat = <V>(f: (r: Row) => V[]): V[] => parts.flatMap(f);
  return {
    perSource,
    pooled: {
      head,
      source: `pooled (${parts.map((r) => r.source).join(', ')})`,
      kind: 'pooled',
      y: cat((r) => r.y),
      ...(t >= 0 ? { gnn: cat((r) => r.gnn as number[]) } : {}),
      flops: cat((r) => r.flops),
      table: cat((r) => r.table),
      mlp: cat((r) => r.mlp),
      keys: cat((r) => r.keys),
      batches: cat((r) => r.batches),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TFLite and real-model helpers

/** Random TEST graphs measured beside the real models as a machine-state reference. */
const REFERENCE_GRAPHS = 24;

/**
 * `n` TEST graphs of the random source with committed labels of 1–50 ms, from the nine families
 * of RANDOM_CSV (the lowest key hashes: a fixed, family-blind choice).
 */
function driftReferenceGraphs(src: CorpusSource, labels: Float64Array, n: number): Array<{ key: string; ms: number }> {
  const nine = new Set(FIRST_FAMILIES);
  return sourceSplit(src, 'test')
    .map((g) => ({ key: src.keys[g] as string, ms: labels[g] as number }))
    .filter((r) => r.ms >= 1 && r.ms <= 50 && nine.has(r.key.split(':')[0] as string))
    .sort((a, b) => keyIndex(a.key) - keyIndex(b.key))
    .slice(0, n);
}

// ---------------------------------------------------------------------------------------------
// Goals

interface Goal {
  goal: string;
  figure: string;
  reached: boolean | undefined;
}

const PHONES_WHOLE_MS = ['pixel-2', 'galaxy-a50', 'galaxy-s7', 'essential-ph-1'];
const PI5 = ['raspberry-pi-5-tflite', 'raspberry-pi-5-onnxruntime', 'raspberry-pi-5-pytorch-mobile'];

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const tStart = performance.now();
  const args = parseArgs();
  const backend = await initBackend();
  const shipped = loadModel(args.weightsDir);
  const modelHeads = shipped.model.config.heads;
  const T = modelHeads.length;
  console.error(`[evaluate] backend ${backend.name}; model ${relative(REPO_ROOT, args.weightsDir) || '.'} with ${T} heads; data ${args.dataDir}`);

  const corpus = await timed('load corpus', () => loadCorpus(args.dataDir, SOURCE_FAMILIES, { randomExtra: true }));
  const missingHeads = corpus.heads.filter((h) => !modelHeads.includes(h.name)).map((h) => h.name);
  const intervalOf = (h: HeadDef): IntervalCalibration | undefined => shipped.targets.targets.find((t) => t.id === h.targetId)?.interval?.[h.metric];

  // Per-source GNN predictions and baselines on the test split.
  const evals: SourceEval[] = [];
  for (const src of corpus.sources) evals.push(await timed(`predict + baselines ${src.name}`, () => evalSource(corpus, src, shipped.model, 40)));

  // 1. Main table.
  const scored: Scored[] = [];
  const pooledScored = new Map<string, Scored>();
  for (const h of corpus.heads) {
    const { perSource, pooled } = headRows(h, evals, modelHeads);
    for (const r of perSource) scored.push(score(r, intervalOf(h)));
    if (pooled) {
      const s = score(pooled, intervalOf(h));
      scored.push(s);
      pooledScored.set(h.name, s);
    }
  }
  const gnnOf = (head: string, source: string): Scored | undefined => scored.find((s) => s.row.head.name === head && s.row.source === source);
  /** The row a head's goals read: its pooled row, else its only end-to-end/simulator row. */
  const headScore = (head: string): Scored | undefined => pooledScored.get(head) ?? scored.find((s) => s.row.head.name === head && s.row.kind !== 'lookup-table-sum');
  section(
    'Corpus',
    [
      'Sources of the training corpus (train/corpus.ts) and their seeded 80/10/10 split; NB201-indexed sources split by architecture, so an architecture held out in one source is held out in all. Test graphs are never trained on or used for model selection. The `random` row counts all its families: the encoder and the shared heads were trained on the nine of train/data/cpu-onnxruntime.csv (\`npm run train\`), the cpu-onnxruntime head of its own on all of them (\`npm run fit-head\`).',
    ],
    undefined,
  );
  card.push(corpusTable(corpus));
  console.log(`\n${corpusTable(corpus)}`);
  section(
    'Held-out accuracy per (head, source)',
    [
      `TEST split of every source. MAPE, ±10% and Kendall τ count labels ≥ ${MIN_MS} ms (mJ for energy). "90% cover": share of test labels inside the shipped interval (prediction × [lo, hi] from targets.json; for a head with intervals by batch, cpu-onnxruntime, the one of each graph's batch). Baselines fitted on the TRAIN split of the same (head, source) (train/baselines.ts): FLOPs-linear a·MACs + b; per-op table: per-op-type node counts and MACs, least squares (nn-Meter style); MLP: 64-32 ReLU network on graph-level features (log MACs, weight/activation bytes, node count, per-op counts and MAC shares), log-target MSE, one network per source. Pooled rows concatenate the end-to-end and simulator sources of a head (lookup-table sums excluded).`,
      ...(missingHeads.length ? [`GNN columns show — for heads this model does not have: ${missingHeads.map((h) => `\`${h}\``).join(', ')}.`] : []),
    ],
    [
      ['head', 'source', 'labels', 'n', 'GNN MAPE', 'GNN ±10%', 'GNN τ', '90% cover', 'FLOPs-lin MAPE', 'FLOPs-lin τ', 'per-op MAPE', 'MLP MAPE', 'MLP τ'],
      ...scored.map((s) => [
        s.row.head.name,
        s.row.source,
        s.row.kind,
        String(s.flops.n),
        pct(s.gnn?.mape ?? NaN),
        share(s.gnn?.within10 ?? NaN),
        tau(s.gnn?.kendallTau ?? NaN),
        share(s.coverage ?? NaN),
        pct(s.flops.mape),
        tau(s.flops.kendallTau),
        pct(s.table.mape),
        pct(s.mlp.mape),
        tau(s.mlp.kendallTau),
      ]),
    ],
    ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

  // 2. GNN vs FLOPs-linear on end-to-end targets.
  const e2e = scored.filter((s) => s.row.kind === 'end-to-end' || (s.row.kind === 'pooled' && corpus.sources.some((src) => src.kind[s.row.head.name] === 'end-to-end')));
  section(
    'GNN vs FLOPs-linear (end-to-end labels)',
    ['Goal: GNN MAPE at least 4× lower than FLOPs-linear (fitted on the same train split) on every end-to-end target.'],
    [
      ['head', 'source', 'n', 'GNN MAPE', 'FLOPs-lin MAPE', 'FLOPs-lin / GNN', '≥ 4×'],
      ...e2e.map((s) => {
        const r = s.gnn ? s.flops.mape / s.gnn.mape : NaN;
        return [s.row.head.name, s.row.source, String(s.flops.n), pct(s.gnn?.mape ?? NaN), pct(s.flops.mape), ratio(r), yesNo(s.gnn ? r >= 4 : undefined)];
      }),
    ],
    ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
  );

  // 3. Rounding error of whole-millisecond phone labels.
  const roundRows: string[][] = [];
  const roundRatios: Array<{ head: string; source: string; r: number }> = [];
  for (const s of scored) {
    if (s.row.head.resolution !== 1 || s.row.kind === 'lookup-table-sum') continue;
    const ys = s.row.y.filter((v) => v >= MIN_MS);
    const roundMape = (100 * ys.reduce((a, v) => a + 0.25 / v, 0)) / Math.max(ys.length, 1);
    const r = s.gnn ? s.gnn.mape / roundMape : NaN;
    if (s.gnn) roundRatios.push({ head: s.row.head.name, source: s.row.source, r });
    roundRows.push([s.row.head.name, s.row.source, String(ys.length), pct(roundMape), pct(s.gnn?.mape ?? NaN), ratio(r), yesNo(s.gnn ? r <= 1.5 : undefined)]);
  }
  section(
    'Whole-millisecond phone labels: GNN error vs rounding error',
    [
      'HELP phone columns are rounded to whole milliseconds. Rounding MAPE = mean over test labels of 0.25 / y (the expected |round error| / y for an error uniform in ±0.5 ms): the error a perfect predictor of the unrounded latency would show. Goal: GNN MAPE ≤ 1.5× the rounding MAPE.',
    ],
    [['head', 'source', 'n', 'rounding MAPE', 'GNN MAPE', 'GNN / rounding', '≤ 1.5×'], ...roundRows],
    ['l', 'l', 'r', 'r', 'r', 'r', 'l'],
  );

  // 4. Cross-space: a model trained without FBNet, on FBNet.
  const crossDir = join(args.weightsDir, 'nb201-only');
  // A cross-space model that no longer loads (trained on other node features) skips this section
  // with the reason; it must not stop the rest of the card.
  let crossSkip = '';
  const cross = ((): LoadedModel | undefined => {
    if (!existsSync(join(crossDir, 'weights.json'))) return undefined;
    try {
      return loadModel(crossDir);
    } catch (e) {
      crossSkip = (e as Error).message;
      console.warn(`cross-space section skipped: ${crossSkip}`);
      return undefined;
    }
  })();
  const fb = evals.find((e) => e.src.name === 'fbnet');
  const nb = corpus.sources.find((s) => s.name === 'nb201');
  const crossRows: string[][] = [];
  if (cross && fb && nb) {
    await timed('cross-space', () => {
      const pc = predictArchs(cross.model, fb.src.store, fb.test);
      const Tc = cross.model.config.heads.length;
      const nbTrain = sourceSplit(nb, 'train');
      for (const id of PHONES_WHOLE_MS) {
        const head = `${id}/latency`;
        const col = fb.src.labels[head];
        const nbCol = nb.labels[head];
        if (!col || !nbCol) continue;
        const y = fb.test.map((g) => col[g] as number);
        const tc = cross.model.config.heads.indexOf(head);
        const tm = modelHeads.indexOf(head);
        const aCross = tc >= 0 ? accuracy(fb.test.map((_, i) => pc[i * Tc + tc] as number), y) : undefined;
        const aMain = tm >= 0 ? accuracy(fb.test.map((_, i) => fb.gnn[i * T + tm] as number), y) : undefined;
        const lin = fitFlopsLinear(
          nbTrain.map((g) => nb.store.macs[g] as number),
          nbTrain.map((g) => nbCol[g] as number),
        );
        const aLin = accuracy(fb.test.map((g) => lin.predict(fb.src.store.macs[g] as number)), y);
        const inSpace = gnnOf(head, 'fbnet');
        crossRows.push([
          head,
          String(aLin.n),
          pct(aCross?.mape ?? NaN),
          tau(aCross?.kendallTau ?? NaN),
          pct(aMain?.mape ?? NaN),
          tau(aMain?.kendallTau ?? NaN),
          pct(aLin.mape),
          pct(inSpace?.flops.mape ?? NaN),
        ]);
      }
    });
  }
  section(
    'Cross-space: trained without FBNet, tested on FBNet',
    [
      cross
        ? `FBNet TEST split (HELP end-to-end phone columns). "NB201-only": the frozen model of ${relative(REPO_ROOT, crossDir)} (trained on NB201 only); "main": the evaluated model. FLOPs-linear (NB201 train) is the naive cross-space baseline (fitted on NB201, applied to FBNet); FLOPs-linear (FBNet train) is the in-space one for reference.`
        : crossSkip
          ? `Section skipped: ${crossSkip.replace(REPO_ROOT + '/', '')}.`
          : `No cross-space model at ${relative(REPO_ROOT, crossDir)}: section skipped.`,
    ],
    cross ? [['head', 'n', 'NB201-only GNN MAPE', 'NB201-only τ', 'main GNN MAPE', 'main τ', 'FLOPs-lin (NB201 train) MAPE', 'FLOPs-lin (FBNet train) MAPE'], ...crossRows] : undefined,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

  // 5. NB201 test graphs fed as TFLite.
  const tfliteRows: string[][] = [];
  let tfliteNote = '';
  await timed('TFLite builds', () => {
    const plan: Array<{ source: string; task: Nb201Task; zero: 'fold' | 'hybrid'; heads: string[] }> = [
      { source: 'nb201', task: 'cifar10', zero: 'hybrid', heads: ['raspberry-pi-4/latency', 'pixel-3/latency'] },
      ...(['cifar100', 'ninapro', 'darcy'] as const).map((task) => ({ source: `nb360-${task}-fold`, task, zero: 'fold' as const, heads: ['raspberry-pi-5-tflite/latency', 'raspberry-pi-5-tflite/energy', 'pixel-tflite/latency'] })),
    ];
    let built = 0;
    let seconds = 0;
    for (const p of plan) {
      const e = evals.find((x) => x.src.name === p.source);
      if (!e) continue;
      let pos = e.test.map((_, i) => i);
      if (pos.length > args.tfliteLimit) {
        const step = pos.length / args.tfliteLimit;
        pos = Array.from({ length: args.tfliteLimit }, (_, k) => Math.floor(k * step));
      }
      const t0 = performance.now();
      const graphs = pos.map((i) => gnnGraphOf(analyseNb201(e.src.keys[e.test[i] as number] as string, p.zero, { task: p.task, format: 'tflite' })));
      seconds += (performance.now() - t0) / 1000;
      built += graphs.length;
      const pt = predictGraphs(shipped.model, graphs);
      const delta = (ts: number[]): { med: number; max: number } => {
        const d: number[] = [];
        pos.forEach((i, j) => {
          for (const t of ts) {
            const a = e.gnn[i * T + t] as number;
            const b = pt[j * T + t] as number;
            d.push(Math.abs(b / a - 1));
          }
        });
        d.sort((u, v) => u - v);
        return { med: d[Math.floor(d.length / 2)] ?? NaN, max: d[d.length - 1] ?? NaN };
      };
      for (const head of p.heads) {
        const t = modelHeads.indexOf(head);
        const col = e.src.labels[head];
        if (t < 0 || !col) continue;
        const y = pos.map((i) => col[e.test[i] as number] as number);
        const ao = accuracy(pos.map((i) => e.gnn[i * T + t] as number), y);
        const at = accuracy(pos.map((_, j) => pt[j * T + t] as number), y);
        const d = delta([t]);
        tfliteRows.push([head, p.source, String(at.n), pct(ao.mape), pct(at.mape), tau(ao.kendallTau), tau(at.kendallTau), `${(100 * d.med).toFixed(3)}%`, `${(100 * d.max).toFixed(3)}%`]);
      }
      const d = delta(modelHeads.map((_, t) => t));
      tfliteRows.push([`(all ${T} model heads)`, p.source, String(pos.length), '', '', '', '', `${(100 * d.med).toFixed(3)}%`, `${(100 * d.max).toFixed(3)}%`]);
    }
    tfliteNote = `${built} graphs built as TFLite, read back and featurised in ${seconds.toFixed(1)} s${Number.isFinite(args.tfliteLimit) ? ` (subsampled to at most ${args.tfliteLimit} per source by --tflite-limit)` : ' (every test graph)'}.`;
  });
  section(
    'NB201 test graphs fed as TFLite',
    [
      "The test graphs of the NB201 source (CIFAR-10, zero branches `hybrid`) and of the HW-NAS-Bench-360 `fold` sources, written by buildNb201Tflite (NHWC, OHWI weights, fused ReLUs, BatchNorm lowered to MUL + ADD, MEAN + RESHAPE head; same task and zero-branch mode), read back through the TFLite reader and fed to the model. abs Δ = per-graph |TFLite prediction / ONNX prediction − 1|: the feature rows are identical by construction, so it should be ~0.",
      tfliteNote,
    ],
    [['head', 'source', 'n', 'GNN MAPE (ONNX)', 'GNN MAPE (TFLite)', 'τ (ONNX)', 'τ (TFLite)', 'median abs Δ', 'max abs Δ'], ...tfliteRows],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

  // 6. cpu-onnxruntime: per generator family, and real models measured here.
  const cpuHead = 'cpu-onnxruntime/latency';
  const rnd = evals.find((e) => e.src.name === 'random');
  const famRows: string[][] = [];
  let nineMape = NaN;
  const cpuRow = gnnOf(cpuHead, 'random');
  if (cpuRow) {
    const fams = [...new Set(cpuRow.row.keys.map((k) => k.split(':')[0] as string))].sort();
    // `first 9`: the families of RANDOM_CSV, the set of the first evaluations (comparable across sessions).
    const nine = new Set(FIRST_FAMILIES);
    const inGroup = (f: string, fam: string): boolean => f === 'all' || fam === f || (f === "first 9" && nine.has(fam));
    for (const f of [...fams, "first 9", 'all']) {
      const idx = cpuRow.row.keys.map((k, i) => [k, i] as const).filter(([k]) => inGroup(f, k.split(':')[0] as string)).map(([, i]) => i);
      const y = idx.map((i) => cpuRow.row.y[i] as number);
      const pick = (a: number[] | undefined): number[] => idx.map((i) => (a ? (a[i] as number) : NaN));
      const g = cpuRow.row.gnn ? accuracy(pick(cpuRow.row.gnn), y) : undefined;
      if (f === "first 9") nineMape = g?.mape ?? NaN;
      famRows.push([f, String(accuracy(pick(cpuRow.row.flops), y).n), pct(g?.mape ?? NaN), share(g?.within10 ?? NaN), tau(g?.kendallTau ?? NaN), pct(accuracy(pick(cpuRow.row.flops), y).mape), pct(accuracy(pick(cpuRow.row.table), y).mape), pct(accuracy(pick(cpuRow.row.mlp), y).mape)]);
    }
  }
  section(
    'cpu-onnxruntime: generated test graphs per family',
    [`TEST split of the random-graph set (train/data/cpu-onnxruntime.csv and the detector, batched and googlenet families, cpu-onnxruntime-{detector,batched,googlenet}*.csv, every graph the geometric mean of its passes, each pass scaled to its family's first: train/corpus.ts readRandomRows; split by train/corpus.ts randomSplit, which keeps the 2,000 single-pass batched graphs of session 17 in TRAIN), per generator family; \`first 9\`: the nine families of train/data/cpu-onnxruntime.csv (the set of the first evaluations; the encoder trains on all 12 since session 9). Goal: ≤ 5% MAPE overall.`],
    [['family', 'n', 'GNN MAPE', 'GNN ±10%', 'GNN τ', 'FLOPs-lin MAPE', 'per-op MAPE', 'MLP MAPE'], ...famRows],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

  let realMape: RealMape | undefined;
  const realRows: string[][] = [];
  const skipped: string[] = [];
  let realNote = '';
  let referenceNote = '';
  const calNotes: string[] = [];
  let calColumns = false;
  if (!args.measure) {
    realNote = 'Skipped (--no-measure).';
  } else if (!rnd) {
    realNote = 'Skipped: no random-graph source in the corpus.';
  } else {
    await timed('real models (analyse + measure)', async () => {
      const col = rnd.src.labels[cpuHead] as Float64Array;
      const rTrain = sourceSplit(rnd.src, 'train');
      const lin = fitFlopsLinear(
        rTrain.map((g) => rnd.src.store.macs[g] as number),
        rTrain.map((g) => col[g] as number),
      );
      const hasHead = modelHeads.includes(cpuHead) && shipped.targets.targets.some((t) => t.id === 'cpu-onnxruntime');
      const predictor = hasHead ? createPredictor(shipped.model, shipped.targets) : undefined;
      // A committed calibrated target for this very CPU (train/machine-targets.ts), if any.
      const mt = machineTargets(shipped.model);
      const cal = mt.matching[0];
      const calPredictor = cal ? createPredictor(shipped.model, shipped.targets, [cal]) : undefined;
      calNotes.push(...mt.notes);
      const apes = { gnn: [] as number[], gnnSigned: [] as number[], flops: [] as number[], cal: [] as number[] };
      let measuredAny = false;
      // Analyse every model first, then measure them all together: interleaved round-robin
      // (src/measure/ort.ts) and repeated `args.repeats` times, the reported figure being the
      // median of the repeats' medians, so a neighbour's burst on this shared machine hits all
      // models alike and no single window decides a model's figure.
      const real = analyseRealModels(args.modelsDir);
      const analysed = real.models;
      skipped.push(...real.skipped);
      // Machine-state reference: committed random TEST graphs measured in the same interleaved
      // run. Their measured / committed ratio says how this run's machine compares with the one
      // that measured the training rows (a shared VM drifts by ±10% over hours).
      const refs = driftReferenceGraphs(rnd.src, col, REFERENCE_GRAPHS);
      const refInputs: ModelInput[] = refs.map((r) => ({ file: `reference ${r.key}`, bytes: buildRandomOnnx(r.key.split(':')[0] as string, Number(r.key.split(':')[1])) }));
      let medians = new Map<string, number[]>();
      let failed = new Map<string, string>();
      try {
        ({ medians, failed } = await measureRepeated([...analysed.map((x) => x.input), ...refInputs], args));
      } catch (e) {
        if (e instanceof RuntimeMissingError) {
          realNote = `Skipped: ${e.message}`;
          return;
        }
        failed = new Map(analysed.map((x) => [x.name, `measurement failed (${(e as Error).message.split('\n')[0]})`]));
      }
      for (const { name, a, documented, input } of analysed) {
        const reps = medians.get(name);
        if (!reps || failed.has(name)) {
          skipped.push(`\`${name}\`: onnxruntime failed (${(failed.get(name) ?? 'no result').split('\n')[0]?.slice(0, 160)})`);
          continue;
        }
        const measured = quantile(reps, 0.5);
        const spread = reps.length > 1 ? Math.max(...reps) / Math.min(...reps) - 1 : 0;
        measuredAny = true;
        let gnn = NaN;
        let ood = '';
        if (predictor) {
          const p = (await predictor.predict(a, ['cpu-onnxruntime'])).find((q) => q.metric === 'latency');
          gnn = p?.value ?? NaN;
          ood = p?.ood ? 'OOD' : '';
        }
        const calMs = calPredictor && cal ? ((await calPredictor.predict(a, [cal.data.id])).find((q) => q.metric === 'latency')?.value ?? NaN) : NaN;
        const apeC = Math.abs(calMs / measured - 1);
        const fl = lin.predict(a.macs);
        const apeG = Math.abs(gnn / measured - 1);
        const apeF = Math.abs(fl / measured - 1);
        // As on the test split: measurements under MIN_MS are listed but not counted in MAPE.
        const counted = measured >= MIN_MS;
        if (counted) {
          if (Number.isFinite(apeG)) {
            apes.gnn.push(apeG);
            apes.gnnSigned.push(gnn / measured - 1);
          }
          apes.flops.push(apeF);
          if (Number.isFinite(apeC)) apes.cal.push(apeC);
        }
        const shapes = Object.entries(input.inputShapes ?? {}).map(([k, v]) => `${k} ${v.join('×')}`).join(', ');
        const notes = [ood, documented ? 'dyn: shape as shipped' : a.warnings.some((w) => /dynamic/.test(w)) ? 'dyn' : '', counted ? '' : `< ${MIN_MS} ms: not in MAPE`].filter(Boolean).join(', ');
        realRows.push([`\`${name}\``, shapes, (a.macs / 1e6).toFixed(1), ms(measured), pct(100 * spread), ms(gnn), pct(100 * apeG), ms(fl), pct(100 * apeF), ...(cal ? [ms(calMs), pct(100 * apeC)] : []), notes]);
      }
      const mean = (v: number[]): number => (v.length ? (100 * v.reduce((s, x) => s + x, 0)) / v.length : NaN);
      realMape = { gnn: apes.gnn.length ? mean(apes.gnn) : NaN, flops: mean(apes.flops), n: apes.flops.length, ...(cal && apes.cal.length ? { cal: { id: cal.data.id, mape: mean(apes.cal) } } : {}) };
      realRows.push([`**MAPE** (${realMape.n} models ≥ ${MIN_MS} ms)`, '', '', '', '', '', pct(realMape.gnn), '', pct(realMape.flops), ...(cal ? ['', pct(realMape.cal?.mape ?? NaN)] : []), '']);
      if (cal) {
        calColumns = true;
        const d = cal.data;
        calNotes.unshift(
          `Calibrated for this machine: target \`${d.id}\` (\`${cal.file}\`), written by \`edgeperf calibrate\` from ${d.trainingCount} generated graphs measured on this CPU (${d.measurement.cpu}, ${d.runtime}; cross-validated MAPE ${pct(d.accuracy.mape)}), base target \`${d.baseTarget}\`; the real models are not in its data. Its predictions are the "calibrated" columns: MAPE ${pct(realMape.cal?.mape ?? NaN)} over the same models.`,
        );
      }
      const ratios = refs.flatMap((r) => {
        const reps = medians.get(`reference ${r.key}`);
        return reps ? [quantile(reps, 0.5) / r.ms] : [];
      });
      if (ratios.length) {
        const drift = quantile(ratios, 0.5);
        const adjusted = mean(apes.gnnSigned.map((x) => Math.abs((1 + x) * drift - 1)));
        // Beyond ×0.8–1.25 it is not drift: a different CPU (or a host far busier than any pass).
        const otherMachine = drift < 0.8 || drift > 1.25;
        referenceNote =
          `Machine state: ${ratios.length} random TEST graphs of the first nine families (labels ${Math.min(...refs.map((r) => r.ms)).toFixed(1)}–${Math.max(...refs.map((r) => r.ms)).toFixed(0)} ms, chosen by key hash), measured in the same interleaved run, ran at a median ×${drift.toFixed(3)} of their committed labels (p10 ×${quantile(ratios, 0.1).toFixed(3)}, p90 ×${quantile(ratios, 0.9).toFixed(3)}): ` +
          `${Math.abs(drift - 1) < 0.03 ? 'the machine ran as when the training rows were measured.' : otherMachine ? `this is not the machine the training rows were measured on (${mt.cpu}; the rows record only "AMD EPYC"), and the ratio differs between graphs, so the \`cpu-onnxruntime\` figures here test the machine change, not the model: a new CPU is a device to calibrate for.` : `the machine ran ${drift > 1 ? 'slower' : 'faster'} than when the training rows were measured, so measured ms here are off by about that factor for every model.`} ` +
          `For reference only (the goal is judged on the raw figure): GNN MAPE against measurements divided by ×${drift.toFixed(3)}: ${pct(adjusted)}.`;
      }
      const cpu = mt.cpu;
      realNote =
        `Every .onnx under ${args.modelsDir === resolve(args.dataDir, '..', 'models') ? '`<data>/../models`' : `\`${args.modelsDir}\``} that analyses and that onnxruntime-node runs, measured in this run (onnxruntime-node, 1 thread, graph optimisation all; all models interleaved round-robin, ${args.runs} runs after ${args.warmup} warm-ups, repeated ${args.repeats} times; "measured ms" is the median of the ${args.repeats} medians, "spread" max/min − 1 of them; ${cpu}) with the input shapes the analysis resolved, so prediction and measurement see the same graph. GNN: the \`cpu-onnxruntime\` head through the public predictor. FLOPs-linear: a·MACs + b fitted on the random-graph TRAIN rows. MAPE over the models measured at ≥ ${MIN_MS} ms (as on the test split). \`dyn\`: the model has dynamic input dims, resolved as \`edgeperf predict\` resolves them; \`dyn: shape as shipped\`: dynamic dims set to the shape the model's authors run it at (\`REAL_MODEL_INPUT_SHAPES\` in train/evaluate.ts, with sources). Goal: GNN ≤ 10% MAPE.` +
        (hasHead ? '' : ' This model has no cpu-onnxruntime head: GNN columns are empty.') +
        (measuredAny ? '' : ' Nothing could be measured.') +
        ' The machine was shared with other jobs while measuring: "spread" shows how far the repeats disagreed.';
    });
  }
  section(
    'cpu-onnxruntime on real models',
    [realNote, ...(referenceNote ? ['', referenceNote] : []), ...calNotes.flatMap((n) => ['', n]), ...(skipped.length ? ['', 'Skipped:', ...skipped.map((s) => `- ${s}`)] : [])],
    realRows.length ? [['model', 'input', 'MMACs', 'measured ms', 'spread', 'GNN ms', 'GNN APE', 'FLOPs-lin ms', 'FLOPs-lin APE', ...(calColumns ? ['calibrated ms', 'calibrated APE'] : []), 'notes'], ...realRows] : undefined,
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', ...(calColumns ? ['r', 'r'] : []), 'l'],
  );

  // 7. Predict time on a ~1,000-node graph, weights size.
  const predictMs = await timed('predict timing', async () => {
    let depth = 0.5;
    let net = buildEfficientNetOnnx(depth);
    while (net.nodes < 1000) {
      depth += 0.1;
      net = buildEfficientNetOnnx(depth);
    }
    const analysis = analyzeModel(net.bytes, 'efficientnet-1000.onnx');
    const predictor = createPredictor(shipped.model, shipped.targets);
    const ids = shipped.targets.targets.map((t) => t.id);
    for (let i = 0; i < 3; i++) await predictor.predict(analysis, ids);
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      await predictor.predict(analysis, ids);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(times.length / 2)] as number, nodes: analysis.nodes, targets: ids.length };
  });
  section(
    'Size and speed',
    [
      `weights.json: ${(shipped.bytes / 1e6).toFixed(2)} MB. predict() of a ${predictMs.nodes}-node EfficientNet-style graph (the builder of bench/predict-large.ts), all ${predictMs.targets} targets: ${predictMs.p50.toFixed(1)} ms median of 15 (${backend.name} backend; the machine was shared with other jobs).`,
    ],
  );

  // 8. Goals.
  const goals: Goal[] = [];
  const worst = (rows: Array<Scored | undefined>, f: (s: Scored) => number, hi = true): { v: number; where: string } | undefined => {
    let best: { v: number; where: string } | undefined;
    for (const s of rows) {
      if (!s?.gnn) continue;
      const v = f(s);
      if (!best || (hi ? v > best.v : v < best.v)) best = { v, where: `${s.row.head.name} on ${s.row.source}` };
    }
    return best;
  };
  const rowsOf = (heads: string[], pred: (s: Scored) => boolean = () => true): Scored[] => scored.filter((s) => heads.includes(s.row.head.name) && s.row.kind !== 'pooled' && pred(s));
  const missing = (heads: string[]): string => `n/a: model lacks ${heads.filter((h) => !modelHeads.includes(h)).join(', ')}`;
  {
    const heads = PI5.map((t) => `${t}/latency`);
    const rs = rowsOf(heads);
    const m = worst(rs, (s) => s.gnn!.mape);
    const w = worst(rs, (s) => s.gnn!.within10, false);
    const complete = heads.every((h) => modelHeads.includes(h));
    goals.push({
      goal: 'Pi 5 latency (3 runtimes × 3 tasks) ≤ 2% MAPE, ±10% ≥ 99%',
      figure: m && w ? `worst MAPE ${pct(m.v)} (${m.where}); worst ±10% ${share(w.v)} (${w.where})${complete ? '' : `; ${missing(heads)}`}` : missing(heads),
      reached: m && w && complete ? m.v <= 2 && w.v >= 0.99 : undefined,
    });
  }
  {
    const heads = PI5.map((t) => `${t}/energy`);
    const m = worst(rowsOf(heads), (s) => s.gnn!.mape);
    const complete = heads.every((h) => modelHeads.includes(h));
    goals.push({ goal: 'Pi 5 energy ≤ 5% MAPE', figure: m ? `worst ${pct(m.v)} (${m.where})${complete ? '' : `; ${missing(heads)}`}` : missing(heads), reached: m && complete ? m.v <= 5 : undefined });
  }
  {
    const heads = ['pixel-tflite/latency'];
    const m = worst(rowsOf(heads), (s) => s.gnn!.mape);
    goals.push({ goal: 'Pixel TFLite ≤ 4% MAPE', figure: m ? `worst task ${pct(m.v)} (${m.where})` : missing(heads), reached: m ? m.v <= 4 : undefined });
  }
  {
    const rs = ['raspberry-pi-4/latency', 'pixel-3/latency'].map((h) => gnnOf(h, 'nb201'));
    const m = worst(rs, (s) => s.gnn!.mape);
    const k = worst(rs, (s) => s.gnn!.kendallTau, false);
    goals.push({ goal: 'raspberry-pi-4, pixel-3 ≤ 10% MAPE, τ ≥ 0.85 (NB201 end-to-end)', figure: m && k ? `worst MAPE ${pct(m.v)} (${m.where}); worst τ ${tau(k.v)} (${k.where})` : 'n/a', reached: m && k ? m.v <= 10 && k.v >= 0.85 : undefined });
  }
  {
    const rs = scored.filter((s) => s.row.kind === 'simulator' || s.row.kind === 'lookup-table-sum');
    const m = worst(rs, (s) => s.gnn!.mape);
    goals.push({ goal: '≤ 1% MAPE on additive targets (eyeriss, fpga; FBNet lookup-table devices)', figure: m ? `worst ${pct(m.v)} (${m.where})` : 'n/a', reached: m ? m.v <= 1 : undefined });
  }
  {
    const perSrc = roundRatios.filter((r) => !r.source.startsWith('pooled'));
    const w = perSrc.reduce<{ head: string; source: string; r: number } | undefined>((a, b) => (!a || b.r > a.r ? b : a), undefined);
    goals.push({ goal: 'whole-ms phone targets: MAPE ≤ 1.5× rounding error', figure: w ? `worst ${ratio(w.r)} (${w.head} on ${w.source})` : 'n/a', reached: w ? w.r <= 1.5 : undefined });
  }
  {
    const rs = scored.filter((s) => s.row.kind === 'end-to-end' && s.gnn);
    let w: { r: number; where: string } | undefined;
    for (const s of rs) {
      const r = s.flops.mape / s.gnn!.mape;
      if (!w || r < w.r) w = { r, where: `${s.row.head.name} on ${s.row.source}` };
    }
    const lacking = corpus.heads.filter((h) => !modelHeads.includes(h.name) && corpus.sources.some((src) => src.kind[h.name] === 'end-to-end')).length;
    goals.push({ goal: 'GNN ≥ 4× lower MAPE than FLOPs-linear on every end-to-end target', figure: w ? `lowest ratio ${ratio(w.r)} (${w.where})${lacking ? `; ${lacking} end-to-end heads not in the model` : ''}` : 'n/a', reached: w && !lacking ? w.r >= 4 : w ? false : undefined });
  }
  {
    const covs = corpus.heads.map((h) => headScore(h.name)).filter((s): s is Scored => s?.coverage !== undefined);
    const lo = covs.reduce<Scored | undefined>((a, b) => (!a || b.coverage! < a.coverage! ? b : a), undefined);
    const hi = covs.reduce<Scored | undefined>((a, b) => (!a || b.coverage! > a.coverage! ? b : a), undefined);
    goals.push({
      goal: '90% intervals cover 88–92% (per head, pooled test split)',
      figure: lo && hi ? `${share(lo.coverage!)} (${lo.row.head.name}) – ${share(hi.coverage!)} (${hi.row.head.name}) over ${covs.length} heads` : 'n/a',
      reached: lo && hi ? lo.coverage! >= 0.88 && hi.coverage! <= 0.92 : undefined,
    });
  }
  goals.push({
    goal: 'cpu-onnxruntime generated test ≤ 5% MAPE',
    figure: cpuRow?.gnn ? `${pct(cpuRow.gnn.mape)} over all ${new Set(cpuRow.row.keys.map((k) => k.split(':')[0])).size} families (${pct(nineMape)} on the first 9)` : missing([cpuHead]),
    reached: cpuRow?.gnn ? cpuRow.gnn.mape <= 5 : undefined,
  });
  const rm = realMape as RealMape | undefined;
  goals.push({
    goal: 'cpu-onnxruntime real models ≤ 10% MAPE',
    figure: rm && Number.isFinite(rm.gnn) ? `${pct(rm.gnn)} over ${rm.n} models (FLOPs-linear ${pct(rm.flops)}${rm.cal ? `; calibrated for this CPU, \`${rm.cal.id}\`: ${pct(rm.cal.mape)}` : ''})` : rm ? `n/a (${modelHeads.includes(cpuHead) ? 'no model measured' : 'model lacks the head'}; FLOPs-linear ${pct(rm.flops)} over ${rm.n})` : 'not measured',
    reached: rm && Number.isFinite(rm.gnn) ? rm.gnn <= 10 : undefined,
  });
  goals.push({ goal: 'weights ≤ 5 MB', figure: `${(shipped.bytes / 1e6).toFixed(2)} MB`, reached: shipped.bytes <= 5e6 });
  goals.push({ goal: 'predict of a 1,000-node graph ≤ 50 ms', figure: `${predictMs.p50.toFixed(1)} ms (${predictMs.nodes} nodes, ${predictMs.targets} targets, ${backend.name})`, reached: predictMs.p50 <= 50 });
  section('Goals (issues 3 and 5)', ['— = cannot be judged with this model (a head it lacks).'], [['goal', 'measured', 'reached'], ...goals.map((g) => [g.goal, g.figure, yesNo(g.reached)])], ['l', 'l', 'l']);

  const total = (performance.now() - tStart) / 1000;
  const timingLine = `Run time ${total.toFixed(0)} s on ${backend.name} (${timings.map(([l, s]) => `${l} ${s.toFixed(0)} s`).join(', ')}).`;
  console.log(`\n${timingLine}`);
  if (args.card) {
    const cardPath = join(args.weightsDir, 'MODEL_CARD.md');
    const header = [
      `Generated by \`npm run evaluate\` for \`${relative(REPO_ROOT, args.weightsDir) || '.'}\` (${T} heads${shipped.targets.training ? `; ${shipped.targets.training.split('. ')[0]}` : ''}).`,
      timingLine,
    ].join(' ');
    const prev = existsSync(cardPath) ? readFileSync(cardPath, 'utf8') : '# PerfSAGE model card\n';
    writeFileSync(cardPath, spliceCard(prev, [header, '', ...card.join('\n\n').split('\n')].join('\n')));
    console.error(`[evaluate] wrote ${relative(REPO_ROOT, cardPath)}`);
  }
}

await main();
