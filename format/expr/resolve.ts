// resolveExpr: binds an Expr to a schema. Columns must exist ("did you mean"), operand types must suit their
// operators (a mismatch names both), each node gets its result type, and literals are converted once.

import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../errors.js";
import * as E from "./ast.js";
import type { Bound, BoundColumn, Resolved } from "./bound.js";
import { children } from "./bound.js";
import { canCast, castValue } from "./cast.js";
import { adopt, bindLiteral, castBound, comparableLiteral, isFlexible, literal, type FlexLiteral } from "./coerce.js";
import { run, type EvalContext } from "./evaluate.js";
import { formatExpr } from "./format-expr.js";
import { FUNCTIONS } from "./functions.js";
import { compileLike } from "./like.js";
import { parseExpr } from "./parse.js";
import { nearestNames, quoteList } from "./suggest.js";
import {
  commonIntType,
  commonTemporalType,
  floatResult,
  isNumericClass,
  isTemporalClass,
  promoteInt,
  sameType,
  smallestIntType,
  typeClass,
  typeName,
  type TypeClass,
} from "./types.js";

const BOOL = new A.Bool();

/**
 * Checks `expr` against `schema` and types it.
 * @example resolveExpr(parseExpr("label = 3"), schema).type // Bool
 */
export function resolveExpr(expr: E.Expr, schema: A.Schema): Resolved {
  const binder = new Binder(schema);
  const bound = binder.bind(expr);
  return { expr, bound, type: bound.type, columns: [...binder.columns] };
}

/**
 * A filter (SQL-like text or an Expr) resolved and checked to be a predicate (boolean, or NULL).
 * @example resolvePredicate("label = 3 AND score > 0.5", table.schema)
 */
export function resolvePredicate(filter: string | E.Expr, schema: A.Schema): Resolved {
  const expr = typeof filter === "string" ? parseExpr(filter) : filter;
  const r = resolveExpr(expr, schema);
  const c = typeClass(r.type);
  if (c !== "bool" && c !== "null") {
    throw new InvalidArgumentError(
      `a filter must be a condition, but ${formatExpr(expr)} is ${typeName(r.type)}; compare it, e.g. ${formatExpr(expr)} > 0`,
    );
  }
  return r;
}

/** Options of `resolveValue`. */
export interface ResolveValueOptions {
  /** Type the value must have (the column it is stored in); it is cast to it. Default: its own type. */
  target?: A.DataType;
  /** Name of that column, for error messages. */
  column?: string;
}

/**
 * A value to store (update, addColumns): SQL-like text or an Expr, resolved and cast to the target type. Casts
 * are strict (a value that does not fit fails when evaluated); types that cannot convert fail here, naming both.
 * @example resolveValue("score * 2", schema, { target: new Float32(), column: "score" })
 */
export function resolveValue(input: string | E.Expr, schema: A.Schema, options: ResolveValueOptions = {}): Resolved {
  const expr = typeof input === "string" ? parseExpr(input) : input;
  const r = resolveExpr(expr, schema);
  const to = options.target;
  if (to === undefined || sameType(r.type, to)) return r;
  const where = options.column === undefined ? "" : ` column "${options.column}"`;
  if (!canCast(r.type, to)) {
    throw new InvalidArgumentError(
      `cannot store ${formatExpr(expr)} (${typeName(r.type)}) in ${typeName(to)}${where}`,
      options.column === undefined ? {} : { column: options.column },
    );
  }
  const bound = isFlexible(r.bound) ? (adopt(r.bound, to) ?? castBound(r.bound, to)) : castBound(r.bound, to);
  return { ...r, bound, type: to };
}

/**
 * Top-level columns an expression reads, in order of first use (a resolved one knows exactly), e.g. to choose
 * the columns a filtered scan must read.
 * @example referencedColumns(parseExpr("meta.w > 1 AND label = 3")) // ["meta", "label"]
 */
export function referencedColumns(expr: E.Expr | Resolved): string[] {
  if ("bound" in expr) return [...expr.columns];
  const out = new Set<string>();
  const walk = (e: E.Expr): void => {
    if (e.kind === "column") out.add(e.path[0]!);
    for (const c of exprChildren(e)) walk(c);
  };
  walk(expr);
  return [...out];
}

