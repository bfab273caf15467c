/**
 * `detector`: mobile detection and OCR networks at the input sizes they ship at, written the way
 * PaddleOCR's paddle2onnx exports and older torch.onnx exports write them.
 *
 * - Text detector (DB, Liao et al. 2020; PP-OCR, Du et al. 2020): MobileNetV3 / PP-LCNet-style
 *   backbone, FPN neck (1x1 laterals, Resize nearest ×2 top-down Adds, 3x3 smoothing convs, every
 *   level resized to 1/4 and Concat), DB head (Conv 3x3 → BN → Relu → ConvTranspose 2/2 → BN →
 *   Relu → ConvTranspose 2/2 → Sigmoid), on square inputs of 256–640 px, batch 1.
 * - Text-line classifier (PP-OCR direction classifier): the same backbone on 32/48 × 96–320
 *   text lines, batch 1–8, GlobalAveragePool → Flatten → MatMul + Add → Softmax.
 *
 * Export style, sampled per graph: BatchNormalization left unfused after every conv, only in the
 * head, or folded away; hard-swish decomposed into Add/Clip/Mul/Div, or the HardSwish op, or
 * Relu; an optional learnable affine block (Mul, Add) after activations (PP-LCNetV3);
 * squeeze-excite with HardSigmoid (MobileNetV3).
 */
import type { GraphBuilder, Ranges, Rng, T } from './common.ts';

/** Square detector inputs (PP-OCR det runs at limit side 640 / 960; mobile detectors 256–512). */
const DET_SIDES = [256, 320, 320, 384, 448, 512, 640, 640] as const;
/** Text-line heights and widths (PP-OCR cls 48×192, rec 32/48 × 320). */
const LINE_H = [32, 48] as const;
const LINE_W = [96, 128, 160, 192, 256, 320] as const;

/** MACs and node bounds of this family: detectors are larger and deeper than the default range. */
export const DETECTOR_RANGES: Ranges = { minMacs: 5e6, maxMacs: 4e9, minNodes: 30, maxNodes: 700 };

const round8 = (c: number): number => Math.max(8, Math.round(c / 8) * 8);

/** Samples one detector or text-line classifier; returns the ONNX bytes (opset 14). */
export function detector(r: Rng, g: GraphBuilder): Uint8Array {
  const det = r.bool(0.65);
  const batch = det ? 1 : r.pick([1, 1, 2, 4, 8]);
  const side = r.pick(DET_SIDES);
  const [h, w] = det ? [side, side] : [r.pick(LINE_H), r.pick(LINE_W)];
  const input: T = { name: 'input', shape: [batch, 3, h, w] };
  const bn = r.pick(det ? (['all', 'head', 'head', 'none'] as const) : (['all', 'all', 'none'] as const));
  const hs = r.pick(['decomposed', 'decomposed', 'op', 'relu'] as const);
  const affine = r.bool(0.3);
  const scale = r.pick([0.35, 0.5, 0.75, 1.0]);

  const activate = (x: T, relu: boolean): T => {
    let y = relu || hs === 'relu' ? g.act(x, 'relu') : hs === 'op' ? g.act(x, 'hardswish') : g.hardSwishDecomposed(x);
    if (affine) y = g.affine(y);
    return y;
  };
  /** Conv (+ BN when unfused) (+ activation: 'relu', 'hs' or none). */
  const cba = (x: T, cout: number, k: number, stride = 1, group = 1, act?: 'relu' | 'hs'): T => {
    let y = g.conv(x, cout, k, stride, group, 1, { bias: bn !== 'all' });
    if (bn === 'all') y = g.batchNorm(y);
    return act ? activate(y, act === 'relu') : y;
  };
  const canHalve = (x: T): boolean => (x.shape[2] as number) >= 4 && (x.shape[3] as number) >= 4;

  let x = cba(input, round8(16 * scale), 3, 2, 1, 'hs');
  // (expansion, base channels, kernel, squeeze-excite, relu) per stage, after MobileNetV3-Large
  // Table 1; each stage halves the resolution (output strides 4, 8, 16, 32).
  const stages: Array<[number, number, number, boolean, boolean]> = [
    [4, 24, 3, false, true],
    [3, 40, 5, true, true],
    [6, 80, 3, false, false],
    [6, 160, 5, true, false],
  ];
  const feats: T[] = [];
  for (const [si, [tBase, cBase, kBase, seBase, relu]] of stages.entries()) {
    const cout = round8(cBase * scale);
    const n = r.int(1, si === 2 ? 6 : 3);
    const k = r.bool(0.8) ? kBase : 8 - kBase;
    const se = seBase && r.bool(0.7);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 && canHalve(x) ? 2 : 1;
      const cin = x.shape[1] as number;
      const mid = round8(cin * (i === 0 ? tBase : r.pick([3, 4, 6])));
      let y = cba(x, mid, 1, 1, 1, relu ? 'relu' : 'hs');
      y = cba(y, mid, k, stride, mid, relu ? 'relu' : 'hs');
      if (se) y = g.squeezeExcite(y, 4);
      y = cba(y, cout, 1);
      x = stride === 1 && cin === cout ? g.binary('Add', y, x) : y;
    }
    feats.push(x);
  }

  if (!det) {
    x = activate(cba(x, round8((x.shape[1] as number) * 3), 1), false);
    x = g.flatten(g.gap(x));
    x = g.linear(x, r.pick([2, 4]));
    const out = { name: g.op('Softmax', [x.name], { axis: -1 }), shape: x.shape };
    return g.finish('detector-cls', input, out, 14);
  }

  // FPN neck over output strides 4..32; all levels share `inC`, smoothing convs give inC/4.
  const inC = r.pick([64, 96, 128, 256]);
  const lat = feats.map((f) => g.conv(f, inC, 1, 1, 1, 1, { bias: false }));
  const td: T[] = [lat[3] as T];
  for (let i = 2; i >= 0; i--) {
    const up = g.resize(td[0] as T, 2, 'nearest');
    td.unshift(g.binary('Add', lat[i] as T, up));
  }
  const neckSe = r.bool(0.4);
  const outs = td.map((p, i) => {
    let y = g.conv(p, inC / 4, 3, 1, 1, 1, { bias: false });
    if (neckSe) y = g.squeezeExcite(y, 4);
    return i === 0 ? y : g.resize(y, 2 ** i, 'nearest');
  });
  x = g.concat(outs, 1);

  // DB head (probability map branch).
  const headBn = bn !== 'none';
  const mid = inC / 4;
  let y = g.conv(x, mid, 3, 1, 1, 1, { bias: !headBn });
  if (headBn) y = g.batchNorm(y);
  y = g.act(y, 'relu');
  y = g.convTranspose(y, mid, 2, !headBn);
  if (headBn) y = g.batchNorm(y);
  y = g.act(y, 'relu');
  y = g.act(g.convTranspose(y, 1, 2), 'sigmoid');
  return g.finish('detector', input, y, 14);
}
