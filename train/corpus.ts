/**
 * The multi-source training corpus of the bundled PerfSAGE model: every measured set as graphs +
 * labels on a common list of heads (one per target and metric), with a fixed train/val/test split.
 *
 * Sources (../shared/data/README.md; ../shared/specs/search-spaces.md):
 * - `nb201`: NAS-Bench-201 CIFAR-10 networks (13,221 archs), HW-NAS-Bench + HELP columns, built
 *   with `none` edges `hybrid` (train/dataset.ts).
 * - `fbnet`: FBNet CIFAR-100 layout (4,000 archs). `raspi4`, `pixel3`, `eyeriss`, `fpga` are
 *   per-block lookup-table sums (spec 2.4): supervised as such (they train the per-node costs);
 *   HELP's own columns (phones, Xeon) were measured end to end.
 * - `nb360-<task>-fold` / `nb360-<task>-keep`: HW-NAS-Bench-360 representatives (5,496) per task
 *   (cifar100, ninapro, darcy). The TFLite targets (LiteRT on the Pi 5, the Pixel) timed graphs
 *   whose zero branches the converter folded away; onnxruntime and PyTorch Mobile executed them
 *   (the all-`none` cell: 0.003 ms on LiteRT, 10.7 ms on onnxruntime): each family of heads reads
 *   the graph built the way its runtime ran it.
 * - `random`: the cpu-onnxruntime set (train/data/cpu-onnxruntime.csv, committed): 5,625 graphs of
 *   src/synth/random measured with onnxruntime-node, 1 thread, on this machine class; with
 *   `randomExtra`, also the `detector`, `batched` and `googlenet` graphs (RANDOM_EXTRA_CSVS).
 *
 * Split: NB201-indexed sources (nb201, nb360) by `splitOf(arch_idx)` of train/dataset.ts, so an
 * architecture held out in one source is held out in all; FBNet and random graphs by the same hash
 * of their own keys (random graphs: `randomSplit`, which keeps TRAIN_ONLY_SEEDS in TRAIN). Test
 * graphs are never used for training or model selection.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { analyzeModel } from '../src/core/analyze.ts';
import type { Metric } from '../src/core/types.ts';
import { buildFbnetOnnx } from '../src/synth/fbnet.ts';
import { buildNb201Onnx } from '../src/synth/nb201.ts';
import { geometricMean } from '../src/measure/stats.ts';
import { graphBatch } from '../src/predict/targets.ts';
import { buildRandomOnnx, FAMILIES } from '../src/synth/random/index.ts';
import { loadNb201Dataset, NB201_DEPS, splitOf, type Split } from './dataset.ts';
import { FBNET_DATA_LAYOUT, FBNET_LUT_SETTINGS, loadFbnetData } from './fbnet-data.ts';
import { buildGraphStore, REPO_ROOT, type GraphStore } from './graph-store.ts';
import { loadNb360Data, nb360ArchStrings, nb360Series, NB360_TARGETS, NB360_TASKS } from './nb360-data.ts';
import { TARGET_DEFS } from './target-defs.ts';

/** One output head: a (target, metric) pair. */
export interface HeadDef {
  /** `<target id>/<metric>`, e.g. `raspberry-pi-5-tflite/energy`. */
  name: string;
  targetId: string;
  metric: Metric;
  unit: 'ms' | 'mJ';
  /** Label resolution (whole-millisecond phone columns: 1), 0 = continuous. */
  resolution: number;
}

/** How a source's labels of one head were produced. */
export type LabelKind = 'end-to-end' | 'lookup-table-sum' | 'simulator';

/** One measured set: its graphs and its labels per head. */
export interface CorpusSource {
  name: string;
  store: GraphStore;
  /** Graph key per position (arch string, `family:seed`, ...). */
  keys: string[];
  /** Split of each graph. */
  split: Split[];
  /** Labels per head name (ms or mJ), aligned with the store; NaN where missing. */
  labels: Record<string, Float64Array>;
  /** How each head's labels were produced. */
  kind: Record<string, LabelKind>;
  /** Input shape(s) of the graphs, e.g. `1x3x32x32`. */
  inputSizes: string[];
  /** Data source and license, for the model card. */
  source: string;
  license: string;
}

