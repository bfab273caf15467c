/**
 * The HW-NAS-Bench-360 measurement set (`<data>/nb201-360/measurements.csv`, from the 360 repo's
 * `results/dataset.parquet`; spec ../shared/specs/search-spaces.md 3.1–3.7): NB201 TinyNetworks
 * exported per task (cifar100 1×3×32×32, ninapro 1×1×52×16, darcy 1×1×88×88) and timed on a
 * Raspberry Pi 5 (LiteRT/TFLite, onnxruntime, TorchScript; latency median + variance, energy) and a
 * Pixel phone (TFLite; latency only, a mean despite the column name).
 *
 * Only non-isomorphic architectures were measured (6,466 representatives over all 15,625 NB201
 * indices; other indices copy their representative's row). The shared copy holds 13,221 indices
 * × 12 (device, framework, task) rows, covering **5,496** distinct representatives; the loader
 * keeps one label per representative (`rep_arch_idx`), so training sees each measured graph once.
 * Build a representative's graph with `buildNb201Onnx(archStr, { task })` (src/synth/nb201.ts),
 * `archStr` from `nb360ArchStrings` (the NB201 CSV holds every representative).
 *
 * Run directly for a summary: node --import tsx train/nb360-data.ts [--data DIR]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metric } from '../src/core/types.ts';
import type { Nb201Task } from '../src/synth/nb201.ts';
import { readNb201Csv } from './dataset.ts';
import { missingDataMessage, resolveDataFile, type DataSource } from './data-files.ts';

/** Where the 360 file lives in the data folder and where it comes from. */
export const NB360_DATA_SOURCE: DataSource = {
  file: 'nb201-360/measurements.csv',
  sources: [
    'HW-NAS-Bench-360: https://github.com/roldebijvank/HW-NAS-Bench-360, results/dataset.parquet (no license file: measurements used as facts with attribution)',
  ],
  format: 'as a CSV with columns arch_idx, rep_arch_idx, device, framework, task, lat_ms_median, lat_ms_var, energy_mj (accuracy/status columns dropped),',
};

/** Device labels of the CSV. */
export type Nb360Device = 'pi5' | 'pixel';
/** Framework labels of the CSV (`litert` = TFLite / LiteRT, `onnx` = onnxruntime, `torchmobile` = TorchScript). */
export type Nb360Framework = 'litert' | 'onnx' | 'torchmobile';
/** The three 360 tasks; each is also an `Nb201Task` of `buildNb201Onnx` (spec 3.2). */
export type Nb360Task = Extract<Nb201Task, 'cifar100' | 'ninapro' | 'darcy'>;

/** The tasks in CSV order. */
export const NB360_TASKS: readonly Nb360Task[] = ['cifar100', 'ninapro', 'darcy'];

/** One EdgePerf target trained from the 360 set: a (device, framework) pair over all three tasks. */
export interface Nb360TargetDef {
  /** EdgePerf target id (issue #3). */
  id: string;
  device: Nb360Device;
  framework: Nb360Framework;
  /** Human-readable device and runtime (spec 3.4–3.6). */
  deviceName: string;
  runtime: string;
  /** Metrics with labels: latency (ms) always, energy (mJ) on the Pi 5 only. */
  metrics: Metric[];
}

/** The four 360 targets (spec 3.4–3.6). */
export const NB360_TARGETS: readonly Nb360TargetDef[] = [
  {
    id: 'raspberry-pi-5-tflite',
    device: 'pi5',
    framework: 'litert',
    deviceName: 'Raspberry Pi 5',
    runtime: 'LiteRT/TFLite float32, 1 thread (default delegate unverified); median of 40 runs',
    metrics: ['latency', 'energy'],
  },
  {
    id: 'raspberry-pi-5-onnxruntime',
    device: 'pi5',
    framework: 'onnx',
    deviceName: 'Raspberry Pi 5',
    runtime: 'onnxruntime CPUExecutionProvider, 1 intra-op + 1 inter-op thread; median of 40 runs',
    metrics: ['latency', 'energy'],
  },
  {
    id: 'raspberry-pi-5-pytorch-mobile',
    device: 'pi5',
    framework: 'torchmobile',
    deviceName: 'Raspberry Pi 5',
    runtime: 'PyTorch Mobile (optimize_for_mobile .ptl via torch.jit.load), 1 thread; median of 40 runs',
    metrics: ['latency', 'energy'],
  },
  {
    id: 'pixel-tflite',
    device: 'pixel',
    framework: 'litert',
    deviceName: 'Google Pixel (model unverified)',
    runtime: 'TFLite benchmark app, float32, 1 thread, NNAPI delegate (inferred); mean of 40 runs',
    metrics: ['latency'],
  },
];

