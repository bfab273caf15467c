/**
 * Shared builder for the random graph families (`edgeperf synth random`): a seeded architecture
 * sampler (`Rng`) and `GraphBuilder`, a thin layer over `OnnxWriter` that tracks each tensor's
 * shape and counts MACs and compute nodes as the graph is written, so a family can reject a
 * sample outside the target ranges before encoding.
 *
 * MAC conventions match src/graph/ops (thop/fvcore): Conv = out elements · Cin/group · ∏kernel,
 * ConvTranspose = in elements · Cout/group · ∏kernel, MatMul/Gemm = batch · M · N · K; every
 * other op 0.
 */
import onnxpkg from 'onnx-proto';
import { mulberry32 } from '../../core/random.ts';
import { OnnxWriter, type WeightMode } from '../onnx-writer.ts';

const { onnx } = onnxpkg;

/** A tensor as the builder knows it: its ONNX name and its static float32 shape. */
export interface T {
  name: string;
  shape: number[];
}

/** Seeded architecture sampler over mulberry32 (separate stream from the weights). */
export class Rng {
  private readonly next: () => number;
  /** @param seed any integer; same seed → same sequence */
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Uniform float in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** One element of `xs`, uniformly. */
  pick<V>(xs: readonly V[]): V {
    return xs[Math.floor(this.next() * xs.length)] as V;
  }
  /** True with probability `p`. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
}

/** Activation kinds the conv families sample. */
export type Act = 'relu' | 'relu6' | 'hardswish' | 'leakyrelu' | 'sigmoid' | 'silu' | 'tanh' | 'none';

/** A graph under construction: `OnnxWriter` plus shape, MAC and node bookkeeping. */
export class GraphBuilder {
  /** The underlying writer (random float32 weights from the weight seed). */
  readonly w: OnnxWriter;
  /** Multiply-accumulates written so far (conventions in the module doc). */
  macs = 0;
  /** Nodes written so far, `Constant` nodes excluded (an analyser folds them). */
  nodes = 0;
  private uid = 0;

  /**
   * @param weightSeed seed of the float32 weights
   * @param mode `random` (real weights) or `external` (shape-only, for a cheap dry run)
   */
  constructor(weightSeed: number, mode: WeightMode = 'random') {
    this.w = new OnnxWriter(mode, weightSeed);
  }

  private id(p: string): string {
    return `${p}_${this.uid++}`;
  }

  /** Appends a node (counted unless `Constant`) and returns its first output name. */
  op(op: string, inputs: string[], attrs: Parameters<OnnxWriter['node']>[3] = {}): string {
    if (op !== 'Constant') this.nodes++;
    return this.w.node(op, `/${op}`, inputs, attrs)[0] as string;
  }

  /** A float32 initializer N(mean, std²) of `dims`. */
  weight(dims: number[], std: number, mean = 0, positive = false): string {
    return this.w.init(this.id('w'), dims, std, mean, positive);
  }

  /** A `Constant` node of int64 values (Reshape shapes, Split sizes, axes). */
  ints(values: number[]): string {
    const tensor: onnxpkg.onnx.ITensorProto = {
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer),
    };
    return this.op('Constant', [], { value: { tensor } });
  }

  /** A `Constant` node of float32 values; `dims` [] for a scalar. */
  floats(values: number[], dims: number[] = [values.length]): string {
    const tensor: onnxpkg.onnx.ITensorProto = {
      dims,
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(new Float32Array(values).buffer),
    };
    return this.op('Constant', [], { value: { tensor } });
  }