/** The corpus: heads in output order and the sources. */
export interface Corpus {
  heads: HeadDef[];
  sources: CorpusSource[];
}

/** Source names accepted by `--sources` (a source family expands to its parts). */
export const SOURCE_FAMILIES = ['nb201', 'fbnet', 'nb360', 'random'] as const;
export type SourceFamily = (typeof SOURCE_FAMILIES)[number];

/**
 * The source families of a `--sources a,b` argument (all of `SOURCE_FAMILIES` when absent).
 * @throws Error naming an unknown source and the known ones
 */
export function parseSources(text: string | undefined): SourceFamily[] {
  const families = text?.split(',') ?? [...SOURCE_FAMILIES];
  for (const f of families) if (!(SOURCE_FAMILIES as readonly string[]).includes(f)) throw new Error(`--sources: unknown source '${f}' (known: ${SOURCE_FAMILIES.join(', ')})`);
  return families as SourceFamily[];
}

/** The cpu-onnxruntime dataset shipped in the repository (issue #5): the nine first families. */
export const RANDOM_CSV = join(REPO_ROOT, 'train', 'data', 'cpu-onnxruntime.csv');

/**
 * The random-graph families of RANDOM_CSV: the set of the first evaluations, and until session 9
 * the only families the encoder was trained on (`npm run train -- --no-random-extra`).
 */
export const FIRST_FAMILIES: readonly string[] = FAMILIES.slice(0, 9);

/**
 * Further cpu-onnxruntime rows, same format and machine: the `detector`, `batched` and
 * `googlenet` families. The encoder is trained on them with RANDOM_CSV (`npm run train`, unless
 * `--no-random-extra`), the cpu-onnxruntime head of its own is fitted on them too
 * (train/fit-head.ts), and `npm run evaluate` tests on all of them. The first file of each family holds every graph (detector seeds 0–1249, batched
 * 0–1874, googlenet 0–499); the others are further passes at other hours (`-remeasured`: seeds
 * 0–624 without a reference graph; `-ref*`: every seed, with one), averaged by `readRandomRows`
 * (train/README.md, "Passes"). `batched-more` (session 17): a pass over batched seeds 1675–3874 with
 * the reference graph, whose 200 seeds below 1875 tie its level to the earlier passes and whose
 * 2,000 new graphs are TRAIN rows only (TRAIN_ONLY_SEEDS).
 */
export const RANDOM_EXTRA_CSVS = ['detector', 'batched', 'googlenet', 'detector-remeasured', 'batched-remeasured', 'batched-ref', 'batched-ref2', 'batched-ref3', 'detector-ref', 'batched-more'].map(randomCsvPath);

/**
 * Rows of several cpu-onnxruntime CSVs as one set. A graph measured in more than one file (a
 * second pass at another hour: `*-remeasured.csv`, `*-ref2.csv`) gets the geometric mean of its
 * medians and the mean of its CVs, so noise between the passes averages out. Before that, a file
 * that re-measures graphs read from earlier files is scaled to their level: by the geometric mean,
 * over the graphs they share, of (mean of the earlier passes / this file's ms). A pass-wide
 * factor is the machine's speed at that hour, not the graphs' cost, so every graph ends at the
 * level of the file it was first read from, whatever the number of its passes. Files that share no
 * graph with earlier ones (another family) are read as they are. Order: first occurrence.
 */
export function readRandomRows(files: readonly string[]): RandomRow[] {
  const byKey = new Map<string, RandomRow[]>();
  const key = (r: RandomRow): string => `${r.family}:${r.seed}`;
  const mean = (rs: readonly RandomRow[]): number => geometricMean(rs.map((r) => r.ms));
  for (const f of files) {
    const rows = readRandomCsv(f);
    const shared = rows.filter((r) => byKey.has(key(r)));
    const level = shared.length ? geometricMean(shared.map((r) => mean(byKey.get(key(r)) as RandomRow[]) / r.ms)) : 1;
    for (const r of rows) byKey.set(key(r), [...(byKey.get(key(r)) ?? []), { ...r, ms: r.ms * level }]);
  }
  return [...byKey.values()].map((rs) => ({
    family: (rs[0] as RandomRow).family,
    seed: (rs[0] as RandomRow).seed,
    ms: mean(rs),
    cv: rs.reduce((a, r) => a + r.cv, 0) / rs.length,
    passes: rs.length,
  }));
}

