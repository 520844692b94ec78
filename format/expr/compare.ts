// Comparison kernels: numbers and bigints exactly, NaN equal to itself and above all numbers, -0 = 0 (as in
// PostgreSQL and DuckDB), strings by UTF-8 bytes (code point order), false < true; a NULL side gives NULL.

import * as A from "apache-arrow";
import type { ComparisonOp } from "./ast.js";
import {
  andValid,
  broadcast,
  column,
  encoder,
  scalar,
  type BigArray,
  type Col,
  type NumArray,
  type Operand,
  type ScalarValue,
} from "./columnar.js";
import { compareBytes } from "./strings.js";

/** The operator with its sides swapped: `3 < x` is `x > 3`. */
export const FLIPPED: Record<ComparisonOp, ComparisonOp> = {
  "=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=",
};

/** Whether a comparison result (negative, 0, positive) satisfies the operator. */
export const OP_HOLDS: Record<ComparisonOp, (c: number) => boolean> = {
  "=": (c) => c === 0,
  "!=": (c) => c !== 0,
  "<": (c) => c < 0,
  "<=": (c) => c <= 0,
  ">": (c) => c > 0,
  ">=": (c) => c >= 0,
};

/** Total order of two numbers/bigints: NaN above all, equal to itself. */
export function compareNumeric(x: number | bigint, y: number | bigint): number {
  const xNaN = typeof x === "number" && x !== x;
  const yNaN = typeof y === "number" && y !== y;
  if (xNaN || yNaN) return xNaN && yNaN ? 0 : xNaN ? 1 : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Code point order of two JS strings (what UTF-8 byte order gives), not UTF-16 unit order. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

/** Order of two non-null values of comparable kinds. */
export function compareValues(x: Exclude<ScalarValue, null>, y: Exclude<ScalarValue, null>): number {
  if (typeof x === "string" && typeof y === "string") return compareStrings(x, y);
  if (typeof x === "boolean" || typeof y === "boolean") return Number(x) - Number(y);
  return compareNumeric(x as number | bigint, y as number | bigint);
}

function boolCol(n: number, out: Uint8Array, valid: Uint8Array | undefined): Col {
  return column(new A.Bool(), n, { kind: "bool", data: out }, valid);
}

/** Compares two operands of `n` rows; scalar with scalar stays a scalar. */
export function compareOperands(op: ComparisonOp, a: Operand, b: Operand, n: number): Operand {
  if (a.kind === "scalar" && b.kind === "scalar") {
    if (a.value === null || b.value === null) return scalar(new A.Bool(), null);
    return scalar(new A.Bool(), OP_HOLDS[op](compareValues(a.value, b.value)));
  }
  if (a.kind === "scalar") return compareOperands(FLIPPED[op], b, a, n);
  if (b.kind === "scalar") {
    if (b.value === null) return broadcast(scalar(new A.Bool(), null), n);
    return boolCol(n, compareWithScalar(op, a, b.value), a.valid);
  }
  return boolCol(n, compareColumns(op, a, b), andValid(a.valid, b.valid));
}

function compareWithScalar(op: ComparisonOp, a: Col, b: Exclude<ScalarValue, null>): Uint8Array {
  const v = a.values;
  const out = new Uint8Array(a.length);
  if (v.kind === "str") return applyOp(op, stringSigns(v.bytes, v.offsets, encoder.encode(b as string)), out);
  if (v.kind === "bool") numVsScalar(op, v.data, Number(b), out);
  else if (v.kind === "num") numVsValue(op, v.data, b as number | bigint, out);
  else if (v.kind === "big") bigVsValue(op, v.data, a.valid, b as number | bigint, out);
  return out;
}

function stringSigns(bytes: Uint8Array, offsets: ArrayLike<number>, lit: Uint8Array): Int8Array {
  const signs = new Int8Array(offsets.length - 1);
  for (let i = 0; i < signs.length; i++) {
    signs[i] = Math.sign(compareBytes(bytes, offsets[i]!, offsets[i + 1]!, lit, 0, lit.length));
  }
  return signs;
}

/** Numbers against a number (the fast loops) or against a bigint/NaN (exact, row by row). */
function numVsValue(op: ComparisonOp, a: NumArray, b: number | bigint, out: Uint8Array): void {
  const num = typeof b === "bigint" && BigInt(Number(b)) === b ? Number(b) : b;
  if (typeof num === "number" && num === num) numVsScalar(op, a, num, out);
  else applyOp(op, signsMixed(a, num), out);
}

/** 64-bit values: as float64 when they all fit 2^53, else word by word against a bigint, else row by row. */
function bigVsValue(op: ComparisonOp, a: BigArray, valid: Uint8Array | undefined, b: number | bigint, out: Uint8Array): void {
  const asNumbers = safeNumbers(a, valid);
  const nb = Number(b);
  if (asNumbers !== undefined && nb === nb) return numVsScalar(op, asNumbers, nb, out);
  const big = typeof b === "number" && Number.isInteger(b) ? BigInt(b) : b;
  if (typeof big === "bigint") applyOp(op, bigSigns(a, big), out);
  else applyOp(op, signsMixed(a, big), out);
}

/**
 * The hot path (`label = 3`): one tight loop per operator over a typed array and a non-NaN number. A NaN in
 * the column sorts above everything, hence the `x !== x` in > and >=.
 */
const NUM_SCALAR: Record<ComparisonOp, (a: NumArray, b: number, out: Uint8Array, n: number) => void> = {
  "=": (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i] === b ? 1 : 0;
  },
  "!=": (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i] !== b ? 1 : 0;
  },
  "<": (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! < b ? 1 : 0;
  },
  "<=": (a, b, out, n) => {
    for (let i = 0; i < n; i++) out[i] = a[i]! <= b ? 1 : 0;
  },
  ">": (a, b, out, n) => {
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      out[i] = x > b || x !== x ? 1 : 0;
    }
  },
  ">=": (a, b, out, n) => {
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      out[i] = x >= b || x !== x ? 1 : 0;
    }
  },
};

