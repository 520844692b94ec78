// A vector search as an engine source: the k rows of a table nearest to a query vector, nearest first, with their
// distance as a column. `table.searchDataFrame` starts a DataFrame from one, and the useVectorIndex rule puts one
// where a plan sorts a table scan by `embedding.distance` and keeps the first k rows (Daft's nearest pushdown).
//
// The search itself is index/table.ts's (index for the fragments it covers, exact search for the rest, prefilter or
// postfilter); this file only asks it for the columns the plan reads, renames `_distance` to the name the plan
// gave the distance, and — standing in for a sort, which puts rows without a distance last — fills up to k with
// rows whose vector is null when fewer than k rows have one.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { and, col, isNull, type Expr as FilterExpr } from "../../format/expr/ast.js";
import { formatExpr } from "../../format/expr/format-expr.js";
import { parseExpr } from "../../format/expr/parse.js";
import { concatRanges, nullData } from "../../format/file/gather.js";
import { ROW_ID } from "../../format/table/read.js";
import type { FilterInput } from "../../format/table/table.js";
import type { Metric } from "../../index/distance.js";
import { DISTANCE } from "../../index/search.js";
import type { SearchKnobs } from "../../index/kinds.js";
import type { Table } from "../../index/table.js";
import type { ScanContext, ScanPushdown, ScanSource } from "./source.js";

/** Options of `searchSource`. */
export interface SearchSourceOptions extends SearchKnobs {
  /** The vector column searched. */
  column: string;
  /** Rows to return (fewer when fewer rows match). */
  k: number;
  /** Rows allowed in the result: SQL-like text or a format/expr tree over the table's columns (or a RowFilter). */
  filter?: FilterInput;
  /** Apply the filter before searching (default true: k rows whenever k match) or to the k results (fewer rows). */
  prefilter?: boolean;
  /** Metric of exact search when the column has no index (an index always uses its own). Default "l2". */
  metric?: Metric;
  /** Name of the distance column. Default "_distance". */
  distanceName?: string;
  /** Table columns offered (besides `_rowid` and the distance). Default: all. */
  columns?: readonly string[];
  /** Offer the `_rowid` column. Default true. */
  withRowId?: boolean;
  /**
   * After the hits, rows whose vector is null (distance null) up to k, in table order — what a sort by distance,
   * nulls last, then a limit would return. Needs a prefilter (or none). Default false (a search never returns them).
   */
  nullsLast?: boolean;
}

/** The index a search of `column` uses (the same choice as index/table.ts: a non-flat index first), if any. */
export function indexInUse(table: Table, column: string): { readonly name: string; readonly type: string; readonly metric: Metric } | undefined {
  const field = table.tableSchema.fields.find((f) => f.field.name === column);
  if (field === undefined) return undefined;
  const on = table.currentManifest.indices.filter((i) => i.fieldId === field.id);
  const ref = on.find((i) => i.type !== "flat") ?? on[0];
  return ref === undefined ? undefined : { name: ref.name, type: ref.type, metric: (ref.detail?.metric as Metric | undefined) ?? "l2" };
}

/** A source yielding the `k` rows of `table` nearest to `vector` in `options.column`, nearest first. */
export function searchSource(table: Table, vector: Float32Array, options: SearchSourceOptions): ScanSource {
  const spec = checked(table, options);
  const schema = sourceSchema(table, spec);
  const index = indexInUse(table, spec.column);
  const metric = index?.metric ?? spec.metric ?? "l2";
  const filterText = spec.filter === undefined ? "" : ` ${spec.prefilter === false ? "postfilter" : "prefilter"}=${describeFilter(spec.filter)}`;
  return {
    kind: "VectorSearch",
    description: `${table.uri} column=${spec.column} k=${spec.k} metric=${metric} index=${index?.type ?? "none"}${filterText}`,
    schema,
    // A filter or limit on the results is not one on the search (a postfilter keeps fewer than k rows), except a
    // limit below k, which takes the nearest rows: the ones a smaller k would have found.
    supports: { projection: true, filter: "none", limit: true },
    async *scan(pushdown: ScanPushdown, _context: ScanContext): AsyncIterable<A.RecordBatch> {
      const names = pushdown.columns ?? schema.fields.map((f) => f.name);
      const fields = names.map((n) => schema.fields.find((f) => f.name === n)!);
      const k = Math.min(spec.k, pushdown.limit ?? Infinity);
      if (k <= 0) return;
      const batch = await runSearch(table, vector, { ...spec, k }, fields);
      if (batch.numRows > 0) yield batch;
    },
  };
}

