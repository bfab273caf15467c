/**
 * The FBNet measurement set (`<data>/fbnet/latency_ms.jsonl`, HELP `data/fbnet`): 4,000 archs of
 * the FBNet search space (22 searchable layers, spec ../shared/specs/search-spaces.md 2.1), each
 * with latencies (ms) on 27 device settings. Build each arch's graph with
 * `buildFbnetOnnx(ops, { dataset: FBNET_DATA_LAYOUT })` (src/synth/fbnet.ts).
 *
 * What the labels are (spec 2.4–2.5, checked by test/train/fbnet-data.test.ts):
 * - `raspi4`, `pixel3`, `eyeriss`, `fpga` (`FBNET_LUT_SETTINGS`) are HW-NAS-Bench per-block
 *   lookup-table sums for the CIFAR-100 layout: exactly additive in one-hot (layer, op), so they
 *   supervise per-block costs, and are too easy as an end-to-end test;
 * - HELP's own devices (`gold_6226`, `1080ti_1`, `pixel2`, ...) were measured end-to-end; the phone
 *   columns are whole milliseconds.
 * ../shared/data/README.md calls this set "ImageNet 224×224"; HELP's `metainfo.pt` says
 * `cifar100`, and the additive fit reproduces HW-NAS-Bench's published CIFAR-100 values (spec 2.4)
 * to < 1e-6, so the HW-NAS-Bench columns are CIFAR-100 (`FBNET_DATA_LAYOUT`). The input size of
 * HELP's own columns is unverified.
 *
 * Run directly for a summary: node --import tsx train/fbnet-data.ts [--data DIR]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FBNET_LAYERS, FBNET_OPS, type FbnetDataset, type FbnetOp } from '../src/synth/fbnet.ts';
import { missingDataMessage, resolveDataFile, type DataSource } from './data-files.ts';
import { fitLeastSquares } from './metrics.ts';

/** Where the FBNet file lives in the data folder and where it comes from. */
export const FBNET_DATA_SOURCE: DataSource = {
  file: 'fbnet/latency_ms.jsonl',
  sources: [
    'HELP (Lee et al., NeurIPS 2021): https://github.com/HayeonLee/HELP, folder data/fbnet (metainfo.pt archs, latency/*.pt lists; MIT)',
    'HW-NAS-Bench (Li et al., ICLR 2021): https://github.com/GATECH-EIC/HW-NAS-Bench (raspi4, pixel3, eyeriss, fpga; MIT)',
  ],
  format:
    'as JSON lines {"idx": n, "arch": {"op_idx_list": [22 ints 0..8], "arch_str": [22 op names]}, "latency_ms": {"raspi4": ms, ...}},',
};

/** Settings whose labels are HW-NAS-Bench per-block lookup-table sums (spec 2.4–2.5). */
export const FBNET_LUT_SETTINGS = ['raspi4', 'pixel3', 'eyeriss', 'fpga'] as const;

/** Macro layout the HW-NAS-Bench columns were summed for (spec 2.5): build graphs with it. */
export const FBNET_DATA_LAYOUT: FbnetDataset = 'cifar100';

/** The FBNet set, columnar, in file order. */
export interface FbnetData {
  /** HELP arch index (0..4999) per arch; A = idx.length (4,000 in the shared copy). */
  idx: Int32Array;
  /** The 22 op names per arch (layer order), for `buildFbnetOnnx`. */
  ops: FbnetOp[][];
  /** Op indices 0..8, row-major [A, 22]. */
  opIdx: Uint8Array;
  /** Setting names present in the file, sorted (27: raspi4, pixel3, ..., titanxp_64). */
  settings: string[];
  /** Latency in ms per setting, aligned with `idx`; NaN where a row lacks the setting. */
  latencyMs: Record<string, Float64Array>;
}

interface JsonRow {
  idx?: unknown;
  arch?: { op_idx_list?: unknown; arch_str?: unknown };
  latency_ms?: Record<string, unknown>;
}

/**
 * Reads `<dir>/fbnet/latency_ms.jsonl`.
 * @throws Error with `missingDataMessage` when the file is absent; Error naming the line when a
 *   row is malformed (not 22 ops, an op index outside 0..8, or `arch_str` disagreeing with `op_idx_list`)
 */