function numVsScalar(op: ComparisonOp, a: NumArray, b: number, out: Uint8Array): void {
  NUM_SCALAR[op](a, b, out, out.length);
}

/** Signs of comparing each value with a value of the other representation (or NaN). */
function signsMixed(a: NumArray | BigArray, b: number | bigint): Int8Array {
  const signs = new Int8Array(a.length);
  for (let i = 0; i < a.length; i++) signs[i] = compareNumeric(a[i]!, b);
  return signs;
}

const SAFE_HI = 2 ** 21;
const asNumbersCache = new WeakMap<BigArray, Float64Array | null>();

/**
 * 64-bit values as float64 when every valid one is below 2^53 in magnitude (row ids, ids, microsecond
 * timestamps), read from the 32-bit halves without a BigInt per row; undefined otherwise. Against such values a
 * bigint past 2^53 rounds to a number still beyond them all, so comparisons keep their results.
 */
export function safeNumbers(a: BigArray, valid: Uint8Array | undefined): Float64Array | undefined {
  const cached = asNumbersCache.get(a);
  if (cached !== undefined) return cached ?? undefined;
  const lo = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  const hi = a instanceof BigInt64Array ? new Int32Array(a.buffer, a.byteOffset, a.length * 2) : lo;
  const minHi = a instanceof BigInt64Array ? -SAFE_HI : 0;
  const out = new Float64Array(a.length);
  let ok = true;
  for (let i = 0; i < a.length && ok; i++) {
    if (valid !== undefined && valid[i] === 0) continue;
    const h = hi[2 * i + 1]!;
    ok = h >= minHi && h < SAFE_HI;
    out[i] = h * 4294967296 + lo[2 * i]!;
  }
  asNumbersCache.set(a, ok ? out : null);
  return ok ? out : undefined;
}

/**
 * Signs of 64-bit values against a bigint without making a BigInt per row: compare the high 32-bit words
 * (signed for int64), then the low ones (unsigned). Assumes little-endian memory, as on every Node platform.
 */
