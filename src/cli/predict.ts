/** `edgeperf predict FILE...`: analysis and predictions per file, text or JSON lines. */
import { markdownTable } from 'markdown-table';
import { evaluateModel } from '../core/pipeline.ts';
import type { LoadOptions, ModelResult } from '../core/types.ts';
import { describeError } from '../core/errors.ts';
import { breakdown, type Breakdown } from '../report/layers.ts';
import { formatBytes, formatCount, formatValue } from '../report/units.ts';
import { EXIT, loadOptionsFor, predictorFor, readModel } from './common.ts';

/** Options of `predict`. */
export interface PredictOptions {
  target: string[];
  json?: boolean;
  inputShapes?: Record<string, number[]>;
  /** Show the top N layers by predicted contribution per (target, metric). */
  breakdown?: number;
  /** Globs of calibrated target files (`edgeperf calibrate`). */
  customTargets?: string[];
}

/** Default number of layers of `--breakdown` without a value. */
export const DEFAULT_BREAKDOWN = 10;

/** The breakdowns of a result (top `top` layers per prediction with contributions). */
function breakdowns(r: Extract<ModelResult, { ok: true }>, top: number): Breakdown[] {
  return r.predictions.map((p) => breakdown(r.analysis, p, top)).filter((b): b is Breakdown => b !== null);
}

/** A breakdown in the JSON line's snake_case shape. */
function breakdownJson(b: Breakdown): Record<string, unknown> {
  return {
    target: b.target,
    metric: b.metric,
    unit: b.unit,
    value: b.value,
    layers: b.layers.map((l) => ({ name: l.name, op: l.op, macs: l.macs, value: l.value, share: l.share })),
    overhead: b.overhead,
    rest: b.rest,
  };
}

/**
 * The JSON line printed per model (the format documented in README's CLI section); with `top`,
 * a `breakdown` array (one entry per prediction) follows `predictions`.
 */
export function predictJson(r: Extract<ModelResult, { ok: true }>, top?: number): Record<string, unknown> {
  const a = r.analysis;
  const line: Record<string, unknown> = {
    file: a.file,
    format: a.format,
    nodes: a.nodes,
    macs: a.macs,
    params: a.params,
    memory: { weights_bytes: a.memory.weightsBytes, peak_activation_bytes: a.memory.peakActivationBytes },
    predictions: r.predictions.map((p) => ({
      target: p.target,
      metric: p.metric,
      unit: p.unit,
      value: p.value,
      interval: p.interval ?? null,
      ood: p.ood ?? false,
      ood_reasons: p.oodReasons ?? [],
    })),
  };
  if (top !== undefined) line.breakdown = breakdowns(r, top).map(breakdownJson);
  line.warnings = a.warnings;
  return line;
}

const share = (f: number) => `${(f * 100).toFixed(1)}%`;

/** One table per (target, metric): the top layers, the rest, the per-graph overhead. */
function breakdownText(b: Breakdown): string {
  const v = (x: number) => formatValue(x, b.metric);
  const rows = b.layers.map((l, i) => [String(i + 1), l.name, l.op, formatCount(l.macs), v(l.value), share(l.share)]);
  if (b.rest.layers > 0) rows.push(['', `(${b.rest.layers} other layers)`, '', '', v(b.rest.value), share(b.rest.share)]);
  rows.push(['', '(per-graph overhead)', '', '', v(b.overhead.value), share(b.overhead.share)]);
  const title = `Top ${b.layers.length} layers on ${b.target}, ${b.metric} ${v(b.value)}:`;
  const header = ['#', 'Layer', 'Op', 'MACs', b.unit, 'Share'];
  return `${title}\n${markdownTable([header, ...rows], { align: ['r', 'l', 'l', 'r', 'r', 'r'] })}`;
}

function predictText(r: Extract<ModelResult, { ok: true }>, top?: number): string {
  const a = r.analysis;
  const lines = [
    `${a.file}: ${a.format}, ${a.nodes} nodes, ${formatCount(a.macs)} MACs, ${formatCount(a.params)} params, ` +
      `weights ${formatBytes(a.memory.weightsBytes)}, peak activations ${formatBytes(a.memory.peakActivationBytes)}`,
  ];
  const rows = r.predictions.map((p) => {
    const metric = p.metric;
    return [
      p.target,
      metric,
      formatValue(p.value, metric),
      p.interval ? `${formatValue(p.interval[0], metric)} – ${formatValue(p.interval[1], metric)}` : 'n/a',
      p.ood ? 'yes' : 'no',
    ];
  });
  lines.push(markdownTable([['Target', 'Metric', 'Predicted', 'Interval', 'Out of distribution'], ...rows], { align: ['l', 'l', 'r', 'r', 'l'] }));
  const reasons = [...new Set(r.predictions.flatMap((p) => p.oodReasons ?? []))];
  for (const x of reasons) lines.push(`out of distribution: ${x}`);
  if (a.unsupportedOps.length > 0) lines.push(`unsupported ops (0 MACs): ${a.unsupportedOps.join(', ')}`);
  for (const w of a.warnings) lines.push(`warning: ${w}`);
  if (top !== undefined) for (const b of breakdowns(r, top)) lines.push('', breakdownText(b));
  return lines.join('\n') + '\n';
}

/**
 * Runs `predict`; prints results to stdout and one line per failed file to stderr (JSON mode: a
 * `{"file","error"}` line on stdout). Continues past failures.
 * @returns the exit code: 1 when any file failed
 * @throws UnknownTargetError before reading any file
 */
export async function predictCommand(files: string[], opts: PredictOptions): Promise<number> {
  const { predictor, targets } = await predictorFor(opts.target, opts.customTargets);
  const ids = targets.map((t) => t.id);
  const load: LoadOptions = opts.inputShapes ? { inputShapes: opts.inputShapes } : {};
  let failed = 0;
  for (const file of files) {
    let r: ModelResult;
    try {
      const bytes = await readModel(file);
      r = await evaluateModel(bytes, file, predictor, ids, await loadOptionsFor(file, bytes, load));
    } catch (e) {
      r = { ok: false, file, error: describeError(e) };
    }
    if (r.ok) {
      process.stdout.write(opts.json ? JSON.stringify(predictJson(r, opts.breakdown)) + '\n' : predictText(r, opts.breakdown) + '\n');
    } else {
      failed++;
      if (opts.json) process.stdout.write(JSON.stringify({ file, error: r.error }) + '\n');
      process.stderr.write(`edgeperf: ${r.error}\n`);
    }
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
