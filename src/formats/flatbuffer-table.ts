/**
 * Field access to one FlatBuffers table by vtable slot, on the `flatbuffers` npm runtime
 * (`ByteBuffer`). Absent fields give the schema default (writers omit default values).
 * Source: tflite-format.md §1 (vtable mechanics, union slots, alignment).
 *
 * Every read is bounds-checked: a field or vector that points outside the buffer throws
 * `FlatbufferRangeError`, which the TFLite reader turns into a ModelFormatError naming the file.
 */
import { ByteBuffer } from 'flatbuffers';

/** A table, vector or string that points outside the file (truncated or corrupt bytes). */
export class FlatbufferRangeError extends Error {}

/** Byte offset of field slot `i` in a vtable (tflite-format.md §1: 4 + 2·i). */
const slot = (i: number): number => 4 + 2 * i;

/** One table of a FlatBuffer: `bb` plus the table's absolute position. */
export class Table {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
  ) {
    check(bb, pos, 4);
    const vt = pos - bb.readInt32(pos);
    check(bb, vt, 4);
  }

  /** Relative offset of field `i`, 0 when absent (default). */
  private off(i: number): number {
    return this.bb.__offset(this.pos, slot(i));
  }

  /** True when field `i` is stored. */
  has(i: number): boolean {
    return this.off(i) !== 0;
  }

  /** int8 field. */
  i8(i: number, d = 0): number {
    const o = this.off(i);
    return o ? this.bb.readInt8(this.at(o, 1)) : d;
  }

  /** uint8 field (union tags too). */
  u8(i: number, d = 0): number {
    const o = this.off(i);
    return o ? this.bb.readUint8(this.at(o, 1)) : d;
  }

  /** bool field (one byte). */
  bool(i: number, d = false): boolean {
    const o = this.off(i);
    return o ? this.bb.readUint8(this.at(o, 1)) !== 0 : d;
  }

  /** int32 field. */
  i32(i: number, d = 0): number {
    const o = this.off(i);
    return o ? this.bb.readInt32(this.at(o, 4)) : d;
  }

  /** uint32 field. */
  u32(i: number, d = 0): number {
    const o = this.off(i);
    return o ? this.bb.readUint32(this.at(o, 4)) : d;
  }

  /** float32 field. */
  f32(i: number, d = 0): number {
    const o = this.off(i);
    return o ? this.bb.readFloat32(this.at(o, 4)) : d;
  }

  /** uint64 field as a bigint (0n when absent). */
  u64(i: number): bigint {
    const o = this.off(i);
    return o ? this.bb.readUint64(this.at(o, 8)) : 0n;
  }

  /** string field (UTF-8), null when absent. */
  str(i: number): string | null {
    const o = this.off(i);
    if (!o) return null;
    const p = this.at(o, 4);
    const s = check(this.bb, p + this.bb.readUint32(p), 4);
    check(this.bb, s, 4 + this.bb.readUint32(s));
    return this.bb.__string(p) as string;
  }

  /** Sub-table field (also a union member: the slot after its `_type` slot), null when absent. */
  table(i: number): Table | null {
    const o = this.off(i);
    return o ? new Table(this.bb, this.bb.__indirect(this.at(o, 4))) : null;
  }

  /** Element start and count of a vector field with `size`-byte elements; null when absent. */
  vector(i: number, size: number): { start: number; length: number } | null {
    const o = this.off(i);
    if (!o) return null;
    const p = this.at(o, 4);
    const vec = p + this.bb.readUint32(p);
    check(this.bb, vec, 4);
    const length = this.bb.__vector_len(p);
    const start = this.bb.__vector(p);
    check(this.bb, start, length * size);
    return { start, length };
  }

  /** [int32] vector field, null when absent. */
  i32s(i: number): number[] | null {
    const v = this.vector(i, 4);
    if (!v) return null;
    return Array.from({ length: v.length }, (_x, k) => this.bb.readInt32(v.start + 4 * k));
  }

  /** [float32] vector field, null when absent. */
  f32s(i: number): number[] | null {
    const v = this.vector(i, 4);
    if (!v) return null;
    return Array.from({ length: v.length }, (_x, k) => this.bb.readFloat32(v.start + 4 * k));
  }

  /** [int64] vector field as numbers (exact to 2^53), null when absent. */
  i64s(i: number): number[] | null {
    const v = this.vector(i, 8);
    if (!v) return null;
    return Array.from({ length: v.length }, (_x, k) => Number(this.bb.readInt64(v.start + 8 * k)));
  }

  /** Vector of tables, [] when absent. */
  tables(i: number): Table[] {
    const v = this.vector(i, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_x, k) => new Table(this.bb, this.bb.__indirect(v.start + 4 * k)));
  }

  /** Absolute position of a `size`-byte scalar at relative offset `o`, bounds-checked. */
  private at(o: number, size: number): number {
    return check(this.bb, this.pos + o, size);
  }
}

/** Throws `FlatbufferRangeError` unless [pos, pos + size) lies inside the buffer; returns pos. */
function check(bb: ByteBuffer, pos: number, size: number): number {
  if (pos < 0 || size < 0 || pos + size > bb.capacity()) {
    throw new FlatbufferRangeError(`offset ${pos} (+${size} bytes) is outside the ${bb.capacity()}-byte file`);
  }
  return pos;
}

/**
 * The root table of a FlatBuffer with file identifier `ident` (bytes 4..8).
 * @throws FlatbufferRangeError when the root offset points outside the buffer
 */
export function rootTable(bytes: Uint8Array, ident: string): { bb: ByteBuffer; root: Table; identified: boolean } {
  const bb = new ByteBuffer(bytes);
  const identified = bytes.length >= 8 && bb.__has_identifier(ident);
  check(bb, 0, 4);
  const root = new Table(bb, bb.readUint32(0));
  return { bb, root, identified };
}
