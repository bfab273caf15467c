/**
 * Budgets: limits on head values (absolute) and on changes from base (relative or absolute),
 * per model glob × target × metric, at level warn or error. Pure: rules come parsed
 * (see src/config/budgets-file.ts and src/config/inputs.ts).
 */
import picomatch from 'picomatch';
import type { DiffRow, ModelDiff } from './diff.ts';
import { formatDelta, formatPercent, formatValue, type RowMetric } from './units.ts';

/** How bad a budget violation is: `warn` reports, `error` fails the check (with `fail-on: error`). */
export type BudgetLevel = 'warn' | 'error';

/** A limit on the change from base to head. */
export type IncreaseLimit =
  | { kind: 'percent'; /** Fraction: 0.05 = 5 %. */ fraction: number }
  | { kind: 'absolute'; /** In the metric's base unit (ms, mJ, bytes, count). */ amount: number };

/** One budget rule. */
export interface BudgetRule {
  /** Glob over repo-relative model paths (picomatch, dotfiles included); `**` = every model. */
  models: string;
  /** Target id, or `*` for every target. Ignored for per-model metrics (memory, macs, ...). */
  target: string;
  /** Metric, or `*` for every metric. */
  metric: RowMetric | '*';
  /** Largest allowed head value, in the metric's base unit (ms, mJ, bytes, count). */
  max?: number;
  /** Largest allowed increase from base; not applied to new models. */
  maxIncrease?: IncreaseLimit;
  level: BudgetLevel;
  /** Where the rule comes from, for messages: `input 'max-increase'`, `.github/edgeperf.yml budgets[2]`. */
  source: string;
}

/** One violated rule. */
export interface Violation {
  level: BudgetLevel;
  /** What exceeded what, e.g. `+14.0% > max +5.0%` or `12.4 ms > max 12.0 ms`. */
  text: string;
  /** The rule's source, e.g. `input 'max-increase'` or `.github/edgeperf.yml budgets[0]`. */
  source: string;
}

/** The budget outcome of one row. */
export interface Verdict {
  /** `none`: no rule applies to the row; `ok`: every applicable rule holds. */
  level: 'none' | 'ok' | BudgetLevel;
  /** Violated rules, errors first. */
  violations: Violation[];
}

/** A diff row with its budget verdict. */
export interface BudgetedRow extends DiffRow {
  verdict: Verdict;
}

/** A model diff whose rows carry budget verdicts. */
export interface BudgetedDiff extends Omit<ModelDiff, 'rows'> {
  rows: BudgetedRow[];
}

/** Totals over a report. */
export interface BudgetSummary {
  /** Rows over an error-level budget. */
  errors: number;
  /** Rows over a warn-level budget. */
  warnings: number;
  /** Rows at least one rule was checked on. */
  checked: number;
  /** True when any error-level budget is exceeded. */
  exceeded: boolean;
  /** One line for a failed check, e.g. `budget exceeded: a.onnx latency on pixel-3 +14.0% > max +5.0%`. */
  reason: string;
}

const matchers = new Map<string, (path: string) => boolean>();
function globMatch(glob: string, path: string): boolean {
  let m = matchers.get(glob);
  if (!m) {
    m = picomatch(glob, { dot: true });
    matchers.set(glob, m);
  }
  return m(path);
}

/** True when `rule` applies to `row` (model glob, target, metric). */
export function ruleApplies(rule: BudgetRule, row: DiffRow, previousFile?: string): boolean {
  if (rule.metric !== '*' && rule.metric !== row.metric) return false;
  if (rule.target !== '*' && row.target !== '*' && rule.target !== row.target) return false;
  return globMatch(rule.models, row.model) || (previousFile !== undefined && globMatch(rule.models, previousFile));
}

/** Describes a limit for messages: "max 12.0 ms", "max +5.0%", "max +2.00 ms". */
function describeLimit(rule: BudgetRule, metric: RowMetric): string {
  const parts: string[] = [];
  if (rule.max !== undefined) parts.push(`max ${formatValue(rule.max, metric)}`);
  if (rule.maxIncrease?.kind === 'percent') parts.push(`max ${formatPercent(rule.maxIncrease.fraction)}`);
  if (rule.maxIncrease?.kind === 'absolute') parts.push(`max ${formatDelta(rule.maxIncrease.amount, metric)}`);
  return parts.join(', ');
}