/** Labels of one (target, task), aligned with `Nb360Data.reps`. */
export interface Nb360Series {
  targetId: string;
  device: Nb360Device;
  framework: Nb360Framework;
  task: Nb360Task;
  /** `lat_ms_median` in ms (the Pixel's is a mean, spec 3.6); NaN where not measured. */
  latencyMs: Float64Array;
  /** `lat_ms_var` in ms² (variance over the 40 timed runs); NaN where absent. */
  latencyVar: Float64Array;
  /** `energy_mj` in mJ per inference (Pi 5 only, spec 3.5); null for the Pixel. */
  energyMj: Float64Array | null;
}

/** The 360 set keyed by representative. */
export interface Nb360Data {
  /** Distinct `rep_arch_idx` values (NB201 indices), ascending: the measured graphs. */
  reps: Int32Array;
  /** Every `arch_idx` of the file → its `rep_arch_idx`. */
  repOf: Map<number, number>;
  /** One series per (target, task) present in the file, in `NB360_TARGETS` × `NB360_TASKS` order. */
  series: Nb360Series[];
  /** CSV rows read. */
  rows: number;
  /** Rows whose values differ from their representative's own row (0 in the shared copy). */
  copyMismatches: number;
}

const COLUMNS = ['arch_idx', 'rep_arch_idx', 'device', 'framework', 'task', 'lat_ms_median', 'lat_ms_var', 'energy_mj'] as const;

/**
 * Reads `<dir>/nb201-360/measurements.csv` into per-(target, task) label arrays keyed by
 * representative. A representative's values come from its own row (`arch_idx == rep_arch_idx`),
 * else from the first row naming it; other copies are compared and counted in `copyMismatches`.
 * @throws Error with `missingDataMessage` when the file is absent; Error naming the file for a
 *   missing column or a (device, framework) pair that is not one of `NB360_TARGETS`
 */
export function loadNb360Data(dir: string): Nb360Data {
  const path = join(dir, NB360_DATA_SOURCE.file);
  if (!existsSync(path)) throw new Error(missingDataMessage(dir, NB360_DATA_SOURCE));
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',');
  const col = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  for (const c of COLUMNS) if (col[c] < 0) throw new Error(`${path}: missing column '${c}' (header: ${header.join(',')})`);

  const num = (s: string | undefined): number => (s === undefined || s === '' ? NaN : Number(s));
  const repOf = new Map<number, number>();
  // (series key) → rep → [lat, var, energy, fromOwnRow]
  const values = new Map<string, Map<number, [number, number, number, boolean]>>();
  const pending: Array<{ key: string; rep: number; v: [number, number, number] }> = [];
  let rows = 0;
  for (const line of lines.slice(1)) {
    const c = line.split(',');
    const arch = Number(c[col.arch_idx]);
    const rep = Number(c[col.rep_arch_idx]);
    const key = `${c[col.device]}|${c[col.framework]}|${c[col.task]}`;
    const v: [number, number, number] = [num(c[col.lat_ms_median]), num(c[col.lat_ms_var]), num(c[col.energy_mj])];
    repOf.set(arch, rep);
    let m = values.get(key);
    if (!m) values.set(key, (m = new Map()));
    const own = arch === rep;
    const prev = m.get(rep);
    if (!prev || (own && !prev[3])) {
      if (prev) pending.push({ key, rep, v: [prev[0], prev[1], prev[2]] });
      m.set(rep, [...v, own]);
    } else pending.push({ key, rep, v });
    rows++;
  }
  const same = (a: number, b: number): boolean => (Number.isNaN(a) && Number.isNaN(b)) || a === b;
  let copyMismatches = 0;
  for (const p of pending) {
    const ref = values.get(p.key)!.get(p.rep)!;
    if (!same(ref[0], p.v[0]) || !same(ref[1], p.v[1]) || !same(ref[2], p.v[2])) copyMismatches++;
  }

  const reps = Int32Array.from(new Set(repOf.values())).sort();
  const pos = new Map<number, number>();
  reps.forEach((r, i) => pos.set(r, i));
  const known = new Set(NB360_TARGETS.map((t) => `${t.device}|${t.framework}`));
  for (const key of values.keys()) {
    const [device, framework, task] = key.split('|');
    if (!known.has(`${device}|${framework}`)) {
      throw new Error(`${path}: unknown device/framework '${device}/${framework}'; known: ${[...known].join(', ').replaceAll('|', '/')}`);
    }
    if (!(NB360_TASKS as readonly string[]).includes(task as string)) throw new Error(`${path}: unknown task '${task}'; known: ${NB360_TASKS.join(', ')}`);
  }
  const series: Nb360Series[] = [];
  for (const t of NB360_TARGETS) {
    for (const task of NB360_TASKS) {
      const m = values.get(`${t.device}|${t.framework}|${task}`);
      if (!m) continue;
      const lat = new Float64Array(reps.length).fill(NaN);
      const lvar = new Float64Array(reps.length).fill(NaN);
      const en = t.metrics.includes('energy') ? new Float64Array(reps.length).fill(NaN) : null;
      for (const [rep, [l, v, e]] of m) {
        const i = pos.get(rep) as number;
        lat[i] = l;
        lvar[i] = v;
        if (en) en[i] = e;
      }
      series.push({ targetId: t.id, device: t.device, framework: t.framework, task, latencyMs: lat, latencyVar: lvar, energyMj: en });
    }
  }
  return { reps, repOf, series, rows, copyMismatches };
}

