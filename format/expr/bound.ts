// The resolved expression tree that evaluation and pruning walk: every node typed, literals in the stored form
// of what they meet (a date string next to a date column is a day number), casts explicit, LIKE compiled.

import type * as A from "apache-arrow";
import type { ArithmeticOp, ComparisonOp, Expr, FunctionName } from "./ast.js";
import type { ScalarValue } from "./columnar.js";
import type { LikeMatcher } from "./like.js";

interface Typed {
  readonly type: A.DataType;
}

/** A column or a struct field; `name` is the top-level column, `path` the full path. */
export interface BoundColumn extends Typed {
  readonly kind: "column";
  readonly name: string;
  readonly path: readonly string[];
}

/** A constant in the stored form of its type (day numbers for date32, bigints for 64-bit values). */
export interface BoundLiteral extends Typed {
  readonly kind: "literal";
  readonly value: ScalarValue;
}

export interface BoundCompare extends Typed {
  readonly kind: "compare";
  readonly op: ComparisonOp;
  readonly left: Bound;
  readonly right: Bound;
}

/** Arithmetic whose operands already share the result's representation; `text` names it in errors. */
export interface BoundArith extends Typed {
  readonly kind: "arith";
  readonly op: ArithmeticOp;
  readonly left: Bound;
  readonly right: Bound;
  readonly text: string;
}

export interface BoundLogic extends Typed {
  readonly kind: "logic";
  readonly op: "and" | "or";
  readonly left: Bound;
  readonly right: Bound;
}

export interface BoundNot extends Typed {
  readonly kind: "not";
  readonly operand: Bound;
}

export interface BoundNeg extends Typed {
  readonly kind: "neg";
  readonly operand: Bound;
  readonly text: string;
}

export interface BoundIsNull extends Typed {
  readonly kind: "isNull";
  readonly operand: Bound;
  readonly negated: boolean;
}

/** IN over non-null values in the operand's stored form; `hasNull` when the list held NULL. */
export interface BoundIn extends Typed {
  readonly kind: "in";
  readonly operand: Bound;
  readonly values: readonly Exclude<ScalarValue, null>[];
  readonly hasNull: boolean;
  readonly negated: boolean;
}

export interface BoundLike extends Typed {
  readonly kind: "like";
  readonly operand: Bound;
  readonly pattern: string;
  readonly escape: string | undefined;
  readonly caseInsensitive: boolean;
  readonly negated: boolean;
  readonly matcher: LikeMatcher;
}

export interface BoundBetween extends Typed {
  readonly kind: "between";
  readonly operand: Bound;
  readonly low: Bound;
  readonly high: Bound;
  readonly negated: boolean;
}

export interface BoundCast extends Typed {
  readonly kind: "cast";
  readonly operand: Bound;
}

export interface BoundCall extends Typed {
  readonly kind: "call";
  readonly name: FunctionName;
  readonly args: readonly Bound[];
  readonly text: string;
}

export type Bound =
  | BoundColumn
  | BoundLiteral
  | BoundCompare
  | BoundArith
  | BoundLogic
  | BoundNot
  | BoundNeg
  | BoundIsNull
  | BoundIn
  | BoundLike
  | BoundBetween
  | BoundCast
  | BoundCall;

/** An expression checked against a schema: what evaluate, filterIndices and mayMatch take. */
export interface Resolved {
  /** The expression as written. */
  readonly expr: Expr;
  /** The bound tree (internal to format/expr; its shape may change). */
  readonly bound: Bound;
  /** The Arrow type of the result. */
  readonly type: A.DataType;
  /** Top-level columns the expression reads, in order of first use. */
  readonly columns: readonly string[];
}

/** The direct operands of a node. */
export function children(b: Bound): readonly Bound[] {
  switch (b.kind) {
    case "column":
    case "literal":
      return [];
    case "compare":
    case "arith":
    case "logic":
      return [b.left, b.right];
    case "between":
      return [b.operand, b.low, b.high];
    case "call":
      return b.args;
    default:
      return [b.operand];
  }
}
