/**
 * The NB201 training set: measurements CSV (`<data>/nb201/latency_ms.csv`) joined with GNN
 * features of each architecture's graph, built as `buildNb201Onnx(arch, {weights: 'external'})`
 * → `analyzeModel` (folding + DCE, as a converter does) → `extractFeatures`.
 *
 * The featurised set is cached under `.cache/` (keyed by a hash of the sources that shape it), so
 * a rerun starts training at once. Run directly to build the cache:
 *   node --import tsx train/dataset.ts [--data DIR]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeModel } from '../src/core/analyze.ts';
import { extractFeatures } from '../src/cost/features.ts';
import type { GnnGraph } from '../src/predict/batch.ts';
import type { ModelAnalysis } from '../src/core/types.ts';
import { buildNb201Onnx, type Nb201Task } from '../src/synth/nb201.ts';
import { buildNb201Tflite } from '../src/synth/nb201-tflite.ts';
import { buildGraphStore, REPO_ROOT, storeGraph, type GraphStore } from './graph-store.ts';

export { REPO_ROOT };

/** Default data folder: `../shared/data` relative to the repo root. */
export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '..', 'shared', 'data');

/** Which split an architecture belongs to. */
export type Split = 'train' | 'val' | 'test';

/** The featurised NB201 set (all archs of the CSV, in CSV order): graph store + CSV columns. */
export interface Nb201Dataset extends GraphStore {
  archIdx: Int32Array;
  archStr: string[];
  /** Latency (ms) per CSV column, per arch; NaN when missing. */
  labels: Record<string, Float64Array>;
}

/** Parses `--name value` from argv. */
export function argValue(name: string, argv = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * Resolves the data folder (`--data DIR`, default `../shared/data`); exits with code 1 and a
 * message naming the public sources when the NB201 CSV is absent.
 */
export function resolveDataDir(argv = process.argv): string {
  const dir = resolve(argValue('data', argv) ?? DEFAULT_DATA_DIR);
  const csv = join(dir, 'nb201', 'latency_ms.csv');
  if (!existsSync(csv)) {
    console.error(
      [
        `No measurements at ${csv}.`,
        'The NB201 latency table is public but not shipped with EdgePerf. Rebuild it from:',
        '  - HELP (Lee et al., NeurIPS 2021): https://github.com/HayeonLee/HELP, folder data/ (nasbench201 latency .pt lists, MIT)',
        '  - HW-NAS-Bench (Li et al., ICLR 2021): https://github.com/GATECH-EIC/HW-NAS-Bench (raspi4, pixel3, eyeriss, fpga; MIT)',
        'as a CSV with columns arch_idx, arch_str, then one latency column (ms) per device (raspi4, pixel3, ...),',
        'and pass its parent folder with --data DIR (the file must be DIR/nb201/latency_ms.csv).',
      ].join('\n'),
    );
    process.exit(1);
  }
  return dir;
}

/** Seeded split by arch index: a fixed permutation (seed 201) cut 80/10/10 into train/val/test. */
export function splitOf(archIdx: number): Split {
  // Hash of the index (splitmix-style) → uniform in [0, 1): the same arch always lands in the same split.
  let h = (archIdx + 0x9e3779b9 + 201) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  const u = h / 4294967296;
  return u < 0.8 ? 'train' : u < 0.9 ? 'val' : 'test';
}

interface CsvTable {
  archIdx: number[];
  archStr: string[];
  columns: Record<string, number[]>;
}

/** Reads `<dir>/nb201/latency_ms.csv` (arch_idx, arch_str, then numeric columns). */
export function readNb201Csv(dir: string): CsvTable {
  const text = readFileSync(join(dir, 'nb201', 'latency_ms.csv'), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] as string).split(',');
  const iIdx = header.indexOf('arch_idx');
  const iStr = header.indexOf('arch_str');
  const t: CsvTable = { archIdx: [], archStr: [], columns: {} };
  for (const h of header) if (h !== 'arch_idx' && h !== 'arch_str') t.columns[h] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    t.archIdx.push(Number(cells[iIdx]));
    t.archStr.push(cells[iStr] as string);
    header.forEach((h, k) => {
      if (k === iIdx || k === iStr) return;
      const v = cells[k];
      (t.columns[h] as number[]).push(v === undefined || v === '' ? NaN : Number(v));
    });
  }
  return t;
}

