/**
 * Contracts between the pure stages: graph analysis (src/graph, src/cost), prediction
 * (src/predict) and reporting (src/report). Adapters (GitHub, CLI) only see these types.
 */
import type { Graph, ModelFormat, NodeCost } from '../graph/ir.ts';

/** Options for reading one model file. */
export interface LoadOptions {
  /**
   * Concrete shapes for graph inputs whose dims are symbolic, by input name
   * (e.g. `{ "x": [1, 3, 224, 224] }`). Unresolved symbolic dims default to 1 with a warning.
   */
  inputShapes?: Record<string, number[]>;
  /**
   * Value for symbolic non-batch input dims not given in `inputShapes` (default 1; the batch dim
   * is always 1). `analyzeModel` retries with `FALLBACK_DIMS` when 1 does not fit the graph.
   */
  defaultDim?: number;
  /**
   * TF.js graph models only: bytes of the weight files named in `weightsManifest[].paths`, by
   * that path. Optional: shapes and dtypes of every weight are in model.json; the values are
   * needed only for constants that decide shapes (reshape targets, paddings, axes, resize sizes).
   */
  weightShards?: Record<string, Uint8Array>;
}

/** Weights + activation memory of one inference, in bytes. */
export interface MemoryEstimate {
  /** Bytes of all stored weights (initializers / buffers) the executed graph reads. */
  weightsBytes: number;
  /** Peak bytes of live activations under a greedy-by-size arena planner (TFLite-style). */
  peakActivationBytes: number;
}

/** Everything computed from the graph itself, before any device model. */
export interface ModelAnalysis {
  /** Path as the user names it (repo-relative in the action). */
  file: string;
  format: ModelFormat;
  /** The graph after shape inference, constant folding and dead-code elimination. */
  graph: Graph;
  /** Per-node costs, aligned with `graph.nodes`. */
  costs: NodeCost[];
  /** Executed nodes (after folding and DCE). */
  nodes: number;
  /** Total multiply-accumulates of one inference. */
  macs: number;
  /** Total stored weight elements read by executed nodes. */
  params: number;
  memory: MemoryEstimate;
  /** Op types not in the registry (counted as zero MACs), sorted, unique. */
  unsupportedOps: string[];
  /** Warnings from reading and analysis (dynamic dims defaulted, If branch taken as max, ...). */
  warnings: string[];
  /**
   * Set when the model was compiled for an accelerator (TFLite `edgetpu-custom-op`, `ethos-u`):
   * the delegate's name. Its cost is not predictable from the graph; the pipeline returns a
   * `{ok: false, kind: 'compiled'}` result for it instead of predictions (see src/formats/delegates.ts).
   */
  compiledFor?: string;
}

/** A performance metric the predictor can produce. */
export type Metric = 'latency' | 'energy';

/** One predicted value for one (target, metric). */
export interface Prediction {
  /** Target id, e.g. `raspberry-pi-4`. */
  target: string;
  metric: Metric;
  /** `ms` for latency, `mJ` for energy. */
  unit: 'ms' | 'mJ';
  value: number;
  /** Central interval [lo, hi] in `unit`, when the target has calibrated residuals. */
  interval?: [number, number];
  /** True when the graph is outside what the target was trained on. */
  ood?: boolean;
  oodReasons?: string[];
  /**
   * Per-node contribution to `value` (same unit), aligned with `ModelAnalysis.graph.nodes`;
   * the sum of contributions plus `overhead` equals `value`.
   */
  contributions?: number[];
  /** Per-graph constant part of `value`. */
  overhead?: number;
}

/** Static description of a target (one entry of models/perfsage/targets.json). */
export interface TargetInfo {
  id: string;
  device: string;
  runtime: string;
  metrics: Metric[];
  /**
   * Held-out accuracy as evaluated by `npm run evaluate`, per metric: `mape` in percent,
   * `within10` the share (0..1) of predictions within ±10%, Kendall tau in [−1, 1].
   */
  accuracy?: Record<string, { n: number; mape: number; within10: number; kendallTau: number }>;
  /** Free-form description of the training data (source, count, input sizes). */
  data?: string;
}

/** A loaded predictor: async because the TensorFlow.js backend initialises asynchronously. */
export interface Predictor {
  targets(): TargetInfo[];
  /** Throws `UnknownTargetError` (listing known ids) for an unknown target id. */
  predict(analysis: ModelAnalysis, targets: string[]): Promise<Prediction[]>;
}

/**
 * Result for one model version (base or head): an analysis with predictions, or no predictions
 * with the reason. `kind` tells the two reasons apart: `compiled` (the model was compiled for an
 * accelerator, `compiledFor` names it: a valid model whose cost is not predictable from the graph,
 * never a failure) and `error` (unreadable or unanalysable; the default when `kind` is absent).
 */
export type ModelResult =
  | { ok: true; analysis: ModelAnalysis; predictions: Prediction[] }
  | { ok: false; file: string; error: string; kind?: 'compiled' | 'error'; compiledFor?: string };
