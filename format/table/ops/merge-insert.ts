// mergeInsert (upsert): match source rows to table rows on key columns, then update matched rows, insert new ones
// and optionally delete table rows the source lacks — as one commit of deletions plus one new fragment.
// Memory: the source rows and a hash of their keys; the table is streamed, reading only its key columns.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../errors.js";
import { makeGatherer } from "../../file/gather.js";
import type { PendingCommit } from "../commit.js";
import { writeFiles, type FragmentWriteOptions, type TableIo } from "../fragment-io.js";
import type { OperationRecord } from "../manifest.js";
import { ROW_ID, scanTable, type Snapshot } from "../read.js";
import { conformed, type TableData } from "../write.js";
import { rowRewriteCommit } from "./delete.js";

/** What to do with each kind of row. */
export interface MergeInsertOptions extends FragmentWriteOptions {
  /** Table rows whose key is in the source. Default "update". */
  whenMatched?: "update" | "skip";
  /** Source rows whose key is not in the table. Default "insert". */
  whenNotMatched?: "insert" | "skip";
  /** Table rows whose key is not in the source. Default "keep". */
  whenNotMatchedBySource?: "keep" | "delete";
}

/** A key string per row: values typed so 1 and "1" differ; undefined when any key part is null (never matches). */
function keyOf(columns: readonly A.Vector[], i: number): string | undefined {
  let key = "";
  for (const c of columns) {
    const v: unknown = c.get(i);
    if (v === null || v === undefined) return undefined;
    const s = v instanceof Uint8Array ? Buffer.from(v).toString("base64") : typeof v === "object" ? JSON.stringify(v) : String(v);
    key += `${typeof v}:${s}\u0000`;
  }
  return key;
}

/** What the summary of a merge reports. */
export interface MergeStats {
  updated: number;
  inserted: number;
  deleted: number;
}

/** A commit applying the merge, or undefined when it changes nothing; `stats` says what it did. */
export async function prepareMergeInsert(
  io: TableIo,
  snap: Snapshot,
  on: string | readonly string[],
  data: TableData,
  options: MergeInsertOptions = {},
): Promise<{ op: PendingCommit | undefined; stats: MergeStats }> {
  const keys = typeof on === "string" ? [on] : [...on];
  if (keys.length === 0) throw new InvalidArgumentError("mergeInsert needs at least one key column");
  for (const k of keys) snap.schema.get(k);
  const whenMatched = options.whenMatched ?? "update";
  const whenNotMatched = options.whenNotMatched ?? "insert";
  const bySourceDelete = (options.whenNotMatchedBySource ?? "keep") === "delete";
  const fields = snap.schema.fields;

  const source: A.RecordBatch[] = [];
  for await (const b of conformed(data, fields, `mergeInsert into ${io.uri}`)) source.push(b);
  const index = new Map<string, { batch: number; row: number }>();
  source.forEach((b, bi) => {
    const cols = keys.map((k) => b.getChild(k)!);
    for (let r = 0; r < b.numRows; r++) {
      const key = keyOf(cols, r);
      if (key === undefined) continue;
      if (index.has(key)) {
        const shown = cols.map((c) => JSON.stringify(c.get(r), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).join(", ");
        throw new InvalidArgumentError(`mergeInsert source has the key (${keys.join(", ")}) = (${shown}) twice; keys must be unique`);
      }
      index.set(key, { batch: bi, row: r });
    }
  });

  const matchedSource = new Set<string>();
  const doomed = new Map<number, number[]>();
  const mark = (id: bigint): void => {
    const f = Number(id >> 32n);
    let list = doomed.get(f);
    if (list === undefined) doomed.set(f, (list = []));
    list.push(Number(id & 0xffffffffn));
  };
  for await (const b of scanTable(snap, { columns: keys, withRowId: true })) {
    const cols = keys.map((k) => b.getChild(k)!);
    const ids = b.getChild(ROW_ID)!.data[0]!.values as BigUint64Array;
    for (let r = 0; r < b.numRows; r++) {
      const key = keyOf(cols, r);
      const hit = key !== undefined && index.has(key);
      if (hit) {
        matchedSource.add(key!);
        if (whenMatched === "update") mark(ids[r]!);
      } else if (bySourceDelete) {
        mark(ids[r]!);
      }
    }
  }

  // Source rows to write: matched ones (when updating) and unmatched ones (when inserting).
  const stats: MergeStats = { updated: 0, inserted: 0, deleted: 0 };
  const picks: { batch: number; row: number }[] = [];
  source.forEach((b, bi) => {
    const cols = keys.map((k) => b.getChild(k)!);
    for (let r = 0; r < b.numRows; r++) {
      const key = keyOf(cols, r);
      const matched = key !== undefined && matchedSource.has(key);
      if (matched && whenMatched === "update") {
        picks.push({ batch: bi, row: r });
        stats.updated++;
      } else if (!matched && whenNotMatched === "insert") {
        picks.push({ batch: bi, row: r });
        stats.inserted++;
      }
    }
  });
  stats.deleted = [...doomed.values()].reduce((n, l) => n + l.length, 0) - stats.updated;
  if (picks.length === 0 && doomed.size === 0) return { op: undefined, stats };

  const schema = new A.Schema(fields.map((f) => f.field));
  const rows = fields.map((f, c) => {
    const g = makeGatherer(f.field.type, picks.length);
    for (const p of picks) g.appendRange(source[p.batch]!.getChildAt(c)!.data[0]!, p.row, 1);
    return g.finish();
  });
  const batch = new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: picks.length, children: rows }));
  const files = picks.length === 0 ? [] : await writeFiles(io, fields, [batch], options);
  const record: OperationRecord = { type: "merge_insert", touchedFragments: [...doomed.keys()], detail: { ...stats } };
  return {
    stats,
    op: rowRewriteCommit(io, record, doomed, files),
  };
}
