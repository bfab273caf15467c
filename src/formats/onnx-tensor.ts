/**
 * ONNX `TensorProto` → IR tensor: dtype, dims, and element values when small (≤
 * `MAX_FOLD_ELEMENTS`). Reads `raw_data` (little-endian) and the typed fields (float_data,
 * int32_data, int64_data as protobufjs Long objects, double_data, uint64_data). Tensors with
 * `data_location = EXTERNAL` are shape-only (their bytes live in another file). Pure, no I/O.
 */
import onnxpkg from 'onnx-proto';
import type { DType, TensorData, TensorInfo } from '../graph/ir.ts';
import { MAX_FOLD_ELEMENTS } from '../graph/ir.ts';
import { dtypeFromOnnx } from '../graph/dtype-codes.ts';
import { dataAllZero, isFloatDType, numel } from '../graph/tensor.ts';

const { onnx } = onnxpkg;

/**
 * Largest float tensor whose values are decoded. Float weights are never needed for shapes;
 * small float constants are (Resize scales, Clip bounds, `Mul(x, 0)` zeros), so only those are
 * decoded, which keeps reading multi-megabyte models fast. Integer tensors (shapes, indices) are
 * decoded up to `MAX_FOLD_ELEMENTS`.
 */
export const MAX_FLOAT_DECODE = 4096;

/** A protobufjs int64: a JS number or a `Long` object. */
export type LongLike = number | { toNumber(): number } | null | undefined;

/** A protobufjs int64 as a JS number (exact up to 2^53). */
export function toNum(v: LongLike): number {
  if (typeof v === 'number') return v;
  if (v && typeof v.toNumber === 'function') return v.toNumber();
  return 0;
}

/** A tensor that could not be decoded (sizes disagree). */
export class TensorDecodeError extends Error {}

/**
 * Converts a TensorProto to a constant `TensorInfo`.
 * @param id tensor id to give it (initializer name or Constant output)
 * @param isWeight whether it is a stored weight
 * @throws TensorDecodeError when the stored values do not match the dims
 */
export function tensorFromProto(t: onnxpkg.onnx.ITensorProto, id: string, isWeight: boolean): TensorInfo {
  const dims = (t.dims ?? []).map((d) => toNum(d));
  const dtype = dtypeFromOnnx(t.dataType ?? 0);
  const info: TensorInfo = { id, shape: dims, dtype, isConstant: true, isWeight };
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return info;
  const n = numel(dims);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (n > (isFloatDType(dtype) ? MAX_FLOAT_DECODE : MAX_FOLD_ELEMENTS)) {
    // Large: no values kept; only note whether it is all zero (cheap scan).
    if (raw) info.allZero = bytesAllZero(raw);
    else if (t.floatData && t.floatData.length > 0) info.allZero = t.floatData.every((v) => v === 0);
    return info;
  }
  const data = raw ? decodeRaw(raw, dtype, n) : decodeTyped(t, dtype);
  if (!data) return info;
  if (data.length !== n) {
    throw new TensorDecodeError(`tensor '${id}' holds ${data.length} values but its dims [${dims.join(',')}] need ${n}`);
  }
  info.data = data;
  info.allZero = dataAllZero(data);
  return info;
}

function bytesAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** IEEE half → number. */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function bf16ToFloat(h: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, (h & 0xffff) << 16);
  return dv.getFloat32(0);
}

/** Decodes little-endian `raw_data` of `n` elements; undefined for dtypes not folded. */
function decodeRaw(raw: Uint8Array, dtype: DType, n: number): TensorData | undefined {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const need = (bytes: number): void => {
    if (raw.byteLength < bytes) throw new TensorDecodeError(`raw_data has ${raw.byteLength} bytes, ${bytes} needed`);
  };
  switch (dtype) {
    case 'float32': {
      need(4 * n);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    }
    case 'float64': {
      need(8 * n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
      return out;
    }
    case 'float16':
    case 'bfloat16': {
      need(2 * n);
      const out = new Float32Array(n);
      const conv = dtype === 'float16' ? halfToFloat : bf16ToFloat;
      for (let i = 0; i < n; i++) out[i] = conv(dv.getUint16(2 * i, true));
      return out;
    }
    case 'int64':
    case 'uint64': {
      need(8 * n);
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) out[i] = Number(dtype === 'int64' ? dv.getBigInt64(8 * i, true) : dv.getBigUint64(8 * i, true));
      return out;
    }
    case 'int32':
    case 'uint32': {
      need(4 * n);
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) out[i] = dtype === 'int32' ? dv.getInt32(4 * i, true) : dv.getUint32(4 * i, true);
      return out;
    }
    case 'int16':
    case 'uint16': {
      need(2 * n);
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) out[i] = dtype === 'int16' ? dv.getInt16(2 * i, true) : dv.getUint16(2 * i, true);
      return out;
    }
    case 'int8':
    case 'uint8':
    case 'bool': {
      need(n);
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const v = dtype === 'int8' ? dv.getInt8(i) : dv.getUint8(i);
        out[i] = dtype === 'bool' ? (v ? 1 : 0) : v;
      }
      return out;
    }
    case 'int4':
    case 'uint4': {
      need(Math.ceil(n / 2));
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const byte = dv.getUint8(i >> 1);
        let v = i & 1 ? byte >> 4 : byte & 0xf;
        if (dtype === 'int4' && v >= 8) v -= 16;
        out[i] = v;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Decodes the typed value fields; undefined when the tensor has no values we fold. */
function decodeTyped(t: onnxpkg.onnx.ITensorProto, dtype: DType): TensorData | undefined {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(t.floatData ?? []);
    case 'float64':
      return Float64Array.from(t.doubleData ?? []);
    case 'int64':
      return (t.int64Data ?? []).map((v) => toNum(v));
    case 'uint32':
    case 'uint64':
      return (t.uint64Data ?? []).map((v) => toNum(v));
    case 'float16':
      return Float32Array.from(t.int32Data ?? [], halfToFloat);
    case 'bfloat16':
      return Float32Array.from(t.int32Data ?? [], bf16ToFloat);
    case 'int32':
    case 'int16':
    case 'uint16':
    case 'int8':
    case 'uint8':
      return [...(t.int32Data ?? [])];
    case 'bool':
      return (t.int32Data ?? []).map((v) => (v ? 1 : 0));
    default:
      return undefined;
  }
}