function exprChildren(e: E.Expr): readonly E.Expr[] {
  switch (e.kind) {
    case "column":
    case "literal":
      return [];
    case "binary":
      return [e.left, e.right];
    case "between":
      return [e.operand, e.low, e.high];
    case "call":
      return e.args;
    default:
      return [e.operand];
  }
}

type Binders = { [K in E.Expr["kind"]]: (e: Extract<E.Expr, { kind: K }>) => Bound };

class Binder {
  readonly columns = new Set<string>();
  private readonly binders: Binders;

  constructor(private readonly schema: A.Schema) {
    this.binders = {
      column: (e) => this.column(e.path),
      literal: (e) => bindLiteral(e),
      unary: (e) => (e.op === "not" ? this.not(e) : this.neg(e)),
      binary: (e) => this.binary(e),
      in: (e) => this.inList(e),
      isNull: (e) => ({ kind: "isNull", operand: this.bind(e.operand), negated: e.negated, type: BOOL }),
      like: (e) => this.like(e),
      between: (e) => this.between(e),
      cast: (e) => this.cast(e),
      call: (e) => this.call(e),
    };
  }

  bind(e: E.Expr): Bound {
    return fold((this.binders[e.kind] as (x: E.Expr) => Bound)(e));
  }

  private column(path: readonly string[]): BoundColumn {
    const fields = this.schema.fields;
    let field = fields.find((f) => f.name === path[0]);
    if (field === undefined && path.length > 1) {
      // A top-level name with dots in it, written without quotes.
      const dotted = fields.find((f) => f.name === path.join("."));
      if (dotted !== undefined) return this.found(dotted.name, [dotted.name], dotted.type);
    }
    if (field === undefined) throw unknownName(`no column "${path[0]}"`, path[0]!, fields.map((f) => f.name), path[0]!);
    for (const name of path.slice(1)) {
      if (field.type.typeId !== A.Type.Struct) {
        throw new InvalidArgumentError(`"${name}" is not a field: ${field.name} is ${typeName(field.type)}, not a struct`, { column: path[0] });
      }
      const kids: A.Field[] = (field.type as A.Struct).children;
      const next = kids.find((f) => f.name === name);
      if (next === undefined) throw unknownName(`no field "${name}" in ${field.name}`, name, kids.map((f) => f.name), path[0]!);
      field = next;
    }
    return this.found(path[0]!, [...path], field.type);
  }

  private found(name: string, path: string[], type: A.DataType): BoundColumn {
    this.columns.add(name);
    // Dictionary columns are read decoded, so they take their value type.
    const t = type.typeId === A.Type.Dictionary ? (type as A.Dictionary).dictionary : type;
    return { kind: "column", name, path, type: t };
  }

  private predicate(e: E.Expr, what: string): Bound {
    const b = this.bind(e);
    const c = typeClass(b.type);
    if (c !== "bool" && c !== "null") {
      throw new InvalidArgumentError(`${what} needs a condition, but ${formatExpr(e)} is ${typeName(b.type)}`);
    }
    return b;
  }

  private not(e: E.UnaryExpr): Bound {
    return { kind: "not", operand: this.predicate(e.operand, "NOT"), type: BOOL };
  }

  private neg(e: E.UnaryExpr): Bound {
    const operand = this.bind(e.operand);
    const text = formatExpr(e);
    const c = typeClass(operand.type);
    if (c === "null") return { kind: "literal", value: null, type: new A.Int32() };
    if (!isNumericClass(c)) throw new InvalidArgumentError(`cannot negate ${typeName(operand.type)} in ${text}`);
    if (c === "float") return { kind: "neg", operand, type: floatResult(operand.type), text };
    const t = operand.type as A.Int;
    // Unsigned values negate into the next wider signed type; small ones into int32 like all arithmetic.
    const type = t.isSigned ? promoteInt(t) : promoteInt(commonIntType(t, new A.Int8()));
    return { kind: "neg", operand: castBound(operand, sameRepr(operand.type, type) ? operand.type : type), type, text };
  }

  private binary(e: E.BinaryExpr): Bound {
    if (e.op === "and" || e.op === "or") {
      const what = e.op.toUpperCase();
      return { kind: "logic", op: e.op, left: this.predicate(e.left, what), right: this.predicate(e.right, what), type: BOOL };
    }
    const [left, right] = [this.bind(e.left), this.bind(e.right)];
    const text = formatExpr(e);
    if (E.isComparison(e.op)) {
      const [l, r] = comparable(left, right, text);
      return { kind: "compare", op: e.op, left: l, right: r, type: BOOL };
    }
    return arithmetic(e.op as E.ArithmeticOp, left, right, text);
  }

