/**
 * PerfSAGE GNN (Chai et al. 2023, "PerfSAGE: Generalized Inference Performance Predictor for
 * Arbitrary Deep Learning Models on Edge Devices"): GraphSAGE layers over the op graph, with an
 * additive readout so a prediction breaks down by node.
 *
 *   x̂ = clamp(x, featMin, featMax)                                      x: [N, F] normalised
 *   h⁰ = relu(x̂·W_in + b_in)
 *   hᵏ⁺¹ = hᵏ + relu([hᵏ | mean_in(hᵏ) | mean_out(hᵏ)]·Wᵏ + bᵏ)         k = 0..K−1
 *   [u | v | w] = relu([hᴷ | x̂]·W_1 + b_1)·W_2 + b_2                     [N, 3T]
 *   c = (e^u ⊙ MACs + e^v ⊙ bytes + e^w) ⊙ scale                         [N, T] ms per node
 *   y_b = Σ_{i∈b} c_i + softplus(o) ⊙ scale                              [B, T] ms
 *
 * The per-node readout is roofline-shaped (Williams et al., "Roofline", CACM 2009): the network
 * predicts a node's time per million MACs (e^u), per megabyte moved (e^v) and a fixed launch cost
 * (e^w), and the node's contribution is linear in its work. Features are clamped to the training
 * range, so on a graph far larger than the training graphs (an ImageNet model vs the 32×32 NB201
 * cells) the learned per-op efficiencies stay those of the nearest trained regime and the
 * prediction grows with the work, instead of saturating as a softplus of log-features does.
 * u, v, w are clipped to [−15, 6] to keep e^· finite.
 *
 * A head listed in `PerfSageConfig.ownHeads` has the same roofline readout with a first layer
 * (and rates, overhead, unit) of its own over the same [hᴷ | x̂], fitted on the frozen encoder
 * (train/fit-head.ts); its columns of the shared head are then unused.
 *
 * Edges are used in both directions with separate weights for in-neighbours (producers) and
 * out-neighbours (consumers): the direction carries meaning for a runtime (a ReLU before a conv
 * is fused into it by TFLite, one after it is not), which one shared weight could not tell apart.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 as rng } from '../core/random.ts';
import type { GraphBatch } from './batch.ts';
import { linear } from './linear.ts';
import { sparseMatMulOp } from './sparse.ts';

/** Hyper-parameters and normalisation stats stored with the weights. */
export interface PerfSageConfig {
  /** Feature columns F (must match `FEATURE_NAMES` of src/cost/features.ts). */
  featureNames: string[];
  /** Hidden width H of the encoder. */
  hidden: number;
  /** Number K of SAGE layers. */
  layers: number;
  /** Hidden width of the per-node head. */
  headHidden: number;
  /** Output heads, one per (target id, metric), e.g. `raspberry-pi-4/latency`. */
  heads: string[];
  /** Per-column feature means [F] and standard deviations [F] (training set). */
  featMean: number[];
  featStd: number[];
  /** Per-head unit of the per-node and overhead outputs, in ms ([T]). */
  scale: number[];
  /** Per-column bounds [F] of the normalised features seen in training (inputs are clamped). */
  featMin: number[];
  featMax: number[];
  /**
   * Heads (names from `heads`) served by a head network of their own on the same encoder output
   * instead of the shared `head/w1`: weights `own/<name>/w1` [H+F, Hh], `own/<name>/b1` [Hh],
   * `own/<name>/w2` [Hh, 3], `own/<name>/b2` [3], `own/<name>/overhead` [1] and its unit
   * `own/<name>/scale` [1] (ms). Fitted on the frozen encoder by train/fit-head.ts (the method of
   * `calibrateHead`); the head's columns of the shared `head/w2`, `head/b2`, `overhead`, `scale`
   * are kept but unused.
   */
  ownHeads?: string[];
}

/** Bounds of the log-rates u, v, w of the roofline readout. */
const RATE_MIN = -15;
const RATE_MAX = 6;

