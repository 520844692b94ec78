// Builds one contiguous Arrow Data (offset 0, offsets from 0) out of row ranges of other Data: the concat and
// take kernel that the writer (page assembly), scans (batches across pages) and takes (rows in asked order) share.

import * as A from "apache-arrow";
import { bitmapBytes, copyBits, getBit, setBit } from "./bitmaps.js";
import { ByteSink } from "./byte-sink.js";
import { physicalKind, primitiveWidth } from "./types.js";

/** A validity bitmap (absent when every value is valid) and its null count, as makeData takes them. */
export interface ValidityInfo {
  nullBitmap: Uint8Array | undefined;
  nullCount: number;
}

/** Appends row ranges of Data of one type, then yields them as one Data. */
export interface Gatherer {
  readonly length: number;
  appendRange(d: A.Data, start: number, count: number): void;
  appendNulls(count: number): void;
  finish(): A.Data;
}

/**
 * Appends what `d` has of [start, start+count) and nulls for the rest: Arrow JS builders leave the children of
 * null structs and lists short, so a child can hold fewer rows than its parent implies.
 */
function clampAppend(g: Gatherer, d: A.Data, start: number, count: number): void {
  const have = Math.max(0, d.length - start);
  if (have > 0) g.appendRange(d, start, have);
  fillUnder(g, count - have);
}

/**
 * Fills the child slots under null parents: zeros for flat values, so a page of vectors with a null row still
 * has all-valid children and keeps the fixed-record layout; nulls otherwise.
 */
function fillUnder(g: Gatherer, count: number): void {
  if (g instanceof FixedGatherer || g instanceof FixedListGatherer) g.appendZeros(count);
  else g.appendNulls(count);
}

/** True when some row in [start, start+count) of `d` is null. */
export function hasNullsIn(d: A.Data, start: number, count: number): boolean {
  const bm = d.nullBitmap;
  if (bm === undefined || bm.byteLength === 0 || d.nullCount === 0) return false;
  for (let i = start; i < start + count; i++) if (!getBit(bm, d.offset + i)) return true;
  return false;
}

/** True when row `i` of `d` is valid. */
export function isValid(d: A.Data, i: number): boolean {
  if (d.typeId === A.Type.Null) return false;
  const bm = d.nullBitmap;
  return bm === undefined || bm.byteLength === 0 ? true : getBit(bm, d.offset + i);
}

/** Growable validity bitmap; allocated only once a null appears. */
class Validity {
  bits: Uint8Array | undefined;
  nulls = 0;
  length = 0;

  private grow(to: number): void {
    const need = bitmapBytes(to);
    if (this.bits === undefined) {
      this.bits = new Uint8Array(Math.max(64, need * 2));
      this.bits.fill(0xff); // everything before the first null was valid
    } else if (need > this.bits.byteLength) {
      const next = new Uint8Array(need * 2);
      next.fill(0xff);
      next.set(this.bits);
      this.bits = next;
    }
  }

  appendRange(d: A.Data, start: number, count: number): void {
    const bm = d.nullBitmap;
    const srcNulls = bm === undefined || bm.byteLength === 0 ? 0 : d.nullCount === d.length ? count : -1;
    if (srcNulls === 0) {
      this.appendValid(count);
      return;
    }
    this.grow(this.length + count);
    const bits = this.bits!;
    for (let i = 0; i < count; i++) {
      const pos = this.length + i;
      if (getBit(bm!, d.offset + start + i)) setBit(bits, pos);
      else {
        bits[pos >> 3]! &= ~(1 << (pos & 7));
        this.nulls++;
      }
    }
    this.length += count;
  }

  appendValid(count: number): void {
    if (this.bits !== undefined) {
      this.grow(this.length + count);
      for (let i = 0; i < count; i++) setBit(this.bits!, this.length + i);
    }
    this.length += count;
  }

  appendNulls(count: number): void {
    this.grow(this.length + count);
    const bits = this.bits!;
    for (let i = 0; i < count; i++) {
      const pos = this.length + i;
      bits[pos >> 3]! &= ~(1 << (pos & 7));
    }
    this.nulls += count;
    this.length += count;
  }

  /** The bitmap (trimmed, trailing bits cleared) and null count, for makeData. */
  result(): ValidityInfo {
    if (this.nulls === 0 || this.bits === undefined) return { nullBitmap: undefined, nullCount: 0 };
    const out = this.bits.slice(0, bitmapBytes(this.length));
    const tail = this.length & 7;
    if (tail !== 0) out[out.length - 1]! &= (1 << tail) - 1;
    return { nullBitmap: out, nullCount: this.nulls };
  }
}

