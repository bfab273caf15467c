/**
 * The report: model diffs with budget verdicts and the targets they were predicted for — the one
 * value the Markdown comment and the JSON report are rendered from. Pure.
 */
import type { TargetInfo } from '../core/types.ts';
import { applyBudgets, summarizeBudgets, type BudgetedDiff, type BudgetRule, type BudgetSummary } from './budget.ts';
import { diffModels, type ModelPair } from './diff.ts';

/** Everything the renderers need. */
export interface Report {
  /** Comment key (hidden marker), `default` unless configured. */
  key: string;
  /** Globs that selected the models (shown when no model changed). */
  globs: string[];
  /** Per model, sorted by path. */
  models: BudgetedDiff[];
  /** The targets predicted, in the order the user named them. */
  targets: TargetInfo[];
  rules: BudgetRule[];
  budget: BudgetSummary;
}

/** Options of `buildReport`. */
export interface BuildReportOptions {
  key?: string;
  globs?: string[];
  /** Layers kept per model in the attribution (default 5). */
  topLayers?: number;
}

/** Diffs every pair, applies the rules, and summarises. */
export function buildReport(
  pairs: ModelPair[],
  rules: BudgetRule[],
  targets: TargetInfo[],
  opts: BuildReportOptions = {},
): Report {
  const sorted = [...pairs].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const diffs = diffModels(sorted, { topLayers: opts.topLayers ?? 5 });
  const order = new Map(targets.map((t, i) => [t.id, i]));
  for (const d of diffs) {
    // Predicted rows in the user's target order, then per-model rows.
    d.rows.sort((a, b) => (order.get(a.target) ?? 1e9) - (order.get(b.target) ?? 1e9));
  }
  const models = applyBudgets(diffs, rules);
  return {
    key: opts.key ?? 'default',
    globs: opts.globs ?? [],
    models,
    targets,
    rules,
    budget: summarizeBudgets(models),
  };
}