/**
 * Checks one row against every rule. Rows of removed or unanalysable models are never checked;
 * relative limits skip new models (no base). The worst violated level wins.
 */
export function checkRow(row: DiffRow, rules: BudgetRule[], previousFile?: string): Verdict {
  if (row.head === null || row.status === 'error' || row.status === 'removed') {
    return { level: 'none', violations: [] };
  }
  let level: Verdict['level'] = 'none';
  const found: Violation[] = [];
  for (const rule of rules) {
    if (!ruleApplies(rule, row, previousFile)) continue;
    const violations: string[] = [];
    let checked = false;
    if (rule.max !== undefined) {
      checked = true;
      if (row.head > rule.max) {
        violations.push(`${formatValue(row.head, row.metric)} > max ${formatValue(rule.max, row.metric)}`);
      }
    }
    if (rule.maxIncrease && row.delta !== null) {
      if (rule.maxIncrease.kind === 'percent' && row.deltaPct !== null) {
        checked = true;
        if (row.deltaPct > rule.maxIncrease.fraction) {
          violations.push(`${formatPercent(row.deltaPct)} > max ${formatPercent(rule.maxIncrease.fraction)}`);
        }
      } else if (rule.maxIncrease.kind === 'absolute') {
        checked = true;
        if (row.delta > rule.maxIncrease.amount) {
          violations.push(
            `${formatDelta(row.delta, row.metric)} > max ${formatDelta(rule.maxIncrease.amount, row.metric)}`,
          );
        }
      }
    }
    if (!checked) continue;
    if (level === 'none') level = 'ok';
    if (violations.length > 0) {
      found.push({ level: rule.level, text: violations.join('; '), source: rule.source });
      if (rule.level === 'error') level = 'error';
      else if (level !== 'error') level = 'warn';
    }
  }
  found.sort((a, b) => (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1));
  return { level, violations: found };
}

/** Attaches a verdict to every row of every model. */
export function applyBudgets(diffs: ModelDiff[], rules: BudgetRule[]): BudgetedDiff[] {
  return diffs.map((d) => ({
    ...d,
    rows: d.rows.map((r) => ({ ...r, verdict: checkRow(r, rules, d.previousFile) })),
  }));
}

/** Names a row for messages: "a.onnx latency on pixel-3" or "a.onnx memory". */
export function rowLabel(row: DiffRow): string {
  return row.target === '*' ? `${row.model} ${row.metric}` : `${row.model} ${row.metric} on ${row.target}`;
}

/** Counts verdicts and builds the one-line failure reason. */
export function summarizeBudgets(diffs: BudgetedDiff[]): BudgetSummary {
  const rows = diffs.flatMap((d) => d.rows);
  // Predicted metrics first, then the worst relative change, so the one-line reason names the
  // offender users care about most.
  const failing = rows
    .filter((r) => r.verdict.level === 'error')
    .sort(
      (a, b) =>
        Number(a.target === '*') - Number(b.target === '*') || (b.deltaPct ?? -Infinity) - (a.deltaPct ?? -Infinity),
    );
  const errors = failing.length;
  const warnings = rows.filter((r) => r.verdict.level === 'warn').length;
  const checked = rows.filter((r) => r.verdict.level !== 'none').length;
  let reason = '';
  if (errors > 0) {
    const first = failing[0]!;
    const v = first.verdict.violations[0]!;
    reason =
      `EdgePerf budget exceeded: ${rowLabel(first)} ${v.text} (${v.source})` +
      (errors > 1 ? ` and ${errors - 1} more` : '');
  }
  return { errors, warnings, checked, exceeded: errors > 0, reason };
}

/** A description of a rule's limits, for the report's legend. */
export function describeRule(rule: BudgetRule): string {
  const metric = rule.metric === '*' ? 'latency' : rule.metric;
  const limit = describeLimit(rule, metric);
  return `${rule.models} · ${rule.target} · ${rule.metric}: ${limit} (${rule.level}, ${rule.source})`;
}
