// Building `fn` nodes for namespace methods: expression arguments become operands, constants become options.

import type { Expr, ExprLike } from "../expr.js";
import type { ExprNode } from "../node.js";

/** The Expr class, handed in by expr.ts to avoid a load-order cycle. */
let ExprClass: (new (node: ExprNode) => Expr) | undefined;
let toNodeFn: ((e: ExprLike) => ExprNode) | undefined;

export function installExpr(cls: new (node: ExprNode) => Expr, toNode: (e: ExprLike) => ExprNode): void {
  ExprClass = cls;
  toNodeFn = toNode;
}

/** `name(self, ...args)` with `options`. */
export function fnExpr(name: string, self: Expr, args: readonly ExprLike[] = [], options: Record<string, unknown> = {}): Expr {
  const node: ExprNode = Object.freeze({
    kind: "fn",
    name,
    args: [self.node, ...args.map((a) => toNodeFn!(a))],
    options: Object.freeze(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))),
  });
  return new ExprClass!(node);
}
