/**
 * Convolutions: Conv, ConvTranspose, ConvInteger, QLinearConv (any number of spatial dims).
 *
 * Layouts: activations are NCHW unless `channelsLast` (TFLite/TF.js graphs, or a node
 * `data_format` 'NHWC'), then N, spatial..., C. Weights are ONNX `OIHW` ([Cout, Cin/group, k...];
 * ConvTranspose [Cin, Cout/group, k...]) unless the node's `kernel_layout` attribute says
 * otherwise: 'OHWI' (TFLite CONV_2D [Cout, kh, kw, Cin/group]; TRANSPOSE_CONV [Cout, kh, kw, Cin]),
 * '1HWO' (TFLite DEPTHWISE_CONV_2D [1, kh, kw, Cout]), 'HWIO' (TF Conv2D [kh, kw, Cin/group, Cout];
 * Conv2DBackpropInput [kh, kw, Cout, Cin], written 'HWOI'), 'HWIM' (TF depthwise
 * [kh, kw, Cin, multiplier]). Readers of those formats set `kernel_layout`.
 *
 * Source: ONNX Operators.md, Conv / ConvTranspose (output size formulas and auto_pad rules).
 * MACs (thop/fvcore convention, bias not counted):
 * - Conv: N · Cout · ∏(output spatial) · (Cin / group) · ∏(kernel)
 * - ConvTranspose: N · Cin · ∏(input spatial) · (Cout / group) · ∏(kernel)
 *   (every input element is multiplied by a (Cout/group)·∏kernel slice of the weights).
 */
import type { DType, Node, TensorInfo } from '../ir.ts';
import { numel } from '../tensor.ts';
import type { Inputs, OpContext, OpSpec } from './types.ts';
import { attrInt, attrInts, attrStr, channelsLast, fail, isZero, shapeOf, spatialDims } from './types.ts';

/** Weight geometry of a convolution: output channels, input channels per group, kernel dims. */
export interface KernelDims {
  cout: number;
  cinPerGroup: number;
  kernel: number[];
}

/**
 * Output channels, input channels per group and kernel of a Conv weight shape, by the node's
 * `kernel_layout` (see the module docstring; default 'OIHW').
 */
export function kernelDims(node: Node, w: number[]): KernelDims {
  const layout = attrStr(node, 'kernel_layout', 'OIHW');
  const last = w[w.length - 1] as number;
  switch (layout) {
    case 'OHWI':
      return { cout: w[0] as number, cinPerGroup: last, kernel: w.slice(1, -1) };
    case '1HWO':
      return { cout: last, cinPerGroup: 1, kernel: w.slice(1, -1) };
    case 'HWIO':
      return { cout: last, cinPerGroup: w[w.length - 2] as number, kernel: w.slice(0, -2) };
    case 'HWIM':
      return { cout: (w[w.length - 2] as number) * last, cinPerGroup: 1, kernel: w.slice(0, -2) };
    default:
      return { cout: w[0] as number, cinPerGroup: w[1] as number, kernel: w.slice(2) };
  }
}

/** Spatial output size of one axis of a convolution or pooling window (ONNX Conv/MaxPool). */
export function windowOut(
  node: Node,
  inSize: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  autoPad: string,
  ceilMode = false,
): number {
  const ek = (kernel - 1) * dilation + 1;
  let out: number;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out = Math.ceil(inSize / stride);
  else if (autoPad === 'VALID') out = Math.floor((inSize - ek) / stride) + 1;
  else {
    const span = inSize + padBegin + padEnd - ek;
    out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
    // A last window that would start entirely in the end padding is dropped (PyTorch/ORT rule).
    if (ceilMode && (out - 1) * stride >= inSize + padBegin) out -= 1;
  }
  if (out <= 0) {
    fail(
      node,
      `window (kernel ${kernel}, dilation ${dilation}) is larger than the padded input (${inSize} + pads ${padBegin}+${padEnd}); check input shapes`,
    );
  }
  return out;
}

