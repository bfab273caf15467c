/**
 * `edgeperf calibrate`: fits a custom target from your own measurements (the JSON lines
 * `edgeperf measure --json` prints) by fine-tuning a new head on the frozen bundled encoder, and
 * writes the target file that `--custom-targets` / the action's `custom-targets` input load.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { analyzeModel } from '../core/analyze.ts';
import { ConfigError, describeError, UnknownTargetError } from '../core/errors.ts';
import type { LoadOptions } from '../core/types.ts';
import { initBackend } from '../predict/backend.ts';
import {
  CALIBRATION_GUARD,
  calibrateTarget,
  CUSTOM_TARGET_FORMAT,
  CUSTOM_TARGET_ID,
  encoderFingerprint,
  calibrationExample,
  headToJson,
  type CalibrationExample,
  type CustomTargetFile,
} from '../predict/custom-target.ts';
import { CALIBRATION_OP_SHARE, CALIBRATION_RANGE_FACTOR } from '../predict/ood.ts';
import { loadBundledModel } from '../predict/predictor.ts';
import { bundledTargets } from '../predict/targets.ts';
import { EXIT } from './common.ts';

/** Fewest usable measurements `calibrate` accepts. */
export const MIN_MEASUREMENTS = 10;

/** Options of `calibrate`. */
export interface CalibrateCommandOptions {
  /** New target id. */
  target: string;
  /** JSONL file of `edgeperf measure --json`. */
  measurements: string;
  /** Bundled target to start from (default `cpu-onnxruntime` when bundled, else `raspberry-pi-4`). */
  baseTarget?: string;
  /** Output file (default `edgeperf-targets/<target>.json`). */
  output?: string;
  /** Extra folder to look for the measured model files in. */
  modelsDir?: string;
  /** Device description (default: the CPU named in the measurements). */
  device?: string;
  /**
   * Kernel times of `measure --profile` lines as per-node labels: `auto` (default) only when every
   * line was measured with graph optimisation `disabled`, `on`, `off`. With optimisation `all`
   * they did not help (train/README.md, "Per-node labels"): onnxruntime's fusions
   * (SkipLayerNormalization, NCHWc reorders) leave kernels no graph node names.
   */
  nodeLabels?: 'auto' | 'on' | 'off';
  /** Working directory (tests); default `process.cwd()`. */
  cwd?: string;
  /** Where messages go (default stdout / stderr). */
  out?: (s: string) => void;
  err?: (s: string) => void;
}

/** One line of `measure --json` (the fields calibrate reads). */
export interface MeasureLine {
  file: string;
  median_ms: number;
  runtime?: string;
  ort_version?: string;
  threads?: number;
  optimization?: string;
  cpu?: string;
  machine?: Record<string, string | number>;
  /** Kernel ms by onnxruntime node name (`measure --profile`): per-node labels. */
  kernels_ms?: Record<string, number>;
  /** Dims fed to every input, by name (`measure` writes them): the model is analysed at these shapes. */
  input_shapes?: Record<string, number[]>;
}

/**
 * The analysis options of a measurement line: its `input_shapes` (the dims `measure` fed, e.g.
 * `--input-shapes` of a model with dynamic dims), so the graph calibrated on is the one timed;
 * undefined when `input_shapes` is present but not an object of positive-integer dim lists.
 */
export function measuredShapes(m: Pick<MeasureLine, 'input_shapes'>): LoadOptions | undefined {
  if (m.input_shapes === undefined) return {};
  const parsed = inputShapesSchema.safeParse(m.input_shapes);
  return parsed.success ? { inputShapes: parsed.data } : undefined;
}

/** `input_shapes` of a measurement line: input name → positive-integer dims. */
const inputShapesSchema = z.record(z.string(), z.array(z.number().int().positive()));

/** The default base target: `cpu-onnxruntime` when the bundled weights have it, else `raspberry-pi-4`. */
export function defaultBaseTarget(): string {
  const ids = bundledTargets().targets.map((t) => t.id);
  return ids.includes('cpu-onnxruntime') ? 'cpu-onnxruntime' : 'raspberry-pi-4';
}

/** First existing of: `file` as given (relative to cwd), relative to the JSONL's folder, under `modelsDir`. */
function resolveModelFile(file: string, cwd: string, jsonlDir: string, modelsDir: string | undefined): string | undefined {
  if (isAbsolute(file)) return existsSync(file) ? file : undefined;
  const candidates = [resolve(cwd, file), resolve(jsonlDir, file)];
  if (modelsDir) candidates.push(resolve(cwd, modelsDir, file));
  return candidates.find((c) => existsSync(c));
}

const fmtPct = (v: number): string => `${v.toFixed(1)}%`;

