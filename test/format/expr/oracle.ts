// An independent row-at-a-time evaluator over plain JS rows, to check the vectorized one against: result types
// from resolveExpr (tested on their own), values its own way (exact bigints, nanosecond dates, LIKE by RegExp).

import * as A from "apache-arrow";
import type { Expr, LiteralValue } from "../../../format/expr/ast.js";
import { castTargetType } from "../../../format/expr/ast.js";
import { resolveExpr } from "../../../format/expr/resolve.js";

export type OValue = null | boolean | number | bigint | string;
export type Row = Record<string, OValue>;

/** A row where evaluation must fail (overflow, failed cast). */
export class RowError extends Error {}

const NS_PER_MS = 1_000_000n;

function unitNs(type: A.DataType): bigint {
  if (type.typeId === A.Type.Date) return (type as A.Date_).unit === A.DateUnit.DAY ? 86_400_000n * NS_PER_MS : NS_PER_MS;
  return [1_000_000_000n, 1_000_000n, 1_000n, 1n][(type as A.Timestamp).unit]!;
}

const isTemporal = (t: A.DataType): boolean => t.typeId === A.Type.Date || t.typeId === A.Type.Timestamp;
const isFloat = (t: A.DataType): boolean => t.typeId === A.Type.Float;
const isInt = (t: A.DataType): boolean => t.typeId === A.Type.Int;

function intBounds(t: A.DataType): [bigint, bigint] {
  const { bitWidth, isSigned } = t as A.Int;
  const b = BigInt(bitWidth);
  return isSigned ? [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n] : [0n, (1n << b) - 1n];
}

function checkInt(v: bigint, t: A.DataType): bigint {
  const [lo, hi] = intBounds(t);
  if (v < lo || v > hi) throw new RowError(`${v} out of ${t}`);
  return v;
}

/** Evaluates `expr` on each row: a value, or a RowError marker. */
export function oracle(expr: Expr, schema: A.Schema, rows: readonly Row[]): (OValue | RowError)[] {
  const types = new Map<Expr, A.DataType>();
  const typeOf = (e: Expr): A.DataType => {
    const known = types.get(e);
    if (known !== undefined) return known;
    const t = e.kind === "column" ? schema.fields.find((f) => f.name === e.path[0])!.type : resolveExpr(e, schema).type;
    types.set(e, t);
    return t;
  };
  return rows.map((row) => {
    try {
      return new Oracle(row, typeOf).ev(expr);
    } catch (err) {
      if (err instanceof RowError) return err;
      throw err;
    }
  });
}

class Oracle {
  constructor(
    private readonly row: Row,
    private readonly typeOf: (e: Expr) => A.DataType,
  ) {}

  ev(e: Expr): OValue {
    switch (e.kind) {
      case "column":
        return this.row[e.path[0]!] ?? null;
      case "literal":
        return e.value as LiteralValue;
      case "unary":
        return e.op === "not" ? not(this.ev(e.operand)) : this.neg(e);
      case "binary":
        return this.binary(e);
      case "isNull":
        return (this.ev(e.operand) === null) !== e.negated;
      case "in": {
        const x = this.ev(e.operand);
        const hits = e.values.map((v) => this.cmp("=", x, v.value as OValue, e.operand, v));
        const r = hits.reduce<OValue>((acc, h) => or(acc, h), false);
        return e.negated ? not(r) : r;
      }
      case "like":
        return this.like(e.pattern, e.caseInsensitive, e.escape, this.ev(e.operand), e.negated);
      case "between": {
        const x = this.ev(e.operand);
        const [lo, hi] = [this.ev(e.low), this.ev(e.high)];
        const r = and(this.cmp(">=", x, lo, e.operand, e.low), this.cmp("<=", x, hi, e.operand, e.high));
        return e.negated ? not(r) : r;
      }
      case "cast":
        return castTo(this.ev(e.operand), this.typeOf(e.operand), castTargetType(e.to));
      case "call":
        return this.call(e.name, e.args, this.typeOf(e));
    }
  }

  private neg(e: Extract<Expr, { kind: "unary" }>): OValue {
    const x = this.ev(e.operand);
    if (x === null) return null;
    const t = this.typeOf(e);
    return isFloat(t) ? -Number(x) : checkInt(-BigInt(x as number | bigint), t);
  }

  private binary(e: Extract<Expr, { kind: "binary" }>): OValue {
    const [x, y] = [this.ev(e.left), this.ev(e.right)];
    if (e.op === "and") return and(x, y);
    if (e.op === "or") return or(x, y);
    if (["=", "!=", "<", "<=", ">", ">="].includes(e.op)) return this.cmp(e.op, x, y, e.left, e.right);
    if (x === null || y === null) return null;
    const t = this.typeOf(e);
    if (isFloat(t)) {
      const [a, b] = [Number(x), Number(y)];
      if ((e.op === "/" || e.op === "%") && b === 0) return null;
      return { "+": a + b, "-": a - b, "*": a * b, "/": a / b, "%": a % b }[e.op as "+"]!;
    }
    const [a, b] = [BigInt(x as number), BigInt(y as number)];
    if (e.op === "%" && b === 0n) return null;
    const r = e.op === "+" ? a + b : e.op === "-" ? a - b : e.op === "*" ? a * b : a % b;
    return checkInt(r, t);
  }

