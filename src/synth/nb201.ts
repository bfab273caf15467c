/**
 * Synthetic NAS-Bench-201 networks as ONNX, op for op as `torch.onnx.export` emits the
 * TinyNetwork (C=16, N=5) in eval mode. Source: ../shared/specs/search-spaces.md sections 1.2–1.5
 * (CIFAR-10, HW-NAS-Bench / HELP) and 3.1–3.3 (the HW-NAS-Bench-360 tasks cifar100, ninapro, darcy).
 *
 * Export conventions reproduced:
 * - a BatchNorm that follows a Conv is folded into it (Conv with weight + bias);
 * - the stand-alone `lastact` BatchNorm stays a `BatchNormalization` node;
 * - `none` edges are `Mul(x, Constant 0.0)` (HWB's `Zero.forward` is `x.mul(0.)`), a real multiply
 *   that a constant folder propagates; `skip_connect` is a direct use of the tensor;
 * - node sums are chains of binary `Add` in edge order;
 * - AdaptiveAvgPool2d(1) is `GlobalAveragePool`, the view is `Flatten`, Linear is `Gemm(transB=1)`.
 */
import { ConfigError } from '../core/errors.ts';
import { parseNb201Arch, type Nb201Edge } from './nb201-arch.ts';
import { OnnxWriter, type WeightMode } from './onnx-writer.ts';

/** Options of `buildNb201Onnx`. */
export interface Nb201Options {
  /** `random`: real seeded float32 initializers; `external`: shape-only external data (default `random`). */
  weights?: WeightMode;
  /** PRNG seed for `random` weights (default 0). */
  seed?: number;
  /**
   * Dataset / task variant (default `cifar10`, see `Nb201Task` and `NB201_TASKS`): the input
   * shape, the stem conv's input channels, the head width and the opset follow from it.
   */
  task?: Nb201Task;
  /**
   * How `none` edges are written. `fold` (default, what torch.onnx.export emits): `Mul(x, Constant
   * 0.0)`, which a constant folder propagates (dead branches vanish). `keep`: `Mul(x, z)` with `z`
   * a shape-only external scalar initializer, so an analyser cannot see the zero and keeps every
   * branch (for training on measurements whose runtimes executed zero-fed branches; the model is
   * then not runnable).
   */
  zeroEdges?: 'fold' | 'keep';
}

/** TinyNetwork hyper-parameters for CIFAR-10 (spec 1.1): C=16, N=5, 10 classes, 32×32 input. */
export const NB201_CIFAR10 = { C: 16, N: 5, classes: 10, inputShape: [1, 3, 32, 32] } as const;

/**
 * NB201 task variants: `cifar10` is the HW-NAS-Bench / HELP network (spec 1.2); `cifar100`,
 * `ninapro` and `darcy` are the HW-NAS-Bench-360 exports (spec 3.1–3.3).
 */
export type Nb201Task = 'cifar10' | 'cifar100' | 'ninapro' | 'darcy';

/** Per-task graph interface: input shape [N, C, H, W], head width, and export opset. */
export interface Nb201TaskSpec {
  /** Graph input `input`, float32, batch 1; its channel count is the stem conv's in_ch (spec 3.1). */
  inputShape: readonly [number, number, number, number];
  /** Output width of the Linear 64→classes head (`logits` is [1, classes]). */
  classes: number;
  /** Default-domain opset of the export (13 for cifar10 as before; 16 for the 360 tasks, spec 3.3). */
  opset: number;
}

/**
 * The task table (spec 1.1 for cifar10, 3.2 for the 360 tasks). darcy's native 85×85 input is
 * zero-padded to 88×88 outside the graph; its head stays Linear 64→1 (no dense decoder).
 */
export const NB201_TASKS: Readonly<Record<Nb201Task, Nb201TaskSpec>> = {
  cifar10: { inputShape: NB201_CIFAR10.inputShape, classes: NB201_CIFAR10.classes, opset: 13 },
  cifar100: { inputShape: [1, 3, 32, 32], classes: 100, opset: 16 },
  ninapro: { inputShape: [1, 1, 52, 16], classes: 18, opset: 16 },
  darcy: { inputShape: [1, 1, 88, 88], classes: 1, opset: 16 },
};