  private inList(e: E.InExpr): Bound {
    const operand = this.bind(e.operand);
    const text = formatExpr(e);
    const values: Exclude<FlexLiteral["value"], null>[] = [];
    let hasNull = false;
    for (const v of e.values) {
      const [, lit] = comparable(operand, bindLiteral(v), text);
      if (lit.kind !== "literal") throw new InvalidArgumentError(`IN takes literals in ${text}`);
      if (lit.value === null) hasNull = true;
      else values.push(lit.value);
    }
    return { kind: "in", operand, values, hasNull, negated: e.negated, type: BOOL };
  }

  private like(e: E.LikeExpr): Bound {
    const operand = this.bind(e.operand);
    const c = typeClass(operand.type);
    if (c !== "string" && c !== "null") {
      throw new InvalidArgumentError(`LIKE needs a string, but ${formatExpr(e.operand)} is ${typeName(operand.type)}; use CAST(${formatExpr(e.operand)} AS string)`);
    }
    const transform = e.caseInsensitive ? (s: string) => s.toLowerCase() : undefined;
    const matcher = compileLike(e.pattern, { escape: e.escape, transform });
    return {
      kind: "like",
      operand,
      pattern: e.pattern,
      escape: e.escape,
      caseInsensitive: e.caseInsensitive,
      negated: e.negated,
      matcher,
      type: BOOL,
    };
  }

  private between(e: E.BetweenExpr): Bound {
    const text = formatExpr(e);
    const operand = this.bind(e.operand);
    const [x, low] = comparable(operand, this.bind(e.low), text);
    const [y, high] = comparable(operand, this.bind(e.high), text);
    if (x !== operand || y !== operand) {
      throw new NotSupportedError(`BETWEEN over mixed date and timestamp types in ${text}; CAST the bounds to ${typeName(operand.type)}`);
    }
    return { kind: "between", operand, low, high, negated: e.negated, type: BOOL };
  }

  private cast(e: E.CastExpr): Bound {
    const operand = this.bind(e.operand);
    const to = E.castTargetType(e.to);
    if (!canCast(operand.type, to)) {
      throw new NotSupportedError(`cannot cast ${typeName(operand.type)} to ${typeName(to)} in ${formatExpr(e)}`);
    }
    // An explicit cast fixes a literal's type: CAST(1 AS int64) + x must not adapt to x.
    if (isFlexible(operand)) return literal(castValue(operand.value, operand.type, to), to);
    return castBound(operand, to);
  }

  private call(e: E.CallExpr): Bound {
    const def = FUNCTIONS[e.name];
    const text = formatExpr(e);
    if (def === undefined) {
      throw unknownName(`unknown function "${e.name}"`, e.name, E.FUNCTION_NAMES, "");
    }
    if (e.args.length < def.minArgs || e.args.length > def.maxArgs) {
      const want = def.minArgs === def.maxArgs ? `${def.minArgs}` : def.maxArgs === Infinity ? `at least ${def.minArgs}` : `${def.minArgs} or ${def.maxArgs}`;
      throw new InvalidArgumentError(`${e.name}() takes ${want} argument${want === "1" ? "" : "s"}, got ${e.args.length} in ${text}`);
    }
    const { args, type } = def.bind(e.args.map((a) => this.bind(a)), text);
    return { kind: "call", name: e.name, args, type, text };
  }
}

function unknownName(head: string, name: string, valid: readonly string[], column: string): InvalidArgumentError {
  const near = nearestNames(name, valid);
  const tail =
    near.length > 0
      ? `; did you mean ${quoteList(near)}?`
      : valid.length === 0
        ? ""
        : `; valid names are ${quoteList(valid.slice(0, 12))}${valid.length > 12 ? ", ..." : ""}`;
  return new InvalidArgumentError(head + tail, column === "" ? {} : { column });
}

/**
 * True when values of both types are held alike, as JS numbers or as bigints. Kernels compute in exact JS
 * arithmetic and check only the result's range, so int64 with uint64 needs no (range-checked) cast first.
 */
function sameRepr(a: A.DataType, b: A.DataType): boolean {
  return (typeClass(a) === "bigint") === (typeClass(b) === "bigint");
}