/**
 * Further devices measured on the calibration-bench graphs (seeds 100000–100093 of the random
 * families, outside every `random` training seed), by target id: each file list is averaged by
 * `readRandomRows` (first file sets the level). With `loadCorpus`'s `devices` they become heads of
 * their own over one source, `random-devices` (train/README.md, "A third device"):
 * `cpu-onnxruntime-noopt` is onnxruntime with graph optimisations off on the labels' CPU (the
 * calibration bench's simulated device; 752 graphs, 8 families), `cpu-onnxruntime-zen5` the Zen 5
 * EPYC of session 12 (1,128 graphs, 12 families), `cpu-onnxruntime-xeon` the Intel Xeon (family 6
 * model 167, AVX-512) of session 13 (1,128 graphs, in the file order its committed target was
 * calibrated in: train/README.md "A third device"), `cpu-onnxruntime-xeon-noopt` that Xeon with
 * graph optimisations off (session 19; 752 graphs, the 8 families, five passes 1.7–2.0% apart:
 * train/README.md "The Xeon again").
 */
export const DEVICE_CSVS: Record<string, string[]> = {
  'cpu-onnxruntime-noopt': ['noopt-ref', 'noopt-ref2', 'noopt-ref3', 'noopt-ref4', 'noopt-ref5'],
  'cpu-onnxruntime-zen5': ['zen5-ref', 'zen5-ref2', 'zen5-ref3', 'zen5-extra-ref2', 'zen5-extra-ref', 'zen5-extra-ref3'],
  'cpu-onnxruntime-xeon': ['xeon-ref2', 'xeon-ref3', 'xeon-ref', 'xeon-extra-ref', 'xeon-extra-ref2', 'xeon-extra-ref3'],
  'cpu-onnxruntime-xeon-noopt': ['xeon-noopt-ref', 'xeon-noopt-ref2', 'xeon-noopt-ref3', 'xeon-noopt-ref4', 'xeon-noopt-ref5'],
};

/**
 * Per-kernel passes of DEVICE_CSVS devices (`train/measure-random.ts --kernels`): onnxruntime's
 * kernel ms of every graph, by node name, one JSON line per graph; read by `readKernelRows`
 * (bench/calibrate-curve.ts `--node-labels`). Session 20, the Xeon's optimisation-off graphs,
 * measured in the same runs as two further end-to-end passes (not in DEVICE_CSVS).
 */
export const DEVICE_KERNELS: Record<string, string[]> = {
  'cpu-onnxruntime-xeon-noopt': ['xeon-noopt-kernels', 'xeon-noopt-kernels2'].map((n) => join(REPO_ROOT, 'train', 'data', `cpu-onnxruntime-${n}.jsonl`)),
};

/**
 * Kernel times of random graphs from one or more `measure-random.ts --kernels` files, by
 * `family:seed`: per kernel, the geometric mean of its ms over the files that have it.
 * @throws Error naming the file and line of a line that is not `{"family", "seed", "kernels_ms"}`
 */
export function readKernelRows(files: readonly string[]): Map<string, Record<string, number>> {
  const passes = new Map<string, Array<Record<string, number>>>();
  for (const f of files) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        const r = JSON.parse(line) as { family?: unknown; seed?: unknown; kernels_ms?: unknown };
        if (typeof r.family !== 'string' || typeof r.seed !== 'number' || typeof r.kernels_ms !== 'object' || r.kernels_ms === null) {
          throw new Error(`${f}:${i + 1}: expected {"family", "seed", "kernels_ms"} (a line of train/measure-random.ts --kernels)`);
        }
        const key = `${r.family}:${r.seed}`;
        passes.set(key, [...(passes.get(key) ?? []), r.kernels_ms as Record<string, number>]);
      });
  }
  const out = new Map<string, Record<string, number>>();
  for (const [key, ps] of passes) {
    const names = new Set(ps.flatMap((p) => Object.keys(p)));
    const merged: Record<string, number> = {};
    for (const name of names) {
      const vs = ps.map((p) => p[name]).filter((v): v is number => typeof v === 'number' && v > 0);
      if (vs.length) merged[name] = geometricMean(vs);
    }
    out.set(key, merged);
  }
  return out;
}

