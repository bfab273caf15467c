/**
 * The target registry `models/perfsage/targets.json`, written by `npm run train` (train/train.ts)
 * and completed with held-out accuracy by `npm run evaluate`. Bundled by a static JSON import.
 */
import targetsJson from '../../models/perfsage/targets.json' with { type: 'json' };
import type { Metric, TargetInfo } from '../core/types.ts';
import type { Graph } from '../graph/ir.ts';

/** Format tag of targets.json. */
export const TARGETS_FORMAT = 'edgeperf-targets-v1';

/** Held-out accuracy of one (target, metric) (test split of `npm run evaluate`). */
export interface HeldOutAccuracy {
  n: number;
  /** Mean absolute percentage error, percent. */
  mape: number;
  /** Share (0..1) of predictions within ±10% of the measurement. */
  within10: number;
  kendallTau: number;
  /** Share (0..1) of test measurements inside the 90% interval (split-conformal, see `IntervalCalibration`). */
  coverage90?: number;
}

/**
 * Calibrated 90% interval (split conformal, Vovk et al. 2005; Lei et al. 2018): measured/predicted
 * ratio quantiles on the validation split (never trained on), at the finite-sample levels
 * ⌊0.05·(n+1)⌋/n and ⌈0.95·(n+1)⌉/n, so the interval [value·lo, value·hi] covers a new graph
 * from the same distribution with probability ≥ 90%.
 */
export interface IntervalCalibration extends IntervalBounds {
  /**
   * Mondrian split conformal by batch (Vovk, Gammerman & Shafer 2005, "Algorithmic Learning in a
   * Random World", Mondrian conformal predictors: one conformal quantile per category known before
   * the measurement): the same quantiles over the validation graphs whose
   * first input has a batch dim > 1. When present, `lo`, `hi`, `n` cover the batch-1 graphs only,
   * and `intervalFor` picks the group of a graph. Set where the two groups' errors differ (the
   * cpu-onnxruntime head: batch 2–64 graphs are predicted less well than batch-1 ones).
   */
  batched?: IntervalBounds;
}

/** One pair of split-conformal ratio quantiles and the number of validation graphs behind it. */
export interface IntervalBounds {
  /** 5th percentile of measured / predicted (of the batch-1 graphs when `batched` is set). */
  lo: number;
  /** 95th percentile of measured / predicted (of the batch-1 graphs when `batched` is set). */
  hi: number;
  /** Number of validation archs the quantiles come from. */
  n: number;
}

/**
 * The interval factors [lo, hi] (measured/predicted) for a graph run at `batch` (its first input's
 * dim 0; 1 when unknown): `cal.batched` for batch > 1 when the calibration has it, else `cal`.
 */
export function intervalFor(cal: IntervalCalibration, batch: number): { lo: number; hi: number } {
  return batch > 1 && cal.batched ? cal.batched : cal;
}

/**
 * Batch of a graph for `intervalFor`: dim 0 of its first input when that input has rank ≥ 2 and
 * the dim is a number (NCHW, NHWC, [B, T, D] and [B, D] all put the batch first), else 1 (a rank-1
 * input has no batch dim; symbolic batch dims resolve to 1 in the analysis).
 */
export function graphBatch(graph: Graph): number {
  const shape = graph.tensors.get(graph.inputs[0] ?? '')?.shape;
  const d = shape && shape.length >= 2 ? shape[0] : undefined;
  return typeof d === 'number' && d > 0 ? d : 1;
}

/** One entry of targets.json. */
export interface TargetEntry {
  id: string;
  device: string;
  runtime: string;
  metrics: Metric[];
  units: Partial<Record<Metric, 'ms' | 'mJ'>>;
  /** Output head name per metric (`<id>/<metric>`), an entry of the weights' `config.heads`. */
  heads: Partial<Record<Metric, string>>;
  source: string;
  license: string;
  /** Number of architectures trained on. */
  trainingCount: number;
  /** Graph input shapes seen in training, e.g. `1x3x32x32`. */
  inputSizes: string[];
  /** Runtime threads when known (null: not stated by the data source). */
  threads?: number | null;
  /** Batch size of the measurements. */
  batch?: number;
  /** Training sets (train/corpus.ts source names) with labels for this target, and their graph counts. */
  trainingSets?: Record<string, number>;
  /** Op names of executed nodes in this target's training graphs (OOD check per target). */
  opsSeen?: string[];
  /** Per-feature [min, max] over this target's training nodes. */
  featureRanges?: Record<string, [number, number]>;
  /** Executed-node and total-MAC ranges of this target's training graphs. */
  graphRanges?: { nodes: [number, number]; macs: [number, number] };
  /** Range of training labels per metric [min, max]. */
  labelRange: Partial<Record<Metric, [number, number]>>;
  accuracy?: Partial<Record<Metric, HeldOutAccuracy>>;
  interval?: Partial<Record<Metric, IntervalCalibration>>;
  /**
   * Set for a calibrated custom target (`edgeperf calibrate`): its base target and the op names of
   * its measured graphs (absent in older files), for `calibrationReasons` (src/predict/ood.ts).
   */
  calibration?: { baseTarget: string; opsMeasured?: string[] };
}

/** The whole targets.json. */
export interface TargetsFile {
  format: string;
  /** Free text: search space, split, training time. */
  training: string;
  /** How NB201 `none` edges were built for training (see `ZeroEdges` in train/dataset.ts). */
  nb201ZeroEdges?: 'fold' | 'keep' | 'hybrid';
  /** Op names of executed nodes seen in training. */
  opsSeen: string[];
  /** Per-feature [min, max] over training nodes (feature names of src/cost/features.ts). */
  featureRanges: Record<string, [number, number]>;
  /** Graph-level ranges over training graphs: executed nodes, total MACs. */
  graphRanges: { nodes: [number, number]; macs: [number, number] };
  targets: TargetEntry[];
}

/** The bundled targets.json. */
export function bundledTargets(): TargetsFile {
  return targetsJson as unknown as TargetsFile;
}

/** The public `TargetInfo` of an entry (see src/core/types.ts). */
export function toTargetInfo(t: TargetEntry): TargetInfo {
  const accuracy: NonNullable<TargetInfo['accuracy']> = {};
  for (const [m, a] of Object.entries(t.accuracy ?? {})) if (a) accuracy[m] = a;
  return {
    id: t.id,
    device: t.device,
    runtime: t.runtime,
    metrics: t.metrics,
    ...(Object.keys(accuracy).length > 0 ? { accuracy } : {}),
    data: `${t.source}; license ${t.license}; ${t.trainingCount} training graphs, inputs ${t.inputSizes.join(", ")}`,
  };
}
