/**
 * Base vs head comparison of model results: one row per (model, target, metric), model-level
 * rows (memory, MACs, params), and per-layer attribution of the predicted change. Pure.
 */
import type { ModelAnalysis, ModelResult, Prediction } from '../core/types.ts';
import { layerContributions, type LayerContribution } from './layers.ts';
import { METRIC_UNIT, MODEL_METRICS, type RowMetric } from './units.ts';

/**
 * How a model or a row changed between base and head. `compiled`: a side was compiled for an
 * accelerator, so its cost is not predictable from the graph (not a failure); `error`: a side
 * could not be analysed.
 */
export type DiffStatus = 'new' | 'removed' | 'changed' | 'unchanged' | 'compiled' | 'error';

/** One model path as the PR sees it, with the result of each side (`null` = file absent there). */
export interface ModelPair {
  /** Path at head (or at base for a removed file). */
  file: string;
  /** Path at base when the file was renamed. */
  previousFile?: string;
  base: ModelResult | null;
  head: ModelResult | null;
}

/** One compared value. */
export interface DiffRow {
  /** Model path (head path, or base path for a removed model). */
  model: string;
  /** Target id for predicted metrics; `'*'` for per-model metrics (memory, macs, params, ...). */
  target: string;
  metric: RowMetric;
  /** Base unit of the metric: ms, mJ, B (bytes) or '' (count). */
  unit: string;
  /** Value at base, `null` when the model is new at head (or the base could not be analysed). */
  base: number | null;
  /** Value at head, `null` when the model was removed (or the head could not be analysed). */
  head: number | null;
  /** head − base in `unit`, when both exist. */
  delta: number | null;
  /** (head − base) / base as a fraction (0.14 = +14 %), when both exist and base > 0. */
  deltaPct: number | null;
  status: DiffStatus;
  /** Head prediction interval [lo, hi] in `unit` (predicted metrics only). */
  interval?: [number, number];
  /** Head prediction is out of the target's training distribution. */
  ood?: boolean;
  oodReasons?: string[];
}

/** Change of one layer's predicted contribution for one (target, metric). */
export interface LayerDelta {
  target: string;
  metric: RowMetric;
  unit: string;
  /** Contribution at base (0 when the node is only at head), in `unit`. */
  base: number;
  /** Contribution at head (0 when the node is only at base), in `unit`. */
  head: number;
  delta: number;
}

/** A layer (graph node, matched by name between base and head) whose contribution changed. */
export interface LayerChange {
  name: string;
  op: string;
  /** `added`: only at head; `removed`: only at base; `changed`: both. */
  status: 'added' | 'removed' | 'changed';
  /** One entry per (target, metric) with contributions on either side. */
  deltas: LayerDelta[];
}

/** A model's size figures at one side. */
export interface ModelStats {
  nodes: number;
  macs: number;
  params: number;
  /** Bytes. */
  weightsBytes: number;
  /** Bytes. */
  peakActivationBytes: number;
}

/** The comparison of one model. */
export interface ModelDiff {
  file: string;
  previousFile?: string;
  status: DiffStatus;
  /** Predicted metrics per target, then per-model metrics (target `'*'`). */
  rows: DiffRow[];
  base: ModelStats | null;
  head: ModelStats | null;
  /** Top layers by absolute change of predicted contribution (at most `topLayers`). */
  layers: LayerChange[];
  /** Unsupported op types at head (or base when removed). */
  unsupportedOps: string[];
  /** Analysis and prediction warnings of the head (or base when removed). */
  warnings: string[];
  /** One message per side that could not be analysed (the message names the file). */
  errors: string[];
  /**
   * One message per side compiled for an accelerator (not predictable from the graph; never an
   * error). Absent when empty.
   */
  notPredictable?: string[];
  /** The accelerator a side was compiled for (head's when both are), with status `compiled`. */
  compiledFor?: string;
}

