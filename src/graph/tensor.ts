/**
 * Small pure helpers over shapes, dtypes and constant data used by the op registry, the shape
 * pass and the cost model. No I/O.
 */
import type { ConstTensor, DType, Shape, TensorData, TensorInfo } from './ir.ts';
import { MAX_FOLD_ELEMENTS } from './ir.ts';

/** Bytes per element of each dtype (int4/uint4 are half a byte; `string`/`unknown` see below). */
const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int4: 0.5,
  uint4: 0.5,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  bool: 1,
  // Strings have no fixed size; counted as a pointer-sized 8 bytes per element.
  string: 8,
  complex64: 8,
  complex128: 16,
  float8: 1,
  // An element type the file did not declare: assumed float32.
  unknown: 4,
};

/** Bytes per element of `dtype` (int4 = 0.5; unknown is assumed to be float32 = 4). */
export function dtypeBytes(dtype: DType): number {
  return DTYPE_BYTES[dtype];
}

/** True for floating-point element types (the dtypes that use a `Float32Array`/`Float64Array`). */
export function isFloatDType(dtype: DType): boolean {
  return (
    dtype === 'float32' ||
    dtype === 'float16' ||
    dtype === 'bfloat16' ||
    dtype === 'float64' ||
    dtype === 'float8'
  );
}

/**
 * True for dtypes that stored weights have: floats and the (quantized) integer types up to 32
 * bits. int64/uint64, bool and string constants in ONNX files are shapes, indices and masks, not
 * weights, so they do not count as params.
 */
export function isWeightDType(dtype: DType): boolean {
  return dtype !== 'int64' && dtype !== 'uint64' && dtype !== 'bool' && dtype !== 'string';
}

/** True when every dim is a concrete integer. */
export function isConcrete(shape: Shape | null): shape is number[] {
  if (!shape) return false;
  for (const d of shape) if (typeof d !== 'number') return false;
  return true;
}

/** Number of elements of a shape; symbolic dims count as 1 (callers resolve them first). */
export function numel(shape: readonly (number | string)[]): number {
  let n = 1;
  for (const d of shape) n *= typeof d === 'number' ? d : 1;
  return n;
}

/** Elements of a tensor (0 when its shape is unknown). */
export function tensorElements(t: TensorInfo): number {
  return t.shape ? numel(t.shape) : 0;
}

/** Bytes of a tensor (elements × dtype size, rounded up to whole bytes; 0 when shape unknown). */
export function tensorBytes(t: TensorInfo): number {
  return Math.ceil(tensorElements(t) * dtypeBytes(t.dtype));
}

/** `[1,3,224,224]`, for messages. */
export function formatShape(shape: Shape | null): string {
  return shape ? `[${shape.join(',')}]` : '[?]';
}

/**
 * Numpy multidirectional broadcast of concrete shapes (ONNX Broadcasting.md).
 * Returns null when two dims differ and neither is 1.
 */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] | null {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i] as number;
      const o = out[off + i] as number;
      if (o === d || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else return null;
    }
  }
  return out;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i] as number;
  }
  return st;
}

/**
 * For each flat index of `outShape`, the flat index into a tensor of `inShape` broadcast to it.
 * Used by folding; only called for small tensors (≤ `MAX_FOLD_ELEMENTS`).
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = numel(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  const off = rank - inShape.length;
  const inStrides = stridesOf(inShape);
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let f = 0;
    for (let i = 0; i < inShape.length; i++) {
      if ((inShape[i] as number) !== 1) f += (coord[off + i] as number) * (inStrides[i] as number);
    }
    idx[k] = f;
    for (let i = rank - 1; i >= 0; i--) {
      coord[i] = (coord[i] as number) + 1;
      if ((coord[i] as number) < (outShape[i] as number)) break;
      coord[i] = 0;
    }
  }
  return idx;
}

/** Reads element `i` of constant data as a number. */
export function at(data: TensorData, i: number): number {
  return data[i] as number;
}

/** Allocates data of `n` elements for `dtype`: typed arrays for floats, plain arrays otherwise. */
export function allocData(dtype: DType, n: number): TensorData {
  if (dtype === 'float64') return new Float64Array(n);
  if (isFloatDType(dtype)) return new Float32Array(n);
  return new Array<number>(n).fill(0);
}

/** Builds data of `dtype` from plain numbers (integers truncated, bools as 0/1). */
export function makeData(dtype: DType, values: ArrayLike<number>): TensorData {
  const out = allocData(dtype, values.length);
  if (Array.isArray(out)) {
    const isBool = dtype === 'bool';
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      out[i] = isBool ? (v ? 1 : 0) : Number.isFinite(v) ? Math.trunc(v) : v;
    }
  } else {
    for (let i = 0; i < values.length; i++) out[i] = values[i] as number;
  }
  return out;
}

/** True when every element of `data` is zero. */
export function dataAllZero(data: TensorData): boolean {
  for (let i = 0; i < data.length; i++) if ((data[i] as number) !== 0) return false;
  return true;
}

/**
 * A constant tensor with data. `allZero` is set from the data.
 * @param id tensor id
 * @param shape concrete shape; `data.length` must equal its element count
 */
export function constTensor(id: string, dtype: DType, shape: number[], data: TensorData): ConstTensor {
  return { id, dtype, shape, data, isConstant: true, isWeight: false, allZero: dataAllZero(data) };
}

/**
 * The data of a constant as a `TensorData`, materialising zeros for small `allZero` constants
 * that carry no data; undefined when not available.
 */
export function constData(t: TensorInfo | undefined): TensorData | undefined {
  if (!t || !t.isConstant) return undefined;
  if (t.data) return t.data;
  if (t.allZero && isConcrete(t.shape)) {
    const n = numel(t.shape);
    if (n <= MAX_FOLD_ELEMENTS) return allocData(t.dtype, n);
  }
  return undefined;
}

/** Normalises a possibly negative axis against `rank`; returns -1 when out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : -1;
}
