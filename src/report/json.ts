/**
 * The machine-readable report (the action's `report` output points at a file holding it).
 * Pure; snake_case keys; values in the units named by each entry's `unit`.
 */
import type { Report } from './report.ts';

/** Version of the JSON report format; bumped on incompatible changes. */
export const REPORT_VERSION = 1;

/**
 * One (target, metric) entry of a model, or a per-model metric (`target: "*"`). Its `target`,
 * `metric`, `unit`, `value`, `interval`, `ood`, `ood_reasons` are the prediction shape printed by
 * `edgeperf predict --json`, for the head version.
 */
export interface JsonEntry {
  target: string;
  metric: string;
  /** `ms`, `mJ`, `B` (bytes) or `""` (count). */
  unit: string;
  /** The head value (same as `head`; `null` when the model was removed or its head failed). */
  value: number | null;
  base: number | null;
  head: number | null;
  delta: number | null;
  /** Fraction: 0.14 = +14 %. */
  delta_pct: number | null;
  status: string;
  interval: [number, number] | null;
  ood: boolean;
  ood_reasons: string[];
  budget: { level: string; violations: { level: string; text: string; source: string }[] };
}

/** The JSON report. */
export interface JsonReport {
  version: number;
  tool: 'edgeperf';
  key: string;
  exceeded: boolean;
  summary: { models: number; budget_errors: number; budget_warnings: number; reason: string };
  targets: { id: string; device: string; runtime: string; metrics: string[]; accuracy: unknown }[];
  models: {
    file: string;
    previous_file: string | null;
    status: string;
    errors: string[];
    /** Sides compiled for an accelerator (cost not predictable from the graph); not errors. */
    not_predictable: string[];
    compiled_for: string | null;
    base: JsonStats | null;
    head: JsonStats | null;
    entries: JsonEntry[];
    top_layers: { name: string; op: string; status: string; deltas: { target: string; metric: string; unit: string; base: number; head: number; delta: number }[] }[];
    unsupported_ops: string[];
    warnings: string[];
  }[];
}

/** Size figures of one side. */
export interface JsonStats {
  nodes: number;
  macs: number;
  params: number;
  memory: { weights_bytes: number; peak_activation_bytes: number };
}

/** Converts the report to its JSON shape (call `JSON.stringify` on the result). */
export function toJsonReport(report: Report): JsonReport {
  const stats = (s: Report['models'][number]['base']): JsonStats | null =>
    s && {
      nodes: s.nodes,
      macs: s.macs,
      params: s.params,
      memory: { weights_bytes: s.weightsBytes, peak_activation_bytes: s.peakActivationBytes },
    };
  return {
    version: REPORT_VERSION,
    tool: 'edgeperf',
    key: report.key,
    exceeded: report.budget.exceeded,
    summary: {
      models: report.models.length,
      budget_errors: report.budget.errors,
      budget_warnings: report.budget.warnings,
      reason: report.budget.reason,
    },
    targets: report.targets.map((t) => ({
      id: t.id,
      device: t.device,
      runtime: t.runtime,
      metrics: t.metrics,
      accuracy: t.accuracy ?? null,
    })),
    models: report.models.map((m) => ({
      file: m.file,
      previous_file: m.previousFile ?? null,
      status: m.status,
      errors: m.errors,
      not_predictable: m.notPredictable ?? [],
      compiled_for: m.compiledFor ?? null,
      base: stats(m.base),
      head: stats(m.head),
      entries: m.rows.map((r) => ({
        target: r.target,
        metric: r.metric,
        unit: r.unit,
        value: r.head,
        base: r.base,
        head: r.head,
        delta: r.delta,
        delta_pct: r.deltaPct,
        status: r.status,
        interval: r.interval ?? null,
        ood: r.ood ?? false,
        ood_reasons: r.oodReasons ?? [],
        budget: { level: r.verdict.level, violations: r.verdict.violations },
      })),
      top_layers: m.layers,
      unsupported_ops: m.unsupportedOps,
      warnings: m.warnings,
    })),
  };
}