const BN_EPS = 1e-5;

/**
 * Builds the NB201 TinyNetwork of `archStr` for `opts.task` as ONNX bytes: input `input`
 * float32 of `NB201_TASKS[task].inputShape`, output `logits` [1, classes]. Default `cifar10`:
 * opset 13, [1,3,32,32] → [1,10] (byte-identical to earlier releases); the HW-NAS-Bench-360 tasks
 * (spec 3.2–3.3): opset 16, cifar100 [1,3,32,32] → [1,100], ninapro [1,1,52,16] → [1,18],
 * darcy [1,1,88,88] → [1,1], stem conv in_ch = input channels.
 * @throws ConfigError for an invalid arch string (naming the bad token) or an unknown task
 */
export function buildNb201Onnx(archStr: string, opts: Nb201Options = {}): Uint8Array {
  const edges = parseNb201Arch(archStr);
  const task = opts.task ?? 'cifar10';
  const taskSpec = Object.hasOwn(NB201_TASKS, task) ? NB201_TASKS[task] : undefined;
  if (!taskSpec) throw new ConfigError('nb201 task', `unsupported task '${String(task)}'; known tasks: ${Object.keys(NB201_TASKS).join(', ')}`);
  const w = new OnnxWriter(opts.weights ?? 'random', opts.seed ?? 0);
  const { C, N } = NB201_CIFAR10;
  const { classes, inputShape } = taskSpec;

  /** Conv (no bias in torch) followed by BN, folded: weight [cout, cin, k, k] + bias [cout]. */
  const convBn = (prefix: string, name: string, x: string, cin: number, cout: number, k: number, stride: number): string => {
    const weight = w.init(`${prefix}.weight`, [cout, cin, k, k], Math.sqrt(2 / (cin * k * k)));
    const bias = w.init(`${prefix}.bias`, [cout], 0.05);
    return w.node('Conv', `${name}/Conv`, [x, weight, bias], {
      dilations: [1, 1],
      group: 1,
      kernel_shape: [k, k],
      pads: [(k - 1) >> 1, (k - 1) >> 1, (k - 1) >> 1, (k - 1) >> 1],
      strides: [stride, stride],
    })[0] as string;
  };
  /** ReLU → Conv → BN (NB201 `ReLUConvBN`, BN folded). */
  const reluConvBn = (prefix: string, name: string, x: string, cin: number, cout: number, k: number, stride: number): string => {
    const r = w.node('Relu', `${name}/op/op.0/Relu`, [x])[0] as string;
    return convBn(`${prefix}.op.1`, `${name}/op/op.1`, r, cin, cout, k, stride);
  };

  // Stem: Conv3x3 3→C (no bias) + BN, folded; no ReLU (spec 1.2).
  let x = convBn('stem.0', '/stem/stem.0', 'input', inputShape[1], C, 3, 1);

  const channels = [C, 2 * C, 4 * C];
  let cell = 0;
  const keepZeros = opts.zeroEdges === 'keep';
  for (let stage = 0; stage < 3; stage++) {
    const c = channels[stage] as number;
    if (stage > 0) x = reduction(w, cell++, x, c / 2, c, reluConvBn);
    for (let i = 0; i < N; i++) x = inferCell(w, cell++, x, c, edges, reluConvBn, keepZeros);
  }

  // lastact: stand-alone BN (γ, β, running mean, running var) → ReLU (spec 1.2).
  const cl = 4 * C;
  const bnScale = w.init('lastact.0.weight', [cl], 0.1, 1);
  const bnBias = w.init('lastact.0.bias', [cl], 0.05);
  const bnMean = w.init('lastact.0.running_mean', [cl], 0.1);
  const bnVar = w.init('lastact.0.running_var', [cl], 0.1, 1, true);
  x = w.node('BatchNormalization', '/lastact/lastact.0/BatchNormalization', [x, bnScale, bnBias, bnMean, bnVar], {
    epsilon: { float: BN_EPS },
    momentum: { float: 0.9 },
  })[0] as string;
  x = w.node('Relu', '/lastact/lastact.1/Relu', [x])[0] as string;
  x = w.node('GlobalAveragePool', '/global_pooling/GlobalAveragePool', [x])[0] as string;
  x = w.node('Flatten', '/Flatten', [x], { axis: 1 })[0] as string;
  const fcW = w.init('classifier.weight', [classes, cl], Math.sqrt(1 / cl));
  const fcB = w.init('classifier.bias', [classes], 0.05);
  w.node('Gemm', '/classifier/Gemm', [x, fcW, fcB], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }, ['logits']);

  return w.encode('nb201_tiny_network', [['input', [...inputShape]]], [['logits', [1, classes]]], taskSpec.opset);
}

