/**
 * Synthetic NAS-Bench-201 networks as TFLite, op for op as the TensorFlow Lite converter emits the
 * TinyNetwork (C=16, N=5): the CIFAR-10 Keras network that HW-NAS-Bench measured on Raspberry Pi 4
 * and Pixel 3 (spec ../shared/specs/search-spaces.md 1.2–1.5), and the HW-NAS-Bench-360 task
 * variants `cifar100`, `ninapro`, `darcy` (spec 3.1–3.3; measured as LiteRT on Pi 5 and Pixel).
 * Same structure, edge order, task table (`NB201_TASKS`) and weight shapes as `buildNb201Onnx`
 * (src/synth/nb201.ts), written with the converter's conventions:
 * - NHWC tensors, input [1,H,W,Cin] (the ONNX [1,Cin,H,W] transposed: cifar10/cifar100
 *   [1,32,32,3], ninapro [1,52,16,1], darcy [1,88,88,1]); Conv weights OHWI + bias (BatchNorm
 *   folded), SAME padding (for a 3×3/2 conv on an even side, SAME = torch's pad 1: out = side/2);
 * - spatial sizes per stage (spec 3.2): 32×32/16×16/8×8, ninapro 52×16/26×8/13×4, darcy
 *   88×88/44×44/22×22; every task keeps the classification head, FULLY_CONNECTED 64→classes
 *   (10, 100, 18, 1: darcy has no dense decoder, spec 3.2), output `logits` [1,classes];
 * - the stem conv has no ReLU; each `ReLUConvBN`'s leading ReLU is a separate RELU op (its input
 *   has several consumers, so it cannot be fused into a producer);
 * - with `fuseActivations` (default), the ReLU that directly follows a conv output used only by it
 *   (reduction block: conv_a → ReLU → conv_b) is the conv's `fused_activation_function`, and the
 *   `lastact` ReLU is fused into the ADD of the lowered BatchNorm;
 * - `avg_pool_3x3`: AVERAGE_POOL_2D 3×3/1 SAME (TFLite excludes padding from the count, i.e.
 *   count_include_pad=False as in NB201); the reduction shortcut: AVERAGE_POOL_2D 2×2/2 VALID →
 *   CONV_2D 1×1 without bias (the bias input omitted, −1);
 * - the stand-alone `lastact` BatchNorm: TFLite has no batch-norm kernel; the converter lowers it
 *   to a per-channel MUL (γ/√(σ²+ε)) and ADD (β − μ·scale);
 * - `none` edges: MUL by a zero constant (`fold`) or by a shape-only external scalar (`keep`),
 *   mirroring `Nb201Options.zeroEdges`; `skip_connect` is a direct use of the tensor;
 * - AdaptiveAvgPool2d(1) → MEAN over axes [1,2] (keep_dims) → RESHAPE [1,64] → FULLY_CONNECTED.
 */
import { ConfigError } from '../core/errors.ts';
import { NB201_CIFAR10, NB201_TASKS, type Nb201Options, type Nb201Task } from './nb201.ts';
import { parseNb201Arch, type Nb201Edge } from './nb201-arch.ts';
import {
  actOptions,
  conv2dOptions,
  fullyConnectedOptions,
  pool2dOptions,
  reducerOptions,
  reshapeOptions,
  TFL_ACT,
  TFL_OP,
  TFL_PADDING,
  TfliteWriter,
  type TfliteWeightMode,
} from './tflite-writer.ts';

/** Options of `buildNb201Tflite`. */
export interface Nb201TfliteOptions {
  /** `random`: seeded float32 data; `external`: shape-only external buffers (default `random`). */
  weights?: TfliteWeightMode;
  /** PRNG seed for `random` weights (default 0). */
  seed?: number;
  /**
   * Dataset / task variant, as `Nb201Options.task` (default `cifar10`; see `NB201_TASKS`): sets the
   * input [1,H,W,Cin], the stem conv's input channels and the head width.
   */
  task?: Nb201Task;
  /** How `none` edges are written, as `Nb201Options.zeroEdges` (default `fold`). */
  zeroEdges?: Nb201Options['zeroEdges'];
  /**
   * Fuse a ReLU into the op producing its input when that output has no other consumer, as the
   * converter does (default true). With false every ReLU is a separate RELU op.
   */
  fuseActivations?: boolean;
}