class NullGatherer implements Gatherer {
  length = 0;
  constructor(private readonly type: A.DataType) {}
  appendRange(_d: A.Data, _s: number, count: number): void {
    this.length += count;
  }
  appendNulls(count: number): void {
    this.length += count;
  }
  finish(): A.Data {
    return A.makeData({ type: this.type as A.Null, length: this.length, nullCount: this.length });
  }
}

class BoolGatherer implements Gatherer {
  private readonly valid = new Validity();
  private bits = new Uint8Array(64);
  length = 0;
  constructor(private readonly type: A.DataType) {}

  private grow(to: number): void {
    if (bitmapBytes(to) <= this.bits.byteLength) return;
    const next = new Uint8Array(bitmapBytes(to) * 2);
    next.set(this.bits);
    this.bits = next;
  }
  appendRange(d: A.Data, start: number, count: number): void {
    if (start + count > d.length) return clampAppend(this, d, start, count);
    this.grow(this.length + count);
    copyBits(d.values as Uint8Array, d.offset + start, this.bits, this.length, count);
    this.valid.appendRange(d, start, count);
    this.length += count;
  }
  appendNulls(count: number): void {
    this.grow(this.length + count);
    this.valid.appendNulls(count);
    this.length += count;
  }
  finish(): A.Data {
    return A.makeData({
      type: this.type as A.Bool,
      length: this.length,
      data: this.bits.slice(0, bitmapBytes(this.length)),
      ...this.valid.result(),
    });
  }
}

/** Raw bytes of rows [start, start+count) of a fixed-width Data (values are pre-sliced by Arrow). */
export function fixedBytes(d: A.Data, start: number, count: number, width: number): Uint8Array {
  const v = d.values as ArrayBufferView | undefined;
  const have = v === undefined ? 0 : Math.max(0, Math.min(count * width, v.byteLength - start * width));
  if (have === count * width) return new Uint8Array(v!.buffer, v!.byteOffset + start * width, count * width);
  // Arrow JS builders leave the child of a null fixed-size list short; the missing values read as zeros.
  const out = new Uint8Array(count * width);
  if (have > 0) out.set(new Uint8Array(v!.buffer, v!.byteOffset + start * width, have));
  return out;
}

class FixedGatherer implements Gatherer {
  private readonly valid = new Validity();
  private readonly sink: ByteSink;
  private readonly width: number;
  length = 0;
  constructor(
    private readonly type: A.DataType,
    capacity: number,
  ) {
    this.width = primitiveWidth(type);
    this.sink = new ByteSink(Math.max(64, capacity * this.width));
  }
  appendRange(d: A.Data, start: number, count: number): void {
    if (start + count > d.length) return clampAppend(this, d, start, count);
    this.sink.bytes(fixedBytes(d, start, count, this.width));
    this.valid.appendRange(d, start, count);
    this.length += count;
  }
  /** Appends `count` valid values given as raw bytes. */
  appendFlat(bytes: Uint8Array, count: number): void {
    this.sink.bytes(bytes);
    this.valid.appendValid(count);
    this.length += count;
  }
  appendZeros(count: number): void {
    this.sink.zeros(count * this.width);
    this.valid.appendValid(count);
    this.length += count;
  }
  appendNulls(count: number): void {
    this.sink.zeros(count * this.width);
    this.valid.appendNulls(count);
    this.length += count;
  }
  finish(): A.Data {
    return fixedData(this.type, this.length, this.sink.finish().slice(), this.valid.result());
  }
}

/** A fixed-width Data over `bytes` (which must be aligned for the type's array). */
export function fixedData(
  type: A.DataType,
  length: number,
  bytes: Uint8Array,
  valid: ValidityInfo,
): A.Data {
  const T = (type as A.DataType & { ArrayType: { new (b: ArrayBufferLike, o: number, n: number): ArrayBufferView; BYTES_PER_ELEMENT: number } }).ArrayType;
  const values = new T(bytes.buffer, bytes.byteOffset, bytes.byteLength / T.BYTES_PER_ELEMENT);
  return A.makeData({ type: type as A.Int, length, data: values as A.Int["TArray"], ...valid });
}

