// The engine's expression tree as plain, frozen data. The kinds shared with format/expr (column, literal, unary,
// binary, in, isNull, like, between, cast, call) keep its shapes so a tree made only of them lowers to a
// format/expr tree — and is then evaluated, pushed into table scans and pruned by statistics by format/. The other
// kinds (alias, when, fn, apply, udf, agg) exist only in the engine.

import type * as A from "apache-arrow";
import type { ArithmeticOp, BinaryOp, ComparisonOp, FunctionName, LiteralValue, LogicalOp, UnaryOp } from "../../format/expr/ast.js";
import type { AggFn } from "../exec/types.js";

export type { ArithmeticOp, BinaryOp, ComparisonOp, LiteralValue, LogicalOp, UnaryOp };

/** A column, or a field inside struct columns (`a.b` has path ["a", "b"]). */
export interface ColumnNode {
  readonly kind: "column";
  readonly path: readonly string[];
}

/** A constant; `type` forces an Arrow type. */
export interface LiteralNode {
  readonly kind: "literal";
  readonly value: LiteralValue;
  readonly type?: A.DataType;
}

export interface UnaryNode {
  readonly kind: "unary";
  readonly op: UnaryOp;
  readonly operand: ExprNode;
}

export interface BinaryNode {
  readonly kind: "binary";
  readonly op: BinaryOp;
  readonly left: ExprNode;
  readonly right: ExprNode;
}

export interface InNode {
  readonly kind: "in";
  readonly operand: ExprNode;
  readonly values: readonly LiteralNode[];
  readonly negated: boolean;
}

export interface IsNullNode {
  readonly kind: "isNull";
  readonly operand: ExprNode;
  readonly negated: boolean;
}

export interface LikeNode {
  readonly kind: "like";
  readonly operand: ExprNode;
  readonly pattern: string;
  readonly caseInsensitive: boolean;
  readonly negated: boolean;
  readonly escape?: string;
}

export interface BetweenNode {
  readonly kind: "between";
  readonly operand: ExprNode;
  readonly low: ExprNode;
  readonly high: ExprNode;
  readonly negated: boolean;
}

/** A cast to any Arrow type; lowers to format/expr when the target is one of its CAST_TYPES. */
export interface CastNode {
  readonly kind: "cast";
  readonly operand: ExprNode;
  readonly to: A.DataType;
}

/** A format/expr built-in (lower, upper, length, abs, coalesce, round, ...). */
export interface CallNode {
  readonly kind: "call";
  readonly name: FunctionName;
  readonly args: readonly ExprNode[];
}

/** Names the result of `operand`. */
export interface AliasNode {
  readonly kind: "alias";
  readonly operand: ExprNode;
  readonly name: string;
}

/** `when(c1, v1).when(c2, v2).otherwise(v)`: the first branch whose condition is TRUE; else `otherwise`. */
export interface WhenNode {
  readonly kind: "when";
  readonly branches: readonly { readonly condition: ExprNode; readonly value: ExprNode }[];
  /** Absent: null. */
  readonly otherwise?: ExprNode;
}

/** A registered engine function (src/expr/functions/registry.ts): "str.split", "list.sum", ... */
export interface FnNode {
  readonly kind: "fn";
  readonly name: string;
  readonly args: readonly ExprNode[];
  readonly options: Readonly<Record<string, unknown>>;
}

/** A JS function applied to each value: `e.apply(fn, returnType)` (see src/udf/). */
export interface ApplyNode {
  readonly kind: "apply";
  readonly operand: ExprNode;
  readonly fn: (value: unknown) => unknown;
  readonly returnType: A.DataType;
  readonly options: Readonly<ApplyNodeOptions>;
}

/** Options of a row-wise function. */
export interface ApplyNodeOptions {
  /** Async calls in flight at once. Default 16 for async functions. */
  readonly concurrency?: number;
  /** "raise" (default): fail naming the row and value; "null": the row gets null; "dead-letter": null + side output. */
  readonly onError?: "raise" | "null" | "dead-letter";
  /** Retries of a failing async call, with exponential backoff. Default 0. */
  readonly maxRetries?: number;
  /** A name for messages and explain(). Default the function's own name. */
  readonly name?: string;
}

/** A batch or class UDF call (src/udf/): the spec is opaque to the planner except for its name and type. */
export interface UdfNode {
  readonly kind: "udf";
  readonly udf: UdfSpecLike;
  readonly args: readonly ExprNode[];
}

/** What the planner needs to know about a UDF; src/udf/ defines the full spec. */
export interface UdfSpecLike {
  readonly name: string;
  readonly returnType: A.DataType;
}

/** An aggregation; only valid inside `agg()`. `operand` is absent for count(*). */
export interface AggNode {
  readonly kind: "agg";
  readonly fn: AggFn;
  readonly operand?: ExprNode;
  /** std/var degrees of freedom. */
  readonly ddof?: number;
}

export type ExprNode =
  | ColumnNode
  | LiteralNode
  | UnaryNode
  | BinaryNode
  | InNode
  | IsNullNode
  | LikeNode
  | BetweenNode
  | CastNode
  | CallNode
  | AliasNode
  | WhenNode
  | FnNode
  | ApplyNode
  | UdfNode
  | AggNode;

/** The direct operands of a node. */
export function childNodes(n: ExprNode): readonly ExprNode[] {
  switch (n.kind) {
    case "column":
    case "literal":
      return [];
    case "binary":
      return [n.left, n.right];
    case "between":
      return [n.operand, n.low, n.high];
    case "call":
    case "fn":
    case "udf":
      return n.args;
    case "when":
      return [...n.branches.flatMap((b) => [b.condition, b.value]), ...(n.otherwise ? [n.otherwise] : [])];
    case "agg":
      return n.operand ? [n.operand] : [];
    default:
      return [n.operand];
  }
}

/** `n` with its operands replaced by `f` of each (same kind, same order as childNodes). */
export function mapChildren(n: ExprNode, f: (c: ExprNode) => ExprNode): ExprNode {
  switch (n.kind) {
    case "column":
    case "literal":
      return n;
    case "binary":
      return { ...n, left: f(n.left), right: f(n.right) };
    case "between":
      return { ...n, operand: f(n.operand), low: f(n.low), high: f(n.high) };
    case "call":
      return { ...n, args: n.args.map(f) };
    case "fn":
      return { ...n, args: n.args.map(f) };
    case "udf":
      return { ...n, args: n.args.map(f) };
    case "when": {
      const branches = n.branches.map((b) => ({ condition: f(b.condition), value: f(b.value) }));
      return n.otherwise === undefined ? { kind: "when", branches } : { kind: "when", branches, otherwise: f(n.otherwise) };
    }
    case "agg":
      return n.operand === undefined ? n : { ...n, operand: f(n.operand) };
    case "in":
      return { ...n, operand: f(n.operand) };
    default:
      return { ...n, operand: f(n.operand) } as ExprNode;
  }
}

/** True when `pred` holds for `n` or any node below it. */
export function someNode(n: ExprNode, pred: (n: ExprNode) => boolean): boolean {
  return pred(n) || childNodes(n).some((c) => someNode(c, pred));
}

/** Top-level columns a tree reads, in order of first use. */
export function columnsOf(n: ExprNode): string[] {
  const out = new Set<string>();
  const walk = (e: ExprNode): void => {
    if (e.kind === "column") out.add(e.path[0]!);
    childNodes(e).forEach(walk);
  };
  walk(n);
  return [...out];
}

/** Whether the tree holds an aggregation. */
export function hasAgg(n: ExprNode): boolean {
  return someNode(n, (e) => e.kind === "agg");
}
