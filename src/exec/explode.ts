// Explode, per batch: one output row per item of a list (or fixed-size list) column, the other columns repeated.
// An empty or null list gives one row with a null item, as in Polars and Daft.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { readValidity } from "../../format/expr/columnar.js";
import { typeName } from "../../format/expr/types.js";
import { OUTPUT_BATCH_ROWS, batchColumns, makeBatch, takeData } from "./gather.js";
import type { BatchStream } from "./types.js";

/**
 * Rows of `input` with `column` replaced by its items; `schema` is the output (the column typed as its item).
 * Output batches hold at most 64k rows (a long list spans several).
 * @example explode(scan, "tags", schema)
 */
export async function* explode(input: BatchStream, column: string, schema: A.Schema): BatchStream {
  for await (const batch of input) {
    if (batch.numRows === 0) continue;
    const at = batch.schema.fields.findIndex((f) => f.name === column);
    if (at < 0) throw new InvalidArgumentError(`cannot explode "${column}": no such column (columns: ${batch.schema.names.join(", ")})`, { column });
    const cols = batchColumns(batch);
    const spans = listSpans(cols[at]!, column);
    yield* explodeSpans(cols, at, spans, schema);
  }
}

/** Where each row's items are in the child Data, and the child itself. */
interface ListSpans {
  readonly child: A.Data;
  /** Items of row i are child rows starts[i] .. starts[i] + counts[i]; count 0 for null or empty lists. */
  readonly starts: Int32Array;
  readonly counts: Int32Array;
}

function listSpans(d: A.Data, column: string): ListSpans {
  const n = d.length;
  const valid = readValidity(d);
  const starts = new Int32Array(n);
  const counts = new Int32Array(n);
  if (d.typeId === A.Type.List) {
    // Offsets are pre-sliced to the rows of `d` and point into the whole child.
    const off = d.valueOffsets as Int32Array;
    for (let i = 0; i < n; i++) {
      starts[i] = off[i]!;
      counts[i] = valid !== undefined && valid[i] === 0 ? 0 : off[i + 1]! - off[i]!;
    }
  } else if (d.typeId === A.Type.FixedSizeList) {
    // The child is sliced with its parent, so row i's items start at i * size.
    const size = (d.type as A.FixedSizeList).listSize;
    for (let i = 0; i < n; i++) {
      starts[i] = i * size;
      counts[i] = valid !== undefined && valid[i] === 0 ? 0 : size;
    }
  } else {
    throw new InvalidArgumentError(`cannot explode "${column}": it is ${typeName(d.type)}, not a list`, { column });
  }
  return { child: d.children[0]!, starts, counts };
}

/** Output batches of at most OUTPUT_BATCH_ROWS rows: parent row indices for the other columns, item indices
 * (-1 for the null item of an empty or null list) for the exploded one. */
function* explodeSpans(cols: A.Data[], at: number, spans: ListSpans, schema: A.Schema): Generator<A.RecordBatch> {
  const { starts, counts, child } = spans;
  const n = starts.length;
  const parent = new Int32Array(OUTPUT_BATCH_ROWS);
  const item = new Int32Array(OUTPUT_BATCH_ROWS);
  let len = 0;
  const flush = (): A.RecordBatch => {
    const p = parent.slice(0, len);
    const it = item.slice(0, len);
    const out = cols.map((d, j) => (j === at ? takeData(child, it) : takeData(d, p)));
    const batch = makeBatch(schema, out, len);
    len = 0;
    return batch;
  };
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    if (c === 0) {
      parent[len] = i;
      item[len++] = -1;
      if (len === OUTPUT_BATCH_ROWS) yield flush();
      continue;
    }
    for (let k = 0; k < c; k++) {
      parent[len] = i;
      item[len++] = starts[i]! + k;
      if (len === OUTPUT_BATCH_ROWS) yield flush();
    }
  }
  if (len > 0) yield flush();
}
