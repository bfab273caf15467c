/** `edgeperf predict FILE...`: analysis and predictions per file, text or JSON lines. */
import { markdownTable } from 'markdown-table';
import { evaluateModel } from '../core/pipeline.ts';
import type { LoadOptions, ModelResult } from '../core/types.ts';
import { describeError } from '../core/errors.ts';
import { formatBytes, formatCount, formatValue } from '../report/units.ts';
import { EXIT, loadOptionsFor, predictorFor, readModel } from './common.ts';

/** Options of `predict`. */
export interface PredictOptions {
  target: string[];
  json?: boolean;
  inputShapes?: Record<string, number[]>;
}

/** The JSON line printed per model (the format documented in docs/usage.md). */
export function predictJson(r: Extract<ModelResult, { ok: true }>): Record<string, unknown> {
  const a = r.analysis;
  return {
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
    warnings: a.warnings,
  };
}

function predictText(r: Extract<ModelResult, { ok: true }>): string {
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
  return lines.join('\n') + '\n';
}

/**
 * Runs `predict`; prints results to stdout and one line per failed file to stderr (JSON mode: a
 * `{"file","error"}` line on stdout). Continues past failures.
 * @returns the exit code: 1 when any file failed
 * @throws UnknownTargetError before reading any file
 */
export async function predictCommand(files: string[], opts: PredictOptions): Promise<number> {
  const { predictor, targets } = await predictorFor(opts.target);
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
      process.stdout.write(opts.json ? JSON.stringify(predictJson(r)) + '\n' : predictText(r) + '\n');
    } else {
      failed++;
      if (opts.json) process.stdout.write(JSON.stringify({ file, error: r.error }) + '\n');
      process.stderr.write(`edgeperf: ${r.error}\n`);
    }
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}