  /**
   * Conv over NC(spatial…) `x` (1-D or 2-D), BN folded into weight + bias, `same` padding
   * (k−1)/2·dilation each side; He-normal weights so activations stay O(1).
   * @param opts `bias: false` writes no bias input (a BatchNormalization follows, as exporters
   *   that leave BN unfused write it); `pad: 'valid'` pads nothing
   */
  conv(x: T, cout: number, k: number, stride = 1, group = 1, dilation = 1, opts: { bias?: boolean; pad?: 'same' | 'valid' } = {}): T {
    const cin = x.shape[1] as number;
    const sp = x.shape.slice(2);
    const pad = opts.pad === 'valid' ? 0 : ((k - 1) >> 1) * dilation;
    const ks = sp.map(() => k);
    const wt = this.weight([cout, cin / group, ...ks], Math.sqrt(2 / ((cin / group) * k ** sp.length)));
    const inputs = [x.name, wt];
    if (opts.bias !== false) inputs.push(this.weight([cout], 0.05));
    const out = sp.map((d) => Math.floor((d + 2 * pad - dilation * (k - 1) - 1) / stride) + 1);
    const name = this.op('Conv', inputs, {
      dilations: sp.map(() => dilation),
      group,
      kernel_shape: ks,
      pads: [...sp.map(() => pad), ...sp.map(() => pad)],
      strides: sp.map(() => stride),
    });
    const shape = [x.shape[0] as number, cout, ...out];
    this.macs += numel(shape) * (cin / group) * k ** sp.length;
    return { name, shape };
  }

  /**
   * BatchNormalization (inference form, ONNX opset ≥ 9) with seeded scale/bias/mean and positive
   * variance, as exporters that do not fold BN into the conv write it (PaddlePaddle, some
   * PyTorch exports with `do_constant_folding=False`).
   */
  batchNorm(x: T): T {
    const c = x.shape[1] as number;
    const scale = this.weight([c], 0.1, 1);
    const bias = this.weight([c], 0.05);
    const mean = this.weight([c], 0.05);
    const v = this.weight([c], 0.1, 1, true);
    return { name: this.op('BatchNormalization', [x.name, scale, bias, mean, v], { epsilon: { float: 1e-5 } }), shape: x.shape };
  }

  /**
   * Hard-swish written out as paddle2onnx and older torch.onnx exports write it, without the
   * opset-14 HardSwish op: x · Clip(x + 3, 0, 6) / 6 (Add, Clip, Mul, Div; Howard et al. 2019,
   * MobileNetV3 eq. 2).
   */
  hardSwishDecomposed(x: T): T {
    const shifted = this.binary('Add', x, this.floats([3], []));
    const clipped = { name: this.op('Clip', [shifted.name, this.floats([0], []), this.floats([6], [])]), shape: x.shape };
    return this.binary('Div', this.binary('Mul', x, clipped), this.floats([6], []));
  }

  /** Learnable affine block (PP-LCNetV3): x · a + b with scalar a, b (Mul, Add). */
  affine(x: T): T {
    return this.binary('Add', this.binary('Mul', x, this.weight([1], 0.1, 1)), this.weight([1], 0.05));
  }

  /** ConvTranspose kernel k = stride = s (exact ×s upsampling), with bias unless `bias` is false. */
  convTranspose(x: T, cout: number, s: number, bias = true): T {
    const cin = x.shape[1] as number;
    const sp = x.shape.slice(2);
    const wt = this.weight([cin, cout, ...sp.map(() => s)], Math.sqrt(1 / cin));
    const inputs = [x.name, wt];
    if (bias) inputs.push(this.weight([cout], 0.05));
    const name = this.op('ConvTranspose', inputs, { kernel_shape: sp.map(() => s), strides: sp.map(() => s) });
    this.macs += numel(x.shape) * cout * s ** sp.length;
    return { name, shape: [x.shape[0] as number, cout, ...sp.map((d) => d * s)] };
  }

  /** An activation; `relu6` is Clip(0, 6) with constant bounds, `silu` is x·Sigmoid(x). */
  act(x: T, kind: Act): T {
    switch (kind) {
      case 'none':
        return x;
      case 'relu':
        return { name: this.op('Relu', [x.name]), shape: x.shape };
      case 'relu6':
        return { name: this.op('Clip', [x.name, this.floats([0], []), this.floats([6], [])]), shape: x.shape };
      case 'hardswish':
        return { name: this.op('HardSwish', [x.name]), shape: x.shape };
      case 'leakyrelu':
        return { name: this.op('LeakyRelu', [x.name], { alpha: { float: 0.1 } }), shape: x.shape };
      case 'sigmoid':
        return { name: this.op('Sigmoid', [x.name]), shape: x.shape };
      case 'tanh':
        return { name: this.op('Tanh', [x.name]), shape: x.shape };
      case 'silu': {
        const s = this.op('Sigmoid', [x.name]);
        return { name: this.op('Mul', [x.name, s]), shape: x.shape };
      }
    }
  }

