// CAST between the types expressions compute with, strictly: a value that does not fit or parse is an error
// naming it. Floats truncate toward zero; strings parse as digits, true/false/t/f/yes/no/1/0, or ISO dates.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import {
  arrayTypeOf,
  column,
  encoder,
  scalar,
  valueAt,
  type BigArray,
  type Col,
  type NumArray,
  type Operand,
  type ScalarValue,
  type Values,
} from "./columnar.js";
import { convertStored, formatTemporal, nsToStored, parseTemporal } from "./temporal.js";
import { intRange, isNumericClass, isTemporalClass, sameType, typeClass, typeName, type TypeClass } from "./types.js";

type Value = Exclude<ScalarValue, null>;
type Convert = (v: Value) => Value;

/** True when CAST(from AS to) is defined. */
export function canCast(from: A.DataType, to: A.DataType): boolean {
  const [f, t] = [typeClass(from), typeClass(to)];
  if (sameType(from, to) || f === "null") return true;
  if (f === "other" || t === "other" || t === "null") return false;
  if (f === "string" || t === "string") return true;
  const numericish = (c: TypeClass): boolean => isNumericClass(c) || c === "bool";
  if (numericish(f) && numericish(t)) return true;
  return isTemporalClass(f) && isTemporalClass(t);
}

function fail(v: Value, to: A.DataType, why = ""): InvalidArgumentError {
  const shown = typeof v === "string" ? `'${v}'` : String(v);
  return new InvalidArgumentError(`cannot cast ${shown} to ${typeName(to)}${why}`);
}

function toInteger(to: A.Int): Convert {
  const [lo, hi] = intRange(to);
  const wide = to.bitWidth === 64;
  return (v) => {
    let b: bigint;
    if (typeof v === "bigint") b = v;
    else if (typeof v === "boolean") b = v ? 1n : 0n;
    else if (typeof v === "number") {
      if (!Number.isFinite(v)) throw fail(v, to);
      b = BigInt(Math.trunc(v));
    } else {
      if (!/^\s*[+-]?\d+\s*$/.test(v)) throw fail(v, to);
      b = BigInt(v.trim());
    }
    if (b < lo || b > hi) throw fail(v, to, ": out of range");
    return wide ? b : Number(b);
  };
}

const FLOAT_TEXT = /^\s*[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)\s*$/i;

function toFloat(to: A.DataType): Convert {
  const single = (to as A.Float).precision === A.Precision.SINGLE;
  return (v) => {
    let x: number;
    if (typeof v === "string") {
      if (!FLOAT_TEXT.test(v)) throw fail(v, to);
      const t = v.trim().toLowerCase().replace(/^\+/, "");
      x = t.endsWith("nan") ? NaN : t.endsWith("inf") || t.endsWith("infinity") ? (t[0] === "-" ? -Infinity : Infinity) : Number(t);
    } else x = Number(v);
    return single ? Math.fround(x) : x;
  };
}

const TRUE_TEXT = new Set(["true", "t", "yes", "y", "1"]);
const FALSE_TEXT = new Set(["false", "f", "no", "n", "0"]);

function toBool(to: A.DataType): Convert {
  return (v) => {
    if (typeof v === "string") {
      const t = v.trim().toLowerCase();
      if (TRUE_TEXT.has(t)) return true;
      if (FALSE_TEXT.has(t)) return false;
      throw fail(v, to);
    }
    return typeof v === "boolean" ? v : v !== 0 && v !== 0n;
  };
}

function toText(from: A.DataType): Convert {
  if (isTemporalClass(typeClass(from))) return (v) => formatTemporal(v as number | bigint, from);
  return (v) => String(v);
}

function toTemporal(from: A.DataType, to: A.DataType): Convert {
  if (typeClass(from) === "string") {
    return (v) => {
      const ns = parseTemporal(v as string);
      if (ns === undefined) throw fail(v, to, ": expected a date like '2024-01-31' or '2024-01-31 12:00:00'");
      return nsToStored(ns, to);
    };
  }
  return (v) => convertStored(v as number | bigint, from, to);
}

