// In-memory sources: Arrow tables or batches as they are (zero-copy projection and slicing), and plain JS rows
// converted once, with the same inference as JSON, when the source is made (so a bad value fails right away).

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { fieldPath } from "./bad-records.js";
import { checkBatchSize, checkColumns, effectiveLimit, projectBatch, takeFirst } from "./batch-utils.js";
import { SchemaInferrer } from "./infer-values.js";
import { RecordMismatch, RowBatcher } from "./row-batcher.js";
import type { ScanContext, ScanPushdown, ScanSource, SourceCapabilities } from "./source.js";

/** Rows per batch when converting JS rows. */
const ROWS_BATCH = 65_536;

function sameSchema(a: A.Schema, b: A.Schema): boolean {
  const describe = (s: A.Schema): string => s.fields.map((f) => `${f.name}: ${String(f.type)}`).join(", ");
  return describe(a) === describe(b);
}

/**
 * A source over an Arrow table or record batches (which must share one schema). Scans slice batches larger than
 * the batch size, without copying.
 * @example
 * const src = arrowSource(tableFromArrays({ id: Int32Array.from([1, 2, 3]) }), "ids");
 */
export function arrowSource(table: A.Table | A.RecordBatch[], description?: string): ScanSource {
  const batches = table instanceof A.Table ? table.batches : table;
  const schema = table instanceof A.Table ? table.schema : table[0]?.schema;
  if (schema === undefined) {
    throw new InvalidArgumentError("arrowSource needs a Table or at least one RecordBatch: an empty list has no schema; pass an empty Table instead");
  }
  for (const b of batches) {
    if (!sameSchema(b.schema, schema)) {
      throw new InvalidArgumentError(`arrowSource batches differ in schema: {${b.schema.fields.map((f) => f.name).join(", ")}} vs the first batch's`);
    }
  }
  const rows = batches.reduce((n, b) => n + b.numRows, 0);
  return new BatchesSource("Arrow", description ?? `in-memory table (${rows} rows)`, schema, batches, rows);
}

class BatchesSource implements ScanSource {
  readonly supports: SourceCapabilities = { projection: true, filter: "none", limit: true };

  constructor(
    readonly kind: string,
    readonly description: string,
    readonly schema: A.Schema,
    private readonly batches: readonly A.RecordBatch[],
    readonly rowCount: number,
  ) {}

  async *scan(pushdown: ScanPushdown, context: ScanContext): AsyncGenerator<A.RecordBatch> {
    checkBatchSize(context.batchSize, this.description);
    checkColumns(this.schema, pushdown, this.description);
    let remaining = effectiveLimit(pushdown) ?? Infinity;
    for (const batch of this.batches) {
      for (let start = 0; start < batch.numRows && remaining > 0; start += context.batchSize) {
        const piece = start === 0 && batch.numRows <= context.batchSize ? batch : batch.slice(start, start + context.batchSize);
        const out = takeFirst(projectBatch(piece, pushdown.columns), remaining);
        remaining -= out.numRows;
        yield out;
        if (context.signal?.aborted === true) return;
      }
      if (remaining <= 0) return;
    }
  }
}

/**
 * A source over plain JS rows. Without `schema`, types are inferred from all rows as for JSON (integral numbers
 * and bigints Int64, other numbers Float64, Date a millisecond timestamp, Uint8Array Binary, arrays List, objects
 * Struct, mixed kinds Utf8); with it, only its fields are kept. A value that does not fit is an InvalidArgumentError
 * naming the row and field.
 * @example
 * const src = rowsSource([{ id: 1, tags: ["a"] }, { id: 2, tags: [] }]);
 */
export function rowsSource(rows: Record<string, unknown>[], schema?: A.Schema): ScanSource {
  let s = schema;
  if (s === undefined) {
    const inferrer = new SchemaInferrer();
    for (const r of rows) inferrer.observe(r);
    s = inferrer.schema();
  }
  const batches: A.RecordBatch[] = [];
  const batcher = new RowBatcher(s);
  rows.forEach((row, i) => {
    try {
      batcher.append(row);
    } catch (err) {
      if (!(err instanceof RecordMismatch)) throw err;
      const field = fieldPath(err.column, err.mismatch);
      throw new InvalidArgumentError(`row ${i}, field "${field}": ${err.mismatch.message}; fix the row or pass a schema that fits`, {
        column: err.column,
        cause: err,
      });
    }
    if (batcher.length === ROWS_BATCH) batches.push(batcher.finish());
  });
  if (batcher.length > 0) batches.push(batcher.finish());
  return new BatchesSource("Rows", `${rows.length} JS rows`, s, batches, rows.length);
}