  /** Elementwise binary op of two same-shape (or broadcastable to `a`) tensors. */
  binary(op: 'Add' | 'Mul' | 'Sub' | 'Div', a: T, b: T | string): T {
    return { name: this.op(op, [a.name, typeof b === 'string' ? b : b.name]), shape: a.shape };
  }

  /** MaxPool / AveragePool with kernel k, stride s, padding (k−1)/2 (floor mode). */
  pool(op: 'MaxPool' | 'AveragePool', x: T, k: number, s: number): T {
    const sp = x.shape.slice(2);
    const pad = (k - 1) >> 1;
    const attrs: Parameters<OnnxWriter['node']>[3] = {
      kernel_shape: sp.map(() => k),
      strides: sp.map(() => s),
      pads: [...sp.map(() => pad), ...sp.map(() => pad)],
    };
    if (op === 'AveragePool') attrs['count_include_pad'] = 0;
    const out = sp.map((d) => Math.floor((d + 2 * pad - k) / s) + 1);
    return { name: this.op(op, [x.name], attrs), shape: [...x.shape.slice(0, 2), ...out] };
  }

  /**
   * LRN (Local Response Normalization across channels, ONNX LRN): `size` channels, α 1e-4,
   * β 0.75 (AlexNet's values), `bias` k.
   */
  lrn(x: T, size: number, bias = 1): T {
    const attrs: Parameters<OnnxWriter['node']>[3] = { size, alpha: { float: 1e-4 }, beta: { float: 0.75 }, bias: { float: bias } };
    return { name: this.op('LRN', [x.name], attrs), shape: x.shape };
  }

  /** GlobalAveragePool: N,C,… → N,C,1,… */
  gap(x: T): T {
    return { name: this.op('GlobalAveragePool', [x.name]), shape: [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)] };
  }

  /** Flatten(axis=1). */
  flatten(x: T): T {
    return { name: this.op('Flatten', [x.name], { axis: 1 }), shape: [x.shape[0] as number, numel(x.shape.slice(1))] };
  }

  /** Gemm(x, W, b, transB=1): [M, K] → [M, n]. */
  gemm(x: T, n: number): T {
    const [m, k] = x.shape as [number, number];
    const wt = this.weight([n, k], Math.sqrt(1 / k));
    const b = this.weight([n], 0.05);
    this.macs += m * n * k;
    return { name: this.op('Gemm', [x.name, wt, b], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }), shape: [m, n] };
  }

  /** x @ W (+ b) with W [K, n] a weight (numpy matmul over x's leading dims). */
  linear(x: T, n: number, bias = true): T {
    const k = x.shape[x.shape.length - 1] as number;
    const wt = this.weight([k, n], Math.sqrt(1 / k));
    const shape = [...x.shape.slice(0, -1), n];
    this.macs += numel(x.shape.slice(0, -1)) * n * k;
    let y: T = { name: this.op('MatMul', [x.name, wt]), shape };
    if (bias) y = this.binary('Add', y, this.weight([n], 0.05));
    return y;
  }

  /** MatMul of two activations with numpy batch semantics (same batch dims assumed). */
  matmul(a: T, b: T): T {
    const m = a.shape[a.shape.length - 2] as number;
    const k = a.shape[a.shape.length - 1] as number;
    const n = b.shape[b.shape.length - 1] as number;
    const batch = a.shape.slice(0, -2);
    this.macs += numel(batch) * m * n * k;
    return { name: this.op('MatMul', [a.name, b.name]), shape: [...batch, m, n] };
  }

  /** Concat along `axis`. */
  concat(xs: T[], axis: number): T {
    const shape = [...(xs[0] as T).shape];
    shape[axis] = xs.reduce((s, x) => s + (x.shape[axis] as number), 0);
    return { name: this.op('Concat', xs.map((x) => x.name), { axis }), shape };
  }

  /** Reshape to a static `shape` (int64 Constant). */
  reshape(x: T, shape: number[]): T {
    return { name: this.op('Reshape', [x.name, this.ints(shape)]), shape };
  }

  /** Transpose by `perm`. */
  transpose(x: T, perm: number[]): T {
    return { name: this.op('Transpose', [x.name], { perm }), shape: perm.map((p) => x.shape[p] as number) };
  }

  /** Resize (opset 13 form X, roi "", scales) by integer `s` on the spatial axes. */
  resize(x: T, s: number, mode: 'nearest' | 'linear'): T {
    const scales = this.floats(x.shape.map((_d, i) => (i < 2 ? 1 : s)));
    const attrs: Parameters<OnnxWriter['node']>[3] = { mode };
    if (mode === 'nearest') attrs['nearest_mode'] = 'floor';
    return { name: this.op('Resize', [x.name, '', scales], attrs), shape: x.shape.map((d, i) => (i < 2 ? d : d * s)) };
  }

  /**
   * Squeeze-excite (MobileNetV3): GlobalAveragePool → Conv1x1 (C→C/r) → Relu → Conv1x1 →
   * HardSigmoid → Mul with the input.
   */
  squeezeExcite(x: T, reduce: number): T {
    const c = x.shape[1] as number;
    const mid = Math.max(8, Math.round(c / reduce / 8) * 8);
    let s = this.gap(x);
    s = this.act(this.conv(s, mid, 1), 'relu');
    s = this.conv(s, c, 1);
    s = { name: this.op('HardSigmoid', [s.name], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }), shape: s.shape };
    return this.binary('Mul', x, s);
  }

  /** Encodes with one input and one output (the given tensors) at default-domain `opset`. */
  finish(name: string, input: T, output: T, opset = 13): Uint8Array {
    return this.w.encode(name, [[input.name, input.shape]], [[output.name, output.shape]], opset);
  }
}

