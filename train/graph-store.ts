/**
 * A compact featurised graph collection for training: unique feature rows shared by all graphs,
 * per-graph node row ids and local edges, built once and cached under `.cache/`.
 *
 * Every training source (NB201, FBNet, HW-NAS-Bench-360 tasks, the random graphs of the
 * cpu-onnxruntime set) is a `GraphStore` of its graphs plus labels (train/corpus.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { extractFeatures, FEATURE_NAMES, NUM_FEATURES } from '../src/cost/features.ts';
import type { ModelAnalysis } from '../src/core/types.ts';
import type { GnnGraph } from '../src/predict/batch.ts';

/** Repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Featurised graphs, positions 0..G−1 (G = nodeOffset.length − 1). */
export interface GraphStore {
  featureNames: string[];
  /** Unique feature rows [U, F] (search-space graphs repeat a few thousand distinct node rows). */
  dict: Float32Array;
  /** Node rows of graph g: `rowIds[nodeOffset[g] .. nodeOffset[g+1])` index `dict`. */
  nodeOffset: Int32Array;
  rowIds: Uint32Array;
  /** Edges of graph g: `edgeSrc/edgeDst[edgeOffset[g] .. edgeOffset[g+1])`, local node indices. */
  edgeOffset: Int32Array;
  edgeSrc: Uint16Array;
  edgeDst: Uint16Array;
  /** Total MACs of the analysed graph per graph. */
  macs: Float64Array;
  /** Op names seen in executed nodes over the whole store. */
  ops: string[];
}

/**
 * Hash of the sources that shape a featurised graph: graph code, formats, costs, the analysis,
 * and `deps` (repo-relative files or folders: the builder of this store's graphs).
 */
export function sourceKey(deps: readonly string[]): string {
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
  for (const d of ['src/graph', 'src/formats', 'src/cost', ...deps]) {
    const p = join(REPO_ROOT, d);
    if (existsSync(p) && statSync(p).isFile()) files.push(p);
    else walk(p);
  }
  files.push(join(REPO_ROOT, 'src/core/analyze.ts'));
  for (const f of files) if (existsSync(f)) h.update(f).update(readFileSync(f));
  return h.digest('hex').slice(0, 12);
}

/** Number of graphs in a store. */
export function storeSize(s: GraphStore): number {
  return s.nodeOffset.length - 1;
}

/** Number of GNN nodes of graph g. */
export function nodeCount(s: GraphStore, g: number): number {
  return (s.nodeOffset[g + 1] as number) - (s.nodeOffset[g] as number);
}

/**
 * Builds (or loads from `.cache/<name>-<key>.{json,bin}`) the store of `keys`, one graph per key,
 * each from `analyse(key)`. The cache key covers the source files (`sourceKey(opts.deps)`) and
 * the keys.
 * @param name cache and progress-bar name
 * @throws Error when a graph has more than 65,535 GNN nodes (edge indices are 16-bit)
 */