/** DEVICE_CSVS devices measured with graph optimisation off (`measure-random.ts --no-optimize`); the others ran with it all. */
export const NOOPT_DEVICES: ReadonlySet<string> = new Set(['cpu-onnxruntime-noopt', 'cpu-onnxruntime-xeon-noopt']);

/**
 * The DEVICE_CSVS device measured on `cpu` (the `cpu` column of its first file, as
 * `machineInfo().cpu` prints it) with graph optimisation all, the protocol of `edgeperf measure`'s
 * default, if any.
 * @throws Error when a committed file is unreadable (names the file)
 */
export function deviceForCpu(cpu: string): string | undefined {
  return Object.keys(DEVICE_CSVS).find((d) => !NOOPT_DEVICES.has(d) && randomCsvInfo(randomCsvPath((DEVICE_CSVS[d] as string[])[0] as string)).cpu === cpu);
}

/** Path of `train/data/cpu-onnxruntime-<name>.csv`. */
export function randomCsvPath(name: string): string {
  return join(REPO_ROOT, 'train', 'data', `cpu-onnxruntime-${name}.csv`);
}

/** Every head, in output order; `devices` (ids of DEVICE_CSVS) appends one latency head each. */
export function allHeads(devices: readonly string[] = []): HeadDef[] {
  const heads: HeadDef[] = TARGET_DEFS.map((d) => ({ name: `${d.id}/latency`, targetId: d.id, metric: 'latency', unit: 'ms', resolution: d.resolutionMs }));
  for (const t of NB360_TARGETS) for (const m of t.metrics) heads.push({ name: `${t.id}/${m}`, targetId: t.id, metric: m, unit: m === 'latency' ? 'ms' : 'mJ', resolution: 0 });
  heads.push({ name: 'cpu-onnxruntime/latency', targetId: 'cpu-onnxruntime', metric: 'latency', unit: 'ms', resolution: 0 });
  for (const d of devices) heads.push({ name: `${d}/latency`, targetId: d, metric: 'latency', unit: 'ms', resolution: 0 });
  return heads;
}

const batchMemo = new Map<string, number>();

/**
 * Batch (`graphBatch`: dim 0 of the first input) of the random graph `family:seed`, rebuilt with
 * src/synth/random and analysed (memoised per key), for the interval groups of `conformalByBatch`.
 * @throws Error for a key that is not `family:seed` of a known family
 */
export function randomGraphBatch(key: string): number {
  let b = batchMemo.get(key);
  if (b === undefined) {
    const [family, seed] = key.split(':');
    b = graphBatch(analyzeModel(buildRandomOnnx(family as string, Number(seed), 'external'), key).graph);
    batchMemo.set(key, b);
  }
  return b;
}

/**
 * Generated graphs that are TRAIN rows whatever their key hash: family → seeds [first, end).
 * `batched` seeds 1875–3874 were added in session 17 with one pass each
 * (train/data/cpu-onnxruntime-batched-more.csv), where the graphs of seeds 0–1874 have four to
 * five; kept out of VAL and TEST, so the test split stays the graphs it was before, with labels
 * as repeatable as before, and its figures stay comparable between sessions. A range, not a
 * threshold: the device sets' seeds 100000–100093 (DEVICE_CSVS) keep their hash split.
 */
export const TRAIN_ONLY_SEEDS: Readonly<Record<string, readonly [number, number]>> = { batched: [1875, 3875] };

/**
 * Split of a generated graph `family:seed`: TRAIN inside its family's TRAIN_ONLY_SEEDS, else
 * `splitOf(keyIndex(key))` (train/dataset.ts: 80 / 10 / 10 by the key's hash).
 */
export function randomSplit(key: string): Split {
  const [family, seed] = key.split(':');
  const range = TRAIN_ONLY_SEEDS[family as string];
  const s = Number(seed);
  return range !== undefined && s >= range[0] && s < range[1] ? 'train' : splitOf(keyIndex(key));
}