class BinaryGatherer implements Gatherer {
  private readonly valid = new Validity();
  private readonly data: ByteSink;
  private offsets: number[] = [0];
  length = 0;
  constructor(
    private readonly type: A.DataType,
    private readonly large: boolean,
    capacity: number,
  ) {
    this.data = new ByteSink(Math.max(256, capacity * 32));
  }

  appendRange(d: A.Data, start: number, count: number): void {
    if (start + count > d.length) return clampAppend(this, d, start, count);
    const off = d.valueOffsets as Int32Array | BigInt64Array;
    const base = Number(off[start]!);
    const end = Number(off[start + count]!);
    const values = d.values as Uint8Array;
    this.data.bytes(values.subarray(base, end));
    const shift = this.offsets[this.offsets.length - 1]! - base;
    for (let i = 1; i <= count; i++) this.offsets.push(Number(off[start + i]!) + shift);
    this.valid.appendRange(d, start, count);
    this.length += count;
  }
  /** Appends one value's bytes (a take of a large binary value read straight from the file). */
  appendBytes(bytes: Uint8Array): void {
    this.data.bytes(bytes);
    this.offsets.push(this.data.length);
    this.valid.appendRange(EMPTY_VALID, 0, 1);
    this.length += 1;
  }
  appendNulls(count: number): void {
    const last = this.offsets[this.offsets.length - 1]!;
    for (let i = 0; i < count; i++) this.offsets.push(last);
    this.valid.appendNulls(count);
    this.length += count;
  }
  finish(): A.Data {
    const valueOffsets = this.large
      ? BigInt64Array.from(this.offsets, (x) => BigInt(x))
      : Int32Array.from(this.offsets);
    return A.makeData({
      type: this.type as A.Utf8,
      length: this.length,
      valueOffsets: valueOffsets as Int32Array,
      data: this.data.finish().slice(),
      ...this.valid.result(),
    });
  }
}

/** A one-row all-valid Data, for appends that carry no Arrow source. */
const EMPTY_VALID = A.makeData({ type: new A.Int8(), length: 1, data: new Int8Array(1) });

class ListGatherer implements Gatherer {
  private readonly valid = new Validity();
  private readonly child: Gatherer;
  private offsets: number[] = [0];
  length = 0;
  constructor(private readonly type: A.List) {
    this.child = makeGatherer(type.children[0]!.type);
  }
  appendRange(d: A.Data, start: number, count: number): void {
    if (start + count > d.length) return clampAppend(this, d, start, count);
    const off = d.valueOffsets as Int32Array;
    const base = off[start]!;
    const end = off[start + count]!;
    this.child.appendRange(d.children[0]!, base, end - base);
    const shift = this.offsets[this.offsets.length - 1]! - base;
    for (let i = 1; i <= count; i++) this.offsets.push(off[start + i]! + shift);
    this.valid.appendRange(d, start, count);
    this.length += count;
  }
  appendNulls(count: number): void {
    const last = this.offsets[this.offsets.length - 1]!;
    for (let i = 0; i < count; i++) this.offsets.push(last);
    this.valid.appendNulls(count);
    this.length += count;
  }
  finish(): A.Data {
    return A.makeData({
      type: this.type,
      length: this.length,
      valueOffsets: Int32Array.from(this.offsets),
      child: this.child.finish(),
      ...this.valid.result(),
    });
  }
}

class FixedListGatherer implements Gatherer {
  private readonly valid = new Validity();
  private readonly child: Gatherer;
  private readonly size: number;
  length = 0;
  constructor(
    private readonly type: A.FixedSizeList,
    capacity: number,
  ) {
    this.child = makeGatherer(type.children[0]!.type, capacity * type.listSize);
    this.size = type.listSize;
  }
  appendRange(d: A.Data, start: number, count: number): void {
    if (start + count > d.length) return clampAppend(this, d, start, count);
    this.child.appendRange(d.children[0]!, start * this.size, count * this.size);
    this.valid.appendRange(d, start, count);
    this.length += count;
  }
  appendFlat(bytes: Uint8Array, count: number): void {
    (this.child as FlatGatherer).appendFlat(bytes, count * this.size);
    this.valid.appendValid(count);
    this.length += count;
  }
  appendZeros(count: number): void {
    fillUnder(this.child, count * this.size);
    this.valid.appendValid(count);
    this.length += count;
  }
  appendNulls(count: number): void {
    fillUnder(this.child, count * this.size);
    this.valid.appendNulls(count);
    this.length += count;
  }
  finish(): A.Data {
    return A.makeData({ type: this.type, length: this.length, child: this.child.finish(), ...this.valid.result() });
  }
}

