// Distinct rows, streaming: each batch passes on the rows whose key was not seen before, keeping the first
// occurrence and all its columns. Only the set of seen keys is held.

import type * as A from "apache-arrow";
import { columnData, takeRows } from "./gather.js";
import { GroupKeys, firstRows, keyMode } from "./group-keys.js";
import type { BatchStream } from "./types.js";

/**
 * The first row of each distinct combination of `columns` (every column when absent), in input order; nulls
 * equal each other here, as in SQL's DISTINCT.
 * @example distinct(scan, ["city"])
 */
export async function* distinct(input: BatchStream, columns?: readonly string[]): BatchStream {
  let seen: GroupKeys | undefined;
  let anyRow = false;
  for await (const batch of input) {
    const n = batch.numRows;
    if (n === 0) continue;
    const names = columns ?? batch.schema.fields.map((f) => f.name);
    if (names.length === 0) {
      // No columns to compare: every row is the same row.
      if (!anyRow) yield takeRows(batch, Int32Array.of(0));
      anyRow = true;
      continue;
    }
    const keys = names.map((name) => columnData(batch, name));
    seen ??= new GroupKeys(keys.map((d: A.Data) => keyMode(d.type)));
    const before = seen.count;
    const gids = seen.ids(keys, n, true, true);
    const rows = firstRows(gids, before, seen.count);
    if (rows.length === n) yield batch;
    else if (rows.length > 0) yield takeRows(batch, rows);
  }
}
