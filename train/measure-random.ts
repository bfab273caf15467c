/**
 * Measurement loop of the cpu-onnxruntime dataset (issue #5 item 3): generates K random graphs
 * per family (`src/synth/random`, seeds S..S+K−1), measures each with onnxruntime-node on this
 * machine (1 thread by default) and appends compact rows to a CSV:
 *
 *   family,seed,median_ms,p10_ms,p90_ms,cv,cpu,ort_version[,ref_ms]
 *
 * A graph is rebuilt bit for bit from (family, seed), so the rows are the whole dataset. Rows
 * already in the CSV (same family and seed) are skipped, so an interrupted run resumes. Each batch
 * measures one seed (`--batch K`: K consecutive seeds) of every family together, interleaved
 * round-robin (src/measure/ort.ts), so drift on a shared machine hits all families alike. More
 * graphs per batch spread each graph's timed runs over a longer window (one family alone with
 * `--batch 1` times a graph within about 0.3 s); for `batched` graphs that did not make two
 * passes agree better (train/README.md, "Passes"), but it makes the reference cheaper per graph.
 * A pass of one family alone is not interchangeable with a pass of all families: MobileNet- and
 * MLP-only passes of the optimisation-off set ran ×1.12–1.24 slower against the reference than
 * the interleaved ones (train/README.md, "Drift between batches"). With `--reference FAMILY:SEED`
 * a fixed graph is timed inside every batch too and its median written as `ref_ms` on each row of
 * the batch, so drift *between* batches can be divided out (train/corpus.ts `readRandomCsv` does).
 *
 * With `--kernels FILE.jsonl`, each graph also runs in a profiled twin session (src/measure/ort.ts
 * `profile`) and one line `{"family", "seed", "kernels_ms"}` per graph (onnxruntime's kernel ms by
 * node name) is appended to FILE: the per-node labels `edgeperf calibrate` can use
 * (bench/calibrate-curve.ts `--kernels`). The end-to-end times in the CSV stay unprofiled.
 *
 * Usage: node --import tsx train/measure-random.ts OUT.csv [--per-family K] [--seed S]
 *          [--runs N] [--warmup W] [--threads T] [--families a,b] [--no-optimize]
 *          [--reference FAMILY:SEED] [--batch K] [--kernels FILE.jsonl]
 * Prints per-batch progress and, at the end, time per graph, the CV distribution and the range of
 * medians (ms) of the rows written in this run.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { measureModels, type MeasureResult } from '../src/measure/ort.ts';
import { quantile } from '../src/measure/stats.ts';
import { buildRandomOnnx, FAMILIES } from '../src/synth/random/index.ts';

const HEADER = 'family,seed,median_ms,p10_ms,p90_ms,cv,cpu,ort_version';
/** Name of the reference graph's result inside a batch (not a family name). */
const REFERENCE = '@reference';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'per-family': { type: 'string', default: '20' },
    seed: { type: 'string', default: '0' },
    runs: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    threads: { type: 'string', default: '1' },
    families: { type: 'string' },
    'no-optimize': { type: 'boolean', default: false },
    reference: { type: 'string' },
    batch: { type: 'string', default: '1' },
    kernels: { type: 'string' },
  },
});
const out = positionals[0];
if (!out) {
  process.stderr.write('usage: node --import tsx train/measure-random.ts OUT.csv [--per-family K] [--seed S] [--runs N] [--warmup W] [--threads T] [--families a,b] [--no-optimize] [--reference FAMILY:SEED] [--batch K] [--kernels FILE.jsonl]\n');
  process.exit(2);
}
const perFamily = Number(values['per-family']);
const seedsPerBatch = Number(values.batch);
if (!Number.isInteger(seedsPerBatch) || seedsPerBatch < 1) {
  process.stderr.write(`--batch: expected a positive integer (seeds per batch), got '${values.batch}'\n`);
  process.exit(2);
}
const seed0 = Number(values.seed);
const families = values.families ? values.families.split(',') : [...FAMILIES];

const reference = values.reference ? parseReference(values.reference) : undefined;
const header = reference ? `${HEADER},ref_ms` : HEADER;

/** `FAMILY:SEED` of `--reference`; exits with a message when malformed. */
function parseReference(arg: string): { family: string; seed: number } {
  const [family, seed] = arg.split(':');
  if (!family || !FAMILIES.includes(family) || !/^\d+$/.test(seed ?? '')) {
    process.stderr.write(`--reference: expected FAMILY:SEED with FAMILY one of ${FAMILIES.join(', ')}, got '${arg}'\n`);
    process.exit(2);
  }
  return { family, seed: Number(seed) };
}

