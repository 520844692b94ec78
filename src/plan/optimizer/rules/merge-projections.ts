// mergeProjections: a Project over a Project becomes one, the outer expressions reading the inner ones directly.
// Only when no computed inner expression is read twice (merging would compute it twice) and neither node is a
// UdfProject (those stay apart on purpose, see isolate-udfs.ts).

import type { ExprNode } from "../../../expr/node.js";
import { childNodes } from "../../../expr/node.js";
import * as B from "../../build.js";
import type { NamedExpr, PlanNode, ProjectNode } from "../../logical.js";
import { columnOf, nameSet, substitute, unalias } from "../expr-tools.js";
import { transformUp } from "../plan-tools.js";

/** Merges each Project over a Project (see the module comment). */
export function mergeProjections(plan: PlanNode): PlanNode {
  return transformUp(plan, (p) => (p.kind === "project" && p.input.kind === "project" ? (merge(p, p.input) ?? p) : p));
}

function merge(outer: ProjectNode, inner: ProjectNode): PlanNode | undefined {
  const uses = countUses(outer.exprs, nameSet(inner.schema));
  const bindings = new Map(inner.exprs.map((e) => [e.name, e.node]));
  for (const e of inner.exprs) {
    const bare = unalias(e.node);
    const trivial = bare.kind === "column" || bare.kind === "literal";
    if (!trivial && (uses.get(e.name) ?? 0) > 1) return undefined;
  }
  const exprs: NamedExpr[] = [];
  for (const e of outer.exprs) {
    const node = substitute(e.node, bindings);
    if (node === undefined) return undefined;
    exprs.push({ name: e.name, node });
  }
  return B.project(inner.input, exprs);
}

/** How many times each inner column is read by the outer expressions. */
function countUses(exprs: readonly NamedExpr[], names: ReadonlySet<string>): Map<string, number> {
  const uses = new Map<string, number>();
  const walk = (n: ExprNode): void => {
    if (n.kind === "column") {
      const c = columnOf(n, names);
      if (c !== undefined) uses.set(c.name, (uses.get(c.name) ?? 0) + 1);
    }
    childNodes(n).forEach(walk);
  };
  exprs.forEach((e) => walk(e.node));
  return uses;
}