/**
 * Builds the NB201 TinyNetwork of `archStr` for `opts.task` as a .tflite FlatBuffer (float32,
 * input `input` NHWC, output `logits` [1,classes]): cifar10 [1,32,32,3] → [1,10] (byte-identical
 * to earlier releases), cifar100 [1,32,32,3] → [1,100], ninapro [1,52,16,1] → [1,18], darcy
 * [1,88,88,1] → [1,1] (spec 1.2, 3.2). Read back through `analyzeModel` → `extractFeatures`, the
 * GNN rows and edges equal those of `buildNb201Onnx(archStr, { task })` node by node.
 *
 * Not modelled (HW-NAS-Bench-360 only, spec 3.3): its `.tflite` files come from
 * `litert_torch.convert` of the NCHW torch module; whether that keeps an NCHW graph input behind
 * a leading TRANSPOSE, and how it spells `x.mul(0.)` and the stand-alone BatchNorm, is
 * UNVERIFIED. This builder writes the same converter conventions for every task.
 * @throws ConfigError for an invalid arch string (naming the bad token) or an unknown task
 */
export function buildNb201Tflite(archStr: string, opts: Nb201TfliteOptions = {}): Uint8Array {
  const edges = parseNb201Arch(archStr);
  const task = opts.task ?? 'cifar10';
  const taskSpec = Object.hasOwn(NB201_TASKS, task) ? NB201_TASKS[task] : undefined;
  if (!taskSpec) throw new ConfigError('nb201 task', `unsupported task '${String(task)}'; known tasks: ${Object.keys(NB201_TASKS).join(', ')}`);
  const b = new Nb201TfliteBuilder(new TfliteWriter(opts.weights ?? 'random', opts.seed ?? 0), opts.fuseActivations ?? true);
  const { C, N } = NB201_CIFAR10;
  const { classes, inputShape } = taskSpec;
  // ONNX [N, C, H, W] → NHWC [N, H, W, C].
  const [, cin, height, width] = inputShape;
  const input = b.w.activation('input', [1, height, width, cin]);
  let x: Act = { t: input, h: height, w: width, c: cin };
  x = b.convBn('stem.0', '/stem/stem.0', x, C, 3, 1, TFL_ACT.NONE);
  const channels = [C, 2 * C, 4 * C];
  let cell = 0;
  const keepZeros = opts.zeroEdges === 'keep';
  for (let stage = 0; stage < 3; stage++) {
    const c = channels[stage] as number;
    if (stage > 0) x = b.reduction(cell++, x, c);
    for (let i = 0; i < N; i++) x = b.inferCell(cell++, x, edges, keepZeros);
  }
  // lastact: BatchNorm lowered to MUL + ADD (per channel), then ReLU (fused into the ADD).
  const cl = 4 * C;
  const scale = b.w.weight('lastact.0.scale', [cl], 0.1, 1, true);
  const shift = b.w.weight('lastact.0.shift', [cl], 0.05);
  const mul = b.w.op(TFL_OP.MUL, [x.t, scale], [b.act('/lastact/lastact.0/mul', x)], actOptions('mul'));
  x = { ...x, t: mul };
  if (b.fuse) {
    x = { ...x, t: b.w.op(TFL_OP.ADD, [x.t, shift], [b.act('/lastact/lastact.1/Relu', x)], actOptions('add', TFL_ACT.RELU)) };
  } else {
    x = { ...x, t: b.w.op(TFL_OP.ADD, [x.t, shift], [b.act('/lastact/lastact.0/add', x)], actOptions('add')) };
    x = { ...x, t: b.w.op(TFL_OP.RELU, [x.t], [b.act('/lastact/lastact.1/Relu', x)]) };
  }
  const axes = b.w.intConst('/global_pooling/axes', [1, 2]);
  const pooled = b.w.op(TFL_OP.MEAN, [x.t, axes], [b.w.activation('/global_pooling/Mean', [1, 1, 1, cl])], reducerOptions(true));
  const shape = b.w.intConst('/Flatten/shape', [1, cl]);
  const flat = b.w.op(TFL_OP.RESHAPE, [pooled, shape], [b.w.activation('/Flatten', [1, cl])], reshapeOptions([1, cl]));
  const fcW = b.w.weight('classifier.weight', [classes, cl], Math.sqrt(1 / cl));
  const fcB = b.w.weight('classifier.bias', [classes], 0.05);
  const logits = b.w.op(TFL_OP.FULLY_CONNECTED, [flat, fcW, fcB], [b.w.activation('logits', [1, classes])], fullyConnectedOptions());
  return b.w.encode('nb201_tiny_network', [input], [logits]);
}

