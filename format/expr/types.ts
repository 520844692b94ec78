// How expressions see Arrow types: a coarse class per type, readable names for messages, and the promotion rules
// that decide arithmetic and coalesce result types.

import * as A from "apache-arrow";
import { typesEqual } from "../file/schema-json.js";
import { InvalidArgumentError } from "../errors.js";
import { castTypeName } from "./ast.js";

/**
 * The class of a type as far as operators care. "int" and "bigint" split integers by how they are held in JS
 * (number vs bigint); dates and timestamps keep their own classes so numbers and strings can be coerced to them.
 */
export type TypeClass = "null" | "bool" | "int" | "bigint" | "float" | "string" | "date" | "timestamp" | "other";

export function typeClass(type: A.DataType): TypeClass {
  switch (type.typeId) {
    case A.Type.Dictionary:
      return typeClass((type as A.Dictionary).dictionary);
    case A.Type.Null:
      return "null";
    case A.Type.Bool:
      return "bool";
    case A.Type.Int:
      return (type as A.Int).bitWidth === 64 ? "bigint" : "int";
    case A.Type.Float:
      return "float";
    case A.Type.Utf8:
    case A.Type.LargeUtf8:
      return "string";
    case A.Type.Date:
      return "date";
    case A.Type.Timestamp:
      return "timestamp";
    default:
      return "other";
  }
}

export function isNumericClass(c: TypeClass): boolean {
  return c === "int" || c === "bigint" || c === "float";
}

export function isTemporalClass(c: TypeClass): boolean {
  return c === "date" || c === "timestamp";
}

const UNIT_NAMES = ["s", "ms", "us", "ns"];

/** A short readable name: the SQL cast name when there is one, else Arrow's own. */
export function typeName(type: A.DataType): string {
  const sql = castTypeName(type);
  if (sql !== undefined) return sql;
  if (type.typeId === A.Type.Timestamp) {
    const t = type as A.Timestamp;
    return `timestamp[${UNIT_NAMES[t.unit]}${t.timezone ? `, ${t.timezone}` : ""}]`;
  }
  if (type.typeId === A.Type.Date) return "date[ms]";
  if (type.typeId === A.Type.LargeUtf8) return "large_string";
  if (type.typeId === A.Type.Null) return "null";
  if (type.typeId === A.Type.Float) return "float16";
  if (type.typeId === A.Type.Struct) {
    return `struct<${(type as A.Struct).children.map((f) => `${f.name}: ${typeName(f.type)}`).join(", ")}>`;
  }
  if (type.typeId === A.Type.List) return `list<${typeName((type as A.List).children[0]!.type)}>`;
  if (type.typeId === A.Type.FixedSizeList) {
    const t = type as A.FixedSizeList;
    return `fixed_size_list<${typeName(t.children[0]!.type)}, ${t.listSize}>`;
  }
  if (type.typeId === A.Type.Dictionary) return typeName((type as A.Dictionary).dictionary);
  return String(type).toLowerCase();
}

/** Signed/unsigned integer type of a bit width. */
export function intType(bitWidth: 8 | 16 | 32 | 64, signed: boolean): A.Int {
  const make: Record<number, [() => A.Int, () => A.Int]> = {
    8: [() => new A.Int8(), () => new A.Uint8()],
    16: [() => new A.Int16(), () => new A.Uint16()],
    32: [() => new A.Int32(), () => new A.Uint32()],
    64: [() => new A.Int64(), () => new A.Uint64()],
  };
  return make[bitWidth]![signed ? 0 : 1]!();
}

