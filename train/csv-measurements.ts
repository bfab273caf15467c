/**
 * Turns passes of train/measure-random.ts CSVs into what `edgeperf calibrate` reads: the graphs
 * as .onnx files and one `edgeperf measure --json` line per graph, so a committed dataset goes
 * through the user's own calibration path (src/cli/calibrate.ts) unchanged.
 *
 *   node --import tsx train/csv-measurements.ts --csv A.csv[,B.csv...] --out DIR
 *        [--threads 1] [--optimization all|disabled]
 *
 * Writes DIR/<family>-<seed>.onnx (rebuilt bit for bit from family and seed, src/synth/random)
 * and DIR/measurements.jsonl. `median_ms` is the graph's label as the corpus and the calibration
 * bench read it (train/corpus.ts `readRandomRows`: each pass drift-corrected by its reference
 * graph, then the geometric mean of the passes); `cpu` and `ort_version` come from the first
 * CSV's rows. The CSV has no thread or optimisation column: pass them as the passes were
 * measured (`--threads`, default 1; `--optimization`, default all).
 * @throws Error naming the CSV when a file is missing or malformed (from `readRandomCsv`)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildRandomOnnx } from '../src/synth/random/index.ts';
import { randomCsvInfo, readRandomRows } from './corpus.ts';
import { argValue } from './dataset.ts';

const csvs = (argValue('csv') ?? '').split(',').filter(Boolean).map((f) => resolve(f));
const outDir = argValue('out');
if (!csvs.length || !outDir) {
  console.error('usage: node --import tsx train/csv-measurements.ts --csv A.csv[,B.csv...] --out DIR [--threads 1] [--optimization all|disabled]');
  process.exit(2);
}
const threads = Number(argValue('threads') ?? 1);
const optimization = argValue('optimization') ?? 'all';
if (!(Number.isInteger(threads) && threads > 0) || !['all', 'disabled'].includes(optimization)) {
  console.error(`--threads must be a positive integer and --optimization all or disabled (got ${threads}, ${optimization})`);
  process.exit(2);
}

const { cpu, ortVersion } = randomCsvInfo(csvs[0] as string);

mkdirSync(outDir, { recursive: true });
const lines = readRandomRows(csvs).map((r) => {
  const file = `${r.family}-${r.seed}.onnx`;
  writeFileSync(join(outDir, file), buildRandomOnnx(r.family, r.seed));
  return JSON.stringify({ file, runtime: 'onnxruntime-node', ort_version: ortVersion, threads, optimization, cpu, median_ms: r.ms, cv: r.cv });
});
writeFileSync(join(outDir, 'measurements.jsonl'), lines.join('\n') + '\n');
console.log(`${lines.length} graphs from ${csvs.length} file(s) written to ${outDir} (measurements.jsonl + .onnx)`);
