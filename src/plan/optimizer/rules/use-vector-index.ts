// useVectorIndex: the k rows of a table nearest to a query vector, written as a sort by `embedding.distance` and a
// limit, are answered by the table's vector index instead of computing and sorting every row's distance (Daft's
// nearest pushdown). It rewrites
//
//   TopN k offset o: <distance> ASC            Limit: k offset o        (only when o > 0)
//     └─ Project (optional)              ──►     └─ Project, the distance read from the search
//       └─ Filter (optional, lowerable)              └─ Scan VectorSearch: <uri> column=c k=k+o metric=m index=hnsw
//         └─ Scan Table                                       (the filter and the scan's filter as a prefilter)
//
// when the distance is `embedding.distance(<column c>, <query vector>, m)` and the search would use an index on c
// whose metric is m. The search (index/search.ts) covers appended, un-indexed fragments exactly and falls back to
// exact search when a prefilter leaves the index short of k rows; rows whose vector is null come last, as in the
// sort. So the result is the sort's, up to the index's recall (exact for a flat index), and ties may come in
// another order. Left alone: descending or nulls-first sorts, several sort keys, a column-to-column distance, a
// metric other than the index's, no index, a scan already limited, and filters format/expr cannot evaluate (a UDF,
// a distance) — those cannot be a prefilter.

import * as A from "apache-arrow";
import { and, type Expr as FilterExpr } from "../../../../format/expr/ast.js";
import { typesEqual } from "../../../../format/file/schema-json.js";
import { ROW_ID } from "../../../../format/table/read.js";
import type { Metric } from "../../../../index/distance.js";
import { isLowerable, lower } from "../../../expr/compile.js";
import { QueryVector } from "../../../expr/functions/embedding.js";
import type { ExprNode } from "../../../expr/node.js";
import { indexInUse, searchSource } from "../../../io/search-source.js";
import type { TableScanSource } from "../../../io/table-source.js";
import * as B from "../../build.js";
import type { NamedExpr, PlanNode, PlanSortKey, ProjectNode, ScanNode } from "../../logical.js";
import { colNode, sameTree, substitute, unalias } from "../expr-tools.js";
import { outputNames, transformUp } from "../plan-tools.js";

/** Answers nearest-neighbour sorts over indexed table columns with a vector search (see the module comment). */
export function useVectorIndex(plan: PlanNode): PlanNode {
  return transformUp(plan, (p) => rewrite(p) ?? p);
}

/** A sort keeping `limit` rows after `offset`: a TopN, or a Limit over a Sort (before pushDownLimit has run). */
interface TopK {
  readonly keys: readonly PlanSortKey[];
  readonly limit: number;
  readonly offset: number;
  readonly input: PlanNode;
}

function topK(p: PlanNode): TopK | undefined {
  if (p.kind === "topN") return p;
  if (p.kind === "limit" && p.limit !== undefined && p.input.kind === "sort") return { keys: p.input.keys, limit: p.limit, offset: p.offset, input: p.input.input };
  return undefined;
}

/** A distance to a query vector over one table column. */
interface DistanceCall {
  readonly node: ExprNode;
  readonly column: string;
  readonly vector: Float32Array;
  readonly metric: Metric;
}

function distanceCall(n: ExprNode): DistanceCall | undefined {
  if (n.kind !== "fn" || n.name !== "embedding.distance" || n.args.length !== 1) return undefined;
  const arg = n.args[0]!;
  const vector = n.options.vector;
  if (arg.kind !== "column" || arg.path.length !== 1 || !(vector instanceof QueryVector)) return undefined;
  return { node: n, column: arg.path[0]!, vector: vector.values, metric: (n.options.metric as Metric | undefined) ?? "l2" };
}

function isTableScan(p: PlanNode): p is ScanNode & { source: TableScanSource } {
  return p.kind === "scan" && (p.source as Partial<TableScanSource>).table !== undefined && p.source.kind === "Table";
}

