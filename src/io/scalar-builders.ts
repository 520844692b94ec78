// Builders of flat columns: numbers (Int64 and Float64 in their own classes, other widths, dates and timestamps
// sharing one), booleans, strings, bytes, nulls, and Arrow's own conversion for the types without a checked builder.

import * as A from "apache-arrow";
import { typeName } from "../../format/expr/index.js";
import { ValueMismatch } from "./bad-records.js";
import { describeValue, ImpreciseInteger, mismatch, packBits, Validity, type BuilderOptions, type ColumnBuilder } from "./builder-base.js";
import { grown } from "../typed-arrays.js";

type NumericArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;
type Writable = { [i: number]: number | bigint };
export type NumericCtor = new (length: number) => NumericArray;

/** The JS numbers a NumericBuilder stores as they are (its bulk path): in [lo, hi], and integers when `integer`. */
export interface PlainNumbers {
  readonly lo: number;
  readonly hi: number;
  readonly integer: boolean;
}

/** Converts a non-null value to the stored number or bigint, or throws. */
export type Convert = (v: unknown) => number | bigint;

/** Fixed-width numbers, dates and timestamps: values in a growing typed array. */
export class NumericBuilder implements ColumnBuilder {
  private values: NumericArray;
  private readonly valid = new Validity();

  constructor(
    readonly type: A.DataType,
    private readonly ctor: NumericCtor,
    private readonly convert: Convert,
    private readonly plain?: PlainNumbers,
  ) {
    this.values = new ctor(64);
  }

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    const i = this.valid.length;
    const stored = v === null || v === undefined ? undefined : this.convert(v);
    if (i === this.values.length) this.values = grown(this.values, i + 1);
    // A null's slot keeps whatever it holds (zero, or a value truncated away): Arrow ignores values under nulls.
    if (stored !== undefined) (this.values as unknown as Writable)[i] = stored;
    this.valid.push(stored !== undefined);
  }

  appendPlain(items: ArrayLike<unknown>, from: number): number {
    const plain = this.plain;
    if (plain === undefined) return from;
    const base = this.valid.length - from; // where items[from] goes
    this.values = grown(this.values, base + items.length);
    const values = this.values as unknown as Writable;
    const { lo, hi, integer } = plain;
    let j = from;
    for (; j < items.length; j++) {
      const v = items[j];
      // NaN fails the range test and goes through append(), which decides what it means for the type.
      if (typeof v !== "number" || !(v >= lo && v <= hi) || (integer && Math.floor(v) !== v)) break;
      values[base + j] = v;
    }
    this.valid.pushValid(j - from);
    return j;
  }

  truncate(length: number): void {
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const length = this.valid.length;
    const data = this.values.slice(0, length);
    const { nullBitmap, nullCount } = this.valid.finish();
    this.values = new this.ctor(64);
    return A.makeData({ type: this.type as A.Int, length, nullCount, nullBitmap, data: data as Int32Array });
  }
}

/**
 * Int64 and Float64, the types inference produces: their own classes so the hot append path stores into one
 * typed-array kind (a shared class would make every store site polymorphic).
 */
export class Int64Builder implements ColumnBuilder {
  readonly type = new A.Int64();
  private values = new BigInt64Array(64);
  private readonly valid = new Validity();

  constructor(private readonly precise: boolean) {}

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    let b = 0n;
    const isNull = v === null || v === undefined;
    if (!isNull) {
      if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
      else b = this.slow(v);
    }
    const i = this.valid.length;
    if (i === this.values.length) this.values = grown(this.values, i + 1);
    this.values[i] = b;
    this.valid.push(!isNull);
  }

  private slow(v: unknown): bigint {
    if (typeof v === "number" && Number.isInteger(v)) {
      if (this.precise) throw new ImpreciseInteger("integer beyond 2^53");
      v = BigInt(v);
    }
    if (typeof v !== "bigint") throw mismatch(this.type, v);
    if (v < -(1n << 63n) || v >= 1n << 63n) throw new ValueMismatch(`${v} is out of range for int64`);
    return v;
  }

  appendPlain(items: ArrayLike<unknown>, from: number): number {
    const base = this.valid.length - from;
    this.values = grown(this.values, base + items.length);
    const values = this.values;
    let j = from;
    for (; j < items.length; j++) {
      const v = items[j];
      if (typeof v !== "number" || !Number.isSafeInteger(v)) break;
      values[base + j] = BigInt(v);
    }
    this.valid.pushValid(j - from);
    return j;
  }

  truncate(length: number): void {
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const length = this.valid.length;
    const data = this.values.slice(0, length);
    const { nullBitmap, nullCount } = this.valid.finish();
    this.values = new BigInt64Array(64);
    return A.makeData({ type: this.type, length, nullCount, nullBitmap, data });
  }
}

