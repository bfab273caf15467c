/**
 * Baseline latency predictors that `npm run evaluate` puts next to the GNN, each fitted on the
 * TRAIN split of one (head, source) and scored on its TEST split:
 *
 * - **FLOPs-linear**: `y = a·MACs + b` (least squares). The proxy NAS papers compare against
 *   (e.g. HW-NAS-Bench, Li et al., ICLR 2021, §4; HELP, Lee et al., NeurIPS 2021, Table 1).
 * - **Per-op lookup table**: `y = Σ_op (c_op·count_op + m_op·MMACs_op) + b` over the op types of
 *   the executed graph (least squares). The additive kernel-level model of nn-Meter (Zhang et al.,
 *   "nn-Meter: Towards Accurate Latency Prediction of Deep-Learning Model Inference on Diverse Edge
 *   Devices", MobiSys 2021), reduced to one cost per op type plus one per MAC: exact on lookup-table
 *   sums and simulators, blind to what an end-to-end runtime does between ops.
 * - **Graph-level MLP**: a small multilayer perceptron on FLOPs-augmented graph-level features (log
 *   MACs, log weight / activation bytes, node count, per-op-type counts and MAC shares), trained on
 *   log latency: the "lightweight augmented network" style of predictor (Srivastava et al. 2020:
 *   a small dense network on graph-level features augmented with the FLOPs count), i.e. what a
 *   learned predictor does without message passing over the graph.
 *
 * All three read the same analysed graphs as the GNN (train/graph-store.ts feature rows).
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../src/core/random.ts';
import { OP_VOCAB } from '../src/cost/features.ts';
import type { GraphStore } from './graph-store.ts';
import { fitLeastSquares, fitLinear } from './metrics.ts';

/** A fitted scalar predictor from a feature row. */
export type RowPredictor = (row: readonly number[]) => number;

/**
 * FLOPs-linear baseline: least squares `y = a·MACs + b` over pairs with finite values.
 * @returns the fitted coefficients and a predictor of MACs
 */
export function fitFlopsLinear(macs: ArrayLike<number>, y: ArrayLike<number>): { a: number; b: number; predict: (macs: number) => number } {
  const { a, b } = fitLinear(macs, y);
  return { a, b, predict: (m) => a * m + b };
}

/**
 * Linear least squares on feature rows (the per-op table and any other additive model).
 * Rows whose label is not finite are skipped.
 * @returns coefficients β (one per column) and `x ↦ x·β`
 */
export function fitAdditive(X: number[][], y: ArrayLike<number>): { beta: number[]; predict: RowPredictor } {
  const beta = fitLeastSquares(X, y);
  return { beta, predict: (row) => row.reduce((acc, v, k) => acc + v * (beta[k] as number), 0) };
}

/** Per-row quantities of a store's feature dictionary used by the baselines. */
interface RowInfo {
  /** Op token index into OP_VOCAB. */
  tok: Int16Array;
  macs: Float64Array;
  weightBytes: Float64Array;
  inBytes: Float64Array;
  outBytes: Float64Array;
}

const rowInfoCache = new WeakMap<GraphStore, RowInfo>();

/** Decodes (once per store) the op token, MACs and bytes of every dictionary row. */
function rowInfo(s: GraphStore): RowInfo {
  const hit = rowInfoCache.get(s);
  if (hit) return hit;
  const F = s.featureNames.length;
  const U = s.dict.length / F;
  const K = OP_VOCAB.length;
  const col = (n: string): number => {
    const i = s.featureNames.indexOf(n);
    if (i < 0) throw new Error(`graph store has no feature '${n}'`);
    return i;
  };
  const [cm, cw, ci, co] = [col('log1p_macs'), col('log1p_weight_bytes'), col('log1p_input_bytes'), col('log1p_output_bytes')];
  const info: RowInfo = { tok: new Int16Array(U), macs: new Float64Array(U), weightBytes: new Float64Array(U), inBytes: new Float64Array(U), outBytes: new Float64Array(U) };
  for (let u = 0; u < U; u++) {
    let k = 0;
    while (k < K - 1 && s.dict[u * F + k] !== 1) k++;
    info.tok[u] = k;
    info.macs[u] = Math.expm1(s.dict[u * F + cm] as number);
    info.weightBytes[u] = Math.expm1(s.dict[u * F + cw] as number);
    info.inBytes[u] = Math.expm1(s.dict[u * F + ci] as number);
    info.outBytes[u] = Math.expm1(s.dict[u * F + co] as number);
  }
  rowInfoCache.set(s, info);
  return info;
}