/** The plan answered by a vector search, or undefined when the pattern or the index does not fit. */
function rewrite(p: PlanNode): PlanNode | undefined {
  const top = topK(p);
  if (top === undefined || top.keys.length !== 1 || top.limit + top.offset === 0) return undefined;
  const key = top.keys[0]!;
  if (key.desc || key.nullsFirst) return undefined;
  let node = top.input;
  const project = node.kind === "project" ? node : undefined;
  if (project !== undefined) node = project.input;
  const filter = node.kind === "filter" ? node : undefined;
  if (filter !== undefined) node = filter.input;
  if (!isTableScan(node) || node.pushdown.limit !== undefined) return undefined;
  if (filter !== undefined && !isLowerable(filter.predicate)) return undefined;

  const overScan = project === undefined ? unalias(key.node) : substitute(unalias(key.node), bindings(project));
  const call = overScan === undefined ? undefined : distanceCall(unalias(overScan));
  if (call === undefined) return undefined;
  const index = indexInUse(node.source.table, call.column);
  if (index === undefined || index.metric !== call.metric) return undefined;

  // The scan's own filter and the Filter node's both become the prefilter.
  const filters = [node.pushdown.filter, filter === undefined ? undefined : lower(filter.predicate)].filter((f): f is FilterExpr => f !== undefined);
  const out = rebuild(p, top, project, node, call, filters);
  return sameSchema(out.schema, p.schema) ? out : undefined;
}

function bindings(project: ProjectNode): Map<string, ExprNode> {
  return new Map(project.exprs.map((e) => [e.name, e.node]));
}

/** The search scan with the projection (or a column selection) and the offset above it. */
function rebuild(
  p: PlanNode,
  top: TopK,
  project: ProjectNode | undefined,
  scan: ScanNode & { source: TableScanSource },
  call: DistanceCall,
  filters: FilterExpr[],
): PlanNode {
  // Every column the search offers (the table's now, the scan's as planned), whatever the scan was narrowed to.
  const taken = new Set([...scan.source.table.schema.fields, ...scan.source.schema.fields].map((f) => f.name));
  // The projection's name for the distance, when it outputs it and no table column has that name.
  const named = project?.exprs.find((e) => sameTree(unalias(e.node), call.node))?.name;
  const distanceName = named !== undefined && !taken.has(named) ? named : freshName(taken);
  const source = searchSource(scan.source.table, call.vector, {
    column: call.column,
    k: top.limit + top.offset,
    metric: call.metric,
    distanceName,
    withRowId: scan.source.schema.fields.some((f) => f.name === ROW_ID),
    nullsLast: true,
    ...(filters.length > 0 ? { filter: and(filters[0]!, ...filters.slice(1)) } : {}),
  });
  let out: PlanNode = narrowed(B.scan(source), scan.pushdown.columns, distanceName);
  const exprs: readonly NamedExpr[] =
    project === undefined
      ? outputNames(p).map((n) => ({ name: n, node: colNode(n) }))
      : project.exprs.map((e) => (sameTree(unalias(e.node), call.node) ? { name: e.name, node: colNode(distanceName) } : e));
  out = B.project(out, exprs);
  return top.offset > 0 ? B.limit(out, top.limit, top.offset) : out;
}

/** The search scan reading the columns the table scan was already narrowed to, plus the distance. */
function narrowed(scan: ScanNode, columns: readonly string[] | undefined, distanceName: string): ScanNode {
  if (columns === undefined) return scan;
  const keep = [...columns, distanceName];
  const fields = scan.schema.fields.filter((f) => keep.includes(f.name));
  return { ...scan, pushdown: { columns: fields.map((f) => f.name) }, schema: new A.Schema(fields, scan.source.schema.metadata) };
}

function freshName(taken: ReadonlySet<string>): string {
  let name = "_distance";
  for (let i = 1; taken.has(name); i++) name = `_distance_${i}`;
  return name;
}

/** Same names and types in the same order: the rewrite must not change what the plan outputs. */
function sameSchema(a: A.Schema, b: A.Schema): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && typesEqual(f.type, b.fields[i]!.type));
}

