// The commit protocol under lost races: two handles prepared on the same version, one commits first, the other
// must rebase (and keep both effects) or fail with CommitConflictError naming both operations — per the matrix.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { CommitConflictError } from "../../../format/errors.js";
import type { OperationRecord } from "../../../format/table/manifest.js";
import type { RowFilter } from "../../../format/table/read.js";
import { Table } from "../../../format/table/table.js";
import { conflictBetween } from "../../../format/table/transaction.js";

let n = 0;
const uri = (): string => `memory://commit-test-${process.pid}-${n++}/t`;

function rows(start: number, count: number): A.Table {
  return new A.Table({
    id: A.makeVector(Int32Array.from({ length: count }, (_, i) => start + i)),
    name: A.vectorFromArray(Array.from({ length: count }, (_, i) => `row ${start + i}`), new A.Utf8()),
  });
}

function idFilter(pred: (id: number) => boolean): RowFilter {
  return {
    columns: ["id"],
    select(batch) {
      const ids = batch.getChild("id")!.toArray() as Int32Array;
      return Uint32Array.from([...ids.keys()].filter((i) => pred(ids[i]!)));
    },
  };
}

async function ids(t: Table): Promise<number[]> {
  return ([...(await t.toArrow({ columns: ["id"] })).getChild("id")!] as number[]).sort((a, b) => a - b);
}

/** Two handles on the same fresh table: 0..9 in fragment 0 and 10..19 in fragment 1. */
async function twoHandles(): Promise<[Table, Table, string]> {
  const u = uri();
  const t = await Table.create(u, rows(0, 10));
  await t.append(rows(10, 10));
  return [await Table.open(u), await Table.open(u), u];
}

const conflict = (re: RegExp) => (e: unknown) => e instanceof CommitConflictError && re.test(e.message);

describe("conflict matrix", () => {
  const rec = (type: OperationRecord["type"], extra: Partial<OperationRecord> = {}): OperationRecord => ({ type, ...extra });
  const cases: [OperationRecord, OperationRecord, boolean][] = [
    [rec("append"), rec("append"), false],
    [rec("append"), rec("delete", { touchedFragments: [0] }), false],
    [rec("delete", { touchedFragments: [0] }), rec("append"), false],
    [rec("delete", { touchedFragments: [0] }), rec("delete", { touchedFragments: [1] }), false],
    [rec("delete", { touchedFragments: [0] }), rec("delete", { touchedFragments: [0] }), false],
    [rec("delete", { touchedFragments: [0] }), rec("update", { touchedFragments: [0] }), true],
    [rec("update", { touchedFragments: [0] }), rec("delete", { touchedFragments: [0] }), true],
    [rec("update", { touchedFragments: [0] }), rec("delete", { touchedFragments: [1] }), false],
    [rec("update", { touchedFragments: [0] }), rec("append"), false],
    [rec("merge_insert", { touchedFragments: [0] }), rec("append"), true],
    [rec("merge_insert", { touchedFragments: [0] }), rec("delete", { touchedFragments: [1] }), false],
    [rec("merge_insert", { touchedFragments: [] }), rec("update", { touchedFragments: [1], addedFragments: [5] }), true],
    [rec("overwrite"), rec("append"), true],
    [rec("append"), rec("overwrite"), true],
    [rec("restore"), rec("append"), true],
    [rec("delete"), rec("restore"), true],
    [rec("add_columns", { schemaChanged: true }), rec("append"), false],
    [rec("append"), rec("add_columns", { schemaChanged: true }), true],
    [rec("add_columns", { schemaChanged: true }), rec("delete", { touchedFragments: [0] }), false],
    [rec("add_columns", { schemaChanged: true }), rec("rewrite", { touchedFragments: [0] }), true],
    [rec("add_columns", { schemaChanged: true }), rec("drop_columns", { schemaChanged: true }), true],
    [rec("drop_columns", { schemaChanged: true }), rec("append"), false],
    [rec("append"), rec("drop_columns", { schemaChanged: true }), true],
    [rec("delete", { touchedFragments: [0] }), rec("rename_column", { schemaChanged: true }), false],
    [rec("rewrite", { touchedFragments: [0] }), rec("delete", { touchedFragments: [0] }), true],
    [rec("rewrite", { touchedFragments: [0] }), rec("delete", { touchedFragments: [1] }), false],
    [rec("rewrite", { touchedFragments: [0] }), rec("append"), false],
    [rec("delete", { touchedFragments: [0] }), rec("rewrite", { touchedFragments: [0] }), true],
    [rec("rewrite", { touchedFragments: [0] }), rec("add_columns", { schemaChanged: true }), true],
  ];
  for (const [mine, other, expected] of cases) {
    it(`${mine.type}${JSON.stringify(mine.touchedFragments ?? [])} after ${other.type}${JSON.stringify(other.touchedFragments ?? [])}: ${expected ? "conflict" : "rebase"}`, () => {
      const reason = conflictBetween(mine, other);
      assert.equal(reason !== undefined, expected, reason);
    });
  }
});

