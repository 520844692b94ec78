// `col(...).list.*`: list functions over list and fixed-size-list columns (evaluated by src/expr/functions/list.ts).

import type { Expr, ExprLike } from "../expr.js";
import type { GetOptions, JoinOptions } from "../functions/list.js";
import { fnExpr } from "./fn.js";

export type { GetOptions, JoinOptions as ListJoinOptions } from "../functions/list.js";

/** List functions of an expression; null list in, null out. */
export class ListNamespace {
  constructor(private readonly e: Expr) {}

  /** Items in the list. */
  length(): Expr {
    return fnExpr("list.length", this.e);
  }
  /** The item at `index` (negative: from the end), or `options.default` (null) when out of range. */
  get(index: ExprLike, options: GetOptions = {}): Expr {
    return fnExpr("list.get", this.e, [index], { ...options });
  }
  /** Items from `start` up to `end` (exclusive; negative counts from the end). */
  slice(start: ExprLike, end?: ExprLike): Expr {
    return fnExpr("list.slice", this.e, end === undefined ? [start] : [start, end]);
  }
  /** Sum of the non-null items (null when there are none). */
  sum(): Expr {
    return fnExpr("list.sum", this.e);
  }
  mean(): Expr {
    return fnExpr("list.mean", this.e);
  }
  min(): Expr {
    return fnExpr("list.min", this.e);
  }
  max(): Expr {
    return fnExpr("list.max", this.e);
  }
  /** Whether `value` is an item. */
  contains(value: ExprLike): Expr {
    return fnExpr("list.contains", this.e, [value]);
  }
  /** Items of a list of strings joined by `separator`. */
  join(separator: ExprLike, options: JoinOptions = {}): Expr {
    return fnExpr("list.join", this.e, [separator], { ...options });
  }
}
