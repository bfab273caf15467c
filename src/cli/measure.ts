/** `edgeperf measure`: end-to-end latency of ONNX files with onnxruntime-node on this machine. */
import { ConfigError } from '../core/errors.ts';
import { measureFiles, type MeasureResult } from '../measure/ort.ts';
import { EXIT } from './common.ts';

/** Options of `measure`. */
export interface MeasureCommandOptions {
  /** Timed runs per file (default 30). */
  runs?: number;
  /** Warm-up runs per file (default 5). */
  warmup?: number;
  /** Threads (intra- and inter-op), default 1. */
  threads?: number;
  /** false for `--no-optimize` (graph optimisation `disabled`). */
  optimize?: boolean;
  json?: boolean;
  /** `--profile`: per-kernel times (`MeasureResult.kernels_ms`) from a profiled twin session. */
  profile?: boolean;
  inputShapes?: Record<string, number[]>;
}

/**
 * Parses a positive integer option value.
 * @throws ConfigError naming `source` for anything else
 */
export function parsePositiveInt(value: string, source: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(source, `'${value}' is not an integer ≥ ${min}`);
  return n;
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

/** The text table of results (times in ms), under a line naming the runtime, threads (with more than one, `measure` turns spin-waiting off: src/measure/ort.ts `ortSessionOptions`), optimisation level and CPU. */
export function formatMeasureTable(results: MeasureResult[]): string {
  if (results.length === 0) return '';
  const r0 = results[0] as MeasureResult;
  const head = `onnxruntime-node ${r0.ort_version} · ${r0.threads} thread(s)${r0.threads > 1 ? ' without spin-waiting' : ''} · optimization ${r0.optimization} · ${r0.cpu} (${r0.machine.cpus} CPUs, ${r0.machine.platform}-${r0.machine.arch})`;
  const rows = [
    ['file', 'median ms', 'p10 ms', 'p90 ms', 'CV', 'outliers', 'runs'],
    ...results.map((r) => [r.file, fmt(r.median_ms), fmt(r.p10_ms), fmt(r.p90_ms), `${(100 * r.cv).toFixed(1)}%`, String(r.outliers_rejected), String(r.runs)]),
  ];
  const widths = (rows[0] as string[]).map((_c, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [head, '', line(rows[0] as string[]), ...rows.slice(1).map(line)].join('\n') + '\n';
}

/**
 * Measures `files` and prints a table (or one JSON object per file per line with `--json`).
 * Files that fail are reported on stderr.
 * @returns exit code 0, or 1 when any file failed
 * @throws RuntimeMissingError when onnxruntime-node is not installed (exit 1, install hint)
 */
export async function measureCommand(files: string[], opts: MeasureCommandOptions): Promise<number> {
  const { results, failures, warnings } = await measureFiles(files, {
    runs: opts.runs ?? 30,
    warmup: opts.warmup ?? 5,
    threads: opts.threads ?? 1,
    optimize: opts.optimize !== false,
    profile: opts.profile === true,
    ...(opts.inputShapes ? { inputShapes: opts.inputShapes } : {}),
  });
  if (opts.json) for (const r of results) process.stdout.write(JSON.stringify(r) + '\n');
  else process.stdout.write(formatMeasureTable(results));
  for (const w of warnings) process.stderr.write(`edgeperf: warning: ${w.message}\n`);
  for (const f of failures) process.stderr.write(`edgeperf: ${f.error}\n`);
  return failures.length > 0 ? EXIT.failed : EXIT.ok;
}