/** An NHWC activation [1, h, w, c]: tensor index, height, width, channels. */
interface Act {
  t: number;
  h: number;
  w: number;
  c: number;
}

/** The NB201 blocks over a `TfliteWriter`, with torch-style unique names (`Add`, `Add_1`). */
class Nb201TfliteBuilder {
  private readonly names = new Map<string, number>();

  constructor(
    readonly w: TfliteWriter,
    readonly fuse: boolean,
  ) {}

  /** A new activation tensor [1, h, w, c] shaped like `like` unless given. */
  act(name: string, like: Act, h = like.h, w = like.w, c = like.c): number {
    const seen = this.names.get(name) ?? 0;
    this.names.set(name, seen + 1);
    return this.w.activation(seen === 0 ? name : `${name}_${seen}`, [1, h, w, c]);
  }

  /** CONV_2D k×k/stride SAME with bias (Conv + folded BN), OHWI weights. */
  convBn(prefix: string, name: string, x: Act, cout: number, k: number, stride: number, act: number): Act {
    const weight = this.w.weight(`${prefix}.weight`, [cout, k, k, x.c], Math.sqrt(2 / (x.c * k * k)));
    const bias = this.w.weight(`${prefix}.bias`, [cout], 0.05);
    // SAME: ceil(side / stride), which for k=3, pad 1 and the even sides here is torch's
    // (side + 2 − 3) // stride + 1 (spec 3.2).
    const h = Math.ceil(x.h / stride);
    const w = Math.ceil(x.w / stride);
    const out = this.act(`${name}/Conv`, x, h, w, cout);
    return { t: this.w.op(TFL_OP.CONV_2D, [x.t, weight, bias], [out], conv2dOptions(TFL_PADDING.SAME, stride, act)), h, w, c: cout };
  }

  /** NB201 `ReLUConvBN`: RELU → CONV_2D (BN folded); `fusedRelu` when the ReLU was fused upstream. */
  reluConvBn(prefix: string, name: string, x: Act, cout: number, k: number, stride: number, fusedRelu = false): Act {
    const r = fusedRelu ? x : { ...x, t: this.w.op(TFL_OP.RELU, [x.t], [this.act(`${name}/op/op.0/Relu`, x)]) };
    return this.convBn(`${prefix}.op.1`, `${name}/op/op.1`, r, cout, k, stride, TFL_ACT.NONE);
  }

