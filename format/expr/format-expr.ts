// formatExpr: an Expr back to the text parseExpr reads, with only the parentheses precedence needs. Used by
// explain() and in error messages; parseExpr(formatExpr(e)) rebuilds e for every tree the parser can produce.

import * as A from "apache-arrow";
import type * as E from "./ast.js";
import { castTypeName } from "./ast.js";
import { PREC, RESERVED } from "./parse.js";

const BINARY_PREC: Record<E.BinaryOp, number> = {
  or: PREC.or,
  and: PREC.and,
  "=": PREC.compare,
  "!=": PREC.compare,
  "<": PREC.compare,
  "<=": PREC.compare,
  ">": PREC.compare,
  ">=": PREC.compare,
  "+": PREC.add,
  "-": PREC.add,
  "*": PREC.mul,
  "/": PREC.mul,
  "%": PREC.mul,
};

/** Binding power of the node's outermost operator; primaries bind tightest. */
function precOf(e: E.Expr): number {
  switch (e.kind) {
    case "binary":
      return BINARY_PREC[e.op];
    case "unary":
      return e.op === "not" ? PREC.not : PREC.neg;
    case "in":
    case "isNull":
    case "like":
    case "between":
      return PREC.compare;
    case "literal":
      // A negative number reads as unary minus: it must not sit where a primary is required.
      return isNegativeNumber(e.value) ? PREC.neg : 99;
    default:
      return 99;
  }
}

function isNegativeNumber(v: E.LiteralValue): boolean {
  return (typeof v === "number" && (v < 0 || Object.is(v, -0))) || (typeof v === "bigint" && v < 0n);
}

/** Text of `e`, wrapped in parentheses when it binds looser than `min`. */
function sub(e: E.Expr, min: number): string {
  const text = formatExpr(e);
  return precOf(e) < min ? `(${text})` : text;
}

/**
 * The text of an expression, e.g. for explain().
 * @example formatExpr(binary("*", binary("+", col("a"), lit(1)), col("b"))) // "(a + 1) * b"
 */
export function formatExpr(e: E.Expr): string {
  return FORMATTERS[e.kind](e as never);
}

const FORMATTERS: { [K in E.Expr["kind"]]: (e: Extract<E.Expr, { kind: K }>) => string } = {
  column: (e) => e.path.map(formatIdent).join("."),
  literal: formatLiteral,
  unary: (e) => {
    if (e.op === "not") return `NOT ${sub(e.operand, PREC.not)}`;
    // `-(5)` keeps a negation of a literal from being read back as a negative literal.
    if (e.operand.kind === "literal") return `-(${formatExpr(e.operand)})`;
    const inner = sub(e.operand, PREC.neg);
    return inner.startsWith("-") ? `- ${inner}` : `-${inner}`;
  },
  binary: (e) => {
    const p = BINARY_PREC[e.op];
    const op = e.op === "and" || e.op === "or" ? e.op.toUpperCase() : e.op;
    return `${sub(e.left, p)} ${op} ${sub(e.right, p + 1)}`;
  },
  in: (e) => {
    const list = e.values.map(formatLiteral).join(", ");
    return `${sub(e.operand, PREC.compare)} ${e.negated ? "NOT IN" : "IN"} (${list})`;
  },
  isNull: (e) => `${sub(e.operand, PREC.compare)} IS ${e.negated ? "NOT NULL" : "NULL"}`,
  like: (e) => {
    const word = `${e.negated ? "NOT " : ""}${e.caseInsensitive ? "ILIKE" : "LIKE"}`;
    const escape = e.escape === undefined ? "" : ` ESCAPE ${formatString(e.escape)}`;
    return `${sub(e.operand, PREC.compare)} ${word} ${formatString(e.pattern)}${escape}`;
  },
  between: (e) =>
    `${sub(e.operand, PREC.compare)} ${e.negated ? "NOT BETWEEN" : "BETWEEN"} ` +
    `${sub(e.low, PREC.add)} AND ${sub(e.high, PREC.add)}`,
  cast: (e) => `CAST(${formatExpr(e.operand)} AS ${e.to})`,
  call: (e) => `${e.name}(${e.args.map(formatExpr).join(", ")})`,
};

const BARE_IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** A column or field name, double-quoted when it is not a plain word or is a keyword. */
export function formatIdent(name: string): string {
  if (BARE_IDENT.test(name) && !RESERVED.has(name.toLowerCase())) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

export function formatString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A float that reads back as a float: `1.0`, `2.5`, `1e+21`. */
function formatFloat(v: number): string {
  if (Object.is(v, -0)) return "-0.0";
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

function formatLiteral(e: E.LiteralExpr): string {
  const { value, type } = e;
  if (type === undefined) return formatUntyped(value);
  if (type.typeId === A.Type.Float && typeof value === "number" && Number.isFinite(value)) {
    if ((type as A.Float).precision === A.Precision.DOUBLE) return formatFloat(value);
  }
  const name = castTypeName(type);
  if ((name === "date" || name === "timestamp") && typeof value === "string") {
    return `${name.toUpperCase()} ${formatString(value)}`;
  }
  const inner = typeof value === "number" && !Number.isFinite(value) ? formatString(String(value)) : formatUntyped(value);
  return `CAST(${inner} AS ${name ?? String(type)})`;
}

function formatUntyped(value: E.LiteralValue): string {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "string") return formatString(value);
  if (typeof value === "bigint") return value.toString();
  if (!Number.isFinite(value)) return `CAST(${formatString(String(value))} AS float64)`;
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  // Integers past 2^53 are written out in full: the parser reads such digits back as the same (bigint) value.
  return Number.isInteger(value) ? BigInt(value).toString() : formatFloat(value);
}
