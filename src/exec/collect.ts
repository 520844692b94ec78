// Gathering a stream into one Arrow table (what collect() returns), keeping the plan's schema even with no rows.

import * as A from "apache-arrow";
import type { BatchStream } from "./types.js";

/** All batches of `stream` as a table of `schema`. */
export async function collectTable(stream: BatchStream, schema: A.Schema): Promise<A.Table> {
  const batches: A.RecordBatch[] = [];
  for await (const b of stream) if (b.numRows > 0) batches.push(b.schema === schema ? b : new A.RecordBatch(schema, b.data.clone(new A.Struct(schema.fields))));
  return batches.length === 0 ? new A.Table(schema) : new A.Table(schema, batches);
}
