// The working form of values while an expression runs: Arrow buffers as flat typed arrays (zero-copy; Arrow
// JS pre-slices them, booleans excepted) plus one validity byte per row, and the way back to Arrow Data.

import * as A from "apache-arrow";
import { bitmapBytes } from "../file/bitmaps.js";
import { makeGatherer } from "../file/gather.js";

export type NumArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;
export type BigArray = BigInt64Array | BigUint64Array;

/** A value of one row in working form: stored units for dates and timestamps, null for NULL. */
export type ScalarValue = number | bigint | string | boolean | null;

/** Column values by how JS holds them. Strings keep Arrow's offsets (pre-sliced: value i spans [o[i], o[i+1])). */
export type Values =
  | { readonly kind: "num"; readonly data: NumArray }
  | { readonly kind: "big"; readonly data: BigArray }
  | { readonly kind: "bool"; readonly data: Uint8Array }
  | { readonly kind: "str"; readonly offsets: Int32Array | Float64Array; readonly bytes: Uint8Array }
  | { readonly kind: "null" }
  | { readonly kind: "opaque"; readonly data: A.Data };

/** A column of `length` rows; `valid[i]` is 1 for a value, 0 for NULL; undefined means no nulls. */
export interface Col {
  readonly kind: "col";
  readonly type: A.DataType;
  readonly length: number;
  readonly values: Values;
  readonly valid: Uint8Array | undefined;
  /** The Arrow data this column was read from unchanged, so returning it costs nothing. */
  readonly source?: A.Data;
}

/** One value standing for every row (a literal, or an expression over literals only). */
export interface Scalar {
  readonly kind: "scalar";
  readonly type: A.DataType;
  readonly value: ScalarValue;
}

export type Operand = Col | Scalar;

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

export function scalar(type: A.DataType, value: ScalarValue): Scalar {
  return { kind: "scalar", type, value };
}

export function column(type: A.DataType, length: number, values: Values, valid: Uint8Array | undefined): Col {
  return { kind: "col", type, length, values, valid };
}

/** Validity bytes of `d`, or undefined when it has no nulls. */
export function readValidity(d: A.Data): Uint8Array | undefined {
  if (d.typeId === A.Type.Null) return new Uint8Array(d.length);
  const bm = d.nullBitmap;
  if (bm === undefined || bm.byteLength === 0 || d.nullCount === 0) return undefined;
  return unpackBits(bm, d.offset, d.length);
}

/** `count` bits from bit `from` as bytes of 0/1. */
export function unpackBits(bits: Uint8Array, from: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const b = from + i;
    out[i] = (bits[b >> 3]! >> (b & 7)) & 1;
  }
  return out;
}

