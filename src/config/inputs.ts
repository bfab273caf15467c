/**
 * Action inputs and the CLI options they share, parsed and validated. Pure: the caller passes a
 * getter (`core.getInput` in the action, an object lookup in tests and the CLI).
 */
import { ConfigError } from '../core/errors.ts';
import type { BudgetRule } from '../report/budget.ts';
import { parsePercent } from '../report/units.ts';

/**
 * Default model globs: ONNX, TFLite and TF.js graph models (a `model.json` that is not a TF.js
 * graph model is skipped, see `src/formats/detect.ts` `isModelFile`).
 */
export const DEFAULT_MODELS = ['**/*.onnx', '**/*.tflite', '**/model.json'];
/** Default target ids. */
export const DEFAULT_TARGETS = ['raspberry-pi-4', 'pixel-3'];
/** Default budgets file, optional: a missing file at this path means "no file budgets". */
export const DEFAULT_CONFIG = '.github/edgeperf.yml';

/** Validated action inputs. */
export interface ActionInputs {
  /** Globs over repo-relative paths selecting the model files to report. */
  models: string[];
  /** Target ids (validated against the predictor's registry later). */
  targets: string[];
  /** Relative limit applied to every metric and target (0.05 = 5 %), `null` = none. */
  maxIncrease: number | null;
  /** Repo-relative path of the budgets file. */
  config: string;
  /** True when `config` is the default path (then a missing file is fine). */
  configIsDefault: boolean;
  /** Post (or update) the PR comment. */
  comment: boolean;
  /** Distinguishes several EdgePerf comments on one PR; goes into the hidden marker. */
  commentKey: string;
  /** `error`: fail the check when an error-level budget is exceeded; `never`: only report. */
  failOn: 'error' | 'never';
  /** Concrete shapes for symbolic graph inputs, by input name; `undefined` when not given. */
  inputShapes: Record<string, number[]> | undefined;
  /** Token for the GitHub API. */
  token: string;
  /** Globs (workspace-relative) of calibrated target files (`edgeperf calibrate`); empty = none. */
  customTargets: string[];
}

/**
 * Splits a list on newlines and commas, except commas inside `{...}` (glob alternatives),
 * trimming items and dropping empty ones.
 */
export function splitList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '{') depth++;
    if (ch === '}') depth = Math.max(0, depth - 1);
    if (ch === '\n' || ch === '\r' || (ch === ',' && depth === 0)) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

const TARGET_ID = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * Parses a target list ("raspberry-pi-4, pixel-3"); empty gives the defaults.
 * @throws ConfigError naming `source` for a malformed id
 */
export function parseTargets(text: string, source = 'targets'): string[] {
  const ids = splitList(text);
  for (const id of ids) {
    if (!TARGET_ID.test(id)) {
      throw new ConfigError(source, `'${id}' is not a target id; write ids separated by commas, e.g. "raspberry-pi-4,pixel-3"`);
    }
  }
  return ids.length > 0 ? [...new Set(ids)] : [...DEFAULT_TARGETS];
}

/**
 * Parses `input-shapes`: "input=1x3x224x224; other=1x10" (entries separated by `;` or newlines).
 * Empty text gives `undefined`.
 * @throws ConfigError naming `source` for a malformed entry
 */
export function parseInputShapes(text: string, source = 'input-shapes'): Record<string, number[]> | undefined {
  const entries = text
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return undefined;
  const out: Record<string, number[]> = {};
  for (const e of entries) {
    const m = /^([^=\s][^=]*?)\s*=\s*([0-9]+(?:\s*x\s*[0-9]+)*)$/i.exec(e);
    if (!m) {
      throw new ConfigError(source, `'${e}' is not NAME=DIMS; write e.g. "input=1x3x224x224; other=1x10"`);
    }
    out[m[1]!] = m[2]!.split(/\s*x\s*/i).map(Number);
  }
  return out;
}

/**
 * Parses a relative limit input ("5%"); empty gives `null`.
 * @throws ConfigError naming `source`
 */
export function parseMaxIncrease(text: string, source = 'max-increase'): number | null {
  if (text.trim() === '') return null;
  const f = parsePercent(text);
  if (typeof f === 'string') throw new ConfigError(source, f);
  return f;
}

/** The rule `max-increase` stands for: every model, target and metric, level error. */
export function maxIncreaseRule(fraction: number, source = "input 'max-increase'"): BudgetRule {
  return { models: '**', target: '*', metric: '*', maxIncrease: { kind: 'percent', fraction }, level: 'error', source };
}

function parseBool(text: string, name: string, dflt: boolean): boolean {
  const t = text.trim();
  if (t === '') return dflt;
  if (['true', 'True', 'TRUE'].includes(t)) return true;
  if (['false', 'False', 'FALSE'].includes(t)) return false;
  throw new ConfigError(name, `'${t}' is not a boolean; write true or false`);
}

/**
 * Reads and validates every input.
 * @param get returns the raw input value ('' when unset), e.g. `core.getInput`
 * @throws ConfigError naming the input for any invalid value
 */
export function parseInputs(get: (name: string) => string): ActionInputs {
  const models = splitList(get('models'));
  const commentKey = get('comment-key').trim() || 'default';
  if (!/^[A-Za-z0-9._-]+$/.test(commentKey)) {
    throw new ConfigError('comment-key', `'${commentKey}' may use only letters, digits, '.', '_' and '-'`);
  }
  const failOn = get('fail-on').trim() || 'error';
  if (failOn !== 'error' && failOn !== 'never') {
    throw new ConfigError('fail-on', `'${failOn}' is not one of: error, never`);
  }
  const config = get('config').trim() || DEFAULT_CONFIG;
  return {
    models: models.length > 0 ? models : [...DEFAULT_MODELS],
    targets: parseTargets(get('targets')),
    maxIncrease: parseMaxIncrease(get('max-increase')),
    config,
    configIsDefault: config === DEFAULT_CONFIG,
    comment: parseBool(get('comment'), 'comment', true),
    commentKey,
    failOn,
    inputShapes: parseInputShapes(get('input-shapes')),
    token: get('github-token').trim(),
    customTargets: splitList(get('custom-targets')),
  };
}
