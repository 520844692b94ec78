// The expression tree as plain, frozen data: what the parser produces, the printer prints, and resolve checks.
// It names columns and SQL types but knows nothing of schemas; `resolveExpr` binds it to one.

import * as A from "apache-arrow";
import { typesEqual } from "../file/schema-json.js";

/** A value a literal can hold; `null` is SQL NULL. */
export type LiteralValue = number | bigint | string | boolean | null;

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%";
export type ComparisonOp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type LogicalOp = "and" | "or";
export type BinaryOp = ArithmeticOp | ComparisonOp | LogicalOp;
export type UnaryOp = "not" | "neg";

/** A column, or a field inside struct columns (`a.b` has path ["a", "b"]). */
export interface ColumnExpr {
  readonly kind: "column";
  readonly path: readonly string[];
}

/** A constant. `type` forces an Arrow type (the parser sets float64 on `1.0` so it stays a float). */
export interface LiteralExpr {
  readonly kind: "literal";
  readonly value: LiteralValue;
  readonly type?: A.DataType;
}

export interface UnaryExpr {
  readonly kind: "unary";
  readonly op: UnaryOp;
  readonly operand: Expr;
}

export interface BinaryExpr {
  readonly kind: "binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `operand [NOT] IN (v1, v2, ...)` over literals. */
export interface InExpr {
  readonly kind: "in";
  readonly operand: Expr;
  readonly values: readonly LiteralExpr[];
  readonly negated: boolean;
}

/** `operand IS [NOT] NULL`. */
export interface IsNullExpr {
  readonly kind: "isNull";
  readonly operand: Expr;
  readonly negated: boolean;
}

/** `operand [NOT] LIKE|ILIKE 'pattern' [ESCAPE 'c']`: `%` matches any run of characters, `_` one character. */
export interface LikeExpr {
  readonly kind: "like";
  readonly operand: Expr;
  readonly pattern: string;
  readonly caseInsensitive: boolean;
  readonly negated: boolean;
  /** A single character that makes the next `%`, `_` or itself literal. Default: none. */
  readonly escape?: string;
}

/** `operand [NOT] BETWEEN low AND high` (both ends included). */
export interface BetweenExpr {
  readonly kind: "between";
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
}

/** `CAST(operand AS to)`; `to` is a canonical SQL type name (see `CAST_TYPES`). */
export interface CastExpr {
  readonly kind: "cast";
  readonly operand: Expr;
  readonly to: CastTypeName;
}

/** A call of a built-in function (see `FUNCTION_NAMES`). */
export interface CallExpr {
  readonly kind: "call";
  readonly name: FunctionName;
  readonly args: readonly Expr[];
}

export type Expr =
  | ColumnExpr
  | LiteralExpr
  | UnaryExpr
  | BinaryExpr
  | InExpr
  | IsNullExpr
  | LikeExpr
  | BetweenExpr
  | CastExpr
  | CallExpr;

/** The built-in functions; argument and result types are checked in format/expr/functions.ts. */
export const FUNCTION_NAMES = [
  "lower",
  "upper",
  "length",
  "abs",
  "coalesce",
  "starts_with",
  "ends_with",
  "contains",
  "round",
  "floor",
  "ceil",
  "sqrt",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Canonical cast targets and the Arrow type each stands for. */
export const CAST_TYPES = {
  int8: () => new A.Int8(),
  int16: () => new A.Int16(),
  int32: () => new A.Int32(),
  int64: () => new A.Int64(),
  uint8: () => new A.Uint8(),
  uint16: () => new A.Uint16(),
  uint32: () => new A.Uint32(),
  uint64: () => new A.Uint64(),
  float32: () => new A.Float32(),
  float64: () => new A.Float64(),
  string: () => new A.Utf8(),
  boolean: () => new A.Bool(),
  date: () => new A.DateDay(),
  timestamp: () => new A.TimestampMillisecond(),
} as const satisfies Record<string, () => A.DataType>;
export type CastTypeName = keyof typeof CAST_TYPES;

/** SQL spellings accepted by CAST, lower-cased, mapped to their canonical name. */
export const CAST_ALIASES: Readonly<Record<string, CastTypeName>> = {
  ...Object.fromEntries(Object.keys(CAST_TYPES).map((k) => [k, k as CastTypeName])),
  tinyint: "int8",
  smallint: "int16",
  int: "int32",
  integer: "int32",
  bigint: "int64",
  float: "float32",
  real: "float32",
  double: "float64",
  varchar: "string",
  utf8: "string",
  text: "string",
  bool: "boolean",
};

/** The Arrow type a canonical cast name stands for. */
export function castTargetType(name: CastTypeName): A.DataType {
  return CAST_TYPES[name]();
}

/** The canonical cast name of an Arrow type, when it has one (for printing `CAST(x AS ...)`). */
export function castTypeName(type: A.DataType): CastTypeName | undefined {
  for (const [name, make] of Object.entries(CAST_TYPES) as [CastTypeName, () => A.DataType][]) {
    if (typesEqual(make(), type)) return name;
  }
  return undefined;
}

// Builders. They freeze what they build so an Expr can be shared between plans without defensive copies.

/**
 * A column, or a struct field by path.
 * @example col("meta", "width") // meta.width
 */
export function col(...path: string[]): ColumnExpr {
  return Object.freeze({ kind: "column", path: Object.freeze([...path]) });
}

/**
 * A constant, optionally of a forced Arrow type.
 * @example lit(2.5); lit(1, new Float64()); lit("2024-01-31", new DateDay())
 */
export function lit(value: LiteralValue, type?: A.DataType): LiteralExpr {
  return Object.freeze(type === undefined ? { kind: "literal", value } : { kind: "literal", value, type });
}

/** `NOT operand` or `-operand`. */
export function unary(op: UnaryOp, operand: Expr): UnaryExpr {
  return Object.freeze({ kind: "unary", op, operand });
}

/**
 * `left op right`.
 * @example binary(">", col("score"), lit(0.5))
 */
export function binary(op: BinaryOp, left: Expr, right: Expr): BinaryExpr {
  return Object.freeze({ kind: "binary", op, left, right });
}

/** `a AND b AND ...`, left-nested; at least one operand. */
export function and(first: Expr, ...rest: Expr[]): Expr {
  return rest.reduce<Expr>((acc, e) => binary("and", acc, e), first);
}

/** `a OR b OR ...`, left-nested; at least one operand. */
export function or(first: Expr, ...rest: Expr[]): Expr {
  return rest.reduce<Expr>((acc, e) => binary("or", acc, e), first);
}

/** `NOT operand`. */
export function not(operand: Expr): UnaryExpr {
  return unary("not", operand);
}

/**
 * `operand [NOT] IN (values)`.
 * @example isIn(col("label"), [lit(1), lit(3)])
 */
export function isIn(operand: Expr, values: readonly LiteralExpr[], negated = false): InExpr {
  return Object.freeze({ kind: "in", operand, values: Object.freeze([...values]), negated });
}

/** `operand IS [NOT] NULL`. */
export function isNull(operand: Expr, negated = false): IsNullExpr {
  return Object.freeze({ kind: "isNull", operand, negated });
}

/** Options of `like`. */
export interface LikeOptions {
  /** ILIKE: compare lower-cased text. Default false. */
  caseInsensitive?: boolean;
  /** NOT LIKE. Default false. */
  negated?: boolean;
  /** Escape character. Default: none. */
  escape?: string;
}

/**
 * `operand [NOT] LIKE|ILIKE pattern`.
 * @example like(col("name"), "cat%", { caseInsensitive: true })
 */
export function like(operand: Expr, pattern: string, options: LikeOptions = {}): LikeExpr {
  const base = {
    kind: "like" as const,
    operand,
    pattern,
    caseInsensitive: options.caseInsensitive ?? false,
    negated: options.negated ?? false,
  };
  return Object.freeze(options.escape === undefined ? base : { ...base, escape: options.escape });
}

/** `operand [NOT] BETWEEN low AND high`. */
export function between(operand: Expr, low: Expr, high: Expr, negated = false): BetweenExpr {
  return Object.freeze({ kind: "between", operand, low, high, negated });
}

/**
 * `CAST(operand AS to)`.
 * @example cast(col("id"), "string")
 */
export function cast(operand: Expr, to: CastTypeName): CastExpr {
  return Object.freeze({ kind: "cast", operand, to });
}

/**
 * A built-in function call.
 * @example call("lower", col("name"))
 */
export function call(name: FunctionName, ...args: Expr[]): CallExpr {
  return Object.freeze({ kind: "call", name, args: Object.freeze([...args]) });
}

/** True for the comparison operators. */
export function isComparison(op: BinaryOp): op is ComparisonOp {
  return op === "=" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=";
}

/** True for the arithmetic operators. */
export function isArithmetic(op: BinaryOp): op is ArithmeticOp {
  return op === "+" || op === "-" || op === "*" || op === "/" || op === "%";
}