class StructGatherer implements Gatherer {
  private readonly valid = new Validity();
  private readonly children: Gatherer[];
  length = 0;
  constructor(
    private readonly type: A.Struct,
    capacity: number,
  ) {
    this.children = type.children.map((f) => makeGatherer(f.type, capacity));
  }
  appendRange(d: A.Data, start: number, count: number): void {
    if (start + count > d.length) return clampAppend(this, d, start, count);
    this.children.forEach((g, i) => g.appendRange(d.children[i]!, start, count));
    this.valid.appendRange(d, start, count);
    this.length += count;
  }
  appendNulls(count: number): void {
    for (const g of this.children) g.appendNulls(count);
    this.valid.appendNulls(count);
    this.length += count;
  }
  finish(): A.Data {
    return A.makeData({
      type: this.type,
      length: this.length,
      children: this.children.map((g) => g.finish()),
      ...this.valid.result(),
    });
  }
}

/** A gatherer of flat fixed-width values (primitives, fixed-size lists of them) that takes raw bytes. */
export interface FlatGatherer extends Gatherer {
  appendFlat(bytes: Uint8Array, count: number): void;
}

const FACTORIES: Record<ReturnType<typeof physicalKind>, (t: A.DataType, capacity: number) => Gatherer> = {
  null: (t) => new NullGatherer(t),
  bool: (t) => new BoolGatherer(t),
  fixed: (t, n) => new FixedGatherer(t, n),
  binary: (t, n) => new BinaryGatherer(t, false, n),
  "large-binary": (t, n) => new BinaryGatherer(t, true, n),
  list: (t) => new ListGatherer(t as A.List),
  fsl: (t, n) => new FixedListGatherer(t as A.FixedSizeList, n),
  struct: (t, n) => new StructGatherer(t as A.Struct, n),
};

/** A gatherer for values of `type`; `capacity` is the expected row count, to size buffers once. */
export function makeGatherer(type: A.DataType, capacity = 16): Gatherer {
  return FACTORIES[physicalKind(type)](type, capacity);
}

/** True when the gatherer can take whole values as bytes (utf8/binary kinds). */
export function isBinaryGatherer(g: Gatherer): g is Gatherer & { appendBytes(b: Uint8Array): void } {
  return g instanceof BinaryGatherer;
}

/** Concatenates row ranges into one contiguous Data. */
export function concatRanges(type: A.DataType, parts: readonly { data: A.Data; start: number; count: number }[]): A.Data {
  const g = makeGatherer(type);
  for (const p of parts) g.appendRange(p.data, p.start, p.count);
  return g.finish();
}

/**
 * Rows `indices` of `d` (any order, repeats allowed) as one contiguous Data. Fixed-width and binary kinds copy
 * through typed arrays in one pass (two for binary: offsets, then bytes); a run of consecutive indices is a
 * zero-copy slice; other kinds go row by row.
 */
export function takeIndices(d: A.Data, indices: Uint32Array): A.Data {
  const n = indices.length;
  if (n > 0 && indices[n - 1]! - indices[0]! === n - 1 && isConsecutive(indices)) return d.slice(indices[0]!, n);
  const kind = physicalKind(d.type);
  if (kind === "fixed" && (!hasNulls(d) || allBelow(indices, d.length))) return takeFixed(d, indices);
  const taken = kind === "binary" ? takeBinary(d, indices) : kind === "large-binary" ? takeLargeBinary(d, indices) : undefined;
  if (taken !== undefined) return taken;
  const g = makeGatherer(d.type, n);
  for (let i = 0; i < n; i++) g.appendRange(d, indices[i]!, 1);
  return g.finish();
}

function isConsecutive(indices: Uint32Array): boolean {
  for (let i = 1; i < indices.length; i++) if (indices[i] !== indices[i - 1]! + 1) return false;
  return true;
}

function hasNulls(d: A.Data): boolean {
  return d.nullBitmap !== undefined && d.nullBitmap.byteLength > 0 && d.nullCount > 0;
}

/** False when some index is past the end (a short child under null parents: the row-by-row path pads it). */
function allBelow(indices: Uint32Array, length: number): boolean {
  for (let i = 0; i < indices.length; i++) if (indices[i]! >= length) return false;
  return true;
}