/** Output of one forward pass. */
export interface PerfSageOutput {
  /** Per-node contributions [N, T] in the head's unit (ms). */
  node: tf.Tensor2D;
  /** Per-graph overhead [T] in ms. */
  overhead: tf.Tensor1D;
  /** Per-graph totals [B, T] in ms. */
  total: tf.Tensor2D;
}

/** Shapes of every weight by name, for a config. */
export function weightShapes(cfg: PerfSageConfig): Record<string, number[]> {
  const F = cfg.featureNames.length;
  const H = cfg.hidden;
  const T = cfg.heads.length;
  const s: Record<string, number[]> = { 'in/w': [F, H], 'in/b': [H] };
  for (let k = 0; k < cfg.layers; k++) {
    s[`sage${k}/w`] = [3 * H, H];
    s[`sage${k}/b`] = [H];
  }
  s['head/w1'] = [H + F, cfg.headHidden];
  s['head/b1'] = [cfg.headHidden];
  s['head/w2'] = [cfg.headHidden, 3 * T];
  s['head/b2'] = [3 * T];
  s['overhead'] = [T];
  const own: Record<OwnHeadPart, number[]> = { w1: [H + F, cfg.headHidden], b1: [cfg.headHidden], w2: [cfg.headHidden, 3], b2: [3], overhead: [1], scale: [1] };
  for (const name of cfg.ownHeads ?? []) {
    for (const part of OWN_HEAD_PARTS) s[ownHeadWeight(name, part)] = own[part];
  }
  return s;
}

/** The tensors of a head of its own (`PerfSageConfig.ownHeads`), as in `HeadParams`. */
export const OWN_HEAD_PARTS = ['w1', 'b1', 'w2', 'b2', 'overhead', 'scale'] as const;
export type OwnHeadPart = (typeof OWN_HEAD_PARTS)[number];

/** Weight name of one tensor of `head`'s head of its own: `own/<head>/<part>`. */
export function ownHeadWeight(head: string, part: OwnHeadPart): string {
  return `own/${head}/${part}`;
}

/** The PerfSAGE network: a config plus named weight tensors (variables when training). */
export class PerfSageModel {
  /**
   * @param config hyper-parameters (see `PerfSageConfig`)
   * @param weights every tensor named by `weightShapes(config)`
   */
  constructor(
    readonly config: PerfSageConfig,
    readonly weights: Record<string, tf.Tensor>,
  ) {
    const shapes = weightShapes(config);
    for (const name of config.ownHeads ?? []) {
      if (!config.heads.includes(name)) throw new Error(`PerfSAGE own head '${name}' is not one of the model's heads`);
    }
    for (const [name, shape] of Object.entries(shapes)) {
      const w = weights[name];
      if (!w || w.shape.join(',') !== shape.join(',')) {
        throw new Error(`PerfSAGE weight '${name}' missing or of shape [${w?.shape.join(',') ?? ''}], expected [${shape.join(',')}]`);
      }
    }
  }

  /**
   * A freshly initialised trainable model (He-uniform weights, seeded; head biases: u = −1
   * (≈ 0.37 scale per MMAC), v = −1, w = −3; overhead −2).
   */
  static init(config: PerfSageConfig, seed: number): PerfSageModel {
    const r = rng(seed);
    const weights: Record<string, tf.Tensor> = {};
    for (const [name, shape] of Object.entries(weightShapes(config))) {
      const size = shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      if (shape.length === 2) {
        const lim = Math.sqrt(6 / (shape[0] as number)) * (name === 'head/w2' ? 0.1 : 1);
        for (let i = 0; i < size; i++) data[i] = (2 * r() - 1) * lim;
      } else if (name === 'head/b2') {
        const T = config.heads.length;
        data.fill(-1, 0, 2 * T);
        data.fill(-3, 2 * T);
      } else if (name === 'overhead') {
        data.fill(-2);
      }
      weights[name] = tf.variable(tf.tensor(data, shape), true, name);
    }
    return new PerfSageModel(config, weights);
  }

  /** Trainable variables (when built by `init`). */
  variables(): tf.Variable[] {
    return Object.values(this.weights).filter((w): w is tf.Variable => w instanceof tf.Variable);
  }

  private w(name: string): tf.Tensor {
    return this.weights[name] as tf.Tensor;
  }