export function buildGraphStore(
  name: string,
  keys: readonly string[],
  analyse: (key: string, i: number) => ModelAnalysis,
  opts: { quiet?: boolean; deps: readonly string[] },
): GraphStore {
  const key = createHash('sha1').update(sourceKey(opts.deps)).update(keys.join('\n')).digest('hex').slice(0, 12);
  const cacheDir = join(REPO_ROOT, '.cache');
  const metaPath = join(cacheDir, `${name}-${key}.json`);
  const binPath = join(cacheDir, `${name}-${key}.bin`);
  if (existsSync(metaPath) && existsSync(binPath)) return fromCache(JSON.parse(readFileSync(metaPath, 'utf8')) as CacheMeta, readFileSync(binPath));

  const A = keys.length;
  const dictIndex = new Map<string, number>();
  const dictRows: Float32Array[] = [];
  const nodeOffset = new Int32Array(A + 1);
  const edgeOffset = new Int32Array(A + 1);
  const rowIds: number[] = [];
  const eSrc: number[] = [];
  const eDst: number[] = [];
  const macs = new Float64Array(A);
  const ops = new Set<string>();
  const bar = opts.quiet ? undefined : new cliProgress.SingleBar({ format: `featurise ${name} [{bar}] {value}/{total} {eta}s left`, noTTYOutput: true, notTTYSchedule: 15000 }, cliProgress.Presets.shades_classic);
  bar?.start(A, 0);
  const F = NUM_FEATURES;
  for (let a = 0; a < A; a++) {
    const analysis = analyse(keys[a] as string, a);
    const f = extractFeatures(analysis);
    const n = f.nodeIndex.length;
    if (n > 65535) throw new Error(`${name}: graph ${keys[a]} has ${n} GNN nodes (store limit 65535)`);
    for (let i = 0; i < n; i++) {
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
    macs[a] = analysis.macs;
    for (const o of f.rawOps) ops.add(o);
    if (a % 50 === 0) bar?.update(a);
  }
  bar?.update(A);
  bar?.stop();
  const dict = new Float32Array(dictRows.length * F);
  dictRows.forEach((r, i) => dict.set(r, i * F));
  const s: GraphStore = {
    featureNames: [...FEATURE_NAMES],
    dict,
    nodeOffset,
    rowIds: Uint32Array.from(rowIds),
    edgeOffset,
    edgeSrc: Uint16Array.from(eSrc),
    edgeDst: Uint16Array.from(eDst),
    macs,
    ops: [...ops].sort(),
  };
  mkdirSync(cacheDir, { recursive: true });
  toCache(s, metaPath, binPath);
  return s;
}

interface CacheMeta {
  featureNames: string[];
  ops: string[];
  parts: Record<string, [number, number]>;
}

function toCache(s: GraphStore, metaPath: string, binPath: string): void {
  const arrays: Record<string, ArrayBufferView> = {
    dict: s.dict,
    nodeOffset: s.nodeOffset,
    rowIds: s.rowIds,
    edgeOffset: s.edgeOffset,
    edgeSrc: s.edgeSrc,
    edgeDst: s.edgeDst,
    macs: s.macs,
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
  writeFileSync(metaPath, JSON.stringify({ featureNames: s.featureNames, ops: s.ops, parts } satisfies CacheMeta));
}

function fromCache(meta: CacheMeta, bin: Buffer): GraphStore {
  const ab = new Uint8Array(bin).buffer;
  const part = (k: string): ArrayBuffer => {
    const [o, n] = meta.parts[k] as [number, number];
    return ab.slice(o, o + n);
  };
  return {
    featureNames: meta.featureNames,
    dict: new Float32Array(part('dict')),
    nodeOffset: new Int32Array(part('nodeOffset')),
    rowIds: new Uint32Array(part('rowIds')),
    edgeOffset: new Int32Array(part('edgeOffset')),
    edgeSrc: new Uint16Array(part('edgeSrc')),
    edgeDst: new Uint16Array(part('edgeDst')),
    macs: new Float64Array(part('macs')),
    ops: meta.ops,
  };
}

/** The GNN input of graph `g` (features materialised from the row dictionary). */
export function storeGraph(s: GraphStore, g: number): GnnGraph {
  const F = s.featureNames.length;
  const n0 = s.nodeOffset[g] as number;
  const n = (s.nodeOffset[g + 1] as number) - n0;
  const x = new Float32Array(n * F);
  for (let i = 0; i < n; i++) {
    const r = s.rowIds[n0 + i] as number;
    x.set(s.dict.subarray(r * F, (r + 1) * F), i * F);
  }
  const e0 = s.edgeOffset[g] as number;
  const e1 = s.edgeOffset[g + 1] as number;
  return { n, x, edgeSrc: Int32Array.from(s.edgeSrc.subarray(e0, e1)), edgeDst: Int32Array.from(s.edgeDst.subarray(e0, e1)) };
}