  /** Three-valued comparison; dates and timestamps compare as nanoseconds, strings by UTF-8 bytes. */
  cmp(op: string, x: OValue, y: OValue, ex: Expr, ey: Expr): OValue {
    if (x === null || y === null) return null;
    const [tx, ty] = [this.typeOf(ex), this.typeOf(ey)];
    let c: number;
    if (isTemporal(tx) || isTemporal(ty)) c = order(toNs(x, tx), toNs(y, ty));
    else if (typeof x === "string" && typeof y === "string") c = Buffer.compare(Buffer.from(x), Buffer.from(y));
    else if (typeof x === "boolean" && typeof y === "boolean") c = Number(x) - Number(y);
    else c = numericOrder(x as number | bigint, y as number | bigint);
    return { "=": c === 0, "!=": c !== 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0 }[op as "="]!;
  }

  private like(pattern: string, ci: boolean, escape: string | undefined, x: OValue, negated: boolean): OValue {
    if (x === null) return null;
    let re = "";
    const chars = [...pattern];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === escape) re += escapeRe(chars[++i]!);
      else re += c === "%" ? ".*" : c === "_" ? "." : escapeRe(c);
    }
    const s = ci ? (x as string).toLowerCase() : (x as string);
    const m = new RegExp(`^${ci ? re.toLowerCase() : re}$`, "su").test(s);
    return m !== negated;
  }

  private call(name: string, args: readonly Expr[], t: A.DataType): OValue {
    const vals = args.map((a) => this.ev(a));
    if (name === "coalesce") {
      const v = vals.find((x) => x !== null) ?? null;
      return v === null ? null : isFloat(t) ? Number(v) : isInt(t) ? BigInt(v as number) : v;
    }
    const x = vals[0]!;
    if (x === null || vals[1] === null) return null;
    switch (name) {
      case "lower":
        return (x as string).toLowerCase();
      case "upper":
        return (x as string).toUpperCase();
      case "length":
        return [...(x as string)].length;
      case "starts_with":
        return (x as string).startsWith(vals[1] as string);
      case "ends_with":
        return (x as string).endsWith(vals[1] as string);
      case "contains":
        return (x as string).includes(vals[1] as string);
      case "abs":
        return isFloat(t) ? Math.abs(Number(x)) : checkInt(BigInt(x as number) < 0n ? -BigInt(x as number) : BigInt(x as number), t);
      case "sqrt":
        return Math.sqrt(Number(x));
      case "floor":
        return isFloat(t) ? Math.floor(Number(x)) : x;
      case "ceil":
        return isFloat(t) ? Math.ceil(Number(x)) : x;
      case "round": {
        if (!isFloat(t)) return x;
        const d = vals[1] === undefined ? 0 : Number(vals[1]);
        const v = Number(x);
        if (!Number.isFinite(v)) return v;
        const f = 10 ** d;
        return Number.isFinite(Math.abs(v) * f) ? (Math.sign(v) * Math.round(Math.abs(v) * f)) / f : v;
      }
    }
    throw new Error(`oracle has no ${name}`);
  }
}

function escapeRe(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, (m) => `\\${m}`);
}

function order(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** NaN above all numbers and equal to itself; -0 equal to 0; number/bigint compared exactly. */
export function numericOrder(x: number | bigint, y: number | bigint): number {
  const xn = typeof x === "number" && Number.isNaN(x);
  const yn = typeof y === "number" && Number.isNaN(y);
  if (xn || yn) return xn && yn ? 0 : xn ? 1 : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Nanoseconds of a stored date/timestamp, a 'YYYY-MM-DD[ HH:MM:SS]' string, or epoch milliseconds. */
function toNs(v: OValue, t: A.DataType): bigint {
  if (isTemporal(t)) return BigInt(v as number | bigint) * unitNs(t);
  if (typeof v === "string") return BigInt(Date.parse(`${v.replace(" ", "T")}Z`)) * NS_PER_MS;
  return BigInt(v as number | bigint) * NS_PER_MS;
}

function not(x: OValue): OValue {
  return x === null ? null : !x;
}

function and(x: OValue, y: OValue): OValue {
  if (x === false || y === false) return false;
  return x === null || y === null ? null : true;
}

function or(x: OValue, y: OValue): OValue {
  if (x === true || y === true) return true;
  return x === null || y === null ? null : false;
}

/** CAST for the casts the random expressions use (numbers, booleans and strings). */
function castTo(v: OValue, from: A.DataType, to: A.DataType): OValue {
  if (v === null) return null;
  if (isInt(to)) {
    let b: bigint;
    if (typeof v === "boolean") b = v ? 1n : 0n;
    else if (typeof v === "string") {
      if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new RowError(`bad int ${v}`);
      b = BigInt(v.trim());
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new RowError(`bad int ${v}`);
      b = BigInt(Math.trunc(v));
    } else b = v;
    return checkInt(b, to);
  }
  if (isFloat(to)) {
    const x = Number(v);
    return (to as A.Float).precision === A.Precision.SINGLE ? Math.fround(x) : x;
  }
  if (to.typeId === A.Type.Utf8) return isTemporal(from) ? String(v) : String(v);
  if (to.typeId === A.Type.Bool) return typeof v === "boolean" ? v : typeof v === "string" ? v === "true" : Number(v) !== 0;
  throw new Error(`oracle cannot cast to ${to}`);
}
