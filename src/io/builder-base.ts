// What every column builder shares: the contract, the options, per-row validity, and how a value that does not
// fit is described. The builders themselves live in scalar-builders.ts and nested-builders.ts.

import * as A from "apache-arrow";
import { typeName } from "../../format/expr/index.js";
import { ValueMismatch } from "./bad-records.js";

/** Accumulates one column. */
export interface ColumnBuilder {
  readonly type: A.DataType;
  readonly length: number;
  /** Appends a value (null or undefined: a null); throws ValueMismatch when it does not fit the type. */
  append(value: unknown): void;
  /** Drops values past `length` (a reader undoing a record that failed in a later column). */
  truncate(length: number): void;
  /** The values so far as one Data; the builder is empty afterwards. */
  finish(): A.Data;
  /**
   * Optional fast path for list items: appends `items[from]`, `items[from + 1]`, ... while each is a plain value
   * the builder stores without conversion (a number in range), and returns the index of the first item it did not
   * take (`items.length` when it took all). The caller appends that item through `append`, which checks it. A
   * JSON array of 784 pixels then costs one capacity check and a tight loop instead of 784 checked calls.
   */
  appendPlain?(items: ArrayLike<unknown>, from: number): number;
}

/** How builders treat borderline values. */
export interface BuilderOptions {
  /**
   * A 64-bit integer column given a JS number beyond 2^53 throws ImpreciseInteger instead of storing it, so a JSON
   * reader (whose JSON.parse already rounded it) can re-read the record with a precise parser. Default false.
   */
  readonly preciseIntegers?: boolean;
}

/** An integer that reached a 64-bit column as a rounded JS number. */
export class ImpreciseInteger extends ValueMismatch {}

/** A short description of a value for messages. */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "bigint") return String(v);
  if (Array.isArray(v)) return `an array of ${v.length} items`;
  if (v instanceof Date) return `the date ${v.toISOString()}`;
  if (v instanceof Uint8Array) return `${v.byteLength} bytes`;
  if (typeof v === "object" && v !== null) return "an object";
  return String(v);
}

export function mismatch(type: A.DataType, v: unknown): ValueMismatch {
  return new ValueMismatch(`expected ${typeName(type)}, got ${describeValue(v)}`);
}

/**
 * Per-row validity, packed into an Arrow bitmap at the end. The byte per value is only kept once a null arrives:
 * most columns have none, and a list column's items (784 pixels per row) would otherwise cost a byte each.
 */
export class Validity {
  /** One byte per value (1 valid, 0 null) from the first null on; undefined while every value is valid. */
  private bytes: Uint8Array | undefined;
  length = 0;
  nulls = 0;

  push(valid: boolean): void {
    if (valid && this.bytes === undefined) {
      this.length++;
      return;
    }
    this.materialize(this.length + 1);
    this.bytes![this.length++] = valid ? 1 : 0;
    if (!valid) this.nulls++;
  }

  /** Marks `count` more values valid (the bulk form of `push(true)`). */
  pushValid(count: number): void {
    const end = this.length + count;
    if (this.bytes !== undefined) {
      this.materialize(end);
      this.bytes.fill(1, this.length, end);
    }
    this.length = end;
  }

  /** Makes sure `bytes` exists (the values so far valid) and holds at least `capacity` values. */
  private materialize(capacity: number): void {
    const old = this.bytes;
    if (old !== undefined && capacity <= old.length) return;
    const next = new Uint8Array(Math.max(64, capacity, (old?.length ?? 0) * 2));
    if (old === undefined) next.fill(1, 0, this.length);
    else next.set(old.subarray(0, this.length));
    this.bytes = next;
  }

  truncate(length: number): void {
    if (this.bytes !== undefined) for (let i = length; i < this.length; i++) if (this.bytes[i] === 0) this.nulls--;
    this.length = Math.min(this.length, length);
  }

  /** The bitmap (absent when nothing is null) and null count; resets. */
  finish(): { nullBitmap: Uint8Array | undefined; nullCount: number } {
    const nullCount = this.nulls;
    let nullBitmap: Uint8Array | undefined;
    if (nullCount > 0) nullBitmap = packBits(this.bytes!, this.length);
    this.length = 0;
    this.nulls = 0;
    this.bytes = undefined;
    return { nullBitmap, nullCount };
  }
}

/** Packs one byte per value (0 or 1) into a little-endian bitmap. */
export function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) if (bytes[i] !== 0) out[i >> 3]! |= 1 << (i & 7);
  return out;
}