/**
 * Per-op lookup-table regressors of graph `g` (nn-Meter idea): per op token its node count and its
 * summed MACs in millions, then a constant 1. Length `2·|OP_VOCAB| + 1`.
 */
export function opTableRow(s: GraphStore, g: number): number[] {
  const info = rowInfo(s);
  const K = OP_VOCAB.length;
  const row = new Array<number>(2 * K + 1).fill(0);
  for (let i = s.nodeOffset[g] as number; i < (s.nodeOffset[g + 1] as number); i++) {
    const r = s.rowIds[i] as number;
    const k = info.tok[r] as number;
    row[k]! += 1;
    row[K + k]! += (info.macs[r] as number) / 1e6;
  }
  row[2 * K] = 1;
  return row;
}

/** Names of the columns of `graphLevelFeatures`. */
export const GRAPH_FEATURE_NAMES: readonly string[] = [
  'log1p_macs',
  'log1p_weight_bytes',
  'log1p_activation_bytes',
  'log1p_input_bytes',
  'log1p_nodes',
  ...OP_VOCAB.map((o) => `log1p_count=${o}`),
  ...OP_VOCAB.map((o) => `mac_share=${o}`),
];

/**
 * FLOPs-augmented graph-level features of graph `g` for the MLP baseline: log1p of total MACs,
 * weight bytes, output (activation) bytes, input bytes and node count, then per op token log1p of
 * its node count and its share of the graph's MACs.
 */
export function graphLevelFeatures(s: GraphStore, g: number): number[] {
  const info = rowInfo(s);
  const K = OP_VOCAB.length;
  const count = new Array<number>(K).fill(0);
  const macsOf = new Array<number>(K).fill(0);
  let macs = 0;
  let wb = 0;
  let ob = 0;
  let ib = 0;
  const n0 = s.nodeOffset[g] as number;
  const n1 = s.nodeOffset[g + 1] as number;
  for (let i = n0; i < n1; i++) {
    const r = s.rowIds[i] as number;
    const k = info.tok[r] as number;
    count[k]! += 1;
    macsOf[k]! += info.macs[r] as number;
    macs += info.macs[r] as number;
    wb += info.weightBytes[r] as number;
    ob += info.outBytes[r] as number;
    ib += info.inBytes[r] as number;
  }
  return [
    Math.log1p(macs),
    Math.log1p(wb),
    Math.log1p(ob),
    Math.log1p(ib),
    Math.log1p(n1 - n0),
    ...count.map((c) => Math.log1p(c)),
    ...macsOf.map((m) => (macs > 0 ? m / macs : 0)),
  ];
}

/** Options of `fitMlp`. */
export interface MlpOptions {
  /** Hidden layer widths (default [64, 32]). */
  hidden?: number[];
  /** Passes over the training rows (default 60). */
  epochs?: number;
  /** Minibatch size (default 256). */
  batch?: number;
  /** Adam learning rate (default 0.003, cosine-decayed to a tenth). */
  lr?: number;
  /** Seed of the initial weights and the minibatch order (default 1). */
  seed?: number;
}

/** A trained MLP baseline. */
export interface MlpModel {
  /** Predictions [rows, outputs] in label units (exp of the log prediction). */
  predict(X: number[][]): number[][];
  /** Frees the tensors. */
  dispose(): void;
  /** Final training loss (mean masked squared error of standardised log labels). */
  loss: number;
}

/**
 * Trains a ReLU MLP on log labels with a masked squared error: `Y[i][k]` not finite or ≤ 0 is a
 * missing label, so one network can serve several heads of one source. Inputs and each output's log
 * labels are standardised on the training rows. Weights are Glorot-uniform from a seeded PRNG and
 * the minibatch order is seeded, so a run is reproducible on one backend.
 * @param X rows [n, d]
 * @param Y labels [n, k] (positive; NaN where missing)
 */