export function loadFbnetData(dir: string): FbnetData {
  const path = join(dir, FBNET_DATA_SOURCE.file);
  if (!existsSync(path)) throw new Error(missingDataMessage(dir, FBNET_DATA_SOURCE));
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const A = lines.length;
  const idx = new Int32Array(A);
  const opIdx = new Uint8Array(A * FBNET_LAYERS);
  const ops: FbnetOp[][] = [];
  const raw: Array<Record<string, unknown>> = [];
  const settings = new Set<string>();
  lines.forEach((line, a) => {
    const where = `${path}:${a + 1}`;
    let row: JsonRow;
    try {
      row = JSON.parse(line) as JsonRow;
    } catch (e) {
      throw new Error(`${where}: not JSON (${(e as Error).message})`);
    }
    const list = row.arch?.op_idx_list;
    const names = row.arch?.arch_str;
    if (!Array.isArray(list) || list.length !== FBNET_LAYERS) throw new Error(`${where}: arch.op_idx_list must hold ${FBNET_LAYERS} op indices`);
    const archOps = list.map((k, l) => {
      const op = Number.isInteger(k) ? FBNET_OPS[k as number] : undefined;
      if (op === undefined) throw new Error(`${where}: op index ${String(k)} at layer ${l} is not in 0..8`);
      if (Array.isArray(names) && names[l] !== op) throw new Error(`${where}: arch_str[${l}] '${String(names[l])}' disagrees with op_idx_list (${op})`);
      opIdx[a * FBNET_LAYERS + l] = k as number;
      return op;
    });
    ops.push(archOps);
    idx[a] = Number(row.idx);
    const lat = row.latency_ms ?? {};
    raw.push(lat);
    for (const k of Object.keys(lat)) settings.add(k);
  });
  const sorted = [...settings].sort();
  const latencyMs: Record<string, Float64Array> = {};
  for (const s of sorted) {
    const v = new Float64Array(A);
    raw.forEach((lat, a) => {
      const x = lat[s];
      v[a] = typeof x === 'number' ? x : NaN;
    });
    latencyMs[s] = v;
  }
  return { idx, ops, opIdx, settings: sorted, latencyMs };
}

/**
 * The additive (lookup-table) model of one FBNet setting, fitted by least squares on one-hot
 * (layer, op) with op 0 (`k3_e1`) of each layer as the reference: latency ≈ `base` + Σ_l
 * `delta[l][op_l]`, `delta[l][0]` = 0. Only differences within a layer are identifiable from sums
 * (a constant can move between layers and `base`), so `base` holds the [0]*22 network.
 */
export interface FbnetAdditiveFit {
  /** Predicted ms of the all-`k3_e1` arch ([0]*22). */
  base: number;
  /** [22][9] ms added by choosing op k instead of `k3_e1` at layer l. */
  delta: number[][];
  /** Archs used (finite label). */
  n: number;
  /** max |pred − y| / y over the archs used. */
  maxRelResidual: number;
  /** max |pred − y| in ms over the archs used. */
  maxAbsResidual: number;
}

/** Predicted ms of one arch (22 op indices) under an additive fit. */
export function predictAdditive(fit: FbnetAdditiveFit, opIndices: ArrayLike<number>): number {
  let y = fit.base;
  for (let l = 0; l < FBNET_LAYERS; l++) y += (fit.delta[l] as number[])[opIndices[l] as number] as number;
  return y;
}

/**
 * Fits `FbnetAdditiveFit` to `setting` (177 unknowns: 1 + 22 × 8; normal equations without
 * ridge via `fitLeastSquares`). Spec 2.5: on the LUT settings the max residual is ~1e-13 ms.
 * @param rows arch positions to fit on (default: all)
 * @throws Error for an unknown setting
 */
export function fitFbnetAdditive(data: FbnetData, setting: string, rows?: readonly number[]): FbnetAdditiveFit {
  const y = data.latencyMs[setting];
  if (!y) throw new Error(`unknown FBNet setting '${setting}'; known: ${data.settings.join(', ')}`);
  const use = (rows ?? Array.from(data.idx, (_, a) => a)).filter((a) => Number.isFinite(y[a]));
  const d = 1 + FBNET_LAYERS * 8;
  const X = use.map((a) => {
    const r = new Array<number>(d).fill(0);
    r[0] = 1;
    for (let l = 0; l < FBNET_LAYERS; l++) {
      const k = data.opIdx[a * FBNET_LAYERS + l] as number;
      if (k > 0) r[1 + l * 8 + (k - 1)] = 1;
    }
    return r;
  });
  const beta = fitLeastSquares(X, use.map((a) => y[a] as number), 0);
  const delta = Array.from({ length: FBNET_LAYERS }, (_, l) => [0, ...beta.slice(1 + l * 8, 1 + (l + 1) * 8)]);
  const fit: FbnetAdditiveFit = { base: beta[0] as number, delta, n: use.length, maxRelResidual: 0, maxAbsResidual: 0 };
  for (const a of use) {
    const p = predictAdditive(fit, data.opIdx.subarray(a * FBNET_LAYERS, (a + 1) * FBNET_LAYERS));
    const e = Math.abs(p - (y[a] as number));
    fit.maxAbsResidual = Math.max(fit.maxAbsResidual, e);
    fit.maxRelResidual = Math.max(fit.maxRelResidual, e / Math.abs(y[a] as number));
  }
  return fit;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const data = loadFbnetData(resolveDataFile(FBNET_DATA_SOURCE));
  console.log(`${data.idx.length} FBNet archs, ${data.settings.length} settings: ${data.settings.join(', ')}`);
  for (const s of data.settings) {
    const f = fitFbnetAdditive(data, s);
    console.log(`${s.padEnd(14)} additive fit: max residual ${f.maxAbsResidual.toExponential(2)} ms (${(100 * f.maxRelResidual).toFixed(4)}%), [0]*22 → ${f.base.toFixed(4)} ms`);
  }
}
