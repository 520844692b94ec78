// isolateUdfs: a Project holding costly expressions (apply, udf, expensive registry functions) becomes up to three
// nodes, so the costly part stands alone in a UdfProject that filters and limits can then be pushed below:
//
//   Project    what is built on the UDF outputs (dropped when it only passes columns through)
//   UdfProject the UDF calls, plus the columns the Project above reads, passed through
//   Project    the cheap arguments the UDFs take (only when some argument is more than a column or a literal)

import * as B from "../../build.js";
import type { NamedExpr, PlanNode, ProjectNode } from "../../logical.js";
import { mapChildren, type ExprNode } from "../../../expr/node.js";
import { colNode, columnsIn, hasCostly, isCostly, unalias } from "../expr-tools.js";
import { isIdentity, outputNames, transformUp } from "../plan-tools.js";

/** Splits every Project with a costly expression around a UdfProject (see the module comment). */
export function isolateUdfs(plan: PlanNode): PlanNode {
  return transformUp(plan, (p) => (p.kind === "project" && p.exprs.some((e) => hasCostly(e.node)) ? isolate(p) : p));
}

function isolate(p: ProjectNode): PlanNode {
  const input = p.input;
  const inputNames = outputNames(input);
  const taken = new Set([...inputNames, ...p.exprs.map((e) => e.name)]);
  const fresh = (base: string): string => {
    let i = 0;
    while (taken.has(`${base}${i}`)) i++;
    taken.add(`${base}${i}`);
    return `${base}${i}`;
  };
  const args: NamedExpr[] = [];
  const udfs: NamedExpr[] = [];

  // Inside a costly node, each cheap subtree that is more than a column or literal is computed below it.
  const hoist = (n: ExprNode): ExprNode => {
    if (n.kind === "column" || n.kind === "literal") return n;
    if (hasCostly(n)) return mapChildren(n, hoist);
    const name = fresh("_arg");
    args.push({ name, node: n });
    return colNode(name);
  };
  // The outermost costly nodes become UdfProject outputs; what surrounds them stays for the Project above.
  const extract = (n: ExprNode, name?: string): ExprNode => {
    if (!isCostly(n)) return hasCostly(n) ? mapChildren(n, (c) => extract(c)) : n;
    const out = name ?? fresh("_udf");
    udfs.push({ name: out, node: mapChildren(n, hoist) });
    return colNode(out);
  };
  const top: NamedExpr[] = p.exprs.map((e) => {
    const bare = unalias(e.node);
    // A column that is exactly a UDF call keeps its name in the UdfProject unless an input column has it.
    const own = isCostly(bare) && !inputNames.includes(e.name) ? e.name : undefined;
    return { name: e.name, node: own === undefined ? extract(e.node) : extract(bare, own) };
  });

  // Input columns the Project above reads (other than UDF outputs) pass through the UdfProject.
  const passed = inputNames.filter((n) => top.some((t) => columnsIn(t.node, input.schema).includes(n)));
  const below = lowerProject(input, args, udfs, passed);
  const udfProject = B.project(below, [...passed.map((n) => ({ name: n, node: colNode(n) })), ...udfs], "udfProject");
  return isIdentity(top, outputNames(udfProject)) ? udfProject : B.project(udfProject, top);
}

/** The node the UdfProject reads: the input, or a Project adding the hoisted arguments to the columns needed. */
function lowerProject(input: PlanNode, args: readonly NamedExpr[], udfs: readonly NamedExpr[], passed: readonly string[]): PlanNode {
  if (args.length === 0) return input;
  const read = new Set([...passed, ...udfs.flatMap((u) => columnsIn(u.node, input.schema))]);
  const keep = outputNames(input).filter((n) => read.has(n));
  return B.project(input, [...keep.map((n) => ({ name: n, node: colNode(n) })), ...args]);
}
