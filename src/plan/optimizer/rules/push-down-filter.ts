// pushDownFilter: each filter is split into its AND-ed parts and each part moves as far down as it keeps its
// meaning: below projections (columns replaced by the cheap expressions that made them; never through a UDF
// output), sorts, concats (a copy per input), the sides of joins that preserve their rows, group keys, and explodes
// it does not read; then into the scan when the source can apply it. It never crosses Limit, TopN, Sample,
// Distinct or Write: the rows those keep depend on the rows they see.
//
// Like every SQL optimizer this changes the order in which predicates meet rows: a part pushed below another
// filter now also sees rows that filter would have removed, so an error that only some rows raise (integer
// overflow, a strict cast) can surface where it did not before. Division by zero gives NULL, not an error. Parts
// that call a UDF or an expensive function do not move at all (below a join or a cheaper filter they would run on
// more rows); cheap parts move below them.

import { and } from "../../../../format/expr/ast.js";
import type { Expr as FilterExpr } from "../../../../format/expr/ast.js";
import { isLowerable, lower } from "../../../expr/compile.js";
import type { ExprNode } from "../../../expr/node.js";
import * as B from "../../build.js";
import { withInputs, type AggregateNode, type JoinNode, type NamedExpr, type PlanNode, type ScanNode } from "../../logical.js";
import { colNode, columnsIn, conjoin, conjuncts, hasCostly, sameRefs, sameTree, substitute } from "../expr-tools.js";
import { mapInputs } from "../plan-tools.js";

/** Pushes every Filter's parts as far down the plan as they can go (see the module comment). */
export function pushDownFilter(plan: PlanNode): PlanNode {
  const p = mapInputs(plan, pushDownFilter);
  if (p.kind !== "filter") return p;
  const parts = conjuncts(p.predicate);
  // Parts calling UDFs stay where they are, above the cheap parts, so the UDF sees only rows the others keep.
  const [cheap, costly] = split(parts, (e) => !hasCostly(e));
  const out = keep(costly, place(cheap, p.input));
  // Nothing moved: keep the node itself so the driver sees a fixed point.
  const unchanged = out.kind === "filter" && out.input === p.input && sameRefs(conjuncts(out.predicate), parts);
  return unchanged ? p : out;
}

/** `node` with the AND of `preds` (cheap parts) applied, each part as deep as it can go. */
function place(preds: readonly ExprNode[], node: PlanNode): PlanNode {
  if (preds.length === 0) return node;
  switch (node.kind) {
    case "filter": {
      // Cheap parts join the cheap parts below and pass under its UDF parts (see pushDownFilter).
      const [cheap, costly] = split(conjuncts(node.predicate), (e) => !hasCostly(e));
      return keep(costly, place([...cheap, ...preds], node.input));
    }
    case "project":
    case "udfProject":
      return throughBindings(preds, node, bindingsOf(node.exprs), false);
    case "aggregate":
      return throughAggregate(preds, node);
    case "sort":
      return withInputs(node, [place(preds, node.input)]);
    case "concat":
      return withInputs(
        node,
        node.inputs.map((i) => place(preds, i)),
      );
    case "explode": {
      const [below, above] = split(preds, (p) => !columnsIn(p, node.schema).includes(node.column));
      return below.length === 0 ? keep(preds, node) : keep(above, withInputs(node, [place(below, node.input)]));
    }
    case "join":
      return intoJoin(preds, node);
    case "scan":
      return intoScan(preds, node);
    default:
      return keep(preds, node);
  }
}

/** A Filter of `preds` over `node`, or `node` when there are none. */
function keep(preds: readonly ExprNode[], node: PlanNode): PlanNode {
  return preds.length === 0 ? node : B.filter(node, conjoin(preds));
}

function split(preds: readonly ExprNode[], test: (p: ExprNode) => boolean): [ExprNode[], ExprNode[]] {
  return [preds.filter(test), preds.filter((p) => !test(p))];
}

/** Output columns a filter may be rewritten through: those made by cheap expressions (never a UDF's output). */
function bindingsOf(exprs: readonly NamedExpr[]): Map<string, ExprNode> {
  return new Map(exprs.filter((e) => !hasCostly(e.node)).map((e) => [e.name, e.node]));
}

