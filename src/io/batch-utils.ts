// Small record-batch helpers every reader shares: assembling a batch from column Data (including the zero-column
// case Arrow JS gets wrong), zero-copy projection, checking a projection against a schema, and cutting at a limit.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { nearestNames } from "../../format/expr/suggest.js";
import { makeBatch as batchOf } from "../exec/gather.js";
import type { ScanPushdown } from "./source.js";

/** A batch of `schema` over `children`, `length` rows even when there are no columns (see src/exec/gather.ts). */
export const makeBatch: (schema: A.Schema, children: A.Data[], length: number) => A.RecordBatch = batchOf;

/** The fields of `schema` named by `columns` (all when absent), in that order. */
export function projectSchema(schema: A.Schema, columns: readonly string[] | undefined): A.Schema {
  if (columns === undefined) return schema;
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  return new A.Schema(columns.map((c) => byName.get(c)!), schema.metadata);
}

/**
 * Checks that every projected column exists, naming the nearest real ones when not. Sources call it at scan
 * start; the planner checks too, but a source may be scanned directly.
 */
export function checkColumns(schema: A.Schema, pushdown: ScanPushdown, source: string): void {
  const names = schema.fields.map((f) => f.name);
  for (const c of pushdown.columns ?? []) {
    if (!names.includes(c)) {
      const near = nearestNames(c, names);
      const hint = near.length > 0 ? `did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : `columns are ${names.join(", ")}`;
      throw new InvalidArgumentError(`no column "${c}" in ${source}; ${hint}`, { uri: source, column: c });
    }
  }
}

/** The batch restricted to `columns` (zero-copy), in that order; the batch itself when no projection. */
export function projectBatch(batch: A.RecordBatch, columns: readonly string[] | undefined): A.RecordBatch {
  if (columns === undefined) return batch;
  const schema = projectSchema(batch.schema, columns);
  const index = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
  const children = columns.map((c) => batch.data.children[index.get(c)!]!);
  return makeBatch(schema, children, batch.numRows);
}

/** The limit a source may apply itself: only without a filter, since the limit counts rows after filtering. */
export function effectiveLimit(pushdown: ScanPushdown): number | undefined {
  return pushdown.filter === undefined ? pushdown.limit : undefined;
}

/** Cuts `batch` to at most `remaining` rows (zero-copy). */
export function takeFirst(batch: A.RecordBatch, remaining: number): A.RecordBatch {
  if (batch.numRows <= remaining) return batch;
  const sliced = batch.slice(0, remaining);
  return batch.numCols === 0 ? makeBatch(batch.schema, [], remaining) : sliced;
}

/** Rejects a non-positive or fractional batch size early, naming the source. */
export function checkBatchSize(batchSize: number, source: string): void {
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize} (scanning ${source})`, { uri: source });
  }
}
