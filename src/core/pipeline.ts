/**
 * Bytes → analysis → predictions for one model version, with every failure turned into an error
 * result so one bad model never stops the report for the others.
 */
import { createHash } from 'node:crypto';
import { analyzeModel } from './analyze.ts';
import { compiledMessage } from '../formats/delegates.ts';
import { describeError, UnknownTargetError } from './errors.ts';
import type { LoadOptions, ModelResult, Predictor, TargetInfo } from './types.ts';

/**
 * Analyses `bytes` and predicts every target.
 * @param bytes the model file's content
 * @param file path shown to users (repo-relative in the action)
 * @param predictor a loaded predictor
 * @param targets target ids (unknown ids give an error result naming the known ones)
 * @param opts load options (input shapes)
 * @returns `{ok: true, analysis, predictions}`, `{ok: false, kind: 'compiled', compiledFor, file,
 *   error}` for a model compiled for an accelerator, or `{ok: false, kind: 'error', file, error}`;
 *   never rejects
 */
export async function evaluateModel(
  bytes: Uint8Array,
  file: string,
  predictor: Predictor,
  targets: string[],
  opts: LoadOptions = {},
): Promise<ModelResult> {
  try {
    const analysis = analyzeModel(bytes, file, opts);
    // A model compiled for an accelerator is one opaque op: predicting it would give the cost of
    // the few ops around it. Report it as a result without predictions, of kind `compiled`.
    if (analysis.compiledFor) {
      return { ok: false, kind: 'compiled', compiledFor: analysis.compiledFor, file, error: compiledMessage(file, analysis.compiledFor) };
    }
    const predictions = await predictor.predict(analysis, targets);
    return { ok: true, analysis, predictions };
  } catch (e) {
    const message = describeError(e);
    return { ok: false, kind: 'error', file, error: message.includes(file) ? message : `${file}: ${message}` };
  }
}

/**
 * `evaluateModel` bound to a predictor, targets and options; `weightShards` (TF.js weight files)
 * are per model version.
 */
export type Evaluator = (bytes: Uint8Array, file: string, weightShards?: Record<string, Uint8Array>) => Promise<ModelResult>;

/**
 * An evaluator that analyses identical bytes once (keyed by SHA-256 of the model and its weight
 * shards): a model unchanged between base and head, or renamed, costs one analysis. The cached
 * result is re-labelled with `file`.
 */
export function createEvaluator(predictor: Predictor, targets: string[], opts: LoadOptions = {}): Evaluator {
  const cache = new Map<string, Promise<ModelResult>>();
  return async (bytes, file, weightShards) => {
    const hash = createHash('sha256').update(bytes);
    for (const [p, b] of Object.entries(weightShards ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`\0${p}\0`).update(b);
    const key = hash.digest('hex');
    let pending = cache.get(key);
    if (!pending) {
      pending = evaluateModel(bytes, file, predictor, targets, weightShards ? { ...opts, weightShards } : opts);
      cache.set(key, pending);
    }
    const r = await pending;
    if (r.ok) return r.analysis.file === file ? r : { ...r, analysis: { ...r.analysis, file } };
    return r.file === file ? r : { ...r, file, error: r.error.split(r.file).join(file) };
  };
}

/**
 * Looks up each requested target id in the predictor's registry, keeping the requested order.
 * @throws UnknownTargetError (listing the known ids) for an unknown id
 */
export function resolveTargets(predictor: Predictor, ids: string[]): TargetInfo[] {
  const known = predictor.targets();
  return ids.map((id) => {
    const t = known.find((k) => k.id === id);
    if (!t) throw new UnknownTargetError(id, known.map((k) => k.id));
    return t;
  });
}