/** Options of `diffModels`. */
export interface DiffOptions {
  /** How many layers to keep per model (default 5). */
  topLayers?: number;
}

type Ok = Extract<ModelResult, { ok: true }>;

const isOk = (r: ModelResult | null): r is Ok => r !== null && r.ok;

function stats(a: ModelAnalysis): ModelStats {
  return {
    nodes: a.nodes,
    macs: a.macs,
    params: a.params,
    weightsBytes: a.memory.weightsBytes,
    peakActivationBytes: a.memory.peakActivationBytes,
  };
}

function modelMetric(s: ModelStats, metric: RowMetric): number {
  switch (metric) {
    case 'memory':
      return s.weightsBytes + s.peakActivationBytes;
    case 'weights':
      return s.weightsBytes;
    case 'activations':
      return s.peakActivationBytes;
    case 'macs':
      return s.macs;
    case 'params':
      return s.params;
    default:
      throw new Error(`not a per-model metric: ${metric}`);
  }
}

/** Relative tolerance under which two values count as unchanged (float noise of the predictor). */
const SAME = 1e-9;

function rowStatus(base: number | null, head: number | null, pairStatus: DiffStatus): DiffStatus {
  if ((pairStatus === 'error' || pairStatus === 'compiled') && (base === null || head === null)) return pairStatus;
  if (base === null) return 'new';
  if (head === null) return 'removed';
  return Math.abs(head - base) <= SAME * Math.max(Math.abs(base), Math.abs(head), 1e-12)
    ? 'unchanged'
    : 'changed';
}

function makeRow(
  model: string,
  target: string,
  metric: RowMetric,
  base: number | null,
  head: number | null,
  pairStatus: DiffStatus,
): DiffRow {
  const delta = base !== null && head !== null ? head - base : null;
  const deltaPct = delta !== null && base !== null && base > 0 ? delta / base : null;
  return {
    model,
    target,
    metric,
    unit: METRIC_UNIT[metric],
    base,
    head,
    delta,
    deltaPct,
    status: rowStatus(base, head, pairStatus),
  };
}

const predKey = (p: Prediction) => `${p.target}\u0000${p.metric}`;

/**
 * Per-layer attribution: for each (target, metric) with contributions on either side, the change
 * of each node's contribution, nodes matched by `layerNames` (a node only on one side counts fully).
 * Layers are ranked by their largest change relative to the model's total on that (target,
 * metric), so targets of different speed weigh the same; the top `top` are returned.
 */
export function layerChanges(
  base: ModelResult | null,
  head: ModelResult | null,
  top = 5,
): LayerChange[] {
  const b = isOk(base) ? base : null;
  const h = isOk(head) ? head : null;
  const basePreds = new Map((b?.predictions ?? []).map((p) => [predKey(p), p]));
  const headPreds = new Map((h?.predictions ?? []).map((p) => [predKey(p), p]));
  const keys = [...new Set([...headPreds.keys(), ...basePreds.keys()])];
  const layers = new Map<string, LayerChange & { score: number }>();
  for (const key of keys) {
    const bp = basePreds.get(key);
    const hp = headPreds.get(key);
    const any = (hp ?? bp)!;
    const bc = b && bp ? layerContributions(b.analysis, bp) : new Map<string, LayerContribution>();
    const hc = h && hp ? layerContributions(h.analysis, hp) : new Map<string, LayerContribution>();
    if (bc.size === 0 && hc.size === 0) continue;
    const scale = Math.max(bp?.value ?? 0, hp?.value ?? 0, 1e-12);
    for (const name of new Set([...hc.keys(), ...bc.keys()])) {
      const bv = bc.get(name);
      const hv = hc.get(name);
      const delta = (hv?.value ?? 0) - (bv?.value ?? 0);
      let layer = layers.get(name);
      if (!layer) {
        layer = {
          name,
          op: (hv ?? bv)!.op,
          status: !bv ? 'added' : !hv ? 'removed' : 'changed',
          deltas: [],
          score: 0,
        };
        layers.set(name, layer);
      }
      layer.deltas.push({
        target: any.target,
        metric: any.metric,
        unit: any.unit,
        base: bv?.value ?? 0,
        head: hv?.value ?? 0,
        delta,
      });
      layer.score = Math.max(layer.score, Math.abs(delta) / scale);
    }
  }
  return [...layers.values()]
    .filter((l) => l.score > SAME)
    .sort((x, y) => y.score - x.score || x.name.localeCompare(y.name))
    .slice(0, top)
    .map(({ score: _score, ...l }) => l);
}