  /**
   * The frozen part of the network: encoder output per node plus what the readout needs.
   * Call inside `tf.tidy` or dispose `hx` and `work`. Requires `batch.numNodes > 0`.
   */
  encode(batch: GraphBatch): PerfSageEncoding {
    const F = this.config.featureNames.length;
    const raw = tf.tensor2d(batch.x, [batch.numNodes, F]);
    const x = tf.maximum(tf.minimum(raw, tf.tensor1d(this.config.featMax)), tf.tensor1d(this.config.featMin)) as tf.Tensor2D;
    const aggIn = sparseMatMulOp(batch.aggIn);
    const aggOut = sparseMatMulOp(batch.aggOut);
    let h = tf.relu(tf.add(linear(x, this.w('in/w')), this.w('in/b'))) as tf.Tensor2D;
    for (let k = 0; k < this.config.layers; k++) {
      const cat = tf.concat([h, aggIn(h), aggOut(h)], 1);
      h = tf.add(h, tf.relu(tf.add(linear(cat, this.w(`sage${k}/w`)), this.w(`sage${k}/b`)))) as tf.Tensor2D;
    }
    const hx = tf.concat([h, x], 1) as tf.Tensor2D;
    const work = tf.tensor2d(batch.work, [batch.numNodes, 2]);
    return { hx, work, readout: sparseMatMulOp(batch.readout), numGraphs: batch.numGraphs };
  }

  /** The bundled head parameters (all T heads; `head/w1`, `head/b1` are shared by every head). */
  headParams(): HeadParams {
    return {
      w1: this.w('head/w1') as tf.Tensor2D,
      b1: this.w('head/b1') as tf.Tensor1D,
      w2: this.w('head/w2') as tf.Tensor2D,
      b2: this.w('head/b2') as tf.Tensor1D,
      overhead: this.w('overhead') as tf.Tensor1D,
      scale: this.config.scale,
    };
  }

  /**
   * Parameters of a head listed in `config.ownHeads` as a single-output head (T = 1).
   * @throws Error when `name` has no head of its own
   */
  ownHeadParams(name: string): HeadParams {
    const t = this.config.heads.indexOf(name);
    if (t < 0 || !(this.config.ownHeads ?? []).includes(name)) throw new Error(`PerfSAGE head '${name}' has no head network of its own`);
    const w = (part: OwnHeadPart): tf.Tensor => this.w(ownHeadWeight(name, part));
    return {
      w1: w('w1') as tf.Tensor2D,
      b1: w('b1') as tf.Tensor1D,
      w2: w('w2') as tf.Tensor2D,
      b2: w('b2') as tf.Tensor1D,
      overhead: w('overhead') as tf.Tensor1D,
      scale: w('scale') as tf.Tensor1D,
    };
  }

  /**
   * Every head over an encoding: the shared head, with the columns of `config.ownHeads` replaced
   * by their own heads' outputs. Per-node [N, T], overhead [T], totals [B, T], ms.
   * Call inside `tf.tidy`.
   */
  readout(enc: PerfSageEncoding): PerfSageOutput {
    return this.withOwnHeads(headReadout(enc, this.headParams()), (p) => headReadout(enc, p));
  }

  /**
   * Forward pass over a batch (call inside `tf.tidy` or dispose the outputs).
   * A batch with zero nodes is allowed: totals are the overhead.
   * Same as `readout(encode(batch))`.
   */
  forward(batch: GraphBatch): PerfSageOutput {
    if (batch.numNodes === 0) return this.withOwnHeads(emptyReadout(this.headParams(), batch.numGraphs), (p) => emptyReadout(p, batch.numGraphs));
    return this.readout(this.encode(batch));
  }

  private withOwnHeads(shared: PerfSageOutput, single: (p: HeadParams) => PerfSageOutput): PerfSageOutput {
    const own = this.config.ownHeads ?? [];
    if (own.length === 0) return shared;
    const T = this.config.heads.length;
    const node = tf.split(shared.node, T, 1);
    const overhead = tf.split(shared.overhead, T);
    const total = tf.split(shared.total, T, 1);
    for (const name of own) {
      const t = this.config.heads.indexOf(name);
      const o = single(this.ownHeadParams(name));
      node[t] = o.node;
      overhead[t] = o.overhead;
      total[t] = o.total;
    }
    return { node: tf.concat(node, 1) as tf.Tensor2D, overhead: tf.concat(overhead) as tf.Tensor1D, total: tf.concat(total, 1) as tf.Tensor2D };
  }
}