/**
 * Parts whose columns all have bindings go below `node` rewritten over its input; the rest stay above. With
 * `needColumns` a part that reads no column stays above (a constant must not go below an Aggregate: FALSE over a
 * global aggregate gives no row, below it one).
 */
function throughBindings(preds: readonly ExprNode[], node: PlanNode & { input: PlanNode }, bindings: ReadonlyMap<string, ExprNode>, needColumns: boolean): PlanNode {
  const below: ExprNode[] = [];
  const above: ExprNode[] = [];
  for (const p of preds) {
    const rewritten = needColumns && columnsIn(p, node.schema).length === 0 ? undefined : substitute(p, bindings);
    if (rewritten === undefined) above.push(p);
    else below.push(...conjuncts(rewritten));
  }
  if (below.length === 0) return keep(preds, node);
  return keep(above, withInputs(node, [place(below, node.input)]));
}

/** Parts that read only group keys filter whole groups, so they may filter the rows before grouping. */
function throughAggregate(preds: readonly ExprNode[], node: AggregateNode): PlanNode {
  if (node.keys.length === 0) return keep(preds, node);
  return throughBindings(preds, node, bindingsOf(node.keys), true);
}

/**
 * A join keeps every row of a preserved side (left of a left join, right of a right join, neither of an outer
 * join): a part reading only the other side's columns would turn dropped matches into null-padded rows, so only
 * parts over a side whose rows the join may drop go into it. Semi and anti joins output only left columns.
 */
function intoJoin(preds: readonly ExprNode[], node: JoinNode): PlanNode {
  const leftOk = node.how === "inner" || node.how === "left" || node.how === "semi" || node.how === "anti";
  const rightOk = node.how === "inner" || node.how === "right";
  const leftNames = new Set(node.left.schema.fields.map((f) => f.name));
  const rightBindings = new Map(node.rightColumns.map((c) => [c.to, colNode(c.from) as ExprNode]));
  const toLeft: ExprNode[] = [];
  const toRight: ExprNode[] = [];
  const stay: ExprNode[] = [];
  for (const p of preds) {
    const cols = columnsIn(p, node.schema);
    const right = rightOk && cols.length > 0 && cols.every((c) => rightBindings.has(c)) ? substitute(p, rightBindings) : undefined;
    if (leftOk && cols.length > 0 && cols.every((c) => leftNames.has(c))) toLeft.push(p);
    else if (right !== undefined) toRight.push(right);
    else stay.push(p);
  }
  if (toLeft.length === 0 && toRight.length === 0) return keep(preds, node);
  return keep(stay, withInputs(node, [place(toLeft, node.left), place(toRight, node.right)]));
}

/**
 * Lowerable parts go into the scan when its source filters: removed from the Filter when it filters exactly, kept
 * above when it only prunes by statistics. A scan already limited takes no filter: the source would filter first.
 */
function intoScan(preds: readonly ExprNode[], node: ScanNode): PlanNode {
  const mode = node.source.supports.filter;
  const lowerable = preds.filter(isLowerable);
  if (mode === "none" || node.pushdown.limit !== undefined || lowerable.length === 0) return keep(preds, node);
  const existing = node.pushdown.filter === undefined ? [] : formatConjuncts(node.pushdown.filter);
  // A pruning source leaves the Filter above, which meets the scan again on every pass: add each part once.
  const added = lowerable.map(lower).filter((f) => !existing.some((e) => sameTree(e, f)));
  const scan: ScanNode = added.length === 0 ? node : { ...node, pushdown: { ...node.pushdown, filter: and(...([...existing, ...added] as [FilterExpr, ...FilterExpr[]])) } };
  return keep(
    mode === "exact" ? preds.filter((p) => !isLowerable(p)) : preds,
    scan,
  );
}

function formatConjuncts(f: FilterExpr): FilterExpr[] {
  return f.kind === "binary" && f.op === "and" ? [...formatConjuncts(f.left), ...formatConjuncts(f.right)] : [f];
}
