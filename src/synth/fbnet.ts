/**
 * FBNet search-space networks (HW-NAS-Bench `FBNet_Infer`, as used by HW-NAS-Bench and HELP) as
 * ONNX, op for op as `torch.onnx.export` emits them in eval mode. Source:
 * ../shared/specs/search-spaces.md sections 2.1–2.3 (paraphrasing HWB
 * `hw_nas_bench_api/fbnet_models/model_infer.py`).
 *
 * Export conventions reproduced (the same as src/synth/nb201.ts):
 * - every BatchNorm follows a Conv and is folded into it (Conv with weight + bias);
 * - `ChannelShuffle(g)` (`view(N, g, C/g, H, W).permute(0, 2, 1, 3, 4).contiguous().view(N, C, H, W)`)
 *   is `Reshape(Constant int64) → Transpose(perm 0,2,1,3,4) → Reshape(Constant int64)`, the
 *   sizes folded to constants (static input shape);
 * - the residual `x += identity` is one `Add`; `skip` with equal shapes is a direct use of the tensor;
 * - AdaptiveAvgPool2d(1) is `GlobalAveragePool`, `.view(N, -1)` is `Reshape(Constant [1, -1])`,
 *   Linear is `Gemm(transB=1)` with bias.
 */
import { ConfigError } from '../core/errors.ts';
import { OnnxWriter, type WeightMode } from './onnx-writer.ts';

/** The 9 FBNet block names in op-index order 0..8 (spec 2.1, HWB `PRIMITIVES`). */
export const FBNET_OPS = ['k3_e1', 'k3_e1_g2', 'k3_e3', 'k3_e6', 'k5_e1', 'k5_e1_g2', 'k5_e3', 'k5_e6', 'skip'] as const;

/** One FBNet block name. */
export type FbnetOp = (typeof FBNET_OPS)[number];

/** Hyper-parameters of one FBNet block name (spec 2.1 table); `skip` has none. */
export interface FbnetOpSpec {
  /** Expansion e of C_in (M = C_in·e channels inside the block). */
  expansion: number;
  /** Depthwise kernel size k (k×k). */
  kernel: number;
  /** Groups g of the two 1×1 convs (2 adds a ChannelShuffle). */
  groups: number;
}

/** Block hyper-parameters by op name; `null` for `skip` (spec 2.1). */
export const FBNET_OP_SPECS: Readonly<Record<FbnetOp, FbnetOpSpec | null>> = {
  k3_e1: { expansion: 1, kernel: 3, groups: 1 },
  k3_e1_g2: { expansion: 1, kernel: 3, groups: 2 },
  k3_e3: { expansion: 3, kernel: 3, groups: 1 },
  k3_e6: { expansion: 6, kernel: 3, groups: 1 },
  k5_e1: { expansion: 1, kernel: 5, groups: 1 },
  k5_e1_g2: { expansion: 1, kernel: 5, groups: 2 },
  k5_e3: { expansion: 3, kernel: 5, groups: 1 },
  k5_e6: { expansion: 6, kernel: 5, groups: 1 },
  skip: null,
};

/** Number of searchable layers of an FBNet architecture (spec 2.1). */
export const FBNET_LAYERS = 22;

/** Dataset variant of the FBNet macro layout (spec 2.2); HWB has no FBNet CIFAR-10. */
export type FbnetDataset = 'cifar100' | 'imagenet';

/** Options of `buildFbnetOnnx`. */
export interface FbnetOptions {
  /** Macro layout and head: `cifar100` (default; 1×3×32×32 → 100 classes) or `imagenet` (1×3×224×224 → 1000). */
  dataset?: FbnetDataset;
  /** `random`: real seeded float32 initializers; `external`: shape-only external data (default `random`). */
  weights?: WeightMode;
  /** PRNG seed for `random` weights (default 0). */
  seed?: number;
}

/** Input shape, class count, stem stride and header width of a dataset variant (spec 2.2). */
export interface FbnetMacro {
  inputShape: [number, number, number, number];
  classes: number;
  stemStride: number;
  header: number;
  /** Stride of the first layer of each of the 7 stages. */
  stageStrides: readonly number[];
}

const STAGE_LAYERS = [1, 4, 4, 4, 4, 4, 1] as const;
const STAGE_WIDTHS = [16, 24, 32, 64, 112, 184, 352] as const;
const STEM_WIDTH = 16;