export class Float64Builder implements ColumnBuilder {
  readonly type = new A.Float64();
  private values = new Float64Array(64);
  private readonly valid = new Validity();

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    let x = 0;
    const isNull = v === null || v === undefined;
    if (!isNull) {
      if (typeof v === "number") x = v;
      else if (typeof v === "bigint") x = Number(v);
      else throw mismatch(this.type, v);
    }
    const i = this.valid.length;
    if (i === this.values.length) this.values = grown(this.values, i + 1);
    this.values[i] = x;
    this.valid.push(!isNull);
  }

  appendPlain(items: ArrayLike<unknown>, from: number): number {
    const base = this.valid.length - from;
    this.values = grown(this.values, base + items.length);
    const values = this.values;
    let j = from;
    for (; j < items.length; j++) {
      const v = items[j];
      if (typeof v !== "number") break;
      values[base + j] = v;
    }
    this.valid.pushValid(j - from);
    return j;
  }

  truncate(length: number): void {
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const length = this.valid.length;
    const data = this.values.slice(0, length);
    const { nullBitmap, nullCount } = this.valid.finish();
    this.values = new Float64Array(64);
    return A.makeData({ type: this.type, length, nullCount, nullBitmap, data });
  }
}

const INT_RANGE: Record<number, [number, number]> = {
  8: [-128, 127],
  16: [-32768, 32767],
  32: [-2147483648, 2147483647],
};
const UINT_MAX: Record<number, number> = { 8: 255, 16: 65535, 32: 4294967295 };

export function intConvert(type: A.Int, options: BuilderOptions): Convert {
  const bits = type.bitWidth;
  const [lo, hi] = type.isSigned ? INT_RANGE[bits] ?? [0, 0] : [0, UINT_MAX[bits] ?? 0];
  if (bits === 64) {
    const [blo, bhi] = type.isSigned ? [-(1n << 63n), (1n << 63n) - 1n] : [0n, (1n << 64n) - 1n];
    return (v) => {
      let b: bigint;
      if (typeof v === "bigint") b = v;
      else if (typeof v === "number" && Number.isInteger(v)) {
        if (!Number.isSafeInteger(v) && options.preciseIntegers === true) throw new ImpreciseInteger("integer beyond 2^53");
        b = BigInt(v);
      } else throw mismatch(type, v);
      if (b < blo || b > bhi) throw new ValueMismatch(`${b} is out of range for ${typeName(type)}`);
      return b;
    };
  }
  return (v) => {
    const n = typeof v === "bigint" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n)) throw mismatch(type, v);
    if (n < lo || n > hi) throw new ValueMismatch(`${describeValue(v)} is out of range for ${typeName(type)}`);
    return n;
  };
}

/**
 * The numbers a NumericBuilder of `type` may store as they are, or undefined when every value needs converting
 * (64-bit integers are bigints; dates and timestamps take Date objects and strings).
 */
export function plainNumbers(type: A.DataType): PlainNumbers | undefined {
  if (type.typeId === A.Type.Float) return { lo: -Infinity, hi: Infinity, integer: false };
  if (type.typeId !== A.Type.Int || (type as A.Int).bitWidth === 64) return undefined;
  const t = type as A.Int;
  const [lo, hi] = t.isSigned ? INT_RANGE[t.bitWidth]! : [0, UINT_MAX[t.bitWidth]!];
  return { lo, hi, integer: true };
}

export function floatConvert(type: A.DataType): Convert {
  return (v) => {
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
    throw mismatch(type, v);
  };
}

const MS_PER_DAY = 86_400_000;
/** ISO date-times without a zone are read as UTC, so results do not depend on the machine's time zone. */
const NO_ZONE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/** Milliseconds since the epoch of a Date or ISO string, or undefined. */
function epochMs(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v !== "string") return undefined;
  const text = NO_ZONE.test(v) ? (v.length === 10 ? `${v}T00:00:00Z` : `${v.replace(" ", "T")}Z`) : v;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Timestamps and dates: a Date or ISO string is converted; a number or bigint is taken as already in the unit. */
export function temporalConvert(type: A.DataType): Convert {
  const isDay = type.typeId === A.Type.Date && (type as A.Date_).unit === A.DateUnit.DAY;
  const perMs = type.typeId === A.Type.Timestamp ? [1 / 1000, 1, 1000, 1_000_000][(type as A.Timestamp).unit]! : 1;
  return (v) => {
    if (typeof v === "number" && Number.isInteger(v)) return isDay ? v : BigInt(v);
    if (typeof v === "bigint") return isDay ? Number(v) : v;
    const ms = epochMs(v);
    if (ms === undefined) throw mismatch(type, v);
    return isDay ? Math.floor(ms / MS_PER_DAY) : BigInt(Math.floor(ms * perMs));
  };
}