/** Product of dims (1 for []). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** MAC and compute-node bounds a family's samples are held to. */
export interface Ranges {
  minMacs: number;
  maxMacs: number;
  minNodes: number;
  maxNodes: number;
}

/** Bounds the families' samples are held to unless a family names its own: MACs and compute-node counts. */
export const RANGES: Ranges = { minMacs: 1e6, maxMacs: 2e9, minNodes: 10, maxNodes: 400 };

/** What a family's sampler returns: the encoded model and its tracked size. */
export interface Built {
  bytes: Uint8Array;
  macs: number;
  nodes: number;
}

/**
 * Runs `sample` on attempt seeds derived from `seed` until the graph's MACs and node count fall
 * in `ranges` (default `RANGES`; a pure function of `seed`: rejection sampling over a fixed sequence of attempts).
 * Candidates are first built shape-only (no weight data), and the accepted one is rebuilt from
 * the same attempt seed with real seeded weights.
 * @param sample builds one candidate from an architecture `Rng` and a weight seed
 * @param weights `random` (default): the accepted graph with real seeded weights; `external`: its
 *   shape-only build (the same graph, no weight data: for featurising, 10–50× cheaper)
 * @throws Error when 200 attempts all miss (a family whose ranges cannot be met: a bug)
 */
export function sampleInRange(family: string, seed: number, sample: (r: Rng, g: GraphBuilder) => Uint8Array, weights: WeightMode = 'random', ranges: Ranges = RANGES): Built {
  for (let attempt = 0; attempt < 200; attempt++) {
    const archSeed = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(attempt + 1, 0x85ebca6b)) >>> 0;
    const dry = new GraphBuilder(0, 'external');
    const dryBytes = sample(new Rng(archSeed), dry);
    if (dry.macs >= ranges.minMacs && dry.macs <= ranges.maxMacs && dry.nodes >= ranges.minNodes && dry.nodes <= ranges.maxNodes) {
      if (weights === 'external') return { bytes: dryBytes, macs: dry.macs, nodes: dry.nodes };
      const g = new GraphBuilder((archSeed ^ 0x5bd1e995) >>> 0);
      const bytes = sample(new Rng(archSeed), g);
      return { bytes, macs: g.macs, nodes: g.nodes };
    }
  }
  throw new Error(`synth random: family '${family}' found no graph in range for seed ${seed} (a bug in the family's sampler)`);
}