type ReluConvBn = (prefix: string, name: string, x: string, cin: number, cout: number, k: number, stride: number) => string;

/**
 * One InferCell (spec 1.3–1.4): node k = Add chain of op(node i) over its incoming edges;
 * the cell output is node 3.
 */
function inferCell(w: OnnxWriter, cell: number, x: string, c: number, edges: Nb201Edge[], reluConvBn: ReluConvBn, keepZeros: boolean): string {
  const nodes: string[] = [x];
  const base = `/cells.${cell}`;
  for (let to = 1; to <= 3; to++) {
    const terms: string[] = [];
    edges.forEach((e, slot) => {
      if (e.to !== to) return;
      const src = nodes[e.from] as string;
      const name = `${base}/layers.${slot}`;
      const prefix = `cells.${cell}.layers.${slot}`;
      switch (e.op) {
        case 'none': {
          const zero = keepZeros ? w.init(`${prefix}.zero`, [], 0, 0, false, 'external') : w.scalar(`${name}/Constant`, 0);
          terms.push(w.node('Mul', `${name}/Mul`, [src, zero])[0] as string);
          break;
        }
        case 'skip_connect':
          terms.push(src);
          break;
        case 'nor_conv_1x1':
          terms.push(reluConvBn(prefix, name, src, c, c, 1, 1));
          break;
        case 'nor_conv_3x3':
          terms.push(reluConvBn(prefix, name, src, c, c, 3, 1));
          break;
        case 'avg_pool_3x3':
          terms.push(
            w.node('AveragePool', `${name}/op/AveragePool`, [src], {
              ceil_mode: 0,
              count_include_pad: 0,
              kernel_shape: [3, 3],
              pads: [1, 1, 1, 1],
              strides: [1, 1],
            })[0] as string,
          );
          break;
      }
    });
    let sum = terms[0] as string;
    for (let t = 1; t < terms.length; t++) sum = w.node('Add', `${base}/Add`, [sum, terms[t] as string])[0] as string;
    nodes.push(sum);
  }
  return nodes[3] as string;
}

/**
 * ResNetBasicblock(cin → cout, stride 2) (spec 1.5): main ReLU→Conv3x3/s2→BN→ReLU→Conv3x3→BN,
 * shortcut AvgPool k2 s2 → Conv1x1 (no bias, no BN), output = shortcut + main (no ReLU).
 */
function reduction(w: OnnxWriter, cell: number, x: string, cin: number, cout: number, reluConvBn: ReluConvBn): string {
  const base = `/cells.${cell}`;
  const prefix = `cells.${cell}`;
  const a = reluConvBn(`${prefix}.conv_a`, `${base}/conv_a`, x, cin, cout, 3, 2);
  const b = reluConvBn(`${prefix}.conv_b`, `${base}/conv_b`, a, cout, cout, 3, 1);
  const pooled = w.node('AveragePool', `${base}/downsample/downsample.0/AveragePool`, [x], {
    ceil_mode: 0,
    count_include_pad: 1,
    kernel_shape: [2, 2],
    pads: [0, 0, 0, 0],
    strides: [2, 2],
  })[0] as string;
  const sw = w.init(`${prefix}.downsample.1.weight`, [cout, cin, 1, 1], Math.sqrt(2 / cin));
  const residual = w.node('Conv', `${base}/downsample/downsample.1/Conv`, [pooled, sw], {
    dilations: [1, 1],
    group: 1,
    kernel_shape: [1, 1],
    pads: [0, 0, 0, 0],
    strides: [1, 1],
  })[0] as string;
  return w.node('Add', `${base}/Add`, [residual, b])[0] as string;
}