function bigSigns(a: BigArray, b: bigint): Int8Array {
  const signed = a instanceof BigInt64Array;
  const [min, max] = signed ? [-(1n << 63n), (1n << 63n) - 1n] : [0n, (1n << 64n) - 1n];
  const signs = new Int8Array(a.length);
  if (b < min || b > max) return signs.fill(b < min ? 1 : -1);
  const lo = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  const bLo = Number(BigInt.asUintN(32, b));
  if (signed) wordSigns(new Int32Array(a.buffer, a.byteOffset, a.length * 2), lo, Number(BigInt.asIntN(32, b >> 32n)), bLo, signs);
  else wordSigns(lo, lo, Number(BigInt.asUintN(32, b >> 32n)), bLo, signs);
  return signs;
}

/** Signs of (hi, lo) word pairs against (bHi, bLo); `hi` is read signed for int64, unsigned for uint64. */
function wordSigns(hi: Int32Array | Uint32Array, lo: Uint32Array, bHi: number, bLo: number, signs: Int8Array): void {
  for (let i = 0; i < signs.length; i++) {
    const h = hi[2 * i + 1]!;
    const l = lo[2 * i]!;
    signs[i] = h !== bHi ? (h < bHi ? -1 : 1) : l !== bLo ? (l < bLo ? -1 : 1) : 0;
  }
}

/** Writes 1 where the sign satisfies the operator (one loop per operator: no call per row). */
function applyOp(op: ComparisonOp, signs: Int8Array, out: Uint8Array): Uint8Array {
  const n = signs.length;
  switch (op) {
    case "=":
      for (let i = 0; i < n; i++) out[i] = signs[i] === 0 ? 1 : 0;
      break;
    case "!=":
      for (let i = 0; i < n; i++) out[i] = signs[i] !== 0 ? 1 : 0;
      break;
    case "<":
      for (let i = 0; i < n; i++) out[i] = signs[i]! < 0 ? 1 : 0;
      break;
    case "<=":
      for (let i = 0; i < n; i++) out[i] = signs[i]! <= 0 ? 1 : 0;
      break;
    case ">":
      for (let i = 0; i < n; i++) out[i] = signs[i]! > 0 ? 1 : 0;
      break;
    case ">=":
      for (let i = 0; i < n; i++) out[i] = signs[i]! >= 0 ? 1 : 0;
      break;
  }
  return out;
}

function compareColumns(op: ComparisonOp, a: Col, b: Col): Uint8Array {
  const [va, vb] = [a.values, b.values];
  const n = a.length;
  const signs = new Int8Array(n);
  if (va.kind === "str" && vb.kind === "str") {
    for (let i = 0; i < n; i++) {
      const c = compareBytes(va.bytes, va.offsets[i]!, va.offsets[i + 1]!, vb.bytes, vb.offsets[i]!, vb.offsets[i + 1]!);
      signs[i] = Math.sign(c);
    }
  } else if (va.kind === "bool" && vb.kind === "bool") {
    for (let i = 0; i < n; i++) signs[i] = va.data[i]! - vb.data[i]!;
  } else if ((va.kind === "num" || va.kind === "big") && (vb.kind === "num" || vb.kind === "big")) {
    const [x, y] = [va.data, vb.data];
    for (let i = 0; i < n; i++) signs[i] = compareNumeric(x[i]!, y[i]!);
  }
  return applyOp(op, signs, new Uint8Array(n));
}

/**
 * Row indices where `a[i] op b` holds and the row is valid, in one pass (no mask in between): the path
 * `filterIndices` takes for the common `column op number` filter. `b` must not be NaN.
 */
export function selectCompare(op: ComparisonOp, a: NumArray, b: number, valid: Uint8Array | undefined): Uint32Array {
  const n = a.length;
  const idx = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    let hit: boolean;
    // The operator is the same for every row, so this switch costs one well-predicted branch.
    switch (op) {
      case "=":
        hit = x === b;
        break;
      case "!=":
        hit = x !== b;
        break;
      case "<":
        hit = x < b;
        break;
      case "<=":
        hit = x <= b;
        break;
      case ">":
        hit = x > b || x !== x;
        break;
      default:
        hit = x >= b || x !== x;
    }
    if (hit && (valid === undefined || valid[i] === 1)) idx[k++] = i;
  }
  return idx.slice(0, k);
}
