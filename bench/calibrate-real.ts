/**
 * How many measured generated graphs a device needs before its calibrated target predicts real
 * models well (issue #5): calibrates, as `edgeperf calibrate` does (`calibrateHead`, trust region
 * on, base target `cpu-onnxruntime`), on seeded samples of 25 … all graphs measured on THIS
 * machine, measures the real ONNX models of `../shared/models` here in the same run (as `npm run
 * evaluate` does: interleaved, 30 runs after 5 warm-ups, median of 3 repeats; train/real-models.ts)
 * and prints the real-model MAPE per sample size. The real models are never calibrated on.
 *
 *   node --import tsx bench/calibrate-real.ts [--csv A.csv,B.csv,...] [--models DIR] [--seeds 3]
 *        [--sizes 25,50,100,250,500,all] [--reference transformer:100094] [--kernels A.jsonl,B.jsonl]
 *
 * `--kernels`: per-node labels for the rows (`train/measure-random.ts --kernels` files of the same
 * graphs, as `edgeperf measure --profile` gives them to `calibrate`); each size is then calibrated
 * with them and, in a second row, without them (totals only) on the same sample.
 *
 * Default `--csv`: the passes of the committed device measured on this machine's CPU
 * (train/corpus.ts DEVICE_CSVS and `deviceForCpu`: the Zen 5 EPYC's `-zen5-*.csv` or the Intel
 * Xeon's `-xeon-*.csv`, in the order their committed targets were calibrated in). The figures
 * mean something only on the CPU those rows were measured on: the script stops when this
 * machine's `machineInfo().cpu` differs from the rows' `cpu` column, or, without `--csv`, when no
 * committed device was measured on it (saying how to measure the bench graphs here).
 * MAPE over the models measured at ≥ 0.5 ms (train/metrics.ts MIN_MS), as in evaluate, twice: against
 * the raw measurements, and against them scaled to the speed the labels were measured at. The
 * rows' reference graph (`--reference`, default transformer:100094) is timed beside the real
 * models; the labels are at the first file's typical reference time (train/corpus.ts
 * `readRandomCsv`), so measured × typical / now puts both at one machine speed, the correction the
 * rows themselves got. On a shared VM the raw figure of one target moved from 7.3% to 13.9% in 25
 * minutes (train/README.md, "The machine changed").
 */
import { join, resolve } from 'node:path';
import { markdownTable } from 'markdown-table';
import { analyzeModel } from '../src/core/analyze.ts';
import { shuffled } from '../src/core/random.ts';
import { machineInfo } from '../src/measure/ort.ts';
import { quantile } from '../src/measure/stats.ts';
import { initBackend } from '../src/predict/backend.ts';
import {
  calibrateHead,
  calibrationExample,
  encodeExamples,
  encodeGraphs,
  gnnGraphOf,
  predictEncoded,
  servingHeadWeights,
  trustRegionGraphs,
  type CalibrationExample,
  type EncodedGraph,
} from '../src/predict/custom-target.ts';
import { loadBundledModel } from '../src/predict/predictor.ts';
import { buildRandomOnnx } from '../src/synth/random/index.ts';
import { DEVICE_CSVS, deviceForCpu, randomCsvInfo, randomCsvPath, readKernelRows, readRandomRows } from '../train/corpus.ts';
import { argValue, REPO_ROOT } from '../train/dataset.ts';
import { MIN_MS } from '../train/metrics.ts';
import { analyseRealModels, measureRepeated } from '../train/real-models.ts';

/** The reference graph the rows were measured with (`train/measure-random.ts --reference`). */
const REFERENCE = argValue('reference') ?? 'transformer:100094';
const here = machineInfo().cpu;
const csvArg = argValue('csv');
const device = csvArg ? undefined : deviceForCpu(here);
if (!csvArg && !device) {
  console.error(`no committed rows were measured on this CPU ('${here}'; train/corpus.ts DEVICE_CSVS has ${Object.keys(DEVICE_CSVS).join(', ')}): measure the bench graphs here with train/measure-random.ts --per-family 94 --seed 100000 --reference ${REFERENCE} and pass them with --csv`);
  process.exit(1);
}
const csvs = csvArg?.split(',').map((f) => resolve(f)) ?? (DEVICE_CSVS[device as string] as string[]).map(randomCsvPath);
const modelsDir = resolve(argValue('models') ?? join(REPO_ROOT, '..', 'shared', 'models'));
const seeds = Number(argValue('seeds') ?? 3);
const sizeArg = (argValue('sizes') ?? '25,50,100,250,500,all').split(',');
const BASE = 'cpu-onnxruntime/latency';

// The rows' CPU must be this machine's (the first file's first row), and they need a reference.
const info = randomCsvInfo(csvs[0] as string);
if (info.cpu !== here) {
  console.error(`${csvs[0]}: measured on '${info.cpu}', this machine is '${here}': real models measured here would not be the calibrated device. Run this on that CPU, or pass --csv rows measured here (train/measure-random.ts).`);
  process.exit(1);
}
if (info.typicalRefMs === undefined) {
  console.error(`${csvs[0]}: no ref_ms column: measure the rows with train/measure-random.ts --reference ${REFERENCE}`);
  process.exit(1);
}
const refLabels = info.typicalRefMs;

