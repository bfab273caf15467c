/**
 * Per-op summaries of an analysis, for `edgeperf inspect` (the CLI renders them).
 */
import type { ModelAnalysis } from '../core/types.ts';

/** One row of the per-op table. */
export interface OpRow {
  /** Canonical op name (domain-qualified when not the default domain). */
  op: string;
  /** Executed nodes of this op. */
  count: number;
  /** Total multiply-accumulates. */
  macs: number;
  /** Weight elements read by these nodes (a weight shared by two nodes counts in both). */
  params: number;
  /** Bytes written by these nodes. */
  outputBytes: number;
}

/**
 * Per-op aggregation of `analysis.costs`, sorted by MACs (descending), then count, then name.
 */
export function perOpTable(analysis: ModelAnalysis): OpRow[] {
  const rows = new Map<string, OpRow>();
  analysis.costs.forEach((c, i) => {
    const n = analysis.graph.nodes[i];
    const op = n && n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${c.op}` : c.op;
    const r = rows.get(op) ?? { op, count: 0, macs: 0, params: 0, outputBytes: 0 };
    r.count += 1;
    r.macs += c.macs;
    r.params += c.params;
    r.outputBytes += c.outputBytes;
    rows.set(op, r);
  });
  return [...rows.values()].sort((a, b) => b.macs - a.macs || b.count - a.count || (a.op < b.op ? -1 : 1));
}

/** Op → node count of the executed graph (a histogram), sorted by count. */
export function opHistogram(analysis: ModelAnalysis): Array<{ op: string; count: number }> {
  return perOpTable(analysis)
    .map(({ op, count }) => ({ op, count }))
    .sort((a, b) => b.count - a.count || (a.op < b.op ? -1 : 1));
}