/** Bytes of 0/1 packed into an LSB-first bitmap. */
export function packBits(bytes: Uint8Array, count = bytes.length): Uint8Array {
  const out = new Uint8Array(bitmapBytes(count));
  for (let i = 0; i < count; i++) if (bytes[i] !== 0) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** Dictionary-encoded data as plain data of its value type (expressions see dictionaries as their values). */
export function decodeDictionary(d: A.Data): A.Data {
  const dict = (d as A.Data<A.Dictionary>).dictionary!;
  const values = dict.data.length === 1 ? dict.data[0]! : concatChunks(dict);
  const keys = d.values as ArrayLike<number | bigint>;
  const g = makeGatherer(values.type, d.length);
  const valid = readValidity(d);
  for (let i = 0; i < d.length; i++) {
    if (valid !== undefined && valid[i] === 0) g.appendNulls(1);
    else g.appendRange(values, Number(keys[i]!), 1);
  }
  return g.finish();
}

function concatChunks(v: A.Vector): A.Data {
  const g = makeGatherer(v.type, v.length);
  for (const d of v.data) g.appendRange(d, 0, d.length);
  return g.finish();
}

/** The working form of one contiguous Arrow Data. */
export function readColumn(d: A.Data): Col {
  if (d.typeId === A.Type.Dictionary) return readColumn(decodeDictionary(d));
  const n = d.length;
  const valid = readValidity(d);
  const col = (values: Values): Col => ({ kind: "col", type: d.type, length: n, values, valid, source: d });
  switch (d.typeId) {
    case A.Type.Null:
      return col({ kind: "null" });
    case A.Type.Bool:
      return col({ kind: "bool", data: unpackBits(d.values as Uint8Array, d.offset, n) });
    case A.Type.Int:
    case A.Type.Date:
    case A.Type.Timestamp:
      return readFixed(d, col);
    case A.Type.Float:
      if ((d.type as A.Float).precision === A.Precision.HALF) {
        const raw = d.values as Uint16Array;
        return col({ kind: "num", data: Float64Array.from(raw.subarray(0, n), A.util.uint16ToFloat64) });
      }
      return col({ kind: "num", data: (d.values as Float32Array | Float64Array).subarray(0, n) });
    case A.Type.Utf8:
      return col({ kind: "str", offsets: (d.valueOffsets as Int32Array).subarray(0, n + 1), bytes: d.values });
    case A.Type.LargeUtf8: {
      const o = (d.valueOffsets as unknown as BigInt64Array).subarray(0, n + 1);
      return col({ kind: "str", offsets: Float64Array.from(o, Number), bytes: d.values as Uint8Array });
    }
    default:
      return col({ kind: "opaque", data: d });
  }
}

function readFixed(d: A.Data, col: (v: Values) => Col): Col {
  const values = d.values as NumArray | BigArray;
  const data = values.subarray(0, d.length);
  return data instanceof BigInt64Array || data instanceof BigUint64Array
    ? col({ kind: "big", data })
    : col({ kind: "num", data });
}

/** Validity of rows valid in both; undefined when neither has nulls. */
export function andValid(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** Validity after nulling rows where `mask[i]` is 1 (e.g. division by zero); undefined when nothing is null. */
export function withNulls(valid: Uint8Array | undefined, mask: Uint8Array | undefined): Uint8Array | undefined {
  if (mask === undefined) return valid;
  const out = valid === undefined ? new Uint8Array(mask.length).fill(1) : valid.slice();
  for (let i = 0; i < out.length; i++) if (mask[i] !== 0) out[i] = 0;
  return out;
}

/** True when row `i` is valid. */
export function isValidAt(c: Col, i: number): boolean {
  return c.valid === undefined || c.valid[i] === 1;
}

/** Bytes of string row `i`. */
export function stringBytes(v: Extract<Values, { kind: "str" }>, i: number): Uint8Array {
  return v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!);
}

/** The value of row `i` (or NULL) in working form, for the per-row paths (casts, mixed types, coalesce). */
export function valueAt(c: Col, i: number): ScalarValue {
  if (!isValidAt(c, i)) return null;
  const v = c.values;
  switch (v.kind) {
    case "num":
    case "big":
      return v.data[i]!;
    case "bool":
      return v.data[i] === 1;
    case "str":
      return decoder.decode(stringBytes(v, i));
    default:
      return null;
  }
}

/** Every row of a column holding `s`. */
export function broadcast(s: Scalar, n: number): Col {
  const valid = s.value === null ? new Uint8Array(n) : undefined;
  return column(s.type, n, broadcastValues(s, n), valid);
}

function broadcastValues(s: Scalar, n: number): Values {
  const v = s.value;
  if (s.type.typeId === A.Type.Null || v === null) return emptyValues(s.type, n);
  if (typeof v === "boolean") return { kind: "bool", data: new Uint8Array(n).fill(v ? 1 : 0) };
  if (typeof v === "string") {
    const bytes = encoder.encode(v);
    const all = new Uint8Array(bytes.length * n);
    for (let i = 0; i < n; i++) all.set(bytes, i * bytes.length);
    return { kind: "str", offsets: Int32Array.from({ length: n + 1 }, (_, i) => i * bytes.length), bytes: all };
  }
  const T = arrayTypeOf(s.type);
  if (T === BigInt64Array || T === BigUint64Array) return { kind: "big", data: new T(n).fill(BigInt(v)) };
  return { kind: "num", data: new (T as NumArrayCtor)(n).fill(Number(v)) };
}

type NumArrayCtor = new (n: number | ArrayLike<number>) => NumArray;
type BigArrayCtor = new (n: number | ArrayLike<bigint>) => BigArray;

/** The typed array class Arrow keeps values of `type` in (float16 computes in float64). */
export function arrayTypeOf(type: A.DataType): NumArrayCtor | BigArrayCtor {
  if (type.typeId === A.Type.Float && (type as A.Float).precision === A.Precision.HALF) return Float64Array;
  return (type as A.DataType & { ArrayType: NumArrayCtor | BigArrayCtor }).ArrayType;
}

/** Placeholder values (zeros) for `n` rows of a type, under all-null validity. */
export function emptyValues(type: A.DataType, n: number): Values {
  switch (type.typeId) {
    case A.Type.Null:
      return { kind: "null" };
    case A.Type.Bool:
      return { kind: "bool", data: new Uint8Array(n) };
    case A.Type.Utf8:
    case A.Type.LargeUtf8:
      return { kind: "str", offsets: new Int32Array(n + 1), bytes: new Uint8Array(0) };
    case A.Type.Int:
    case A.Type.Float:
    case A.Type.Date:
    case A.Type.Timestamp: {
      const T = arrayTypeOf(type);
      return T === BigInt64Array || T === BigUint64Array
        ? { kind: "big", data: new T(n) }
        : { kind: "num", data: new (T as NumArrayCtor)(n) };
    }
    default:
      return { kind: "opaque", data: makeGatherer(type).finish() };
  }
}

/** Arrow Data of a column in its declared type (converting typed arrays where a kernel computed wider). */
export function toData(c: Col): A.Data {
  if (c.source !== undefined) return c.source;
  const n = c.length;
  const validity = validityProps(c.valid, n);
  const v = c.values;
  const type = c.type;
  switch (v.kind) {
    case "null":
      return A.makeData({ type: new A.Null(), length: n, nullCount: n });
    case "bool":
      return A.makeData({ type: type as A.Bool, length: n, data: packBits(v.data, n), ...validity });
    case "str":
      return stringData(type, n, v, validity);
    case "opaque":
      return withValidity(v.data, c.valid);
    default: {
      const T = (type as A.DataType & { ArrayType: NumArrayCtor | BigArrayCtor }).ArrayType;
      const data = v.data instanceof T ? v.data : new (T as NumArrayCtor)(v.data as unknown as ArrayLike<number>);
      return A.makeData({ type: type as A.Int, length: n, data: data as A.Int["TArray"], ...validity });
    }
  }
}

function validityProps(valid: Uint8Array | undefined, n: number): { nullBitmap?: Uint8Array; nullCount: number } {
  if (valid === undefined) return { nullCount: 0 };
  let nulls = 0;
  for (let i = 0; i < n; i++) nulls += 1 - valid[i]!;
  return nulls === 0 ? { nullCount: 0 } : { nullBitmap: packBits(valid, n), nullCount: nulls };
}

function stringData(
  type: A.DataType,
  n: number,
  v: Extract<Values, { kind: "str" }>,
  validity: { nullBitmap?: Uint8Array; nullCount: number },
): A.Data {
  if (type.typeId === A.Type.LargeUtf8) {
    const offsets = BigInt64Array.from(v.offsets, (x) => BigInt(x));
    return A.makeData({ type: type as A.LargeUtf8, length: n, valueOffsets: offsets, data: v.bytes, ...validity });
  }
  const offsets = v.offsets instanceof Int32Array ? v.offsets : Int32Array.from(v.offsets);
  return A.makeData({ type: new A.Utf8(), length: n, valueOffsets: offsets, data: v.bytes, ...validity });
}

/** `d` with rows nulled where `valid` says so (a struct field under a null parent), copied to offset 0. */
function withValidity(d: A.Data, valid: Uint8Array | undefined): A.Data {
  if (valid === undefined) return d;
  const g = makeGatherer(d.type, d.length);
  let i = 0;
  while (i < valid.length) {
    const on = valid[i];
    let j = i + 1;
    while (j < valid.length && valid[j] === on) j++;
    if (on === 1) g.appendRange(d, i, j - i);
    else g.appendNulls(j - i);
    i = j;
  }
  return g.finish();
}
