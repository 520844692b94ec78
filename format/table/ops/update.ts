// update({ where, values }): matching rows are rewritten as new rows in new fragments (with the new values) and
// deleted from their old fragments through deletion vectors — old data files stay untouched.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../errors.js";
import type { PendingCommit } from "../commit.js";
import { writeFiles, type FragmentWriteOptions, type TableIo } from "../fragment-io.js";
import type { OperationRecord } from "../manifest.js";
import { ROW_ID, scanTable, type RowFilter, type Snapshot } from "../read.js";
import type { ValueExpr } from "../values.js";
import { rowRewriteCommit } from "./delete.js";

/** Records row ids of the batches passing through, per fragment. */
function rowIdSink(): { hits: Map<number, number[]>; add(ids: BigUint64Array): void } {
  const hits = new Map<number, number[]>();
  return {
    hits,
    add(ids) {
      for (const id of ids) {
        const f = Number(id >> 32n);
        let list = hits.get(f);
        if (list === undefined) hits.set(f, (list = []));
        list.push(Number(id & 0xffffffffn));
      }
    },
  };
}

/** A commit updating matching rows (all rows without `where`), or undefined when none match. */
export async function prepareUpdate(
  io: TableIo,
  snap: Snapshot,
  where: RowFilter | undefined,
  values: ReadonlyMap<string, ValueExpr>,
  options: FragmentWriteOptions = {},
): Promise<PendingCommit | undefined> {
  if (values.size === 0) throw new InvalidArgumentError("update needs at least one column in values");
  const fields = snap.schema.fields;
  for (const name of values.keys()) snap.schema.get(name);
  const schema = new A.Schema(fields.map((f) => f.field));
  const sink = rowIdSink();
  async function* rewritten(): AsyncGenerator<A.RecordBatch> {
    const scan = scanTable(snap, where === undefined ? { withRowId: true } : { withRowId: true, filter: where });
    for await (const b of scan) {
      sink.add(b.getChild(ROW_ID)!.data[0]!.values as BigUint64Array);
      const children = fields.map((f) => {
        const v = values.get(f.field.name);
        return v === undefined ? b.getChild(f.field.name)!.data[0]! : v.evaluate(b);
      });
      yield new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: b.numRows, children }));
    }
  }
  const files = await writeFiles(io, fields, rewritten(), options);
  if (sink.hits.size === 0) return undefined;
  const updated = files.reduce((n, f) => n + f.rows, 0);
  const record: OperationRecord = {
    type: "update",
    touchedFragments: [...sink.hits.keys()],
    detail: { rows: updated, columns: [...values.keys()] },
  };
  return rowRewriteCommit(io, record, sink.hits, files);
}
