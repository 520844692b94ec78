// Literal typing and implicit casts for resolve: integer and string literals take the type of what they meet
// when they convert exactly (`int8_col + 1` is int32, `day > '2024-01-01'` compares day numbers).

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import type { LiteralExpr } from "./ast.js";
import type { Bound, BoundLiteral } from "./bound.js";
import { canCast, castValue } from "./cast.js";
import type { ScalarValue } from "./columnar.js";
import { msToComparable, nsPerUnit, nsToComparable, nsToStored, parseTemporal } from "./temporal.js";
import { fitsInt, isNumericClass, isTemporalClass, sameType, typeClass, typeName } from "./types.js";

/** A bound literal; `flexible` marks untyped integer and string literals, which adopt their neighbour's type. */
export type FlexLiteral = BoundLiteral & { readonly flexible?: boolean };

export function literal(value: ScalarValue, type: A.DataType, flexible = false): FlexLiteral {
  return flexible ? { kind: "literal", value, type, flexible } : { kind: "literal", value, type };
}

export function isFlexible(b: Bound): b is FlexLiteral {
  return b.kind === "literal" && (b as FlexLiteral).flexible === true;
}

/** The type a literal has on its own: int32 (int64, uint64 when larger), float64, utf8, boolean or null. */
export function bindLiteral(e: LiteralExpr): FlexLiteral {
  const v = e.value;
  if (e.type !== undefined) return literal(typedValue(v, e.type), e.type);
  if (v === null) return literal(null, new A.Null());
  if (typeof v === "boolean") return literal(v, new A.Bool());
  if (typeof v === "string") return literal(v, new A.Utf8(), true);
  if (typeof v === "number" && !Number.isSafeInteger(v)) return literal(v, new A.Float64());
  if (fitsInt(v, new A.Int32())) return literal(Number(v), new A.Int32(), true);
  if (fitsInt(v, new A.Int64())) return literal(BigInt(v), new A.Int64(), true);
  if (fitsInt(v, new A.Uint64())) return literal(BigInt(v), new A.Uint64(), true);
  throw new InvalidArgumentError(`integer literal ${v} is out of the 64-bit range; write it as a float (${v}.0)`);
}

/** A literal value forced to `type`. Numbers given for dates and timestamps are epoch milliseconds. */
function typedValue(v: ScalarValue, type: A.DataType): ScalarValue {
  if (v === null) return null;
  if (isTemporalClass(typeClass(type)) && (typeof v === "number" || typeof v === "bigint")) {
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new InvalidArgumentError(`literal ${v} cannot be given type ${typeName(type)}`);
    }
    const ms = typeof v === "bigint" ? v : BigInt(Math.floor(v));
    return nsToStored(ms * 1_000_000n, type);
  }
  const natural = bindLiteral({ kind: "literal", value: v });
  if (!canCast(natural.type, type)) {
    throw new InvalidArgumentError(`literal ${String(v)} cannot be given type ${typeName(type)}`);
  }
  return castValue(natural.value, natural.type, type);
}

/**
 * The flexible literal in `to`'s type when it converts exactly (an integer that fits, a string that parses
 * as a date), else undefined.
 */
export function adopt(lit: FlexLiteral, to: A.DataType): FlexLiteral | undefined {
  const v = lit.value;
  const tc = typeClass(to);
  if (v === null || sameType(lit.type, to)) return lit;
  if ((tc === "int" || tc === "bigint") && (typeof v === "number" || typeof v === "bigint")) {
    return fitsInt(v, to as A.Int) ? literal(tc === "bigint" ? BigInt(v) : Number(v), to) : undefined;
  }
  if (tc === "float" && (typeof v === "number" || typeof v === "bigint")) return literal(Number(v), to);
  if (isTemporalClass(tc) && typeof v === "string") {
    const ns = parseTemporal(v);
    return ns === undefined ? undefined : literal(nsToStored(ns, to), to);
  }
  return undefined;
}

/**
 * A literal turned into a value to compare a `to`-typed column with: strings parse as dates/timestamps
 * (rejected when they do not), numbers next to dates are epoch milliseconds. Numbers stay numbers next to
 * numbers: comparisons are exact across number and bigint.
 */
export function comparableLiteral(lit: BoundLiteral, to: A.DataType, text: string): BoundLiteral | undefined {
  const v = lit.value;
  const [fc, tc] = [typeClass(lit.type), typeClass(to)];
  if (v === null || !isTemporalClass(tc)) return undefined;
  if (isTemporalClass(fc)) return literal(nsToComparable(BigInt(v as number | bigint) * nsPerUnit(lit.type), to), to);
  if (fc === "string") {
    const ns = parseTemporal(v as string);
    if (ns === undefined) {
      throw new InvalidArgumentError(
        `'${v}' is not a ${typeName(to)} in ${text}; write dates as '2024-01-31' and times as '2024-01-31 12:00:00'`,
      );
    }
    return literal(nsToComparable(ns, to), to);
  }
  if (isNumericClass(fc)) return literal(msToComparable(v as number | bigint, to), to);
  return undefined;
}

/** `b` as type `to`: itself when it already is, a folded literal, or a cast node. */
export function castBound(b: Bound, to: A.DataType): Bound {
  if (sameType(b.type, to)) return b;
  if (!canCast(b.type, to)) {
    throw new InvalidArgumentError(`cannot cast ${typeName(b.type)} to ${typeName(to)}`);
  }
  if (b.kind === "literal") return literal(castValue(b.value, b.type, to), to);
  return { kind: "cast", operand: b, type: to };
}