/** The two sides of a comparison, converted so the kernels can compare them; throws when they cannot be. */
function comparable(left: Bound, right: Bound, text: string): [Bound, Bound] {
  const [cl, cr] = [typeClass(left.type), typeClass(right.type)];
  if (cl === "null" || cr === "null") return [left, right];
  if (isNumericClass(cl) && isNumericClass(cr)) return [left, right];
  if (cl === cr && cl !== "other" && !isTemporalClass(cl)) return [left, right];
  // A literal takes the column's units, so the column is read as stored (and page statistics still apply).
  if (isTemporalClass(cl) && right.kind === "literal") {
    const lit = comparableLiteral(right, left.type, text);
    if (lit !== undefined) return [left, lit];
  }
  if (isTemporalClass(cr) && left.kind === "literal") {
    const lit = comparableLiteral(left, right.type, text);
    if (lit !== undefined) return [lit, right];
  }
  if (isTemporalClass(cl) && isTemporalClass(cr)) {
    const t = commonTemporalType(left.type, right.type);
    return [castBound(left, t), castBound(right, t)];
  }
  throw new InvalidArgumentError(
    `cannot compare ${typeName(left.type)} with ${typeName(right.type)} in ${text}; CAST one side to the other's type`,
  );
}

/** The integer type a flexible literal meets `other` in, or undefined when it does not fit it. */
function adoptedInt(lit: FlexLiteral, other: A.DataType): A.Int | undefined {
  const target = promoteInt(other as A.Int);
  return adopt(lit, target) === undefined ? undefined : target;
}

/** Result type of integer arithmetic: the common type, at least int32; literals adapt when they fit. */
function intResult(left: Bound, right: Bound): A.Int {
  const lf = isFlexible(left) && !isFlexible(right) ? adoptedInt(left, right.type) : undefined;
  if (lf !== undefined) return lf;
  const rf = isFlexible(right) && !isFlexible(left) ? adoptedInt(right, left.type) : undefined;
  if (rf !== undefined) return rf;
  // Literals take a signed type so arithmetic between them can go negative (65535 - 65536); a literal too big for
  // int64 still gets uint64.
  const own = (b: Bound): A.Int =>
    isFlexible(b)
      ? (smallestIntType(b.value as number | bigint, false) ?? smallestIntType(b.value as number | bigint, true)!)
      : (b.type as A.Int);
  return promoteInt(commonIntType(own(left), own(right)));
}

function arithmetic(op: E.ArithmeticOp, left: Bound, right: Bound, text: string): Bound {
  const [cl, cr] = [typeClass(left.type), typeClass(right.type)];
  const ok = (c: TypeClass): boolean => isNumericClass(c) || c === "null";
  if (!ok(cl) || !ok(cr)) {
    const which = isTemporalClass(cl) || isTemporalClass(cr) ? NotSupportedError : InvalidArgumentError;
    throw new which(`cannot apply ${op} to ${typeName(left.type)} and ${typeName(right.type)} in ${text}`);
  }
  if (cl === "null" && cr === "null") return { kind: "literal", value: null, type: new A.Int32() };
  const [l, r] = [cl === "null" ? nullLike(right) : left, cr === "null" ? nullLike(left) : right];
  const anyFloat = typeClass(l.type) === "float" || typeClass(r.type) === "float";
  const type: A.DataType = op === "/" || anyFloat ? new A.Float64() : intResult(l, r);
  const toRepr = (b: Bound): Bound => (sameRepr(b.type, type) ? b : isFlexible(b) ? (adopt(b, type) ?? castBound(b, type)) : castBound(b, type));
  return { kind: "arith", op, left: toRepr(l), right: toRepr(r), type, text };
}

/** A NULL literal typed like the other operand. */
function nullLike(other: Bound): Bound {
  return { kind: "literal", value: null, type: other.type };
}

/** Context for folding constants: there are no columns to read. */
const CONSTANTS: EvalContext = {
  rows: 1,
  column: () => {
    throw new Error("a constant expression read a column");
  },
};

/** A node over literals only becomes the literal it evaluates to (errors such as overflow surface now). */
function fold(b: Bound): Bound {
  if (b.kind === "literal" || b.kind === "column") return b;
  const kids = children(b);
  if (kids.length === 0 || !kids.every((k) => k.kind === "literal")) return b;
  const out = run(b, CONSTANTS);
  if (out.kind !== "scalar") return b;
  return { kind: "literal", value: out.value, type: b.type };
}
