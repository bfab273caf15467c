/**
 * Quantization: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear (QLinearConv and
 * QLinearMatMul live with Conv and MatMul).
 *
 * Source: ONNX Operators.md. QuantizeLinear's output dtype is that of y_zero_point (uint8 when
 * absent; opset 21 `output_dtype` attribute). DequantizeLinear outputs the dtype of x_scale.
 * MACs: 0. Elementwise ops: one per element.
 * DequantizeLinear is never folded: on constant int8 weights it stands for the quantized weights
 * the runtime reads (QDQ format), so params and weight bytes stay those of the int8 tensor.
 */
import type { DType } from '../ir.ts';
import { dtypeFromOnnx } from '../dtype-codes.ts';
import type { OpSpec } from './types.ts';
import { attrInt, outElems, shapeOf, zeroFirst } from './types.ts';

const quantize: OpSpec = {
  op: 'QuantizeLinear',
  inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
  inferTypes: (node, inputs): DType[] => {
    const code = attrInt(node, 'output_dtype', 0);
    return [code ? dtypeFromOnnx(code) : (inputs[2]?.dtype ?? 'uint8')];
  },
  macs: () => 0,
  elementwiseOps: (_n, _i, outputs) => outElems(outputs),
};

const dequantize: OpSpec = {
  op: 'DequantizeLinear',
  noFold: true,
  zero: zeroFirst,
  inferShapes: (node, inputs) => [shapeOf(node, inputs, 0)],
  inferTypes: (_n, inputs): DType[] => [inputs[1]?.dtype ?? 'float32'],
  macs: () => 0,
  elementwiseOps: (_n, _i, outputs) => outElems(outputs),
};

const dynamicQuantize: OpSpec = {
  op: 'DynamicQuantizeLinear',
  inferShapes: (node, inputs) => [shapeOf(node, inputs, 0), [], []],
  inferTypes: (): DType[] => ['uint8', 'float32', 'uint8'],
  macs: () => 0,
  elementwiseOps: (_n, _i, outputs) => 3 * outElems(outputs),
};

/** Every quantization op spec. */
export const QUANT_OPS: OpSpec[] = [quantize, dequantize, dynamicQuantize];