/**
 * Runs `calibrate`: reads and analyses the measured models, calibrates, prints the
 * cross-validated accuracy and writes the target file.
 * @returns exit code 0
 * @throws ConfigError for a bad id, unreadable JSONL, or fewer than `MIN_MEASUREMENTS` usable lines;
 *   UnknownTargetError for an unknown base target
 */
export async function calibrateCommand(opts: CalibrateCommandOptions): Promise<number> {
  const out = opts.out ?? ((s: string) => process.stdout.write(s));
  const err = opts.err ?? ((s: string) => process.stderr.write(s));
  const cwd = opts.cwd ?? process.cwd();
  if (!CUSTOM_TARGET_ID.test(opts.target)) {
    throw new ConfigError('--target', `'${opts.target}' is not a target id; use letters, digits, '.', '_' and '-'`);
  }
  const bundled = bundledTargets().targets;
  if (bundled.some((t) => t.id === opts.target)) {
    throw new ConfigError('--target', `'${opts.target}' is a bundled target; choose a new id for your device`);
  }
  const baseTarget = opts.baseTarget ?? defaultBaseTarget();
  const base = bundled.find((t) => t.id === baseTarget);
  const baseHead = base?.heads.latency;
  if (!base || !baseHead) throw new UnknownTargetError(baseTarget, bundled.filter((t) => t.heads.latency).map((t) => t.id));

  const jsonlPath = resolve(cwd, opts.measurements);
  let text: string;
  try {
    text = await readFile(jsonlPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(opts.measurements, code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (e as Error).message})`);
  }
  const jsonlDir = dirname(jsonlPath);
  const pending: Array<{ where: string; path: string; m: MeasureLine; load: LoadOptions }> = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const where = `${opts.measurements}:${i + 1}`;
    const line = raw.trim();
    if (line === '') return;
    let m: MeasureLine;
    try {
      m = JSON.parse(line) as MeasureLine;
    } catch {
      err(`edgeperf: warning: ${where}: not a JSON object, skipped\n`);
      return;
    }
    if (typeof m !== 'object' || m === null || typeof m.file !== 'string' || !(typeof m.median_ms === 'number' && m.median_ms > 0 && Number.isFinite(m.median_ms))) {
      err(`edgeperf: warning: ${where}: needs "file" and a positive "median_ms" (a line of 'edgeperf measure --json'), skipped\n`);
      return;
    }
    const load = measuredShapes(m);
    if (!load) {
      err(`edgeperf: warning: ${where}: "input_shapes" must map input names to lists of positive integers (as 'edgeperf measure --json' writes them), skipped\n`);
      return;
    }
    const path = resolveModelFile(m.file, cwd, jsonlDir, opts.modelsDir);
    if (!path) {
      err(`edgeperf: warning: ${where}: model file '${m.file}' not found (relative to the working directory, ${jsonlDir}${opts.modelsDir ? ` or ${opts.modelsDir}` : ''}), skipped\n`);
      return;
    }
    if (seen.has(path)) err(`edgeperf: warning: ${where}: '${m.file}' measured again; both measurements are used\n`);
    seen.add(path);
    pending.push({ where, path, m, load });
  });
  // Analyse after parsing (so JSON warnings come first, in file order).
  const usable: CalibrationExample[] = [];
  const usableLines: MeasureLine[] = [];
  const profiled = { examples: 0, matched: 0, kernels: 0 };
  const opsMeasured = new Set<string>();
  for (const { where, path, m, load } of pending) {
    try {
      const analysis = analyzeModel(new Uint8Array(await readFile(path)), m.file, load);
      if (analysis.compiledFor) {
        err(`edgeperf: warning: ${where}: '${m.file}' is compiled for ${analysis.compiledFor} (one opaque op: no graph to predict), skipped\n`);
        continue;
      }
      const kernels = m.kernels_ms && typeof m.kernels_ms === 'object' ? m.kernels_ms : undefined;
      const e = calibrationExample(analysis, m.median_ms, m.file, kernels);
      usable.push(e.example);
      usableLines.push(m);
      e.ops.forEach((op) => opsMeasured.add(op));
      if (e.example.kernels) profiled.examples++;
      profiled.matched += e.matched;
      profiled.kernels += e.kernels;
    } catch (x) {
      err(`edgeperf: warning: ${where}: '${m.file}' cannot be analysed (${describeError(x)}), skipped\n`);
    }
  }
  if (usable.length < MIN_MEASUREMENTS) {
    throw new ConfigError(
      opts.measurements,
      `${usable.length} usable measurement(s), calibrate needs at least ${MIN_MEASUREMENTS} (250 give the best accuracy); ` +
        `measure more models with 'edgeperf measure --json'`,
    );
  }
  const first = usableLines[0]!;
  for (const key of ['ort_version', 'threads', 'optimization', 'cpu'] as const) {
    const values = new Set(usableLines.map((l) => String(l[key])));
    if (values.size > 1) err(`edgeperf: warning: ${opts.measurements}: measurements differ in ${key} (${[...values].join(', ')}); calibrating one target from all of them\n`);
  }

  await initBackend();
  const model = loadBundledModel();
  const t0 = performance.now();
  out(`Calibrating '${opts.target}' from ${usable.length} measurements, base target ${baseTarget} (5-fold cross-validation)...\n`);
  if (profiled.examples > 0) {
    const mode = opts.nodeLabels ?? 'auto';
    const optimised = usableLines.filter((l) => l.kernels_ms && l.optimization !== 'disabled').length;
    const use = mode === 'on' || (mode === 'auto' && optimised === 0);
    if (!use) for (const e of usable) delete e.kernels;
    out(
      `per-node labels: ${profiled.examples} of ${usable.length} measurements carry kernel times (measure --profile); ${profiled.matched} of ${profiled.kernels} kernels matched a graph node; ` +
        (use ? 'used' : mode === 'off' ? 'not used (--node-labels off)' : `not used: ${optimised} measured with graph optimisation on, where they did not help (--node-labels on to use them)`) +
        '\n',
    );
  }
  const fit = calibrateTarget(usable, model, baseHead);
  const secs = (performance.now() - t0) / 1000;
  const ms = usable.map((e) => e.ms);
  const runtime = `${first.runtime ?? 'onnxruntime-node'} ${first.ort_version ?? ''}`.trim();
  const file: CustomTargetFile = {
    format: CUSTOM_TARGET_FORMAT,
    id: opts.target,
    device: opts.device ?? first.cpu ?? 'unknown device',
    runtime: `${runtime}, ${first.threads ?? '?'} thread(s), graph optimization ${first.optimization ?? '?'}`,
    baseTarget,
    metric: 'latency',
    unit: 'ms',
    encoderFingerprint: encoderFingerprint(model),
    head: headToJson(fit.head, model),
    interval: fit.interval,
    accuracy: fit.accuracy,
    trainingCount: usable.length,
    labelRange: [Math.min(...ms), Math.max(...ms)],
    measurement: {
      runtime: first.runtime ?? 'onnxruntime-node',
      ortVersion: first.ort_version ?? 'unknown',
      threads: Number.isInteger(first.threads) && (first.threads as number) > 0 ? (first.threads as number) : 1,
      optimization: first.optimization ?? 'unknown',
      cpu: first.cpu ?? 'unknown',
      machine: first.machine ?? {},
      source: opts.measurements,
    },
    created: new Date().toISOString(),
    opsMeasured: [...opsMeasured].sort(),
  };
  const outPath = opts.output ?? join('edgeperf-targets', `${opts.target}.json`);
  const full = resolve(cwd, outPath);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, JSON.stringify(file, null, 2) + '\n');
  const a = fit.accuracy;
  out(
    [
      `cross-validated (${a.folds}-fold, ${a.n} models): MAPE ${fmtPct(a.mape)}, within ±10% ${fmtPct(100 * a.within10)}, Kendall τ ${a.kendallTau.toFixed(3)}`,
      `90% interval: measured/predicted ${fit.interval.lo.toFixed(3)}–${fit.interval.hi.toFixed(3)}`,
      `base head ${baseTarget} rescaled ×${fit.rescale.toPrecision(3)}; training log-error ${Math.sqrt(fit.loss.start).toFixed(3)} → ${Math.sqrt(fit.loss.end).toFixed(3)} (rms); ${secs.toFixed(1)} s`,
      ...(fit.guard
        ? [
            Number.isFinite(fit.guard.decay)
              ? `trust region: the free fit moved the prediction of an unmeasured generated graph more than ×${CALIBRATION_GUARD} from the base head; refitted with a ${fit.guard.factor.toFixed(0)}× stronger pull toward it (measure more graphs like yours to lift this)`
              : `trust region: every fit moved the prediction of an unmeasured generated graph more than ×${CALIBRATION_GUARD}; kept the base head with rescaled rates (measure more graphs like yours)`,
          ]
        : []),
      `op types measured (${file.opsMeasured!.length}): ${file.opsMeasured!.join(', ')}; measured ${file.labelRange.map((v) => v.toPrecision(3)).join('–')} ms. ` +
        `Predictions that spend ≥ ${Math.round(100 * CALIBRATION_OP_SHARE)}% of their time in other ops, or fall ×${CALIBRATION_RANGE_FACTOR} outside that range, are flagged out of distribution`,
      `wrote ${outPath}: use it with custom-targets: ${outPath} and targets: ${opts.target}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
