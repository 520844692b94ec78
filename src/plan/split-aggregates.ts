// agg() accepts expressions over aggregations (`col("x").sum().div(count())`): each aggregation becomes a column of
// an Aggregate node and the expression around it a Project above, so the aggregate operator sees only plain ones.

import { InvalidArgumentError } from "../../format/errors.js";
import type { Expr } from "../expr/expr.js";
import { outputName } from "../expr/names.js";
import { mapChildren, type ExprNode } from "../expr/node.js";
import * as B from "./build.js";
import type { NamedExpr, PlanNode } from "./logical.js";

const HIDDEN = "\u0000agg";

/** An Aggregate node for `keys` and `aggs`, with a Project above it when an aggregation sits inside an expression. */
export function splitAggregates(input: PlanNode, keys: readonly NamedExpr[], aggs: readonly Expr[]): PlanNode {
  const plain: NamedExpr[] = [];
  const outer: NamedExpr[] = [];
  let complex = false;
  for (const e of aggs) {
    const name = outputName(e.node);
    if (B.aggOf(e.node) !== undefined) {
      plain.push({ name, node: e.node });
      outer.push({ name, node: { kind: "column", path: [name] } });
      continue;
    }
    complex = true;
    let found = false;
    const replace = (n: ExprNode): ExprNode => {
      if (n.kind === "agg") {
        found = true;
        const hidden = `${HIDDEN}${plain.length}`;
        plain.push({ name: hidden, node: n });
        return { kind: "column", path: [hidden] };
      }
      return mapChildren(n, replace);
    };
    const node = replace(e.node);
    if (!found) throw new InvalidArgumentError(`agg(): "${name}" has no aggregation in it (use sum(), count(), ...)`);
    outer.push({ name, node });
  }
  const agg = B.aggregate(input, keys, plain);
  if (!complex) return agg;
  const keyCols: NamedExpr[] = keys.map((k) => ({ name: k.name, node: { kind: "column", path: [k.name] } }));
  return B.project(agg, [...keyCols, ...outer]);
}
