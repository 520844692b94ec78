// The functions expressions start from: col, lit, when, count (count(*)) and sql (SQL-like text).

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import type * as F from "../../format/expr/ast.js";
import { castTargetType } from "../../format/expr/ast.js";
import { parseExpr } from "../../format/expr/parse.js";
import { Expr, literalNode, toNode, type ExprLike } from "./expr.js";
import type { ExprNode, LiteralValue, WhenNode } from "./node.js";

/**
 * A column by name; further names walk into struct fields.
 * @example col("meta", "width")
 */
export function col(name: string, ...fields: string[]): Expr {
  if (typeof name !== "string" || name.length === 0) throw new InvalidArgumentError("col() needs a column name");
  return new Expr(Object.freeze({ kind: "column", path: Object.freeze([name, ...fields]) }));
}

/**
 * A constant, optionally of an explicit Arrow type.
 * @example lit(3); lit(0.5, DataType.float32())
 */
export function lit(value: LiteralValue, type?: A.DataType): Expr {
  return new Expr(literalNode(value, type));
}

/** Rows of the group (count(*)). */
export function count(): Expr {
  return new Expr(Object.freeze({ kind: "agg", fn: "countAll" }));
}

/** A `when(...)` chain waiting for more branches or `otherwise`. */
export class When extends Expr {
  private get branches(): WhenNode["branches"] {
    return (this.node as WhenNode).branches;
  }
  /** Another branch, tried when the earlier ones did not match. */
  when(condition: ExprLike, value: ExprLike): When {
    return new When(Object.freeze({ kind: "when", branches: [...this.branches, { condition: toNode(condition), value: toNode(value) }] }));
  }
  /** The value of rows no branch matched (null without it). */
  otherwise(value: ExprLike): Expr {
    return new Expr(Object.freeze({ kind: "when", branches: this.branches, otherwise: toNode(value) }));
  }
}

/**
 * The first branch whose condition is true gives the value.
 * @example when(col("x").gt(0), "pos").when(col("x").lt(0), "neg").otherwise("zero")
 */
export function when(condition: ExprLike, value: ExprLike): When {
  return new When(Object.freeze({ kind: "when", branches: [{ condition: toNode(condition), value: toNode(value) }] }));
}

/**
 * An expression from SQL-like text (the language of Table filters, see docs/expressions.md).
 * @example sql("label = 3 AND score > 0.5")
 */
export function sql(text: string): Expr {
  return new Expr(fromFormat(parseExpr(text)));
}

/** A format/expr tree as an engine node (the shapes are shared; casts carry Arrow types). */
export function fromFormat(e: F.Expr): ExprNode {
  switch (e.kind) {
    case "column":
    case "literal":
      return e;
    case "unary":
      return { kind: "unary", op: e.op, operand: fromFormat(e.operand) };
    case "binary":
      return { kind: "binary", op: e.op, left: fromFormat(e.left), right: fromFormat(e.right) };
    case "in":
      return { kind: "in", operand: fromFormat(e.operand), values: e.values, negated: e.negated };
    case "isNull":
      return { kind: "isNull", operand: fromFormat(e.operand), negated: e.negated };
    case "like":
      return { ...e, operand: fromFormat(e.operand) };
    case "between":
      return { kind: "between", operand: fromFormat(e.operand), low: fromFormat(e.low), high: fromFormat(e.high), negated: e.negated };
    case "cast":
      return { kind: "cast", operand: fromFormat(e.operand), to: castTarget(e.to) };
    case "call":
      return { kind: "call", name: e.name, args: e.args.map(fromFormat) };
  }
}

function castTarget(name: F.CastTypeName): A.DataType {
  return castTargetType(name);
}