await initBackend();
const model = loadBundledModel();
const t0 = performance.now();
const kernelRows = argValue('kernels') ? readKernelRows((argValue('kernels') as string).split(',').map((f) => resolve(f))) : undefined;
const all: CalibrationExample[] = readRandomRows(csvs).map(
  ({ family, seed, ms }) => calibrationExample(analyzeModel(buildRandomOnnx(family, seed, 'external'), `${family}-${seed}.onnx`), ms, `${family}-${seed}`, kernelRows?.get(`${family}:${seed}`)).example,
);
encodeExamples(model, all);
const trustRegion = trustRegionGraphs(model);
const sizes = sizeArg.map((s) => (s === 'all' ? all.length : Number(s))).filter((n) => n > 0 && n <= all.length);
console.log(`${all.length} graphs from ${csvs.length} file(s), encoded in ${((performance.now() - t0) / 1000).toFixed(0)} s; CPU ${here}`);

// ---- the real models, measured here beside the rows' reference graph
const { models, skipped } = analyseRealModels(modelsDir);
const REF = { file: `reference ${REFERENCE}`, bytes: buildRandomOnnx(REFERENCE.split(':')[0] as string, Number(REFERENCE.split(':')[1])) };
const { medians, failed } = await measureRepeated([...models.map((m) => m.input), REF], { runs: 30, warmup: 5, repeats: 3 });
// The labels are at the speed of the first file's typical reference time (train/corpus.ts
// readRandomCsv); measurements of this run × (that time / the reference now) are at the same speed.
const refNow = quantile(medians.get(REF.file) ?? [NaN], 0.5);
const speed = refLabels / refNow;
const real = models.flatMap((m) => {
  const reps = medians.get(m.name);
  if (!reps || failed.has(m.name)) return [];
  const ms = quantile(reps, 0.5);
  return ms >= MIN_MS ? [{ name: m.name, ms, corrected: ms * speed, enc: encodeGraphs(model, [gnnGraphOf(m.a)])[0] as EncodedGraph }] : [];
});
console.log(`${real.length} real models measured at ≥ ${MIN_MS} ms (${skipped.length} skipped, ${failed.size} not run by onnxruntime, ${models.length - failed.size - real.length} under ${MIN_MS} ms); reference ${REFERENCE} ${refNow.toFixed(3)} ms here against ${refLabels.toFixed(3)} ms in the labels' first file: measurements × ${speed.toFixed(3)} are at the labels' speed`);

/** APE per real model against its measurement at the labels' speed, and against the raw one. */
const apes = (head: Parameters<typeof predictEncoded>[1]): { corrected: number[]; raw: number[] } => {
  const p = predictEncoded(real.map((r) => r.enc), head);
  return { corrected: real.map((r, i) => Math.abs((p[i] as number) / r.corrected - 1)), raw: real.map((r, i) => Math.abs((p[i] as number) / r.ms - 1)) };
};
const mape = (a: number[]): number => (100 * a.reduce((s, x) => s + x, 0)) / a.length;

// ---- calibrate per size and draw
const rows: string[][] = [];
const meanSd = (m: number[]): string => {
  const avg = m.reduce((a, b) => a + b, 0) / m.length;
  const sd = Math.sqrt(m.reduce((a, b) => a + (b - avg) ** 2, 0) / Math.max(1, m.length - 1));
  return `${avg.toFixed(1)}%${m.length > 1 ? ` ± ${sd.toFixed(1)}` : ''}`;
};
const tableRow = (n: string, label: string, draws: Array<{ corrected: number[]; raw: number[] }>): string[] => [
  n,
  label,
  meanSd(draws.map((d) => mape(d.corrected))),
  meanSd(draws.map((d) => mape(d.raw))),
  ...real.map((_, i) => `${((100 * draws.reduce((a, d) => a + (d.corrected[i] as number), 0)) / draws.length).toFixed(0)}%`),
];
rows.push(tableRow('0', 'cpu-onnxruntime as bundled', [apes(servingHeadWeights(model, BASE))]));
for (const n of sizes) {
  const draws = n === all.length ? 1 : seeds;
  const perDraw: Array<{ corrected: number[]; raw: number[] }> = [];
  const totalsOnly: Array<{ corrected: number[]; raw: number[] }> = [];
  for (let s = 0; s < draws; s++) {
    const t1 = performance.now();
    const sample = shuffled(all, 1000 + s).slice(0, n);
    const fit = calibrateHead(sample, model, BASE, { trustRegion });
    if (kernelRows) totalsOnly.push(apes(calibrateHead(sample.map((e) => ({ ...e, kernels: undefined })), model, BASE, { trustRegion }).head));
    perDraw.push(apes(fit.head));
    const last = perDraw.at(-1)!;
    console.log(`n=${n} draw ${s}: real-model MAPE ${mape(last.corrected).toFixed(1)}% at the labels' speed, ${mape(last.raw).toFixed(1)}% raw (${((performance.now() - t1) / 1000).toFixed(0)} s)`);
  }
  rows.push(tableRow(String(n), `calibrated${kernelRows ? ', per-node labels' : ''} (${draws} draw${draws > 1 ? 's' : ''})`, perDraw));
  if (kernelRows) rows.push(tableRow(String(n), `calibrated, totals only (${draws} draw${draws > 1 ? 's' : ''})`, totalsOnly));
}
const short = (name: string): string => name.split(/[\\/]/).at(-1)!.replace(/\.onnx$/, '').replace(/^light_/, '');
console.log(
  `\nReal-model MAPE of a target calibrated on n generated graphs measured on ${here}: the real models measured in this run, raw and × ${speed.toFixed(3)} (the reference graph's speed of the labels over its speed now); APE per model against the latter, mean over the draws:\n\n` +
    markdownTable([['samples', 'predictor', "real-model MAPE (labels' speed)", 'real-model MAPE (raw)', ...real.map((r) => `${short(r.name)} (${r.corrected.toPrecision(3)} ms)`)], ...rows], { align: ['r', 'l', 'r', 'r', ...real.map(() => 'r' as const)] }),
);
