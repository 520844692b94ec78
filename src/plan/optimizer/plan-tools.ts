// Plan-walking helpers the optimizer rules share. Rewrites keep object identity when nothing changes, because the
// driver detects a fixed point by identity (optimize.ts).

import { inputsOf, withInputs, type NamedExpr, type PlanNode } from "../logical.js";
import { sameRefs } from "./expr-tools.js";

/** `p` with each input replaced by `f` of it; `p` itself when `f` returned every input unchanged. */
export function mapInputs(p: PlanNode, f: (input: PlanNode) => PlanNode): PlanNode {
  const before = inputsOf(p);
  const after = before.map(f);
  return sameRefs(before, after) ? p : withInputs(p, after);
}

/** Rewrites bottom-up: inputs first, then `f` on the node holding the rewritten inputs. */
export function transformUp(p: PlanNode, f: (p: PlanNode) => PlanNode): PlanNode {
  return f(mapInputs(p, (i) => transformUp(i, f)));
}

/** Whether a projection's expressions are exactly `names`, as plain columns, in that order (it changes nothing). */
export function isIdentity(exprs: readonly NamedExpr[], names: readonly string[]): boolean {
  return (
    exprs.length === names.length &&
    exprs.every((e, i) => e.name === names[i] && e.node.kind === "column" && e.node.path.length === 1 && e.node.path[0] === names[i])
  );
}

/** The field names of a node's output, in order. */
export function outputNames(p: PlanNode): string[] {
  return p.schema.fields.map((f) => f.name);
}
