// delete(filter): marks matching rows in deletion vectors; data files are never rewritten. A fragment whose rows
// are all deleted leaves the manifest. Two deletes racing on one fragment merge their vectors.

import type { Snapshot } from "../read.js";
import { scanTable, ROW_ID, type RowFilter } from "../read.js";
import type { PendingCommit } from "../commit.js";
import { DeletionVector, writeDeletion } from "../deletion.js";
import type { TableIo, WrittenFile } from "../fragment-io.js";
import type { Fragment, OperationRecord } from "../manifest.js";
import { conflictBetween } from "../transaction.js";

/** Physical offsets per fragment id of the rows matching `filter`. */
export async function matchingRows(snap: Snapshot, filter: RowFilter | undefined): Promise<Map<number, number[]>> {
  const hits = new Map<number, number[]>();
  const options = filter === undefined ? { columns: [], withRowId: true } : { columns: [], withRowId: true, filter };
  for await (const b of scanTable(snap, options)) {
    const ids = b.getChild(ROW_ID)!.data[0]!.values as BigUint64Array;
    for (const id of ids) {
      const frag = Number(id >> 32n);
      let list = hits.get(frag);
      if (list === undefined) hits.set(frag, (list = []));
      list.push(Number(id & 0xffffffffn));
    }
  }
  return hits;
}

/**
 * Fragments with `hits` added to their deletion vectors: a fragment left with no live row is dropped. `io` writes
 * the new deletion files; the fragment's current vector (possibly newer than the one the hits were found on) is
 * read and merged.
 */
export async function withDeletions(io: TableIo, fragments: readonly Fragment[], hits: ReadonlyMap<number, readonly number[]>): Promise<Fragment[]> {
  const out: Fragment[] = [];
  for (const f of fragments) {
    const rows = hits.get(f.id);
    if (rows === undefined || rows.length === 0) {
      out.push(f);
      continue;
    }
    const dv = (await io.deletion(f)).union(DeletionVector.of(rows));
    if (dv.count >= f.physicalRows) continue;
    out.push({ ...f, deletion: { path: await writeDeletion(io.store, f.id, dv), count: dv.count } });
  }
  return out;
}

/**
 * The commit of an operation that rewrites rows (update, merge-insert): `hits` are deleted from their fragments and
 * the new rows in `files` become fragments numbered on top of whatever version it lands on.
 */
export function rowRewriteCommit(io: TableIo, record: OperationRecord, hits: ReadonlyMap<number, readonly number[]>, files: readonly WrittenFile[]): PendingCommit {
  return {
    record,
    async build(latest) {
      const m = latest!;
      const added: Fragment[] = files.map((f, i) => ({ id: m.nextFragmentId + i, physicalRows: f.rows, files: [f.ref] }));
      record.addedFragments = added.map((f) => f.id);
      return {
        schema: m.schema,
        nextFieldId: m.nextFieldId,
        nextFragmentId: m.nextFragmentId + added.length,
        fragments: [...(await withDeletions(io, m.fragments, hits)), ...added],
        indices: m.indices,
      };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
}

/** A commit deleting the rows matching `filter` (all rows without one), or undefined when none match. */
export async function prepareDelete(io: TableIo, snap: Snapshot, filter: RowFilter | undefined): Promise<PendingCommit | undefined> {
  const hits = await matchingRows(snap, filter);
  if (hits.size === 0) return undefined;
  const deleted = [...hits.values()].reduce((n, r) => n + r.length, 0);
  const record: OperationRecord = { type: "delete", touchedFragments: [...hits.keys()], detail: { rows: deleted } };
  return {
    record,
    async build(latest) {
      const m = latest!;
      return {
        schema: m.schema,
        nextFieldId: m.nextFieldId,
        nextFragmentId: m.nextFragmentId,
        fragments: await withDeletions(io, m.fragments, hits),
        indices: m.indices,
      };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
}
