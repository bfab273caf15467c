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
 *   node --import tsx bench/ort-profile.ts [--families a,b] [--seeds 3] [--files a.onnx,b.onnx] [--runs 10]
 *
 * Prints one Markdown table per model group: kernel ms per run (mean of `--runs` runs after 5
 * warm-ups) per op type for both levels, and the totals with their ratio. Fused kernels keep
 * the name onnxruntime gives them (FusedConv, FusedGemm, SkipLayerNormalization, ...).
 * @throws Error when onnxruntime-node is not installed (the message says how to install it)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { markdownTable } from 'markdown-table';
import { loadOrt } from '../src/measure/ort.ts';
import { buildRandomOnnx, FAMILIES } from '../src/synth/random/index.ts';
import { argValue } from '../train/dataset.ts';

/** Kernel ms per run by op type. */
type Profile = Map<string, number>;

const ort = await loadOrt();
const runs = Number(argValue('runs') ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'edgeperf-prof-'));

/** Profiles one model at one optimisation level; float inputs, symbolic dims 1. */
async function profile(bytes: Uint8Array, level: 'all' | 'disabled'): Promise<Profile> {
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
    const dims = (m.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    feeds[m.name] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims);
  }
  for (let i = 0; i < 5 + runs; i++) await s.run(feeds);
  await s.release();
  const file = readdirSync(dir).find((f) => f.startsWith(`p${level}`));
  if (!file) throw new Error('onnxruntime wrote no profile');
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Array<{ cat: string; name: string; dur: number; args?: { op_name?: string } }>;
  rmSync(join(dir, file));
  const out: Profile = new Map();
  // The profile covers warm-up runs too: scale to one run.
  const scale = 1 / (5 + runs) / 1000;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    out.set(op, (out.get(op) ?? 0) + e.dur * scale);
  }
  return out;
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
      console.log(table(basename(f), await profile(bytes, 'all'), await profile(bytes, 'disabled')));
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