/**
 * How `none` edges are built for training (see `Nb201Options.zeroEdges`): `fold` and `keep` as
 * there; `hybrid` = the folded graph when folding removes the whole network (the measured
 * runtimes did too: those archs measure < 0.5 ms), else the `keep` graph (the measured runtimes
 * executed branches fed only by zeros: with `fold`, archs with identical folded graphs differ by
 * 22% on raspi4 and 12% on the additive eyeriss simulator, see the model card).
 */
export type ZeroEdges = 'fold' | 'keep' | 'hybrid';

/**
 * The analysis of an NB201 arch as the training set builds it (shape-only weights), as ONNX
 * (`buildNb201Onnx`) or as a TFLite converter writes it (`buildNb201Tflite`), for a task.
 */
export function analyseNb201(archStr: string, zeroEdges: ZeroEdges = 'hybrid', opts: { task?: Nb201Task; format?: 'onnx' | 'tflite' } = {}): ModelAnalysis {
  const task = opts.task ?? 'cifar10';
  const build = (z: 'fold' | 'keep'): ModelAnalysis =>
    opts.format === 'tflite'
      ? analyzeModel(buildNb201Tflite(archStr, { task, weights: 'external', zeroEdges: z }), `nb201-${task}:${archStr}.tflite`)
      : analyzeModel(buildNb201Onnx(archStr, { task, weights: 'external', zeroEdges: z }), `nb201-${task}:${archStr}`);
  if (zeroEdges !== 'hybrid') return build(zeroEdges);
  const folded = build('fold');
  return folded.nodes === 0 ? folded : build('keep');
}

/** One architecture featurised: node rows, local edges, MACs and executed op names. */
export interface ArchFeatures {
  x: Float32Array;
  n: number;
  edgeSrc: Int32Array;
  edgeDst: Int32Array;
  macs: number;
  ops: string[];
}

/** Builds, analyses and featurises one NB201 arch string. */
export function featurizeArch(archStr: string, zeroEdges: ZeroEdges = 'fold'): ArchFeatures {
  const analysis = analyseNb201(archStr, zeroEdges);
  const f = extractFeatures(analysis);
  return { x: f.x, n: f.nodeIndex.length, edgeSrc: f.edgeSrc, edgeDst: f.edgeDst, macs: analysis.macs, ops: f.rawOps };
}

/** Sources of NB201 graphs (cache key of train/graph-store.ts). */
export const NB201_DEPS = ['src/synth/nb201.ts', 'src/synth/onnx-writer.ts'];

/**
 * Loads the featurised set, building it (with a progress bar) when the cache is missing or
 * stale (train/graph-store.ts: `.cache/nb201-<zeroEdges>-<key>.{json,bin}`).
 */
export function loadNb201Dataset(dataDir: string, opts: { quiet?: boolean; zeroEdges?: ZeroEdges } = {}): Nb201Dataset {
  const csv = readNb201Csv(dataDir);
  const zeroEdges = opts.zeroEdges ?? 'fold';
  const labels: Record<string, Float64Array> = {};
  for (const [c, v] of Object.entries(csv.columns)) labels[c] = Float64Array.from(v);
  const store = buildGraphStore(`nb201-${zeroEdges}`, csv.archStr, (arch) => analyseNb201(arch, zeroEdges), { quiet: opts.quiet, deps: NB201_DEPS });
  return { ...store, archIdx: Int32Array.from(csv.archIdx), archStr: csv.archStr, labels };
}

/** The GNN input of arch `a` (features materialised from the row dictionary). */
export function archGraph(ds: GraphStore, a: number): GnnGraph {
  return storeGraph(ds, a);
}

/** Arch positions (into the dataset arrays) of one split, in CSV order. */
export function splitIndices(ds: Nb201Dataset, split: Split): number[] {
  const out: number[] = [];
  ds.archIdx.forEach((idx, a) => {
    if (splitOf(idx) === split) out.push(a);
  });
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolveDataDir();
  const t0 = Date.now();
  const ds = loadNb201Dataset(dir, { zeroEdges: (argValue('zero-edges') as ZeroEdges | undefined) ?? 'fold' });
  const nodes = ds.nodeOffset[ds.archIdx.length] as number;
  console.log(
    `${ds.archIdx.length} archs, ${nodes} nodes (${(nodes / ds.archIdx.length).toFixed(1)}/graph), ` +
      `${ds.dict.length / ds.featureNames.length} distinct rows, ops ${ds.ops.join(',')}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  for (const s of ['train', 'val', 'test'] as const) console.log(s, splitIndices(ds, s).length);
}
