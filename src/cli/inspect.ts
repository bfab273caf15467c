/** `edgeperf inspect FILE`: per-op table (count, MACs, params, output bytes), totals, warnings. */
import { markdownTable } from 'markdown-table';
import { analyzeModel } from '../core/analyze.ts';
import type { LoadOptions } from '../core/types.ts';
import { perOpTable } from '../graph/summary.ts';
import { formatBytes, formatCount } from '../report/units.ts';
import { loadOptionsFor, readModel } from './common.ts';

/**
 * Prints the per-op table of one model.
 * @throws ModelFormatError naming the file when it cannot be analysed
 */
export async function inspectCommand(file: string, opts: { json?: boolean; inputShapes?: Record<string, number[]> }): Promise<number> {
  const load: LoadOptions = opts.inputShapes ? { inputShapes: opts.inputShapes } : {};
  const bytes = await readModel(file);
  const a = analyzeModel(bytes, file, await loadOptionsFor(file, bytes, load));
  const rows = perOpTable(a);
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({
        file,
        format: a.format,
        ops: rows.map((r) => ({ op: r.op, count: r.count, macs: r.macs, params: r.params, output_bytes: r.outputBytes })),
        totals: { nodes: a.nodes, macs: a.macs, params: a.params, weights_bytes: a.memory.weightsBytes, peak_activation_bytes: a.memory.peakActivationBytes },
        unsupported_ops: a.unsupportedOps,
        ...(a.compiledFor ? { compiled_for: a.compiledFor } : {}),
        warnings: a.warnings,
      }) + '\n',
    );
    return 0;
  }
  const table = markdownTable(
    [
      ['Op', 'Count', 'MACs', 'Params', 'Output bytes'],
      ...rows.map((r) => [r.op, String(r.count), formatCount(r.macs), formatCount(r.params), formatBytes(r.outputBytes)]),
      ['Total', String(a.nodes), formatCount(a.macs), formatCount(a.params), formatBytes(rows.reduce((s, r) => s + r.outputBytes, 0))],
    ],
    { align: ['l', 'r', 'r', 'r', 'r'] },
  );
  const lines = [
    `${file}: ${a.format}, ${a.nodes} nodes, weights ${formatBytes(a.memory.weightsBytes)}, peak activations ${formatBytes(a.memory.peakActivationBytes)}`,
    table,
  ];
  if (a.unsupportedOps.length > 0) lines.push(`unsupported ops (counted as 0 MACs): ${a.unsupportedOps.join(', ')}`);
  for (const w of a.warnings) lines.push(`warning: ${w}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