/** Encoder output of a batch: the input of the per-node head. */
export interface PerfSageEncoding {
  /** [hᴷ | x̂] per node [N, H + F] (H encoder width, F clamped normalised features). */
  hx: tf.Tensor2D;
  /** Work per node [N, 2]: millions of MACs, megabytes read + written. */
  work: tf.Tensor2D;
  /** Per-graph sum over nodes: [N, T] → [B, T] (differentiable). */
  readout: (c: tf.Tensor2D) => tf.Tensor2D;
  /** Number of graphs B. */
  numGraphs: number;
}

/**
 * Parameters of a roofline head over T outputs (T = 1 for a calibrated custom target).
 * Shapes: w1 [H+F, Hh], b1 [Hh], w2 [Hh, 3T] (columns 0..T−1 log time per MMAC, T..2T−1 log
 * time per MB, 2T..3T−1 log fixed time), b2 [3T], overhead [T] (pre-softplus), scale [T] or one
 * number for every output: the unit of the node and overhead outputs, in ms.
 */
export interface HeadParams {
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
  overhead: tf.Tensor1D;
  scale: number[] | number | tf.Tensor1D;
}

function scaleTensor(p: HeadParams, T: number): tf.Tensor1D {
  if (p.scale instanceof tf.Tensor) return p.scale;
  return tf.tensor1d(typeof p.scale === 'number' ? new Array<number>(T).fill(p.scale) : p.scale);
}

/** Readout of a batch without nodes: per-node [0, T], totals = overhead for each of `numGraphs`. */
export function emptyReadout(p: HeadParams, numGraphs: number): PerfSageOutput {
  const T = p.overhead.shape[0];
  const overhead = tf.mul(tf.softplus(p.overhead), scaleTensor(p, T)) as tf.Tensor1D;
  const node = tf.zeros([0, T]) as tf.Tensor2D;
  const total = tf.tile(tf.reshape(overhead, [1, T]), [numGraphs, 1]) as tf.Tensor2D;
  return { node, overhead, total };
}

/**
 * The roofline head over an encoding (differentiable in `p`; call inside `tf.tidy`):
 * per-node ms [N, T], overhead ms [T], per-graph totals ms [B, T].
 */
export function headReadout(enc: PerfSageEncoding, p: HeadParams): PerfSageOutput {
  const T = p.overhead.shape[0];
  const scale = scaleTensor(p, T);
  const overhead = tf.mul(tf.softplus(p.overhead), scale) as tf.Tensor1D;
  const z = tf.relu(tf.add(linear(enc.hx, p.w1), p.b1)) as tf.Tensor2D;
  return rateReadout(z, enc, p, overhead, scale);
}

/**
 * Second half of `headReadout`, from the hidden activations z [N, Hh] of the head (reads only
 * `enc.work`, `enc.readout`, `p.w2`, `p.b2`); `overhead` [T] and `scale` [T] in ms.
 * @param lin z·w2 (same value; a different gradient implementation may be passed for speed)
 */
export function rateReadout(
  z: tf.Tensor2D,
  enc: PerfSageEncoding,
  p: HeadParams,
  overhead: tf.Tensor1D,
  scale: tf.Tensor1D,
  lin: (z: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D = linear,
): PerfSageOutput {
  const rates = tf.exp(tf.clipByValue(tf.add(lin(z, p.w2), p.b2), RATE_MIN, RATE_MAX));
  const [perMac, perByte, fixed] = tf.split(rates, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const [macs, bytes] = tf.split(enc.work, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const perNode = tf.add(tf.add(tf.mul(perMac, macs), tf.mul(perByte, bytes)), fixed);
  const node = tf.mul(perNode, scale) as tf.Tensor2D;
  const total = tf.add(enc.readout(node), overhead) as tf.Tensor2D;
  return { node, overhead, total };
}