let existing = '';
try {
  existing = await readFile(out, 'utf8');
} catch {
  await mkdir(dirname(out), { recursive: true });
  await appendFile(out, header + '\n');
}
if (existing && existing.split('\n')[0] !== header) {
  process.stderr.write(`${out}: its header '${existing.split('\n')[0]}' does not match this run's '${header}' (a file is measured with --reference throughout or not at all)\n`);
  process.exit(2);
}
const done = new Set(
  existing
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(',').slice(0, 2).join(',')),
);

/** CSV-safe text (the CPU model string may hold commas). */
const clean = (s: string): string => s.replace(/[,\n"]/g, ' ').trim();
const num = (v: number, digits: number): string => Number(v.toPrecision(digits)).toString();

const t0 = performance.now();
const written: Array<MeasureResult & { family: string }> = [];
let genMs = 0;
for (let s = seed0; s < seed0 + perFamily; s += seedsPerBatch) {
  const seeds = Array.from({ length: Math.min(seedsPerBatch, seed0 + perFamily - s) }, (_, i) => s + i);
  const todo = seeds.flatMap((sd) => families.filter((f) => !done.has(`${f},${sd}`)).map((family) => ({ family, seed: sd })));
  if (todo.length === 0) continue;
  const label = seeds.length > 1 ? `seeds ${s}–${seeds[seeds.length - 1]}` : `seed ${s}`;
  const tg = performance.now();
  const models = todo.map((t) => ({ file: `${t.family}:${t.seed}`, bytes: buildRandomOnnx(t.family, t.seed) }));
  if (reference) models.push({ file: REFERENCE, bytes: buildRandomOnnx(reference.family, reference.seed) });
  genMs += performance.now() - tg;
  const { results, failures } = await measureModels(models, {
    runs: Number(values.runs),
    warmup: Number(values.warmup),
    threads: Number(values.threads),
    seed: s,
    optimize: !values['no-optimize'],
    profile: values.kernels !== undefined,
  });
  for (const f of failures) process.stderr.write(`${label}: ${f.error}\n`);
  const ref = results.find((r) => r.file === REFERENCE);
  if (reference && !ref) {
    process.stderr.write(`${label}: the reference graph failed; batch not written\n`);
    continue;
  }
  const measured = results
    .filter((r) => r !== ref)
    .map((r) => {
      const [family, seed] = r.file.split(':') as [string, string];
      return { ...r, family, seed: Number(seed) };
    });
  const rows = measured.map((r) =>
    [r.family, r.seed, num(r.median_ms, 5), num(r.p10_ms, 5), num(r.p90_ms, 5), num(r.cv, 3), clean(r.cpu), r.ort_version, ...(ref ? [num(ref.median_ms, 5)] : [])].join(','),
  );
  await appendFile(out, rows.map((r) => r + '\n').join(''));
  if (values.kernels) await appendFile(values.kernels, measured.map((r) => JSON.stringify({ family: r.family, seed: r.seed, kernels_ms: r.kernels_ms ?? {} }) + '\n').join(''));
  written.push(...measured);
  process.stderr.write(`${label}: ${rows.length} graphs${ref ? ` (reference ${ref.median_ms.toFixed(3)} ms)` : ''}, ${((performance.now() - t0) / 1000).toFixed(1)} s elapsed\n`);
}

const total = (performance.now() - t0) / 1000;
if (written.length === 0) {
  process.stdout.write('nothing to do: every (family, seed) is already in the CSV\n');
} else {
  const cvs = written.map((r) => r.cv);
  const ms = written.map((r) => r.median_ms);
  const pct = (xs: number[], p: number) => quantile(xs, p);
  process.stdout.write(
    [
      `graphs: ${written.length} in ${total.toFixed(1)} s (${((total * 1000) / written.length).toFixed(0)} ms/graph; generation ${(genMs / written.length).toFixed(0)} ms/graph)`,
      `CV: p10 ${(100 * pct(cvs, 0.1)).toFixed(1)}%  median ${(100 * pct(cvs, 0.5)).toFixed(1)}%  p90 ${(100 * pct(cvs, 0.9)).toFixed(1)}%  max ${(100 * Math.max(...cvs)).toFixed(1)}%`,
      `median ms: min ${Math.min(...ms).toFixed(3)}  p50 ${pct(ms, 0.5).toFixed(2)}  max ${Math.max(...ms).toFixed(1)}`,
      'per family (min..max median ms, median CV):',
      ...families.map((f) => {
        const rs = written.filter((r) => r.family === f);
        if (rs.length === 0) return `  ${f}: -`;
        const m = rs.map((r) => r.median_ms);
        return `  ${f.padEnd(11)} n=${rs.length}  ${Math.min(...m).toFixed(3)}..${Math.max(...m).toFixed(1)} ms  CV ${(100 * pct(rs.map((r) => r.cv), 0.5)).toFixed(1)}%`;
      }),
    ].join('\n') + '\n',
  );
}