/** The per-value conversion of a defined cast. */
export function converter(from: A.DataType, to: A.DataType): Convert {
  if (sameType(from, to)) return (v) => v;
  switch (typeClass(to)) {
    case "int":
    case "bigint":
      return toInteger(to as A.Int);
    case "float":
      return toFloat(to);
    case "bool":
      return toBool(to);
    case "string":
      return toText(from);
    default:
      return toTemporal(from, to);
  }
}

/** A value cast at resolve time (literals). */
export function castValue(v: ScalarValue, from: A.DataType, to: A.DataType): ScalarValue {
  return v === null ? null : converter(from, to)(v);
}

/** CAST over an operand of `n` rows. */
export function castOperand(a: Operand, to: A.DataType): Operand {
  if (a.kind === "scalar") return scalar(to, castValue(a.value, a.type, to));
  if (sameType(a.type, to)) return a;
  if (a.values.kind === "null") return column(to, a.length, emptyFor(to, a.length), new Uint8Array(a.length));
  const fast = numericFast(a, to);
  if (fast !== undefined) return column(to, a.length, fast, a.valid);
  return castRows(a, to);
}

/** Number arrays to number arrays in one pass (widening, float conversion, checked narrowing). */
function numericFast(a: Col, to: A.DataType): Values | undefined {
  const tc = typeClass(to);
  if (a.values.kind !== "num" || (tc !== "int" && tc !== "float")) return undefined;
  if (isTemporalClass(typeClass(a.type))) return undefined;
  const src = a.values.data;
  const T = arrayTypeOf(to) as new (src: ArrayLike<number>) => NumArray;
  if (tc === "int") {
    const [lo, hi] = intRange(to as A.Int).map(Number) as [number, number];
    for (let i = 0; i < a.length; i++) {
      const x = src[i]!;
      if ((a.valid === undefined || a.valid[i] === 1) && !(x > lo - 1 && x < hi + 1)) {
        throw fail(x, to, Number.isFinite(x) ? ": out of range" : "");
      }
    }
  }
  return { kind: "num", data: new T(src) };
}

/** Row by row through `converter`, for casts involving strings, bigints, booleans or dates. */
function castRows(a: Col, to: A.DataType): Col {
  const convert = converter(a.type, to);
  const n = a.length;
  const out: Value[] = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    const v = valueAt(a, i);
    if (v !== null) out[i] = convert(v);
  }
  return column(to, n, fromValues(to, out), a.valid);
}

const EMPTY = new Uint8Array(0);

/** Working-form values of type `to` from converted values (holes where rows are NULL). */
export function fromValues(to: A.DataType, vals: readonly (Value | undefined)[]): Values {
  const n = vals.length;
  const tc = typeClass(to);
  if (tc === "bool") return { kind: "bool", data: Uint8Array.from(vals, (v) => (v === true ? 1 : 0)) };
  if (tc === "string") {
    // Array.from, not map: NULL rows are holes, which map would skip.
    const rows = Array.from(vals, (v) => (v === undefined ? EMPTY : encoder.encode(v as string)));
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + rows[i]!.length;
    const bytes = new Uint8Array(offsets[n]!);
    for (let i = 0; i < n; i++) bytes.set(rows[i]!, offsets[i]!);
    return { kind: "str", offsets, bytes };
  }
  const T = arrayTypeOf(to);
  if (T === BigInt64Array || T === BigUint64Array) {
    const data = new (T as new (n: number) => BigArray)(n);
    vals.forEach((v, i) => v !== undefined && (data[i] = v as bigint));
    return { kind: "big", data };
  }
  const data = new (T as new (n: number) => NumArray)(n);
  vals.forEach((v, i) => v !== undefined && (data[i] = v as number));
  return { kind: "num", data };
}

function emptyFor(to: A.DataType, n: number): Values {
  return fromValues(to, new Array<Value | undefined>(n).fill(undefined));
}
