// Plans and expressions as text for explain(): one node per line, inputs indented below their consumer.

import { formatExpr, formatString } from "../../format/expr/format-expr.js";
import { typeName } from "../../format/expr/types.js";
import { isLowerable, lower } from "../expr/compile.js";
import { setExprPrinter } from "../expr/expr.js";
import type { ExprNode } from "../expr/node.js";
import type { PhysicalOp } from "../exec/physical.js";
import { inputsOf, type NamedExpr, type PlanNode, type PlanSortKey } from "./logical.js";

/**
 * An expression as text: SQL-like for what format/expr knows, `name(args)` for engine functions.
 * @example formatNode(col("x").add(1).alias("y").node) // "x + 1 AS y"
 */
export function formatNode(n: ExprNode): string {
  if (isLowerable(n)) return formatExpr(lower(n));
  switch (n.kind) {
    case "alias":
      return `${formatNode(n.operand)} AS ${n.name}`;
    case "when": {
      const parts = n.branches.map((b) => `WHEN ${formatNode(b.condition)} THEN ${formatNode(b.value)}`);
      return `CASE ${parts.join(" ")}${n.otherwise ? ` ELSE ${formatNode(n.otherwise)}` : ""} END`;
    }
    case "fn": {
      const opts = Object.entries(n.options).map(([k, v]) => `${k}=${optionText(v)}`);
      return `${n.name}(${[...n.args.map(formatNode), ...opts].join(", ")})`;
    }
    case "apply":
      return `apply[${n.options.name ?? (n.fn.name || "fn")}: ${typeName(n.returnType)}](${formatNode(n.operand)})`;
    case "udf":
      return `udf[${n.udf.name}: ${typeName(n.udf.returnType)}](${n.args.map(formatNode).join(", ")})`;
    case "agg":
      return `${n.fn === "countAll" ? "count" : n.fn}(${n.operand ? formatNode(n.operand) : "*"})`;
    case "cast":
      return `CAST(${formatNode(n.operand)} AS ${typeName(n.to)})`;
    case "unary":
      return n.op === "not" ? `NOT (${formatNode(n.operand)})` : `-(${formatNode(n.operand)})`;
    case "binary":
      return `(${formatNode(n.left)} ${n.op.toUpperCase()} ${formatNode(n.right)})`;
    case "isNull":
      return `${formatNode(n.operand)} IS ${n.negated ? "NOT " : ""}NULL`;
    case "in":
      return `${formatNode(n.operand)} ${n.negated ? "NOT " : ""}IN (${n.values.map(formatNode).join(", ")})`;
    case "between":
      return `${formatNode(n.operand)} ${n.negated ? "NOT BETWEEN" : "BETWEEN"} ${formatNode(n.low)} AND ${formatNode(n.high)}`;
    case "like":
      return `${formatNode(n.operand)} ${n.negated ? "NOT " : ""}${n.caseInsensitive ? "ILIKE" : "LIKE"} ${formatString(n.pattern)}${n.escape !== undefined ? ` ESCAPE ${formatString(n.escape)}` : ""}`;
    case "call":
      return `${n.name}(${n.args.map(formatNode).join(", ")})`;
    default:
      return n.kind;
  }
}

/** An option value for explain: objects with a name (embedders, models) by name, the rest as JSON. */
function optionText(v: unknown): string {
  if (v !== null && typeof v === "object" && typeof (v as { name?: unknown }).name === "string" && !Array.isArray(v)) {
    return JSON.stringify((v as { name: string }).name);
  }
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)) ?? String(v);
}

setExprPrinter(formatNode);

function named(e: NamedExpr): string {
  const text = formatNode(e.node);
  return e.node.kind === "column" && e.node.path.join(".") === e.name ? text : e.node.kind === "alias" ? text : `${text} AS ${e.name}`;
}

function keys(ks: readonly PlanSortKey[]): string {
  return ks.map((k) => `${formatNode(k.node)} ${k.desc ? "DESC" : "ASC"}${k.nullsFirst !== k.desc ? (k.nullsFirst ? " NULLS FIRST" : " NULLS LAST") : ""}`).join(", ");
}

/** One line describing a logical node (without its inputs). */
export function describePlanNode(p: PlanNode): string {
  switch (p.kind) {
    case "scan": {
      const parts = [`Scan ${p.source.kind}: ${p.source.description}`];
      if (p.pushdown.columns) parts.push(`columns=[${p.pushdown.columns.join(", ")}]`);
      if (p.pushdown.filter) parts.push(`filter=${formatExpr(p.pushdown.filter)}`);
      if (p.pushdown.limit !== undefined) parts.push(`limit=${p.pushdown.limit}`);
      return parts.join(" ");
    }
    case "project":
      return `Project: ${p.exprs.map(named).join(", ")}`;
    case "udfProject":
      return `UdfProject: ${p.exprs.map(named).join(", ")}`;
    case "filter":
      return `Filter: ${formatNode(p.predicate)}`;
    case "aggregate":
      return `Aggregate: ${p.aggs.map(named).join(", ")}${p.keys.length ? ` by ${p.keys.map(named).join(", ")}` : ""}`;
    case "join":
      return `Join ${p.how}: ${p.leftOn.map((k, i) => `${formatNode(k)} = ${formatNode(p.rightOn[i]!)}`).join(" AND ")}`;
    case "sort":
      return `Sort: ${keys(p.keys)}`;
    case "topN":
      return `TopN ${p.limit}${p.offset ? ` offset ${p.offset}` : ""}: ${keys(p.keys)}`;
    case "limit":
      return `Limit: ${p.limit ?? "all"}${p.offset ? ` offset ${p.offset}` : ""}`;
    case "distinct":
      return `Distinct${p.columns ? `: ${p.columns.join(", ")}` : ""}`;
    case "explode":
      return `Explode: ${p.column}`;
    case "sample":
      return `Sample: ${p.fraction !== undefined ? `fraction=${p.fraction}` : `size=${p.size}`} seed=${p.seed}`;
    case "concat":
      return `Concat`;
    case "write":
      return `Write ${p.sink.kind}: ${p.sink.uri}`;
  }
}

/** A logical plan as an indented tree. */
export function displayPlan(p: PlanNode, depth = 0): string {
  const line = `${"  ".repeat(depth)}${depth > 0 ? "└─ " : ""}${describePlanNode(p)}`;
  return [line, ...inputsOf(p).map((i) => displayPlan(i, depth + 1))].join("\n");
}

/** A physical plan as an indented tree. */
export function displayPhysical(op: PhysicalOp, depth = 0): string {
  const line = `${"  ".repeat(depth)}${depth > 0 ? "└─ " : ""}${op.name}${op.detail ? ` ${op.detail}` : ""}`;
  return [line, ...op.inputs.map((i) => displayPhysical(i, depth + 1))].join("\n");
}