/** The two macro layouts of spec 2.2 (HWB `FBNet_Infer.__init__`). */
export const FBNET_MACRO: Readonly<Record<FbnetDataset, FbnetMacro>> = {
  cifar100: { inputShape: [1, 3, 32, 32], classes: 100, stemStride: 1, header: 1504, stageStrides: [1, 1, 2, 2, 1, 2, 1] },
  imagenet: { inputShape: [1, 3, 224, 224], classes: 1000, stemStride: 2, header: 1984, stageStrides: [1, 2, 2, 2, 1, 2, 1] },
};

/** Geometry of one searchable layer (spec 2.2 table): channels, stride and input side H = W. */
export interface FbnetLayer {
  /** Layer index 0..21. */
  layer: number;
  /** Stage 0..6. */
  stage: number;
  cin: number;
  cout: number;
  stride: number;
  /** Input height = width of the layer, in pixels. */
  inH: number;
}

/**
 * The 22 searchable layers of a dataset variant with their channels, strides and input sides
 * (spec 2.2; the sides are the ones HWB's lookup-table keys use).
 */
export function fbnetLayers(dataset: FbnetDataset = 'cifar100'): FbnetLayer[] {
  const m = FBNET_MACRO[dataset];
  let h = Math.floor((m.inputShape[2] + 2 - 3) / m.stemStride) + 1;
  let cin = STEM_WIDTH;
  const out: FbnetLayer[] = [];
  STAGE_LAYERS.forEach((n, stage) => {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? (m.stageStrides[stage] as number) : 1;
      const cout = STAGE_WIDTHS[stage] as number;
      out.push({ layer: out.length, stage, cin, cout, stride, inH: h });
      // Every block keeps H/s: k3 pad 1, k5 pad 2 (spec 2.3), 1×1 skip conv pad 0.
      h = Math.floor((h - 1) / stride) + 1;
      cin = cout;
    }
  });
  return out;
}

/**
 * Parses an FBNet architecture: 22 op names (`k3_e1` ... `skip`) or op indices 0..8 (HWB's
 * `op_idx_list`), as an array or one comma-separated string (spaces, brackets and quotes around
 * tokens are ignored, so a JSON list also parses).
 * @returns the 22 op names in layer order
 * @throws ConfigError naming the bad token (and listing the 9 valid names) or the wrong count
 */