  /** One InferCell: node k = ADD chain of op(node i) over its incoming edges; output node 3. */
  inferCell(cell: number, x: Act, edges: Nb201Edge[], keepZeros: boolean): Act {
    const nodes: Act[] = [x];
    const base = `/cells.${cell}`;
    for (let to = 1; to <= 3; to++) {
      const terms: Act[] = [];
      edges.forEach((e, slot) => {
        if (e.to !== to) return;
        const src = nodes[e.from] as Act;
        const name = `${base}/layers.${slot}`;
        const prefix = `cells.${cell}.layers.${slot}`;
        switch (e.op) {
          case 'none': {
            const zero = keepZeros ? this.w.weight(`${prefix}.zero`, [], 0, 0, false, 'external') : this.w.floatConst(`${name}/Constant`, [], [0]);
            terms.push({ ...src, t: this.w.op(TFL_OP.MUL, [src.t, zero], [this.act(`${name}/Mul`, src)], actOptions('mul')) });
            break;
          }
          case 'skip_connect':
            terms.push(src);
            break;
          case 'nor_conv_1x1':
            terms.push(this.reluConvBn(prefix, name, src, src.c, 1, 1));
            break;
          case 'nor_conv_3x3':
            terms.push(this.reluConvBn(prefix, name, src, src.c, 3, 1));
            break;
          case 'avg_pool_3x3':
            terms.push({ ...src, t: this.w.op(TFL_OP.AVERAGE_POOL_2D, [src.t], [this.act(`${name}/op/AveragePool`, src)], pool2dOptions(TFL_PADDING.SAME, 1, 3)) });
            break;
        }
      });
      let sum = terms[0] as Act;
      for (let t = 1; t < terms.length; t++) {
        sum = { ...sum, t: this.w.op(TFL_OP.ADD, [sum.t, (terms[t] as Act).t], [this.act(`${base}/Add`, sum)], actOptions('add')) };
      }
      nodes.push(sum);
    }
    return nodes[3] as Act;
  }

  /**
   * ResNetBasicblock(cin → cout, stride 2): RELU → CONV 3×3/2 (+ fused ReLU) → CONV 3×3,
   * shortcut AVERAGE_POOL 2×2/2 VALID → CONV 1×1 (no bias), output = shortcut + main.
   */
  reduction(cell: number, x: Act, cout: number): Act {
    const base = `/cells.${cell}`;
    const prefix = `cells.${cell}`;
    let a: Act;
    if (this.fuse) {
      const r = { ...x, t: this.w.op(TFL_OP.RELU, [x.t], [this.act(`${base}/conv_a/op/op.0/Relu`, x)]) };
      // conv_a's output feeds only conv_b's ReLU: the converter fuses that ReLU into conv_a.
      a = this.convBn(`${prefix}.conv_a.op.1`, `${base}/conv_a/op/op.1`, r, cout, 3, 2, TFL_ACT.RELU);
    } else {
      a = this.reluConvBn(`${prefix}.conv_a`, `${base}/conv_a`, x, cout, 3, 2);
    }
    const b2 = this.reluConvBn(`${prefix}.conv_b`, `${base}/conv_b`, a, cout, 3, 1, this.fuse);
    // AvgPool 2/2 VALID: floor(side / 2), equal to the main path's ceil(side / 2) for the even
    // sides of every task (32, 16; 52×16, 26×8; 88, 44).
    const h = Math.floor(x.h / 2);
    const w = Math.floor(x.w / 2);
    const pooled = this.w.op(TFL_OP.AVERAGE_POOL_2D, [x.t], [this.act(`${base}/downsample/downsample.0/AveragePool`, x, h, w)], pool2dOptions(TFL_PADDING.VALID, 2, 2));
    const sw = this.w.weight(`${prefix}.downsample.1.weight`, [cout, 1, 1, x.c], Math.sqrt(2 / x.c));
    const residual = this.w.op(TFL_OP.CONV_2D, [pooled, sw, -1], [this.act(`${base}/downsample/downsample.1/Conv`, x, h, w, cout)], conv2dOptions(TFL_PADDING.VALID, 1));
    return { t: this.w.op(TFL_OP.ADD, [residual, b2.t], [this.act(`${base}/Add`, b2)], actOptions('add')), h, w, c: cout };
  }
}
