/**
 * Where onnxruntime spends its time, per op type, with graph optimisation `all` and `disabled`
 * (1 thread; onnxruntime's own profiler, `enableProfiling`, summing the `*_kernel_time` events).
 * Two uses, both cited in README.md / train/README.md:
 * - real models (`--files a.onnx,b.onnx`): why the cpu-onnxruntime head missed AlexNet and
 *   GoogLeNet (the share of `LRN`);
 * - random families (default): how the calibrate learning curve's simulated device (optimisation
 *   disabled, train/data/cpu-onnxruntime-noopt.csv, seeds 100000+) differs from the device the
 *   head was trained on, per family.
 *
 * - real models, per node (`--files … --nodes`): onnxruntime's kernel ms per executed kernel
 *   beside the bundled `cpu-onnxruntime` head's contribution of the graph nodes fused into it
 *   (train/README.md, "Batch norms folded into the conv": ResNet-50's convs, PP-OCRv4 det's Adds).
 *
 *   node --import tsx bench/ort-profile.ts [--families a,b] [--seeds 3] [--files a.onnx,b.onnx] [--runs 10]
 *   node --import tsx bench/ort-profile.ts --files a.onnx --nodes [--input-shapes "x=1x3x640x640"] [--top 25]
 *
 * Prints one Markdown table per model group: kernel ms per run (mean of `--runs` runs after 5
 * warm-ups) per op type for both levels, and the totals with their ratio. Fused kernels keep
 * the name onnxruntime gives them (FusedConv, FusedGemm, SkipLayerNormalization, ...). With
 * `--nodes`, one table per file (optimisation all): the `--top` kernels by |GNN − onnxruntime|.
 * A kernel is matched to the graph node whose output (or name) it carries, with `_nchwc` removed;
 * a graph node that no kernel carries (a BatchNormalization or Relu onnxruntime fused into a
 * conv) counts toward the first matched node downstream of it (following first consumers, at
 * most 8 steps; else the row "(no kernel matched)"). Symbolic input dims are 1 unless
 * `--input-shapes` sets them (the same shapes feed onnxruntime and the analysis).
 * @throws Error when onnxruntime-node is not installed (the message says how to install it)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { markdownTable } from 'markdown-table';
import { parseInputShapes } from '../src/config/inputs.ts';
import { analyzeModel } from '../src/core/analyze.ts';
import { loadOrt } from '../src/measure/ort.ts';
import type { Predictor } from '../src/core/types.ts';
import { loadPredictor } from '../src/predict/predictor.ts';
import { buildRandomOnnx, FAMILIES } from '../src/synth/random/index.ts';
import { argValue } from '../train/dataset.ts';

/** Kernel ms per run by op type. */
type Profile = Map<string, number>;
/** One executed kernel: onnxruntime's node name, its op type, ms per run. */
interface Kernel {
  name: string;
  op: string;
  ms: number;
}

const ort = await loadOrt();
const runs = Number(argValue('runs') ?? 10);
const shapes = parseInputShapes(argValue('input-shapes') ?? '', '--input-shapes') ?? {};
const dir = mkdtempSync(join(tmpdir(), 'edgeperf-prof-'));

/** Kernel ms per run by op type, at one optimisation level. */
async function profile(bytes: Uint8Array, level: 'all' | 'disabled'): Promise<Profile> {
  const out: Profile = new Map();
  for (const k of await kernels(bytes, level)) out.set(k.op, (out.get(k.op) ?? 0) + k.ms);
  return out;
}

/** Profiles one model at one optimisation level; float inputs, `--input-shapes` or symbolic dims 1. */
async function kernels(bytes: Uint8Array, level: 'all' | 'disabled'): Promise<Kernel[]> {
  const prefix = join(dir, `p${level}`);
  const s = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: level,
    executionMode: 'sequential',
    enableProfiling: true,
    profileFilePrefix: prefix,
  });
  const feeds: Record<string, unknown> = {};
  for (const m of s.inputMetadata ?? []) {
    const dims = shapes[m.name] ?? (m.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    feeds[m.name] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims);
  }
  for (let i = 0; i < 5 + runs; i++) await s.run(feeds);
  await s.release();
  const file = readdirSync(dir).find((f) => f.startsWith(`p${level}`));
  if (!file) throw new Error('onnxruntime wrote no profile');
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Array<{ cat: string; name: string; dur: number; args?: { op_name?: string } }>;
  rmSync(join(dir, file));
  const out = new Map<string, Kernel>();
  // The profile covers warm-up runs too: scale to one run.
  const scale = 1 / (5 + runs) / 1000;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    const k = out.get(name) ?? { name, op: e.args?.op_name ?? '?', ms: 0 };
    k.ms += e.dur * scale;
    out.set(name, k);
  }
  return [...out.values()];
}

/** The bundled predictor, loaded by the first `--nodes` table. */
let predictor: Predictor | undefined;

/**
 * Per-kernel table of one real model: onnxruntime's kernel ms beside the `cpu-onnxruntime` head's
 * contributions of the graph nodes fused into each kernel (see the file docstring for the match).
 */