export function parseFbnetArch(arch: string | ReadonlyArray<string | number>): FbnetOp[] {
  const tokens: Array<string | number> =
    typeof arch === 'string'
      ? arch
          .replace(/[[\]]/g, '')
          .split(',')
          .map((t) => t.trim().replace(/^["']|["']$/g, ''))
          .filter((t, i, all) => !(t === '' && all.length === 1))
      : [...arch];
  const where = `fbnet arch '${typeof arch === 'string' ? arch : arch.join(',')}'`;
  const valid = `valid ops: ${FBNET_OPS.join(', ')} (or their indices 0..8)`;
  if (tokens.length !== FBNET_LAYERS) {
    throw new ConfigError(where, `expected ${FBNET_LAYERS} comma-separated ops (one per searchable layer), got ${tokens.length}; ${valid}`);
  }
  return tokens.map((t, i) => {
    const s = String(t).trim();
    if (/^\d+$/.test(s)) {
      const k = Number(s);
      if (k < FBNET_OPS.length) return FBNET_OPS[k] as FbnetOp;
    } else if ((FBNET_OPS as readonly string[]).includes(s)) {
      return s as FbnetOp;
    }
    throw new ConfigError(where, `unknown op '${s}' at layer ${i}; ${valid}`);
  });
}

/**
 * Builds the FBNet network of `ops` (spec 2.2–2.3) as ONNX bytes: opset 13, input `input`
 * (1×3×32×32 for `cifar100`, 1×3×224×224 for `imagenet`, float32), output `logits` (1×100 or
 * 1×1000). Layers: stem ConvNorm 3→16 k3 pad 1 → 22 blocks → header ConvNorm 352→1504/1984 k1 →
 * GlobalAveragePool → Reshape [1, −1] → Gemm with bias.
 * @param ops 22 op names or indices 0..8 (see `parseFbnetArch`)
 * @throws ConfigError for a bad op token or count, or an unknown dataset
 */
export function buildFbnetOnnx(ops: ReadonlyArray<string | number>, opts: FbnetOptions = {}): Uint8Array {
  const arch = parseFbnetArch(ops);
  const dataset = opts.dataset ?? 'cifar100';
  const macro = Object.hasOwn(FBNET_MACRO, dataset) ? FBNET_MACRO[dataset] : undefined;
  if (!macro) throw new ConfigError('fbnet dataset', `unknown dataset '${String(dataset)}'; use cifar100 or imagenet`);
  const w = new OnnxWriter(opts.weights ?? 'random', opts.seed ?? 0);

  /** Conv (no bias in torch) + BN folded into weight [cout, cin/g, k, k] + bias [cout]. */
  const convBn = (prefix: string, name: string, x: string, cin: number, cout: number, k: number, stride: number, pad: number, group: number): string => {
    const weight = w.init(`${prefix}.weight`, [cout, cin / group, k, k], Math.sqrt(2 / ((cin / group) * k * k)));
    const bias = w.init(`${prefix}.bias`, [cout], 0.05);
    return w.node('Conv', `${name}/Conv`, [x, weight, bias], {
      dilations: [1, 1],
      group,
      kernel_shape: [k, k],
      pads: [pad, pad, pad, pad],
      strides: [stride, stride],
    })[0] as string;
  };
  const relu = (name: string, x: string): string => w.node('Relu', `${name}/Relu`, [x])[0] as string;

  // Stem: ConvNorm 3→16, k3, pad 1 (explicit), stride 1 (CIFAR) / 2 (ImageNet), then ReLU.
  const [, cIn, inH] = macro.inputShape;
  let x = relu('/stem/relu', convBn('stem.conv', '/stem/conv', 'input', cIn, STEM_WIDTH, 3, macro.stemStride, 1, 1));
  let h = Math.floor((inH + 2 - 3) / macro.stemStride) + 1;

  for (const L of fbnetLayers(dataset)) {
    const op = arch[L.layer] as FbnetOp;
    const spec = FBNET_OP_SPECS[op];
    const base = `/cells.${L.layer}`;
    const prefix = `cells.${L.layer}`;
    const hOut = Math.floor((h - 1) / L.stride) + 1;
    if (spec === null) {
      // Skip: identity iff s == 1 and C_in == C_out, else Conv1x1/s → BN → ReLU (spec 2.3).
      if (L.stride !== 1 || L.cin !== L.cout) {
        x = relu(`${base}/relu`, convBn(`${prefix}.conv`, `${base}/conv`, x, L.cin, L.cout, 1, L.stride, 0, 1));
      }
    } else {
      const { expansion: e, kernel: k, groups: g } = spec;
      const m = L.cin * e; // expansion applies to C_in (spec 2.3)
      const identity = x;
      let y = relu(`${base}/nl`, convBn(`${prefix}.conv1`, `${base}/conv1`, x, L.cin, m, 1, 1, 0, g));
      if (g > 1) {
        const s1 = w.ints(`${base}/shuffle/Constant`, [1, g, m / g, h, h]);
        y = w.node('Reshape', `${base}/shuffle/Reshape`, [y, s1])[0] as string;
        y = w.node('Transpose', `${base}/shuffle/Transpose`, [y], { perm: [0, 2, 1, 3, 4] })[0] as string;
        const s2 = w.ints(`${base}/shuffle/Constant`, [1, m, h, h]);
        y = w.node('Reshape', `${base}/shuffle/Reshape`, [y, s2])[0] as string;
      }
      const pad = Math.ceil((k - L.stride) / 2); // ceil((k − s)/2): 1 for k3, 2 for k5, either stride
      y = relu(`${base}/nl_1`, convBn(`${prefix}.conv2`, `${base}/conv2`, y, m, m, k, L.stride, pad, m));
      y = convBn(`${prefix}.conv3`, `${base}/conv3`, y, m, L.cout, 1, 1, 0, g); // BN, no ReLU
      if (L.cin === L.cout && L.stride === 1) y = w.node('Add', `${base}/Add`, [y, identity])[0] as string;
      x = y;
    }
    h = hOut;
  }

  // Header: ConvNorm 352→1504/1984, k1, pad 0 → ReLU; pool; view(N, −1); Linear with bias.
  const cLast = STAGE_WIDTHS[STAGE_WIDTHS.length - 1] as number;
  x = relu('/header/relu', convBn('header.conv', '/header/conv', x, cLast, macro.header, 1, 1, 0, 1));
  x = w.node('GlobalAveragePool', '/avgpool/GlobalAveragePool', [x])[0] as string;
  x = w.node('Reshape', '/Reshape', [x, w.ints('/Constant', [1, -1])])[0] as string;
  const fcW = w.init('fc.weight', [macro.classes, macro.header], Math.sqrt(1 / macro.header));
  const fcB = w.init('fc.bias', [macro.classes], 0.05);
  w.node('Gemm', '/fc/Gemm', [x, fcW, fcB], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }, ['logits']);

  return w.encode(`fbnet_${dataset}`, [['input', [...macro.inputShape]]], [['logits', [1, macro.classes]]]);
}