/** [min, max] of an integer type, as bigints. */
export function intRange(type: A.Int): [bigint, bigint] {
  const bits = BigInt(type.bitWidth);
  return type.isSigned ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

/** True when integer `v` fits `type`. */
export function fitsInt(v: number | bigint, type: A.Int): boolean {
  const [lo, hi] = intRange(type);
  const b = typeof v === "bigint" ? v : BigInt(v);
  return b >= lo && b <= hi;
}

/** The smallest integer type holding `v`, preferring signed types; undefined beyond uint64. */
export function smallestIntType(v: number | bigint, preferUnsigned = false): A.Int | undefined {
  for (const bits of [8, 16, 32, 64] as const) {
    for (const signed of preferUnsigned ? [false, true] : [true, false]) {
      const t = intType(bits, signed);
      if (fitsInt(v, t)) return t;
    }
  }
  return undefined;
}

/**
 * Integer promotion before arithmetic, as in C: 8- and 16-bit integers compute as int32, so `label + 1` on an
 * int8 column does not overflow at 127. Wider types stay as they are.
 */
export function promoteInt(type: A.Int): A.Int {
  return type.bitWidth < 32 ? new A.Int32() : type;
}

/**
 * The common type of two integer types: the wider one when signedness agrees; a signed type wider than the
 * unsigned one otherwise (int32 with uint32 is int64), capped at int64 (values beyond it fail when computed).
 */
export function commonIntType(a: A.Int, b: A.Int): A.Int {
  if (a.isSigned === b.isSigned) return a.bitWidth >= b.bitWidth ? a : b;
  const [s, u] = a.isSigned ? [a, b] : [b, a];
  if (s.bitWidth > u.bitWidth) return s;
  return intType(Math.min(64, u.bitWidth * 2) as 16 | 32 | 64, true);
}

/** True when two types are the same Arrow type. */
export function sameType(a: A.DataType, b: A.DataType): boolean {
  return typesEqual(a, b);
}

/** Timestamp unit ranks; a date counts as seconds (day) or milliseconds. */
function temporalUnit(type: A.DataType): A.TimeUnit {
  if (type.typeId === A.Type.Timestamp) return (type as A.Timestamp).unit;
  return (type as A.Date_).unit === A.DateUnit.DAY ? A.TimeUnit.SECOND : A.TimeUnit.MILLISECOND;
}

/** The type two different temporal types are compared in: dates as date[ms], else the finer timestamp. */
export function commonTemporalType(a: A.DataType, b: A.DataType): A.DataType {
  if (a.typeId === A.Type.Date && b.typeId === A.Type.Date) return new A.DateMillisecond();
  const unit = Math.max(temporalUnit(a), temporalUnit(b)) as A.TimeUnit;
  return new A.Timestamp(unit);
}

/**
 * The type values of `a` and `b` share in coalesce: equal types stay, integers widen, any float makes float64,
 * strings make utf8, temporals meet at the finer unit. Undefined when there is none.
 */
export function commonType(a: A.DataType, b: A.DataType): A.DataType | undefined {
  if (sameType(a, b)) return a;
  const ca = typeClass(a);
  const cb = typeClass(b);
  if (ca === "null") return b;
  if (cb === "null") return a;
  if (isNumericClass(ca) && isNumericClass(cb)) {
    if (ca === "float" || cb === "float") return new A.Float64();
    const [ia, ib] = [a as A.Int, b as A.Int];
    if (ia.isSigned !== ib.isSigned && Math.max(ia.bitWidth, ib.bitWidth) === 64) return undefined;
    return commonIntType(ia, ib);
  }
  if (ca === "string" && cb === "string") return new A.Utf8();
  if (isTemporalClass(ca) && isTemporalClass(cb)) return commonTemporalType(a, b);
  return undefined;
}

/** Float types compute as float64, except that float32 stays float32 where values cannot change (neg, abs). */
export function floatResult(type: A.DataType): A.DataType {
  return type.typeId === A.Type.Float && (type as A.Float).precision === A.Precision.SINGLE
    ? type
    : new A.Float64();
}

/** Throws the standard "wrong type" error for an operator or function argument. */
export function typeError(what: string, types: readonly A.DataType[], hint = ""): never {
  const names = types.map(typeName).join(" and ");
  throw new InvalidArgumentError(`${what}: not defined for ${names}${hint ? `; ${hint}` : ""}`);
}
