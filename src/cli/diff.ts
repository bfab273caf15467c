/** `edgeperf diff BASE HEAD`: the PR comment for one pair of model files. */
import { readFile } from 'node:fs/promises';
import { parseBudgetsFile } from '../config/budgets-file.ts';
import { maxIncreaseRule } from '../config/inputs.ts';
import { ConfigError } from '../core/errors.ts';
import { createEvaluator } from '../core/pipeline.ts';
import type { BudgetRule } from '../report/budget.ts';
import { toJsonReport } from '../report/json.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { buildReport } from '../report/report.ts';
import { EXIT, predictorFor, readModel, loadOptionsFor } from './common.ts';

/** Options of `diff`. */
export interface DiffCommandOptions {
  target: string[];
  json?: boolean;
  inputShapes?: Record<string, number[]>;
  /** Fraction (0.05 = 5 %). */
  maxIncrease?: number | null;
  /** Budgets file path. */
  config?: string;
  /** Globs of calibrated target files (`edgeperf calibrate`). */
  customTargets?: string[];
}

/**
 * Prints the Markdown comment (or the JSON report) comparing `base` with `head`; the model is
 * named by the head path.
 * @returns 1 when an error-level budget is exceeded, else 0
 */
export async function diffCommand(base: string, head: string, opts: DiffCommandOptions): Promise<number> {
  const rules: BudgetRule[] = [];
  if (opts.config) {
    let text: string;
    try {
      text = await readFile(opts.config, 'utf8');
    } catch {
      throw new ConfigError('--config', `cannot read '${opts.config}'`);
    }
    rules.push(...parseBudgetsFile(text, opts.config));
  }
  if (opts.maxIncrease != null) rules.push(maxIncreaseRule(opts.maxIncrease, "option '--max-increase'"));
  const [baseBytes, headBytes] = [await readModel(base), await readModel(head)];
  const { predictor, targets } = await predictorFor(opts.target, opts.customTargets);
  const evaluate = createEvaluator(predictor, targets.map((t) => t.id), opts.inputShapes ? { inputShapes: opts.inputShapes } : {});
  const baseResult = await evaluate(baseBytes, base, (await loadOptionsFor(base, baseBytes, {})).weightShards);
  const headResult = await evaluate(headBytes, head, (await loadOptionsFor(head, headBytes, {})).weightShards);
  const report = buildReport([{ file: head, base: baseResult, head: headResult }], rules, targets);
  process.stdout.write(opts.json ? JSON.stringify(toJsonReport(report), null, 2) + '\n' : renderMarkdown(report));
  return report.budget.exceeded ? EXIT.failed : EXIT.ok;
}
