/**
 * Convolutions: Conv, ConvTranspose, ConvInteger, QLinearConv (NCHW, any number of spatial dims).
 *
 * Source: ONNX Operators.md, Conv / ConvTranspose (output size formulas and auto_pad rules).
 * MACs (thop/fvcore convention, bias not counted):
 * - Conv: N · Cout · ∏(output spatial) · (Cin / group) · ∏(kernel)
 * - ConvTranspose: N · Cin · ∏(input spatial) · (Cout / group) · ∏(kernel)
 *   (every input element is multiplied by a (Cout/group)·∏kernel slice of the weights).
 */
import type { DType, Node, TensorInfo } from '../ir.ts';
import { numel } from '../tensor.ts';
import type { Inputs, OpSpec } from './types.ts';
import { attrInt, attrInts, attrStr, fail, isZero, shapeOf } from './types.ts';

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
function convShape(node: Node, inputs: Inputs, xi: number, wi: number): number[] {
  const x = shapeOf(node, inputs, xi);
  const w = shapeOf(node, inputs, wi);
  if (x.length < 3) fail(node, `input rank ${x.length} < 3 (expected N, C, spatial...)`);
  if (w.length !== x.length) fail(node, `weight rank ${w.length} differs from input rank ${x.length}`);
  const group = attrInt(node, 'group', 1);
  const cin = x[1] as number;
  if (cin !== (w[1] as number) * group) {
    fail(node, `input channels ${cin} ≠ weight channels ${w[1]} × group ${group}`);
  }
  const win = windowOf(node, x.length - 2, w.slice(2));
  return [x[0] as number, w[0] as number, ...windowOutShape(node, x.slice(2), win)];
}

/** Conv MACs = N·Cout·∏out·(Cin/group)·∏kernel, read from the weight and output shapes. */
function convMacs(w: TensorInfo | undefined, out: TensorInfo | undefined): number {
  if (!w?.shape || !out?.shape) return 0;
  const ws = w.shape as number[];
  // ∏(weight dims) = Cout·(Cin/group)·∏kernel; times N·∏(output spatial).
  const o = out.shape as number[];
  return numel(ws) * (o[0] as number) * numel(o.slice(2));
}

/** Conv(X, W, B?). Output is zero when X is zero and there is no bias (or a zero bias). */
const conv: OpSpec = {
  op: 'Conv',
  inferShapes: (node, inputs) => [convShape(node, inputs, 0, 1)],
  macs: (_node, inputs, outputs) => convMacs(inputs[1], outputs[0]),
  zero: (_node, inputs) => isZero(inputs[0]) && (!inputs[2] || isZero(inputs[2])),
};

/** ConvInteger(x, w, x_zero_point?, w_zero_point?): int32 output, Conv geometry. */
const convInteger: OpSpec = {
  op: 'ConvInteger',
  inferShapes: (node, inputs) => [convShape(node, inputs, 0, 1)],
  inferTypes: (): DType[] => ['int32'],
  macs: (_node, inputs, outputs) => convMacs(inputs[1], outputs[0]),
};

/** QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?): dtype of y_zero_point. */
const qlinearConv: OpSpec = {
  op: 'QLinearConv',
  inferShapes: (node, inputs) => [convShape(node, inputs, 0, 3)],
  inferTypes: (_n, inputs): DType[] => [inputs[7]?.dtype ?? inputs[0]?.dtype ?? 'uint8'],
  macs: (_node, inputs, outputs) => convMacs(inputs[3], outputs[0]),
};

/** ConvTranspose(X, W, B?): W is [Cin, Cout/group, k...]. */
const convTranspose: OpSpec = {
  op: 'ConvTranspose',
  inferShapes: (node, inputs) => {
    const x = shapeOf(node, inputs, 0);
    const w = shapeOf(node, inputs, 1);
    const k = x.length - 2;
    if (k < 1 || w.length !== x.length) fail(node, `input [${x.join(',')}] and weight [${w.join(',')}] ranks do not fit`);
    const group = attrInt(node, 'group', 1);
    if (x[1] !== w[0]) fail(node, `input channels ${x[1]} ≠ weight dim 0 ${w[0]}`);
    const win = windowOf(node, k, w.slice(2));
    const outPad = attrInts(node, 'output_padding') ?? new Array<number>(k).fill(0);
    const given = attrInts(node, 'output_shape');
    const spatial = x.slice(2).map((d, i) => {
      if (given && given.length >= k) return given[given.length - k + i] as number;
      const s = win.strides[i] ?? 1;
      if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return d * s;
      const ek = ((win.kernel[i] as number) - 1) * (win.dilations[i] ?? 1) + 1;
      const pads = win.autoPad === 'VALID' ? 0 : (win.pads[i] ?? 0) + (win.pads[i + k] ?? 0);
      return s * (d - 1) + (outPad[i] ?? 0) + ek - pads;
    });
    for (const d of spatial) if (d <= 0) fail(node, `non-positive output size [${spatial.join(',')}]`);
    return [[x[0] as number, (w[1] as number) * group, ...spatial]];
  },
  macs: (_node, inputs) => {
    const x = inputs[0]?.shape as number[] | undefined;
    const w = inputs[1]?.shape as number[] | undefined;
    if (!x || !w) return 0;
    return (x[0] as number) * numel(x.slice(2)) * numel(w);
  },
  zero: (_node, inputs) => isZero(inputs[0]) && (!inputs[2] || isZero(inputs[2])),
};

/** Every convolution op spec. */
export const CONV_OPS: OpSpec[] = [conv, convInteger, qlinearConv, convTranspose];