/** Window geometry of a Conv/Pool node over `spatial` input dims. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: string;
}

/** Reads kernel_shape (or `kernelFromWeights`), strides, dilations, pads and auto_pad. */
export function windowOf(node: Node, spatial: number, kernelFromWeights?: number[]): Window {
  const kernel = attrInts(node, 'kernel_shape') ?? kernelFromWeights;
  if (!kernel || kernel.length !== spatial) fail(node, `kernel_shape ${kernel ? `[${kernel.join(',')}]` : 'missing'} does not match ${spatial} spatial dims`);
  const ones = new Array<number>(spatial).fill(1);
  return {
    kernel,
    strides: attrInts(node, 'strides') ?? ones,
    dilations: attrInts(node, 'dilations') ?? ones,
    pads: attrInts(node, 'pads') ?? new Array<number>(2 * spatial).fill(0),
    autoPad: attrStr(node, 'auto_pad', 'NOTSET'),
  };
}

/** Output spatial dims of a window op. */
export function windowOutShape(node: Node, inSpatial: number[], w: Window, ceilMode = false): number[] {
  const k = inSpatial.length;
  return inSpatial.map((d, i) =>
    windowOut(
      node,
      d,
      w.kernel[i] as number,
      w.strides[i] ?? 1,
      w.dilations[i] ?? 1,
      w.pads[i] ?? 0,
      w.pads[i + k] ?? 0,
      w.autoPad,
      ceilMode,
    ),
  );
}

/** Conv-like shape rule with X at input `xi` and W at input `wi`. */
function convShape(node: Node, inputs: Inputs, xi: number, wi: number, ctx?: OpContext): number[] {
  const x = shapeOf(node, inputs, xi);
  const w = shapeOf(node, inputs, wi);
  const last = channelsLast(node, ctx);
  if (x.length < 3) fail(node, `input rank ${x.length} < 3 (expected N, ${last ? 'spatial..., C' : 'C, spatial...'})`);
  if (w.length !== x.length) fail(node, `weight rank ${w.length} differs from input rank ${x.length}`);
  const group = attrInt(node, 'group', 1);
  const cin = (last ? x[x.length - 1] : x[1]) as number;
  const k = kernelDims(node, w);
  if (cin !== k.cinPerGroup * group) {
    fail(node, `input channels ${cin} ≠ weight channels ${k.cinPerGroup} × group ${group}`);
  }
  const win = windowOf(node, x.length - 2, k.kernel);
  const spatial = windowOutShape(node, spatialDims(x, last), win);
  return last ? [x[0] as number, ...spatial, k.cout] : [x[0] as number, k.cout, ...spatial];
}

/** Conv MACs = N·Cout·∏out·(Cin/group)·∏kernel, read from the weight and output shapes. */
function convMacs(node: Node, w: TensorInfo | undefined, out: TensorInfo | undefined, ctx?: OpContext): number {
  if (!w?.shape || !out?.shape) return 0;
  const ws = w.shape as number[];
  // ∏(weight dims) = Cout·(Cin/group)·∏kernel in every kernel layout; times N·∏(output spatial).
  const o = out.shape as number[];
  return numel(ws) * (o[0] as number) * numel(spatialDims(o, channelsLast(node, ctx)));
}

/** Conv(X, W, B?). Output is zero when X is zero and there is no bias (or a zero bias). */
const conv: OpSpec = {
  op: 'Conv',
  inferShapes: (node, inputs, ctx) => [convShape(node, inputs, 0, 1, ctx)],
  macs: (node, inputs, outputs, ctx) => convMacs(node, inputs[1], outputs[0], ctx),
  zero: (_node, inputs) => isZero(inputs[0]) && (!inputs[2] || isZero(inputs[2])),
};

/** ConvInteger(x, w, x_zero_point?, w_zero_point?): int32 output, Conv geometry. */
const convInteger: OpSpec = {
  op: 'ConvInteger',
  inferShapes: (node, inputs, ctx) => [convShape(node, inputs, 0, 1, ctx)],
  inferTypes: (): DType[] => ['int32'],
  macs: (node, inputs, outputs, ctx) => convMacs(node, inputs[1], outputs[0], ctx),
};

/** QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?): dtype of y_zero_point. */
const qlinearConv: OpSpec = {
  op: 'QLinearConv',
  inferShapes: (node, inputs, ctx) => [convShape(node, inputs, 0, 3, ctx)],
  inferTypes: (_n, inputs): DType[] => [inputs[7]?.dtype ?? inputs[0]?.dtype ?? 'uint8'],
  macs: (node, inputs, outputs, ctx) => convMacs(node, inputs[3], outputs[0], ctx),
};

/**
 * Channels of a ConvTranspose weight: [input channels, output channels per group, kernel], by
 * `kernel_layout` (default ONNX [Cin, Cout/group, k...]; 'OHWI' TFLite [Cout, kh, kw, Cin];
 * 'HWOI' TF [kh, kw, Cout, Cin]).
 */
function transposeKernel(node: Node, w: number[]): { cin: number; coutPerGroup: number; kernel: number[] } {
  const layout = attrStr(node, 'kernel_layout', 'OIHW');
  if (layout === 'OHWI') return { cin: w[w.length - 1] as number, coutPerGroup: w[0] as number, kernel: w.slice(1, -1) };
  if (layout === 'HWOI') return { cin: w[w.length - 1] as number, coutPerGroup: w[w.length - 2] as number, kernel: w.slice(0, -2) };
  return { cin: w[0] as number, coutPerGroup: w[1] as number, kernel: w.slice(2) };
}

/** ConvTranspose(X, W, B?): W is [Cin, Cout/group, k...] (or per `kernel_layout`). */
const convTranspose: OpSpec = {
  op: 'ConvTranspose',
  inferShapes: (node, inputs, ctx) => {
    const x = shapeOf(node, inputs, 0);
    const w = shapeOf(node, inputs, 1);
    const last = channelsLast(node, ctx);
    const k = x.length - 2;
    if (k < 1 || w.length !== x.length) fail(node, `input [${x.join(',')}] and weight [${w.join(',')}] ranks do not fit`);
    const group = attrInt(node, 'group', 1);
    const kd = transposeKernel(node, w);
    const cin = (last ? x[x.length - 1] : x[1]) as number;
    if (cin !== kd.cin) fail(node, `input channels ${cin} ≠ weight input channels ${kd.cin}`);
    const win = windowOf(node, k, kd.kernel);
    const outPad = attrInts(node, 'output_padding') ?? new Array<number>(k).fill(0);
    const given = attrInts(node, 'output_shape');
    const spatial = spatialDims(x, last).map((d, i) => {
      if (given && given.length >= k) return given[given.length - k + i] as number;
      const s = win.strides[i] ?? 1;
      if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return d * s;
      const ek = ((win.kernel[i] as number) - 1) * (win.dilations[i] ?? 1) + 1;
      const pads = win.autoPad === 'VALID' ? 0 : (win.pads[i] ?? 0) + (win.pads[i + k] ?? 0);
      return s * (d - 1) + (outPad[i] ?? 0) + ek - pads;
    });
    for (const d of spatial) if (d <= 0) fail(node, `non-positive output size [${spatial.join(',')}]`);
    const cout = kd.coutPerGroup * group;
    return [last ? [x[0] as number, ...spatial, cout] : [x[0] as number, cout, ...spatial]];
  },
  macs: (node, inputs, _outputs, ctx) => {
    const x = inputs[0]?.shape as number[] | undefined;
    const w = inputs[1]?.shape as number[] | undefined;
    if (!x || !w) return 0;
    return (x[0] as number) * numel(spatialDims(x, channelsLast(node, ctx))) * numel(w);
  },
  zero: (_node, inputs) => isZero(inputs[0]) && (!inputs[2] || isZero(inputs[2])),
};

/** Every convolution op spec. */
export const CONV_OPS: OpSpec[] = [conv, convInteger, qlinearConv, convTranspose];
