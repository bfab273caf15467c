/**
 * The budgets config file (default `.github/edgeperf.yml`). Pure: the caller reads the file and
 * passes its text. Format (documented in docs/usage.md):
 *
 * ```yaml
 * budgets:
 *   - models: "models/detector*.onnx"   # glob, default "**" (every model)
 *     target: pixel-3                   # target id or "*" (default)
 *     metric: latency                   # latency|energy|memory|weights|activations|macs|params|"*"; default latency
 *     max: 12 ms                        # absolute limit on the head value
 *     max_increase: 5%                  # limit on the change: "5%" or a quantity ("2 ms", "1 MB")
 *     level: error                      # error (default) | warn
 * ```
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import type { BudgetRule, IncreaseLimit } from '../report/budget.ts';
import { ALL_METRICS, parsePercent, parseQuantity, type RowMetric } from '../report/units.ts';

const quantity = z.union([z.string(), z.number()]);

const ruleSchema = z.strictObject({
  models: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  metric: z.enum(['*', ...ALL_METRICS]).optional(),
  max: quantity.optional(),
  max_increase: quantity.optional(),
  level: z.enum(['error', 'warn']).optional(),
});

const fileSchema = z.strictObject({
  budgets: z.array(ruleSchema).optional(),
});

function pathOf(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)),
    '',
  );
}

/**
 * Parses the budgets file.
 * @param text file content (YAML); empty text gives no rules
 * @param file path shown in messages
 * @returns the rules, each with `source` = `<file> budgets[i]`
 * @throws ConfigError naming the file and the bad key (e.g. `budgets[0].max_increase`)
 */
export function parseBudgetsFile(text: string, file: string): BudgetRule[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new ConfigError(file, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return [];
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = pathOf(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const where = at ? `${at}.` : '';
      const allowed = at ? Object.keys(ruleSchema.shape) : Object.keys(fileSchema.shape);
      throw new ConfigError(
        file,
        `unknown key '${where}${issue.keys[0]}'; allowed keys: ${allowed.join(', ')}`,
      );
    }
    throw new ConfigError(file, `${at || '(top level)'}: ${issue.message}`);
  }
  return (parsed.data.budgets ?? []).map((r, i) => {
    const at = `budgets[${i}]`;
    const metric = (r.metric ?? 'latency') as RowMetric | '*';
    const rule: BudgetRule = {
      models: r.models ?? '**',
      target: r.target ?? '*',
      metric,
      level: r.level ?? 'error',
      source: `${file} ${at}`,
    };
    if (r.max === undefined && r.max_increase === undefined) {
      throw new ConfigError(file, `${at}: set 'max' (e.g. "12 ms") or 'max_increase' (e.g. "5%"), or both`);
    }
    if (r.max !== undefined) {
      if (metric === '*') {
        throw new ConfigError(file, `${at}.max: an absolute limit needs one metric; set '${at}.metric'`);
      }
      const v = parseQuantity(String(r.max), metric);
      if (typeof v === 'string') throw new ConfigError(file, `${at}.max: ${v}`);
      rule.max = v;
    }
    if (r.max_increase !== undefined) {
      const limit = parseIncrease(r.max_increase, metric);
      if (typeof limit === 'string') throw new ConfigError(file, `${at}.max_increase: ${limit}`);
      rule.maxIncrease = limit;
    }
    return rule;
  });
}

/**
 * Parses an increase limit: "5%" (relative) or, for one metric, a quantity ("2 ms", "1 MB").
 * Returns an error string for the caller to wrap with its source.
 */
export function parseIncrease(value: string | number, metric: RowMetric | '*'): IncreaseLimit | string {
  const text = String(value).trim();
  if (text.endsWith('%')) {
    const f = parsePercent(text);
    return typeof f === 'string' ? f : { kind: 'percent', fraction: f };
  }
  if (metric === '*') return `'${text}' must be a percentage (e.g. "5%") when metric is "*"`;
  const q = parseQuantity(text, metric);
  return typeof q === 'string' ? q : { kind: 'absolute', amount: q };
}