type Spec = SearchSourceOptions & { readonly distanceName: string; readonly withRowId: boolean };

function checked(table: Table, options: SearchSourceOptions): Spec {
  if (!Number.isInteger(options.k) || options.k <= 0) throw new InvalidArgumentError(`k must be a positive integer, got ${options.k}`);
  const distanceName = options.distanceName ?? DISTANCE;
  if (table.schema.fields.some((f) => f.name === distanceName) || distanceName === ROW_ID) {
    throw new InvalidArgumentError(`the distance cannot be called "${distanceName}": the table has a column of that name; choose another`, { column: distanceName });
  }
  if (options.nullsLast === true && options.prefilter === false && options.filter !== undefined) {
    throw new InvalidArgumentError("nullsLast needs a prefilter: rows without a vector are found by filtering first");
  }
  return { ...options, distanceName, withRowId: options.withRowId ?? true };
}

function sourceSchema(table: Table, spec: Spec): A.Schema {
  const all = table.schema.fields;
  const columns = spec.columns === undefined ? all : spec.columns.map((c) => table.tableSchema.get(c).field);
  const rowId = spec.withRowId ? [new A.Field(ROW_ID, new A.Uint64(), false)] : [];
  const distance = new A.Field(spec.distanceName, new A.Float32(), spec.nullsLast === true);
  return new A.Schema([...columns, ...rowId, distance]);
}

/** A filter as text (explain): prepared RowFilters only know their columns. */
function describeFilter(f: FilterInput): string {
  if (typeof f === "string") return f;
  return "kind" in f ? formatExpr(f as FilterExpr) : "(prepared filter)";
}

/** A filter as a format/expr tree, to combine with another. */
function filterTree(f: FilterInput): FilterExpr {
  if (typeof f === "string") return parseExpr(f);
  if ("kind" in f) return f as FilterExpr;
  throw new InvalidArgumentError("nullsLast needs the filter as text or an expression, not a prepared RowFilter");
}

/** One batch of `fields`: the hits, then (nullsLast) rows without a vector. */
async function runSearch(table: Table, vector: Float32Array, spec: Spec, fields: readonly A.Field[]): Promise<A.RecordBatch> {
  const plain = fields.map((f) => f.name).filter((n) => n !== ROW_ID && n !== spec.distanceName);
  const hits = await table.search(vector, {
    column: spec.column,
    k: spec.k,
    columns: plain,
    ...(spec.filter !== undefined ? { filter: spec.filter } : {}),
    ...(spec.prefilter !== undefined ? { prefilter: spec.prefilter } : {}),
    ...(spec.metric !== undefined ? { metric: spec.metric } : {}),
    ...(spec.ef !== undefined ? { ef: spec.ef } : {}),
    ...(spec.nprobes !== undefined ? { nprobes: spec.nprobes } : {}),
    ...(spec.refineFactor !== undefined ? { refineFactor: spec.refineFactor } : {}),
  });
  const parts: A.Table[] = [hits];
  if (spec.nullsLast === true && hits.numRows < spec.k) parts.push(await vectorless(table, spec, plain, spec.k - hits.numRows));
  return assemble(parts, fields, spec.distanceName);
}

/** Up to `limit` rows (allowed by the filter) whose vector is null, in table order, with their row ids. */
async function vectorless(table: Table, spec: Spec, columns: readonly string[], limit: number): Promise<A.Table> {
  const noVector = isNull(col(spec.column));
  const filter = spec.filter === undefined ? noVector : and(filterTree(spec.filter), noVector);
  return table.toArrow({ columns: [...columns], filter, limit, withRowId: true });
}

/** The parts' rows as one batch of `fields` (`_distance` renamed; null where a part has none). */
function assemble(parts: readonly A.Table[], fields: readonly A.Field[], distanceName: string): A.RecordBatch {
  const rows = parts.reduce((n, p) => n + p.numRows, 0);
  const children = fields.map((f) => {
    const from = f.name === distanceName ? DISTANCE : f.name;
    const pieces = parts.flatMap((p) => {
      const v = p.getChild(from);
      if (v === null) return p.numRows === 0 ? [] : [{ data: nullData(f.type, p.numRows), start: 0, count: p.numRows }];
      return v.data.map((data) => ({ data, start: 0, count: data.length }));
    });
    return concatRanges(f.type, pieces);
  });
  return new A.RecordBatch(new A.Schema([...fields]), A.makeData({ type: new A.Struct([...fields]), length: rows, children }));
}
