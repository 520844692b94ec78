// pushDownLimit: a Limit over a Sort becomes a TopN (a bounded heap instead of a full sort); Limits merge with
// Limits and TopNs below them; they move below projections (so UDFs run on fewer rows); a copy of offset + limit
// goes into each input of a Concat and into a scan whose source stops early, the Limit staying above in both cases.
// A Limit never crosses a Filter, Join, Aggregate, Distinct, Explode or Sample: those change which rows it counts.

import * as B from "../../build.js";
import type { ExprNode } from "../../../expr/node.js";
import { withInputs, type ConcatNode, type LimitNode, type PlanNode, type PlanSortKey, type ScanNode, type TopNNode } from "../../logical.js";
import { hasCostly, substitute, unalias } from "../expr-tools.js";
import { mapInputs } from "../plan-tools.js";

/** Pushes every Limit as far down the plan as it keeps its meaning (see the module comment). */
export function pushDownLimit(plan: PlanNode): PlanNode {
  const p = mapInputs(plan, pushDownLimit);
  return p.kind === "limit" ? place(p) : p.kind === "topN" ? topNBelowUdfs(p) : p;
}

/**
 * A TopN over a UdfProject whose sort keys read only columns the UdfProject passes through moves below it: the
 * UDFs then run on the k rows kept instead of every row (and a vector-index rule can see the scan).
 */
function topNBelowUdfs(t: TopNNode): PlanNode {
  const c = t.input;
  if (c.kind !== "udfProject") return t;
  const passed = new Map<string, ExprNode>();
  for (const e of c.exprs) if (unalias(e.node).kind === "column") passed.set(e.name, e.node);
  const keys: PlanSortKey[] = [];
  for (const k of t.keys) {
    const node = substitute(k.node, passed);
    if (node === undefined || hasCostly(node)) return t;
    keys.push({ ...k, node });
  }
  return withInputs(c, [B.topN(c.input, keys, t.limit, t.offset)]);
}

/** `l` rewritten with what is below it; `l` itself when nothing applies. */
function place(l: LimitNode): PlanNode {
  const c = l.input;
  if (l.limit === undefined && l.offset === 0) return c; // offset(0) passes everything
  switch (c.kind) {
    case "sort":
      return l.limit === undefined ? l : B.topN(c.input, c.keys, l.limit, l.offset);
    case "topN":
      return B.topN(c.input, c.keys, stacked(c.limit, l.limit, l.offset)!, c.offset + l.offset);
    case "limit":
      return place(B.limit(c.input, stacked(c.limit, l.limit, l.offset), c.offset + l.offset));
    case "project":
    case "udfProject":
      return withInputs(c, [place(B.limit(c.input, l.limit, l.offset))]);
    case "scan":
      return intoScan(l, c);
    case "concat":
      return intoConcat(l, c);
    default:
      return l;
  }
}

/**
 * The limit of `outer` (limit, offset) applied to what `inner` (a limit) lets through: rows offset .. offset +
 * limit of at most `inner` rows. Undefined limits are unbounded.
 */
function stacked(inner: number | undefined, outer: number | undefined, outerOffset: number): number | undefined {
  if (inner === undefined) return outer;
  const left = Math.max(0, inner - outerOffset);
  return outer === undefined ? left : Math.min(outer, left);
}

/** The scan is asked to stop after offset + limit rows when its filter (if any) is exact; the Limit stays. */
function intoScan(l: LimitNode, scan: ScanNode): PlanNode {
  if (l.limit === undefined || !scan.source.supports.limit) return l;
  if (scan.pushdown.filter !== undefined && scan.source.supports.filter !== "exact") return l;
  const want = l.limit + l.offset;
  if (scan.pushdown.limit !== undefined && scan.pushdown.limit <= want) return l;
  return { ...l, input: { ...scan, pushdown: { ...scan.pushdown, limit: want } } };
}

/** Each input of a Concat needs at most offset + limit rows; the Limit above still cuts the total. */
function intoConcat(l: LimitNode, concat: ConcatNode): PlanNode {
  if (l.limit === undefined) return l;
  const want = l.limit + l.offset;
  const inputs = concat.inputs.map((i) => ((maxRows(i) ?? Infinity) <= want ? i : place(B.limit(i, want))));
  return inputs.every((x, k) => x === concat.inputs[k]) ? l : { ...l, input: withInputs(concat, inputs) };
}

/** An upper bound on the rows a node yields, when the plan states one (so a Concat input is limited only once). */
function maxRows(p: PlanNode): number | undefined {
  switch (p.kind) {
    case "limit":
      return p.limit === undefined ? maxRows(p.input) : Math.min(p.limit, maxRows(p.input) ?? Infinity);
    case "topN":
      return p.limit;
    case "scan":
      return p.source.supports.limit ? p.pushdown.limit : undefined;
    case "project":
    case "udfProject":
    case "filter":
    case "sort":
    case "distinct":
    case "sample":
      return maxRows(p.input);
    case "concat": {
      const each = p.inputs.map(maxRows);
      return each.every((n) => n !== undefined) ? each.reduce((a, b) => a! + b!, 0) : undefined;
    }
    default:
      return undefined;
  }
}