describe("lost races", () => {
  it("append after append: both rows present, versions contiguous", async () => {
    const [a, b] = await twoHandles();
    await a.append(rows(100, 2));
    await b.append(rows(200, 2));
    assert.equal(b.version, 4);
    assert.deepEqual(await ids(b), [...Array(20).keys(), 100, 101, 200, 201]);
    assert.deepEqual((await b.versions()).map((v) => v.version), [1, 2, 3, 4]);
  });

  it("delete after append: the delete applies, the appended rows stay", async () => {
    const [a, b] = await twoHandles();
    await a.append(rows(100, 2));
    await b.delete(idFilter((id) => id < 5));
    assert.deepEqual(await ids(b), [...Array(15).keys()].map((i) => i + 5).concat([100, 101]));
  });

  it("two deletes on one fragment merge their deletion vectors", async () => {
    const [a, b] = await twoHandles();
    await a.delete(idFilter((id) => id === 1 || id === 2));
    await b.delete(idFilter((id) => id === 3 || id === 12));
    assert.deepEqual(await ids(b), [0, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19]);
    assert.equal(b.currentManifest.fragments[0]!.deletion!.count, 3);
  });

  it("add columns after append: the new fragment gets the computed column too", async () => {
    const [a, b] = await twoHandles();
    await a.append(rows(100, 3));
    await b.addColumns((batch) => ({ twice: Int32Array.from([...batch.getChild("id")!].map((x) => 2 * (x as number))) }), { inputColumns: ["id"] });
    const got = await b.toArrow({ columns: ["id", "twice"] });
    assert.deepEqual([...got.getChild("twice")!], [...got.getChild("id")!].map((x) => 2 * (x as number)));
  });

  it("append prepared before a schema change conflicts", async () => {
    const [a, b] = await twoHandles();
    await a.dropColumns("name");
    await assert.rejects(b.append(rows(100, 1)), conflict(/append on .* conflicts with drop_columns committed as version 3: the schema changed/));
    assert.equal((await Table.open(b.uri)).version, 3, "nothing committed by the loser");
  });

  it("overwrite and append conflict in both orders", async () => {
    const [a, b] = await twoHandles();
    await a.append(rows(100, 1));
    await assert.rejects(b.overwrite(rows(0, 1)), conflict(/overwrite .* conflicts with append/));
    const [c, d] = await twoHandles();
    await c.overwrite(rows(0, 1));
    await assert.rejects(d.append(rows(100, 1)), conflict(/append .* conflicts with overwrite .* the table was replaced/));
  });

  it("merge-insert after append conflicts (it could duplicate keys)", async () => {
    const [a, b] = await twoHandles();
    await a.append(rows(100, 1));
    await assert.rejects(b.mergeInsert("id", rows(100, 1)), conflict(/merge_insert .* conflicts with append/));
  });

  it("compaction after a delete on the same fragments conflicts; after an append it rebases", async () => {
    const [a, b] = await twoHandles();
    await a.delete(idFilter((id) => id === 0));
    await assert.rejects(b.compact({ targetRowsPerFragment: 100 }), conflict(/rewrite .* conflicts with delete .* fragments? 0/));
    const [c, d] = await twoHandles();
    await c.append(rows(100, 1));
    await d.compact({ targetRowsPerFragment: 20 });
    assert.deepEqual(await ids(d), [...Array(20).keys(), 100]);
  });

  it("restore after any change conflicts", async () => {
    const [a, b] = await twoHandles();
    await a.append(rows(100, 1));
    await assert.rejects(b.restore(1), conflict(/restore .* conflicts with append/));
  });

  it("creating a table that another writer created first is a conflict", async () => {
    const u = uri();
    const results = await Promise.allSettled([Table.create(u, rows(0, 1)), Table.create(u, rows(0, 1))]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  });
});
