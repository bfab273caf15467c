/**
 * The NB201 training set: measurements CSV (`<data>/nb201/latency_ms.csv`) joined with GNN
 * features of each architecture's graph, built as `buildNb201Onnx(arch, {weights: 'external'})`
 * → `analyzeModel` (folding + DCE, as a converter does) → `extractFeatures`.
 *
 * The featurised set is cached under `.cache/` (keyed by a hash of the sources that shape it), so
 * a rerun starts training at once. Run directly to build the cache:
 *   node --import tsx train/dataset.ts [--data DIR]
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { analyzeModel } from '../src/core/analyze.ts';
import { extractFeatures, FEATURE_NAMES, NUM_FEATURES } from '../src/cost/features.ts';
import type { GnnGraph } from '../src/predict/batch.ts';
import type { ModelAnalysis } from '../src/core/types.ts';
import { buildNb201Onnx } from '../src/synth/nb201.ts';

/** Repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Default data folder: `../shared/data` relative to the repo root. */
export const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '..', 'shared', 'data');

/** Which split an architecture belongs to. */
export type Split = 'train' | 'val' | 'test';

/** The featurised NB201 set (all archs of the CSV, in CSV order). */
export interface Nb201Dataset {
  featureNames: string[];
  /** Unique feature rows [U, F] (NB201 graphs repeat a few hundred distinct node rows). */
  dict: Float32Array;
  archIdx: Int32Array;
  archStr: string[];
  /** Node rows of arch a: `rowIds[nodeOffset[a] .. nodeOffset[a+1])` index `dict`. */
  nodeOffset: Int32Array;
  rowIds: Uint32Array;
  /** Edges of arch a: `edgeSrc/edgeDst[edgeOffset[a] .. edgeOffset[a+1])`, local node indices. */
  edgeOffset: Int32Array;
  edgeSrc: Uint16Array;
  edgeDst: Uint16Array;
  /** Total MACs of the analysed (folded) graph per arch. */
  macs: Float64Array;
  /** Op names seen in executed nodes over the whole set. */
  ops: string[];
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

function sourceKey(): string {
  const h = createHash('sha1');
  const files: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  for (const d of ['src/graph', 'src/formats', 'src/cost', 'src/synth']) walk(join(REPO_ROOT, d));
  files.push(join(REPO_ROOT, 'src/core/analyze.ts'));
  for (const f of files) if (existsSync(f)) h.update(f).update(readFileSync(f));
  return h.digest('hex').slice(0, 12);
}

/**
 * How `none` edges are built for training (see `Nb201Options.zeroEdges`): `fold` and `keep` as
 * there; `hybrid` = the folded graph when folding removes the whole network (the measured
 * runtimes did too: those archs measure < 0.5 ms), else the `keep` graph (the measured runtimes
 * executed branches fed only by zeros: with `fold`, archs with identical folded graphs differ by
 * 22% on raspi4 and 12% on the additive eyeriss simulator, see the model card).
 */
export type ZeroEdges = 'fold' | 'keep' | 'hybrid';

/** The analysis of an NB201 arch as the training set builds it (shape-only weights). */
export function analyseNb201(archStr: string, zeroEdges: ZeroEdges = 'hybrid'): ModelAnalysis {
  const build = (z: 'fold' | 'keep'): ModelAnalysis => analyzeModel(buildNb201Onnx(archStr, { weights: 'external', zeroEdges: z }), `nb201:${archStr}`);
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

/**
 * Loads the featurised set, building it (with a progress bar) when the cache is missing or
 * stale. Cache: `.cache/nb201-<key>.json` + `.bin` under the repo root.
 */
export function loadNb201Dataset(dataDir: string, opts: { quiet?: boolean; zeroEdges?: ZeroEdges } = {}): Nb201Dataset {
  const csv = readNb201Csv(dataDir);
  const zeroEdges = opts.zeroEdges ?? 'fold';
  const key = `${zeroEdges}-${sourceKey()}`;
  const cacheDir = join(REPO_ROOT, '.cache');
  const metaPath = join(cacheDir, `nb201-${key}.json`);
  const binPath = join(cacheDir, `nb201-${key}.bin`);
  const labels: Record<string, Float64Array> = {};
  for (const [c, v] of Object.entries(csv.columns)) labels[c] = Float64Array.from(v);

  if (existsSync(metaPath) && existsSync(binPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CacheMeta;
    if (meta.archIdx.length === csv.archIdx.length && meta.archIdx.every((a, i) => a === csv.archIdx[i])) {
      return fromCache(meta, readFileSync(binPath), csv, labels);
    }
  }

  const A = csv.archIdx.length;
  const dictIndex = new Map<string, number>();
  const dictRows: Float32Array[] = [];
  const nodeOffset = new Int32Array(A + 1);
  const edgeOffset = new Int32Array(A + 1);
  const rowIds: number[] = [];
  const eSrc: number[] = [];
  const eDst: number[] = [];
  const macs = new Float64Array(A);
  const ops = new Set<string>();
  const bar = opts.quiet ? undefined : new cliProgress.SingleBar({ format: 'featurise NB201 [{bar}] {value}/{total} {eta}s left', noTTYOutput: true, notTTYSchedule: 15000 }, cliProgress.Presets.shades_classic);
  bar?.start(A, 0);
  const F = NUM_FEATURES;
  for (let a = 0; a < A; a++) {
    const f = featurizeArch(csv.archStr[a] as string, zeroEdges);
    for (let i = 0; i < f.n; i++) {
      const row = f.x.subarray(i * F, (i + 1) * F);
      const k = Array.prototype.join.call(row, ',');
      let id = dictIndex.get(k);
      if (id === undefined) {
        id = dictRows.length;
        dictIndex.set(k, id);
        dictRows.push(Float32Array.from(row));
      }
      rowIds.push(id);
    }
    for (let e = 0; e < f.edgeSrc.length; e++) {
      eSrc.push(f.edgeSrc[e] as number);
      eDst.push(f.edgeDst[e] as number);
    }
    nodeOffset[a + 1] = rowIds.length;
    edgeOffset[a + 1] = eSrc.length;
    macs[a] = f.macs;
    for (const o of f.ops) ops.add(o);
    if (a % 50 === 0) bar?.update(a);
  }
  bar?.update(A);
  bar?.stop();
  const dict = new Float32Array(dictRows.length * F);
  dictRows.forEach((r, i) => dict.set(r, i * F));
  const ds: Nb201Dataset = {
    featureNames: [...FEATURE_NAMES],
    dict,
    archIdx: Int32Array.from(csv.archIdx),
    archStr: csv.archStr,
    nodeOffset,
    rowIds: Uint32Array.from(rowIds),
    edgeOffset,
    edgeSrc: Uint16Array.from(eSrc),
    edgeDst: Uint16Array.from(eDst),
    macs,
    ops: [...ops].sort(),
    labels,
  };
  mkdirSync(cacheDir, { recursive: true });
  toCache(ds, metaPath, binPath);
  return ds;
}

interface CacheMeta {
  featureNames: string[];
  archIdx: number[];
  ops: string[];
  parts: Record<string, [number, number]>;
}

function toCache(ds: Nb201Dataset, metaPath: string, binPath: string): void {
  const arrays: Record<string, ArrayBufferView> = {
    dict: ds.dict,
    nodeOffset: ds.nodeOffset,
    rowIds: ds.rowIds,
    edgeOffset: ds.edgeOffset,
    edgeSrc: ds.edgeSrc,
    edgeDst: ds.edgeDst,
    macs: ds.macs,
  };
  const parts: Record<string, [number, number]> = {};
  const bufs: Buffer[] = [];
  let off = 0;
  for (const [k, v] of Object.entries(arrays)) {
    const pad = (8 - (off % 8)) % 8;
    if (pad) bufs.push(Buffer.alloc(pad));
    off += pad;
    parts[k] = [off, v.byteLength];
    bufs.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    off += v.byteLength;
  }
  writeFileSync(binPath, Buffer.concat(bufs));
  const meta: CacheMeta = { featureNames: ds.featureNames, archIdx: [...ds.archIdx], ops: ds.ops, parts };
  writeFileSync(metaPath, JSON.stringify(meta));
}

function fromCache(meta: CacheMeta, bin: Buffer, csv: CsvTable, labels: Record<string, Float64Array>): Nb201Dataset {
  const ab = new Uint8Array(bin).buffer;
  const part = (k: string): ArrayBuffer => {
    const [o, n] = meta.parts[k] as [number, number];
    return ab.slice(o, o + n);
  };
  return {
    featureNames: meta.featureNames,
    dict: new Float32Array(part('dict')),
    archIdx: Int32Array.from(csv.archIdx),
    archStr: csv.archStr,
    nodeOffset: new Int32Array(part('nodeOffset')),
    rowIds: new Uint32Array(part('rowIds')),
    edgeOffset: new Int32Array(part('edgeOffset')),
    edgeSrc: new Uint16Array(part('edgeSrc')),
    edgeDst: new Uint16Array(part('edgeDst')),
    macs: new Float64Array(part('macs')),
    ops: meta.ops,
    labels,
  };
}

/** The GNN input of arch `a` (features materialised from the row dictionary). */
export function archGraph(ds: Nb201Dataset, a: number): GnnGraph {
  const F = ds.featureNames.length;
  const n0 = ds.nodeOffset[a] as number;
  const n = (ds.nodeOffset[a + 1] as number) - n0;
  const x = new Float32Array(n * F);
  for (let i = 0; i < n; i++) {
    const r = ds.rowIds[n0 + i] as number;
    x.set(ds.dict.subarray(r * F, (r + 1) * F), i * F);
  }
  const e0 = ds.edgeOffset[a] as number;
  const e1 = ds.edgeOffset[a + 1] as number;
  return { n, x, edgeSrc: Int32Array.from(ds.edgeSrc.subarray(e0, e1)), edgeDst: Int32Array.from(ds.edgeDst.subarray(e0, e1)) };
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