/**
 * The labels of one target id and task.
 * @throws Error listing the known ids / tasks when absent
 */
export function nb360Series(data: Nb360Data, targetId: string, task: Nb360Task): Nb360Series {
  const s = data.series.find((x) => x.targetId === targetId && x.task === task);
  if (!s) {
    throw new Error(`no 360 labels for '${targetId}' / '${task}'; known: ${data.series.map((x) => `${x.targetId}/${x.task}`).join(', ')}`);
  }
  return s;
}

/** Position of NB201 index `archIdx` in `data.reps` (via its representative); -1 if not in the file. */
export function nb360RepPosition(data: Nb360Data, archIdx: number): number {
  const rep = data.repOf.get(archIdx);
  if (rep === undefined) return -1;
  let lo = 0;
  let hi = data.reps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = data.reps[mid] as number;
    if (v === rep) return mid;
    if (v < rep) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * NB201 arch strings of `data.reps` (aligned), from `<dir>/nb201/latency_ms.csv`; a representative
 * missing there takes the string of any index mapping to it (an isomorphic cell, the same graph
 * up to node order).
 * @throws Error naming the representatives with no arch string
 */
export function nb360ArchStrings(data: Nb360Data, dir: string): string[] {
  const csv = readNb201Csv(dir);
  const byIdx = new Map<number, string>();
  csv.archIdx.forEach((a, i) => byIdx.set(a, csv.archStr[i] as string));
  const out = Array.from(data.reps, (r) => byIdx.get(r) ?? '');
  const missing = new Set<number>();
  data.reps.forEach((r, i) => {
    if (out[i] === '') missing.add(r);
  });
  if (missing.size > 0) {
    for (const [arch, rep] of data.repOf) {
      const s = byIdx.get(arch);
      if (s && missing.has(rep)) {
        out[nb360RepPosition(data, arch)] = s;
        missing.delete(rep);
      }
    }
  }
  if (missing.size > 0) throw new Error(`no NB201 arch string for representative(s) ${[...missing].slice(0, 10).join(', ')} in ${join(dir, 'nb201', 'latency_ms.csv')}`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolveDataFile(NB360_DATA_SOURCE);
  const data = loadNb360Data(dir);
  console.log(`${data.rows} rows, ${data.repOf.size} arch indices, ${data.reps.length} distinct representatives, ${data.copyMismatches} copy mismatches`);
  for (const s of data.series) {
    const lat = [...s.latencyMs].filter(Number.isFinite).sort((a, b) => a - b);
    const en = s.energyMj ? [...s.energyMj].filter(Number.isFinite).sort((a, b) => a - b) : [];
    console.log(
      `${s.targetId.padEnd(30)} ${s.task.padEnd(9)} n=${lat.length} latency ${lat[0]?.toFixed(3)}..${lat[lat.length - 1]?.toFixed(3)} ms` +
        (en.length ? `, energy ${en[0]?.toFixed(3)}..${en[en.length - 1]?.toFixed(3)} mJ` : ''),
    );
  }
  console.log(`arch strings: ${nb360ArchStrings(data, dir).length}`);
}
