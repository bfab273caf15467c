/**
 * ONNX `TensorProto.DataType` codes (onnx.proto3) ↔ IR dtypes. Canonical ops carry dtype
 * attributes (Cast `to`, EyeLike `dtype`, ...) as these codes, whatever the file format.
 */
import type { DType } from './ir.ts';

const CODES: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8',
  18: 'float8',
  19: 'float8',
  20: 'float8',
  21: 'uint4',
  22: 'int4',
};

/** IR dtype of an ONNX `TensorProto.DataType` code ('unknown' for 0 or unlisted codes). */
export function dtypeFromOnnx(code: number): DType {
  return CODES[code] ?? 'unknown';
}

/** ONNX `TensorProto.DataType` code of an IR dtype (float8 → 17 = FLOAT8E4M3FN; unknown → 0). */
export function dtypeToOnnx(dtype: DType): number {
  for (const [k, v] of Object.entries(CODES)) if (v === dtype) return Number(k);
  return 0;
}