export function fitMlp(X: number[][], Y: number[][], opts: MlpOptions = {}): MlpModel {
  const hidden = opts.hidden ?? [64, 32];
  const epochs = opts.epochs ?? 60;
  const batchSize = opts.batch ?? 256;
  const lr0 = opts.lr ?? 0.003;
  const rand = mulberry32(opts.seed ?? 1);
  const n = X.length;
  const d = (X[0] ?? []).length;
  const k = (Y[0] ?? []).length;
  // Standardisation of inputs and log labels.
  const xMean = new Array<number>(d).fill(0);
  const xStd = new Array<number>(d).fill(0);
  for (const r of X) r.forEach((v, j) => (xMean[j]! += v / n));
  for (const r of X) r.forEach((v, j) => (xStd[j]! += (v - xMean[j]!) ** 2 / n));
  for (let j = 0; j < d; j++) xStd[j] = Math.sqrt(xStd[j]!) > 1e-9 ? Math.sqrt(xStd[j]!) : 1;
  const yMean = new Array<number>(k).fill(0);
  const yStd = new Array<number>(k).fill(1);
  for (let c = 0; c < k; c++) {
    const ls = Y.map((r) => r[c] as number).filter((v) => Number.isFinite(v) && v > 0).map(Math.log);
    if (ls.length === 0) continue;
    const m = ls.reduce((a, b) => a + b, 0) / ls.length;
    const sd = Math.sqrt(ls.reduce((a, b) => a + (b - m) ** 2, 0) / ls.length);
    yMean[c] = m;
    yStd[c] = sd > 1e-9 ? sd : 1;
  }
  const xs = new Float32Array(n * d);
  const ys = new Float32Array(n * k);
  const ms = new Float32Array(n * k);
  X.forEach((r, i) => r.forEach((v, j) => (xs[i * d + j] = (v - xMean[j]!) / xStd[j]!)));
  Y.forEach((r, i) =>
    r.forEach((v, c) => {
      if (Number.isFinite(v) && v > 0) {
        ys[i * k + c] = (Math.log(v) - yMean[c]!) / yStd[c]!;
        ms[i * k + c] = 1;
      }
    }),
  );
  const sizes = [d, ...hidden, k];
  const vars: tf.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [a, b] = [sizes[l] as number, sizes[l + 1] as number];
    const lim = Math.sqrt(6 / (a + b));
    const w = new Float32Array(a * b);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rand() - 1) * lim;
    vars.push(tf.variable(tf.tensor2d(w, [a, b])), tf.variable(tf.zeros([b])));
  }
  const forward = (x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor2D = x;
    for (let l = 0; l < vars.length; l += 2) {
      h = tf.add(tf.matMul(h, vars[l] as tf.Variable<tf.Rank.R2>), vars[l + 1] as tf.Variable) as tf.Tensor2D;
      if (l + 2 < vars.length) h = tf.relu(h);
    }
    return h;
  };
  const optimizer = tf.train.adam(lr0);
  const steps = epochs * Math.ceil(n / batchSize);
  let step = 0;
  let loss = NaN;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let e = 0; e < epochs; e++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    let sum = 0;
    for (let s = 0; s < n; s += batchSize) {
      const part = order.slice(s, s + batchSize);
      const bx = new Float32Array(part.length * d);
      const by = new Float32Array(part.length * k);
      const bm = new Float32Array(part.length * k);
      part.forEach((r, i) => {
        bx.set(xs.subarray(r * d, (r + 1) * d), i * d);
        by.set(ys.subarray(r * k, (r + 1) * k), i * k);
        bm.set(ms.subarray(r * k, (r + 1) * k), i * k);
      });
      (optimizer as unknown as { learningRate: number }).learningRate = lr0 * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * step) / steps)));
      const value = tf.tidy(() => {
        const x = tf.tensor2d(bx, [part.length, d]);
        const y = tf.tensor2d(by, [part.length, k]);
        const m = tf.tensor2d(bm, [part.length, k]);
        const cost = optimizer.minimize(() => tf.div(tf.sum(tf.mul(m, tf.square(tf.sub(forward(x), y)))), tf.maximum(tf.sum(m), 1)) as tf.Scalar, true, vars);
        return (cost as tf.Scalar).dataSync()[0] as number;
      });
      sum += value * part.length;
      step++;
    }
    loss = sum / n;
  }
  optimizer.dispose();
  return {
    loss,
    predict(rows: number[][]): number[][] {
      if (rows.length === 0) return [];
      const bx = new Float32Array(rows.length * d);
      rows.forEach((r, i) => r.forEach((v, j) => (bx[i * d + j] = (v - xMean[j]!) / xStd[j]!)));
      const out = tf.tidy(() => forward(tf.tensor2d(bx, [rows.length, d])).dataSync());
      return rows.map((_, i) => Array.from({ length: k }, (_c, c) => Math.exp((out[i * k + c] as number) * yStd[c]! + yMean[c]!)));
    },
    dispose(): void {
      for (const v of vars) v.dispose();
    },
  };
}