async function nodeTable(file: string, bytes: Uint8Array, top: number): Promise<string> {
  const ks = await kernels(bytes, 'all');
  const a = analyzeModel(bytes, file, { inputShapes: shapes });
  predictor ??= await loadPredictor();
  const [p] = await predictor.predict(a, ['cpu-onnxruntime']);
  const nodes = a.graph.nodes;
  const byKey = new Map<string, number>();
  nodes.forEach((n, i) => {
    byKey.set(n.name, i);
    for (const o of n.outputs) if (o) byKey.set(o, i);
  });
  const consumer = new Map<string, number>();
  nodes.forEach((n, i) => n.inputs.forEach((t) => consumer.has(t) || consumer.set(t, i)));
  const kernelOf = new Map<number, Kernel>();
  for (const k of ks) {
    const i = byKey.get(k.name.replace(/_nchwc$/, ''));
    if (i !== undefined) kernelOf.set(i, k);
  }
  const rows = new Map<Kernel | undefined, { ops: string[]; macs: number; gnn: number }>();
  nodes.forEach((n, i) => {
    let j: number | undefined = i;
    for (let hops = 0; j !== undefined && !kernelOf.has(j) && hops < 8; hops++) j = consumer.get(nodes[j]?.outputs[0] ?? '');
    const k = j === undefined ? undefined : kernelOf.get(j);
    const r = rows.get(k) ?? { ops: [], macs: 0, gnn: 0 };
    r.ops.push(n.op);
    r.macs += a.costs[i]?.macs ?? 0;
    r.gnn += p?.contributions?.[i] ?? 0;
    rows.set(k, r);
  });
  for (const k of ks) if (!rows.has(k)) rows.set(k, { ops: [], macs: 0, gnn: 0 });
  const list = [...rows].map(([k, r]) => ({ name: k?.name ?? '(no kernel matched)', op: k?.op ?? '', ort: k?.ms ?? 0, ...r }));
  list.sort((x, y) => Math.abs(y.gnn - y.ort) - Math.abs(x.gnn - x.ort));
  const sum = (f: (r: (typeof list)[number]) => number): number => list.reduce((t, r) => t + f(r), 0);
  const body = list.slice(0, top).map((r) => [r.name, r.op, r.ops.join(' + ') || '—', (r.macs / 1e6).toFixed(1), f2(r.ort), f2(r.gnn)]);
  body.push([`**total** (${list.length} rows)`, '', '', (sum((r) => r.macs) / 1e6).toFixed(1), f2(sum((r) => r.ort)), `${f2(sum((r) => r.gnn))} (prediction ${f2(p?.value ?? 0)})`]);
  return `\n### ${basename(file)}: kernels by |GNN − onnxruntime|\n\n` + markdownTable([['onnxruntime kernel', 'kernel op', 'graph nodes in it', 'MMACs', 'onnxruntime ms', 'GNN ms'], ...body], { align: ['l', 'l', 'l', 'r', 'r', 'r'] });
}

function add(into: Profile, p: Profile): void {
  for (const [k, v] of p) into.set(k, (into.get(k) ?? 0) + v);
}

const total = (p: Profile): number => [...p.values()].reduce((a, b) => a + b, 0);
const f2 = (v: number): string => (v === 0 ? '—' : v.toFixed(2));

/** One table: op types by time with optimisation disabled, then the totals. */
function table(name: string, all: Profile, dis: Profile, top = 8): string {
  const ops = [...new Set([...all.keys(), ...dis.keys()])].sort((a, b) => Math.max(dis.get(b) ?? 0, all.get(b) ?? 0) - Math.max(dis.get(a) ?? 0, all.get(a) ?? 0));
  const ta = total(all);
  const td = total(dis);
  const rows = ops.slice(0, top).map((op) => [op, f2(all.get(op) ?? 0), ta ? `${((100 * (all.get(op) ?? 0)) / ta).toFixed(1)}%` : '', f2(dis.get(op) ?? 0), td ? `${((100 * (dis.get(op) ?? 0)) / td).toFixed(1)}%` : '']);
  rows.push(['**total**', f2(ta), '', f2(td), `×${(td / ta).toFixed(2)} vs all`]);
  return `\n### ${name}\n\n` + markdownTable([['op type (kernel)', 'ms, optimisation all', 'share', 'ms, disabled', 'share'], ...rows], { align: ['l', 'r', 'r', 'r', 'r'] });
}

const files = argValue('files');
try {
  if (files) {
    for (const f of files.split(',')) {
      const bytes = readFileSync(f);
      if (process.argv.includes('--nodes')) console.log(await nodeTable(f, bytes, Number(argValue('top') ?? 25)));
      else console.log(table(basename(f), await profile(bytes, 'all'), await profile(bytes, 'disabled')));
    }
  } else {
    const families = argValue('families')?.split(',') ?? [...FAMILIES];
    const seeds = Number(argValue('seeds') ?? 3);
    const summary: string[][] = [];
    for (const fam of families) {
      const all: Profile = new Map();
      const dis: Profile = new Map();
      for (let s = 0; s < seeds; s++) {
        const bytes = buildRandomOnnx(fam, 100000 + s);
        add(all, await profile(bytes, 'all'));
        add(dis, await profile(bytes, 'disabled'));
      }
      console.log(table(`${fam} (seeds 100000–${100000 + seeds - 1}, summed)`, all, dis, 6));
      summary.push([fam, f2(total(all)), f2(total(dis)), `×${(total(dis) / total(all)).toFixed(2)}`]);
    }
    console.log('\n### disabled vs all, per family\n\n' + markdownTable([['family', 'ms, all', 'ms, disabled', 'ratio'], ...summary], { align: ['l', 'r', 'r', 'r'] }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