/** Booleans, one byte each until packed. */
export class BoolBuilder implements ColumnBuilder {
  readonly type = new A.Bool();
  private values = new Uint8Array(64);
  private readonly valid = new Validity();

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    if (v !== null && v !== undefined && typeof v !== "boolean") throw mismatch(this.type, v);
    const i = this.valid.length;
    if (i === this.values.length) this.values = grown(this.values, i + 1);
    this.values[i] = v === true ? 1 : 0;
    this.valid.push(v !== null && v !== undefined);
  }

  truncate(length: number): void {
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const length = this.valid.length;
    const data = packBits(this.values, length);
    const { nullBitmap, nullCount } = this.valid.finish();
    return A.makeData({ type: this.type, length, nullCount, nullBitmap, data });
  }
}

/** JSON text of any value; 64-bit integers as plain digits. */
export function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) ?? "null";
}

/** Strings. Any other value is kept as its text (JSON text for objects), so a mixed-kind column stays readable. */
export class Utf8Builder implements ColumnBuilder {
  readonly type = new A.Utf8();
  private strings: string[] = [];
  private readonly valid = new Validity();

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    const isNull = v === null || v === undefined;
    this.strings.push(isNull ? "" : typeof v === "string" ? v : textOf(v));
    this.valid.push(!isNull);
  }

  truncate(length: number): void {
    this.strings.length = Math.min(this.strings.length, length);
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const { strings } = this;
    const length = strings.length;
    const valueOffsets = new Int32Array(length + 1);
    let total = 0;
    for (let i = 0; i < length; i++) {
      total += Buffer.byteLength(strings[i]!, "utf8");
      valueOffsets[i + 1] = total;
    }
    // One join and one encode beat encoding string by string into a growing buffer.
    const data = new Uint8Array(Buffer.from(strings.join(""), "utf8"));
    this.strings = [];
    const { nullBitmap, nullCount } = this.valid.finish();
    return A.makeData({ type: this.type, length, nullCount, nullBitmap, valueOffsets, data });
  }
}

function textOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (typeof v === "object") return jsonText(v);
  return String(v);
}

/** Bytes: a Uint8Array as is, a string as base64 (how writeJson writes binary). */
export class BinaryBuilder implements ColumnBuilder {
  readonly type = new A.Binary();
  private parts: Uint8Array[] = [];
  private readonly valid = new Validity();

  get length(): number {
    return this.valid.length;
  }

  append(v: unknown): void {
    const isNull = v === null || v === undefined;
    let bytes: Uint8Array;
    if (isNull) bytes = new Uint8Array(0);
    else if (v instanceof Uint8Array) bytes = v;
    else if (typeof v === "string") bytes = Buffer.from(v, "base64");
    else throw mismatch(this.type, v);
    this.parts.push(bytes);
    this.valid.push(!isNull);
  }

  truncate(length: number): void {
    this.parts.length = Math.min(this.parts.length, length);
    this.valid.truncate(length);
  }

  finish(): A.Data {
    const { parts } = this;
    const valueOffsets = new Int32Array(parts.length + 1);
    parts.forEach((p, i) => (valueOffsets[i + 1] = valueOffsets[i]! + p.byteLength));
    const data = new Uint8Array(valueOffsets[parts.length]!);
    parts.forEach((p, i) => data.set(p, valueOffsets[i]!));
    this.parts = [];
    const { nullBitmap, nullCount } = this.valid.finish();
    return A.makeData({ type: this.type, length: parts.length, nullCount, nullBitmap, valueOffsets, data });
  }
}

/** A column that only ever holds nulls. */
export class NullBuilder implements ColumnBuilder {
  readonly type = new A.Null();
  length = 0;

  append(v: unknown): void {
    if (v !== null && v !== undefined) throw mismatch(this.type, v);
    this.length++;
  }

  truncate(length: number): void {
    this.length = Math.min(this.length, length);
  }

  finish(): A.Data {
    const length = this.length;
    this.length = 0;
    return A.makeData({ type: this.type, length });
  }
}

/** Types without a checked builder (decimals, maps, dictionaries...): Arrow's own conversion at the end. */
export class FallbackBuilder implements ColumnBuilder {
  private values: unknown[] = [];

  constructor(readonly type: A.DataType) {}

  get length(): number {
    return this.values.length;
  }

  append(v: unknown): void {
    this.values.push(v ?? null);
  }

  truncate(length: number): void {
    this.values.length = Math.min(this.values.length, length);
  }

  finish(): A.Data {
    const vec = A.vectorFromArray(this.values, this.type);
    this.values = [];
    if (vec.data.length === 1) return vec.data[0]!;
    return A.makeVector(vec.data).data[0]!;
  }
}