/** FNV-1a hash of a string, as an index for `splitOf`. */
export function keyIndex(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Rows of the cpu-onnxruntime CSV (`family,seed,median_ms,...`). */
export interface RandomRow {
  family: string;
  seed: number;
  ms: number;
  cv: number;
  /** Passes averaged into `ms` (`readRandomRows`; 1 from `readRandomCsv`). */
  passes: number;
}

/** A measure-random CSV split into cells, with its reference times (`ref_ms`; empty without). */
function parseRandomCsv(path: string): { cells: string[][]; col: (name: string) => number; refs: number[] } {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const col = (n: string): number => {
    const i = header.indexOf(n);
    if (i < 0) throw new Error(`${path}: no column '${n}' (header: ${lines[0]})`);
    return i;
  };
  const cells = lines.slice(1).map((l) => l.split(','));
  const r = header.indexOf('ref_ms');
  const refs = r < 0 ? [] : cells.map((row, i) => {
    const v = Number(row[r]);
    if (!(v > 0)) throw new Error(`${path}: line ${i + 2}: ref_ms '${row[r]}' is not a positive number`);
    return v;
  });
  return { cells, col, refs };
}

/**
 * Reads a cpu-onnxruntime-format CSV (train/measure-random.ts).
 *
 * A file with a `ref_ms` column (measured with `--reference`: the same reference graph timed
 * inside every batch) is drift-corrected per batch: `ms = median_ms · G / ref_ms`, G the
 * geometric mean of `ref_ms` over the file, so a batch timed while the machine ran 30% slow is
 * scaled back to the file's typical speed. Without the column, or with `correct` false (to see
 * what the reference removes), `ms = median_ms`.
 * @throws Error naming the file for a missing column or a non-positive `ref_ms`
 */
export function readRandomCsv(path: string, correct = true): RandomRow[] {
  const { cells, col, refs } = parseRandomCsv(path);
  const [f, s, m, c] = [col('family'), col('seed'), col('median_ms'), col('cv')];
  const typical = refs.length ? geometricMean(refs) : 1;
  return cells.map((row, i) => ({
    family: row[f] as string,
    seed: Number(row[s]),
    ms: Number(row[m]) * (refs.length && correct ? typical / (refs[i] as number) : 1),
    cv: Number(row[c]),
    passes: 1,
  }));
}

/** Where and how a measure-random CSV was measured (its first row), and its reference level. */
export interface RandomCsvInfo {
  /** `cpu` and `ort_version` columns of the first row. */
  cpu: string;
  ortVersion: string;
  /** G of `readRandomCsv` (ms): the reference time its rows are scaled to; undefined without `ref_ms`. */
  typicalRefMs: number | undefined;
}

/**
 * The machine, runtime and reference level of a measure-random CSV.
 * @throws Error naming the file for a missing column, an empty file or a non-positive `ref_ms`
 */
export function randomCsvInfo(path: string): RandomCsvInfo {
  const { cells, col, refs } = parseRandomCsv(path);
  const first = cells[0];
  if (!first) throw new Error(`${path}: no data rows`);
  return { cpu: first[col('cpu')] as string, ortVersion: first[col('ort_version')] as string, typicalRefMs: refs.length ? geometricMean(refs) : undefined };
}

const HELP_SRC = 'HELP (Lee et al., NeurIPS 2021; HayeonLee/HELP data/)';
const HWB_SRC = 'HW-NAS-Bench (Li et al., ICLR 2021; GATECH-EIC/HW-NAS-Bench)';
const NB360_SRC = 'HW-NAS-Bench-360 (roldebijvank/HW-NAS-Bench-360, results/dataset.parquet)';

/**
 * Loads (featurising and caching on first use) the sources of `families`.
 * @param dataDir the folder holding nb201/, fbnet/, nb201-360/ (../shared/data)
 * @throws Error naming the missing file (with where to get it) when a set is absent
 */
export function loadCorpus(dataDir: string, families: readonly SourceFamily[] = SOURCE_FAMILIES, opts: { quiet?: boolean; randomExtra?: boolean; devices?: readonly string[] } = {}): Corpus {
  const devices = opts.devices ?? [];
  for (const d of devices) if (!DEVICE_CSVS[d]) throw new Error(`unknown device '${d}' (known: ${Object.keys(DEVICE_CSVS).join(', ')})`);
  const heads = allHeads(devices);
  const sources: CorpusSource[] = [];
  const byColumn = new Map(TARGET_DEFS.map((d) => [d.column, d]));

  if (families.includes('nb201')) {
    const ds = loadNb201Dataset(dataDir, { zeroEdges: 'hybrid', quiet: opts.quiet });
    const labels: Record<string, Float64Array> = {};
    const kind: Record<string, LabelKind> = {};
    for (const d of TARGET_DEFS) {
      const col = ds.labels[d.column];
      if (!col) continue;
      labels[`${d.id}/latency`] = col;
      kind[`${d.id}/latency`] = d.column === 'eyeriss' || d.column === 'fpga' ? 'simulator' : 'end-to-end';
    }
    sources.push({
      name: 'nb201',
      store: ds,
      keys: ds.archStr,
      split: Array.from(ds.archIdx, (a) => splitOf(a)),
      labels,
      kind,
      inputSizes: ['1x3x32x32'],
      source: `NAS-Bench-201 CIFAR-10 networks; labels ${HWB_SRC} (raspi4, pixel3, eyeriss, fpga) and ${HELP_SRC}`,
      license: 'MIT',
    });
  }

  if (families.includes('fbnet')) {
    const fb = loadFbnetData(dataDir);
    const keys = fb.ops.map((o) => o.join(','));
    const store = buildGraphStore(`fbnet-${FBNET_DATA_LAYOUT}`, keys, (_k, i) => analyzeModel(buildFbnetOnnx(fb.ops[i] as string[], { dataset: FBNET_DATA_LAYOUT, weights: 'external' }), `fbnet:${i}`), { ...opts, deps: ['src/synth/fbnet.ts', 'src/synth/onnx-writer.ts'] });
    const labels: Record<string, Float64Array> = {};
    const kind: Record<string, LabelKind> = {};
    for (const [setting, values] of Object.entries(fb.latencyMs)) {
      const d = byColumn.get(setting);
      if (!d) continue;
      labels[`${d.id}/latency`] = values;
      kind[`${d.id}/latency`] = (FBNET_LUT_SETTINGS as readonly string[]).includes(setting) ? 'lookup-table-sum' : 'end-to-end';
    }
    sources.push({
      name: 'fbnet',
      store,
      keys,
      split: Array.from(fb.idx, (i) => splitOf(1_000_000 + i)),
      labels,
      kind,
      inputSizes: ['1x3x32x32'],
      source: `FBNet search space, CIFAR-100 layout; labels ${HELP_SRC} (raspi4/pixel3/eyeriss/fpga: ${HWB_SRC} lookup-table sums)`,
      license: 'MIT',
    });
  }

  if (families.includes('nb360')) {
    const data = loadNb360Data(dataDir);
    const archs = nb360ArchStrings(data, dataDir);
    const split = Array.from(data.reps, (r) => splitOf(r));
    for (const task of NB360_TASKS) {
      for (const zeroEdges of ['fold', 'keep'] as const) {
        const targets = NB360_TARGETS.filter((t) => (t.framework === 'litert') === (zeroEdges === 'fold'));
        const labels: Record<string, Float64Array> = {};
        const kind: Record<string, LabelKind> = {};
        for (const t of targets) {
          const s = nb360Series(data, t.id, task);
          labels[`${t.id}/latency`] = s.latencyMs;
          kind[`${t.id}/latency`] = 'end-to-end';
          if (s.energyMj && t.metrics.includes('energy')) {
            labels[`${t.id}/energy`] = s.energyMj;
            kind[`${t.id}/energy`] = 'end-to-end';
          }
        }
        const store = buildGraphStore(`nb360-${task}-${zeroEdges}`, archs, (a) => analyzeModel(buildNb201Onnx(a, { task, zeroEdges, weights: 'external' }), `nb360:${task}:${a}`), { ...opts, deps: NB201_DEPS });
        const shape = analyzeModel(buildNb201Onnx(archs[0] as string, { task, weights: 'external' }), 'shape').graph;
        const inShape = shape.tensors.get(shape.inputs[0] ?? '')?.shape ?? [];
        sources.push({
          name: `nb360-${task}-${zeroEdges}`,
          store,
          keys: archs,
          split,
          labels,
          kind,
          inputSizes: [inShape.join('x')],
          source: `NAS-Bench-201 networks of the HW-NAS-Bench-360 ${task} task (zero branches ${zeroEdges === 'fold' ? 'folded, as the TFLite converter does' : 'kept, as onnxruntime / TorchScript ran them'}); labels ${NB360_SRC}`,
          license: 'none stated (measurements used as facts with attribution)',
        });
      }
    }
  }

  if (families.includes('random')) {
    const files = opts.randomExtra ? [RANDOM_CSV, ...RANDOM_EXTRA_CSVS] : [RANDOM_CSV];
    const rows = readRandomRows(files);
    const keys = rows.map((r) => `${r.family}:${r.seed}`);
    const generators = [...new Set(rows.map((r) => r.family))];
    const store = buildGraphStore(opts.randomExtra ? 'random-extra' : 'random', keys, (_k, i) => analyzeModel(buildRandomOnnx((rows[i] as RandomRow).family, (rows[i] as RandomRow).seed, 'external'), keys[i] as string), { ...opts, deps: ['src/synth/random', 'src/synth/onnx-writer.ts'] });
    sources.push({
      name: 'random',
      store,
      keys,
      split: keys.map(randomSplit),
      labels: { 'cpu-onnxruntime/latency': Float64Array.from(rows, (r) => r.ms) },
      kind: { 'cpu-onnxruntime/latency': 'end-to-end' },
      inputSizes: [`various (src/synth/random: ${generators.length} families)`],
      source: `EdgePerf random graphs (src/synth/random) measured with onnxruntime-node 1.30, 1 thread, on the CI machine class (${files.map((f) => relative(REPO_ROOT, f)).join(', ')})`,
      license: 'MIT',
    });
  }
  if (devices.length) sources.push(deviceSource(devices, opts));
  return { heads, sources };
}

/** The `random-devices` source: the graphs of every DEVICE_CSVS device, NaN where one was not measured. */
function deviceSource(devices: readonly string[], opts: { quiet?: boolean }): CorpusSource {
  const perDevice = devices.map((d) => new Map(readRandomRows((DEVICE_CSVS[d] as string[]).map(randomCsvPath)).map((r) => [`${r.family}:${r.seed}`, r])));
  const keys = [...new Set(perDevice.flatMap((m) => [...m.keys()]))].sort();
  const store = buildGraphStore('random-devices', keys, (k) => {
    const [family, seed] = k.split(':');
    return analyzeModel(buildRandomOnnx(family as string, Number(seed), 'external'), k);
  }, { ...opts, deps: ['src/synth/random', 'src/synth/onnx-writer.ts'] });
  const labels: Record<string, Float64Array> = {};
  const kind: Record<string, LabelKind> = {};
  devices.forEach((d, i) => {
    labels[`${d}/latency`] = Float64Array.from(keys, (k) => perDevice[i]!.get(k)?.ms ?? NaN);
    kind[`${d}/latency`] = 'end-to-end';
  });
  return {
    name: 'random-devices',
    store,
    keys,
    split: keys.map(randomSplit),
    labels,
    kind,
    inputSizes: ['various (src/synth/random, seeds 100000-100093)'],
    source: `EdgePerf random graphs measured on further devices (${devices.map((d) => `${d}: ${(DEVICE_CSVS[d] as string[]).map((f) => `cpu-onnxruntime-${f}.csv`).join(', ')}`).join('; ')})`,
    license: 'MIT',
  };
}

/** Graph positions of one split in a source. */
export function sourceSplit(src: CorpusSource, split: Split): number[] {
  const out: number[] = [];
  src.split.forEach((s, g) => {
    if (s === split) out.push(g);
  });
  return out;
}

if (process.argv[1] && process.argv[1].endsWith('corpus.ts')) {
  const { resolveDataDir, argValue } = await import('./dataset.ts');
  const t0 = Date.now();
  const fam = (argValue('sources')?.split(',') ?? [...SOURCE_FAMILIES]) as SourceFamily[];
  const c = loadCorpus(resolveDataDir(), fam);
  for (const s of c.sources) {
    const G = s.store.nodeOffset.length - 1;
    const nodes = s.store.nodeOffset[G] as number;
    console.log(`${s.name}: ${G} graphs, ${(nodes / G).toFixed(1)} nodes/graph, ${s.store.dict.length / s.store.featureNames.length} rows, heads ${Object.keys(s.labels).join(' ')}`);
  }
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