/** Compares base and head of one model. Never throws on errored results: they become `errors`. */
export function diffModel(pair: ModelPair, opts: DiffOptions = {}): ModelDiff {
  const { base, head } = pair;
  const b = isOk(base) ? base : null;
  const h = isOk(head) ? head : null;
  const failedSides = [base, head].filter((r): r is Extract<ModelResult, { ok: false }> => r !== null && !r.ok);
  const errors = failedSides.filter((r) => r.kind !== 'compiled').map((r) => r.error);
  const compiled = failedSides.filter((r) => r.kind === 'compiled');
  const status: DiffStatus =
    errors.length > 0
      ? 'error'
      : compiled.length > 0
        ? 'compiled'
        : base === null
          ? 'new'
          : head === null
            ? 'removed'
            : 'changed';
  const model = pair.file;
  const rows: DiffRow[] = [];

  const basePreds = new Map((b?.predictions ?? []).map((p) => [predKey(p), p]));
  const headPreds = new Map((h?.predictions ?? []).map((p) => [predKey(p), p]));
  for (const key of new Set([...headPreds.keys(), ...basePreds.keys()])) {
    const bp = basePreds.get(key);
    const hp = headPreds.get(key);
    const any = (hp ?? bp)!;
    const row = makeRow(model, any.target, any.metric, bp?.value ?? null, hp?.value ?? null, status);
    if (hp?.interval) row.interval = hp.interval;
    if (hp?.ood !== undefined) row.ood = hp.ood;
    if (hp?.oodReasons?.length) row.oodReasons = hp.oodReasons;
    rows.push(row);
  }
  const bs = b ? stats(b.analysis) : null;
  const hs = h ? stats(h.analysis) : null;
  if (bs || hs) {
    for (const metric of MODEL_METRICS) {
      rows.push(
        makeRow(
          model,
          '*',
          metric,
          bs ? modelMetric(bs, metric) : null,
          hs ? modelMetric(hs, metric) : null,
          status,
        ),
      );
    }
  }
  const finalStatus: DiffStatus =
    status !== 'changed'
      ? status
      : rows.some((r) => r.status === 'changed') || (bs && hs && bs.nodes !== hs.nodes)
        ? 'changed'
        : 'unchanged';
  const shown = h ?? b;
  const diff: ModelDiff = {
    file: pair.file,
    status: finalStatus,
    rows,
    base: bs,
    head: hs,
    layers: layerChanges(base, head, opts.topLayers ?? 5),
    unsupportedOps: shown ? shown.analysis.unsupportedOps : [],
    warnings: shown ? shown.analysis.warnings : [],
    errors,
  };
  if (compiled.length > 0) {
    diff.notPredictable = compiled.map((r) => r.error);
    const delegate = (head && !head.ok && head.kind === 'compiled' ? head : compiled[0])?.compiledFor;
    if (delegate) diff.compiledFor = delegate;
  }
  if (pair.previousFile !== undefined && pair.previousFile !== pair.file) {
    diff.previousFile = pair.previousFile;
  }
  return diff;
}

/** Compares every pair, keeping the input order (callers sort by path). */
export function diffModels(pairs: ModelPair[], opts: DiffOptions = {}): ModelDiff[] {
  return pairs.map((p) => diffModel(p, opts));
}