/** Fixed-width values moved as whole words where the width allows; validity taken bit by bit. */
function takeFixed(d: A.Data, indices: Uint32Array): A.Data {
  const n = indices.length;
  const width = primitiveWidth(d.type);
  const src = fixedBytes(d, 0, d.length, width);
  const out = new Uint8Array(n * width);
  if (width === 1) for (let i = 0; i < n; i++) out[i] = src[indices[i]!]!;
  else if (width === 4 && src.byteOffset % 4 === 0) {
    const s32 = new Uint32Array(src.buffer, src.byteOffset, d.length);
    const o32 = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) o32[i] = s32[indices[i]!]!;
  } else if (width === 8 && src.byteOffset % 4 === 0) {
    // Two 32-bit moves per value: a Float64Array copy could canonicalise NaN bit patterns (int64 -1 is one).
    const s32 = new Uint32Array(src.buffer, src.byteOffset, d.length * 2);
    const o32 = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) {
      const j = indices[i]! * 2;
      o32[2 * i] = s32[j]!;
      o32[2 * i + 1] = s32[j + 1]!;
    }
  } else {
    for (let i = 0; i < n; i++) out.set(src.subarray(indices[i]! * width, (indices[i]! + 1) * width), i * width);
  }
  return fixedData(d.type, n, out, takeValidity(d, indices));
}

/** The validity of rows `indices` of `d` (absent when every taken row is valid). */
function takeValidity(d: A.Data, indices: Uint32Array): ValidityInfo {
  if (!hasNulls(d)) return { nullBitmap: undefined, nullCount: 0 };
  const bm = d.nullBitmap!;
  const n = indices.length;
  const out = new Uint8Array(bitmapBytes(n));
  const base = d.offset;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const j = base + indices[i]!;
    if (((bm[j >> 3]! >> (j & 7)) & 1) === 1) out[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return nulls === 0 ? { nullBitmap: undefined, nullCount: 0 } : { nullBitmap: out, nullCount: nulls };
}

/**
 * Variable-width values with 32-bit offsets in two passes: the output offsets, then the bytes (short values byte
 * by byte: a subarray per row costs more than the copy). Undefined when an index is past the end (a short child
 * under null parents), which the row-by-row path pads.
 */
function takeBinary(d: A.Data, indices: Uint32Array): A.Data | undefined {
  const n = indices.length;
  const len = d.length;
  const off = d.valueOffsets as Int32Array;
  const pos = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = indices[i]!;
    if (j >= len) return undefined;
    total += off[j + 1]! - off[j]!;
    pos[i + 1] = total;
  }
  const src = d.values as Uint8Array;
  const bytes = new Uint8Array(total);
  for (let i = 0, p = 0; i < n; i++) {
    const j = indices[i]!;
    let s = off[j]!;
    const e = off[j + 1]!;
    if (e - s > 32) {
      bytes.set(src.subarray(s, e), p);
      p += e - s;
    } else while (s < e) bytes[p++] = src[s++]!;
  }
  return A.makeData({ type: d.type as A.Utf8, length: n, valueOffsets: pos, data: bytes, ...takeValidity(d, indices) });
}

/** takeBinary for 64-bit offsets, read once into doubles (exact below 2^53 bytes). */
function takeLargeBinary(d: A.Data, indices: Uint32Array): A.Data | undefined {
  const n = indices.length;
  const len = d.length;
  const off = d.valueOffsets as unknown as BigInt64Array;
  const starts = new Float64Array(n);
  const pos = new Float64Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = indices[i]!;
    if (j >= len) return undefined;
    const s = Number(off[j]!);
    starts[i] = s;
    total += Number(off[j + 1]!) - s;
    pos[i + 1] = total;
  }
  const src = d.values as Uint8Array;
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    let s = starts[i]!;
    let p = pos[i]!;
    const e = pos[i + 1]!;
    if (e - p > 32) bytes.set(src.subarray(s, s + (e - p)), p);
    else while (p < e) bytes[p++] = src[s++]!;
  }
  const valueOffsets = BigInt64Array.from(pos, (x) => BigInt(x));
  return A.makeData({ type: d.type as A.LargeUtf8, length: n, valueOffsets: valueOffsets as unknown as Int32Array, data: bytes, ...takeValidity(d, indices) });
}

/** A Data of `length` nulls of `type` (a column missing from a fragment). */
export function nullData(type: A.DataType, length: number): A.Data {
  const g = makeGatherer(type, length);
  g.appendNulls(length);
  return g.finish();
}
