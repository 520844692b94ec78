// Per-batch operators that need no state: projection (computing columns) and filtering (keeping rows).

import * as A from "apache-arrow";
import { takeIndices } from "../../format/file/gather.js";
import { makeBatch as batchOf } from "./gather.js";
import { selectRows, single, type Compiled } from "../expr/compile.js";
import type { BatchStream } from "./types.js";

/** A batch of `schema` from one Data per field, relabelled with the schema's types where they differ in detail. */
export function makeBatch(schema: A.Schema, children: A.Data[], rows: number): A.RecordBatch {
  const fixed = children.map((d, i) => {
    const t = schema.fields[i]!.type;
    return d.type === t || t.typeId === A.Type.Dictionary ? d : d.clone(t);
  });
  return batchOf(schema, fixed, rows);
}

/** Each batch's columns computed by `exprs` (compiled against the input schema), as batches of `schema`. */
export async function* projectStream(input: BatchStream, exprs: readonly Compiled[], schema: A.Schema): BatchStream {
  for await (const batch of input) {
    const values = await Promise.all(exprs.map((e) => e.run(batch)));
    yield makeBatch(schema, values.map(single), batch.numRows);
  }
}

/**
 * Like projectStream, but computing up to `inFlight` batches at once (in input order, yielded in order): a UDF on a
 * worker pool or an async row function keeps every worker busy instead of waiting at each batch boundary.
 */
export async function* projectStreamOrdered(input: BatchStream, exprs: readonly Compiled[], schema: A.Schema, inFlight: number): BatchStream {
  const pending: Promise<A.RecordBatch>[] = [];
  const start = (batch: A.RecordBatch): Promise<A.RecordBatch> =>
    Promise.all(exprs.map((e) => e.run(batch))).then((values) => makeBatch(schema, values.map(single), batch.numRows));
  try {
    for await (const batch of input) {
      const p = start(batch);
      p.catch(() => undefined); // observed when awaited below; avoids an unhandled rejection meanwhile
      pending.push(p);
      if (pending.length >= Math.max(1, inFlight)) yield await pending.shift()!;
    }
    while (pending.length > 0) yield await pending.shift()!;
  } finally {
    await Promise.allSettled(pending);
  }
}

/** The rows of `batch` at `indices`, column by column. */
export function takeRows(batch: A.RecordBatch, indices: Uint32Array): A.RecordBatch {
  const children = batch.data.children.map((d) => takeIndices(d, indices));
  return makeBatch(batch.schema, children, indices.length);
}

/** Rows where the compiled predicate is TRUE; batches left empty are dropped. */
export async function* filterStream(input: BatchStream, predicate: Compiled): BatchStream {
  for await (const batch of input) {
    const idx = await selectRows(predicate, batch);
    if (idx.length === 0) continue;
    yield idx.length === batch.numRows ? batch : takeRows(batch, idx);
  }
}
