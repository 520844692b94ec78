// Table operations against real stores: create/open modes, appends, takes in asked order, scans with offsets and
// row ids, deletes through deletion vectors, upserts, zero-copy column changes, versions, tags, compaction.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../../../format/errors.js";
import type { CompactProgress } from "../../../format/table/ops/compact.js";
import type { RowFilter } from "../../../format/table/read.js";
import { Table } from "../../../format/table/table.js";
import { plainRows } from "../../support/arrow-arbitrary.js";

let n = 0;
const uri = (): string => `memory://table-test-${process.pid}-${n++}/t`;

function rows(start: number, count: number): A.Table {
  return new A.Table({
    id: A.makeVector(Int32Array.from({ length: count }, (_, i) => start + i)),
    name: A.vectorFromArray(Array.from({ length: count }, (_, i) => `row ${start + i}`), new A.Utf8()),
  });
}

/** A filter object (no expression text): rows whose id satisfies `pred`. */
function idFilter(pred: (id: number) => boolean): RowFilter {
  return {
    columns: ["id"],
    select(batch) {
      const ids = batch.getChild("id")!.toArray() as Int32Array;
      const out: number[] = [];
      ids.forEach((v, i) => pred(v) && out.push(i));
      return Uint32Array.from(out);
    },
  };
}

async function ids(t: Table, options: Parameters<Table["toArrow"]>[0] = {}): Promise<number[]> {
  return [...(await t.toArrow({ ...options, columns: ["id"] })).getChild("id")!] as number[];
}

async function dataFiles(t: Table): Promise<string[]> {
  return (await t.store.list("data/")).map((o) => o.path);
}

describe("Table basics", () => {
  it("creates, refuses to create twice, overwrites in a new version", async () => {
    const u = uri();
    const t = await Table.create(u, rows(0, 10));
    assert.equal(t.version, 1);
    await assert.rejects(Table.create(u, rows(0, 1)), AlreadyExistsError);
    const t2 = await Table.create(u, rows(100, 3), { mode: "overwrite" });
    assert.equal(t2.version, 2);
    assert.deepEqual(await ids(t2), [100, 101, 102]);
    assert.deepEqual(await ids(await t2.checkout(1)), [...Array(10).keys()]);
  });

  it("creates an empty table from a schema-only Arrow table and appends to it", async () => {
    const t = await Table.create(uri(), rows(0, 0));
    assert.equal(await t.countRows(), 0);
    await t.append(rows(0, 4));
    assert.deepEqual(await ids(t), [0, 1, 2, 3]);
  });

  it("opens the latest version, a version, or a tag; a missing table is NotFound", async () => {
    const u = uri();
    const t = await Table.create(u, rows(0, 5));
    await t.append(rows(5, 5));
    await t.tags.create("five", 1);
    assert.equal((await Table.open(u)).version, 2);
    assert.equal(await (await Table.open(u, { version: 1 })).countRows(), 5);
    assert.equal(await (await Table.open(u, { tag: "five" })).countRows(), 5);
    await assert.rejects(Table.open("memory://nothing-here/t"), (e: unknown) => e instanceof NotFoundError && /no Tessera table at memory:\/\/nothing-here\/t/.test(e.message));
    await assert.rejects(Table.open(u, { version: 9 }), /version 9 of table .* does not exist/);
    await assert.rejects(Table.open(u, { tag: "nope" }), /no tag "nope"/);
  });

  it("takes rows in the order asked, across fragments, with row ids", async () => {
    const t = await Table.create(uri(), rows(0, 100));
    await t.append(rows(100, 50));
    const got = await t.take([149, 0, 100, 0, 99], { withRowId: true });
    assert.deepEqual([...got.getChild("id")!], [149, 0, 100, 0, 99]);
    const rid = [...got.getChild("_rowid")!] as bigint[];
    assert.deepEqual(rid, [(1n << 32n) | 49n, 0n, 1n << 32n, 0n, 99n]);
    const again = await t.takeRowIds([rid[0]!, rid[2]!]);
    assert.deepEqual([...again.getChild("id")!], [149, 100]);
    await assert.rejects(t.take([150]), /offset 150 is out of range: the table has 150 rows/);
    await assert.rejects(t.takeRowIds([(7n << 32n) | 1n]), /row id .* does not exist/);
  });

  it("scans with projection, offset, limit, batch size and row ids", async () => {
    const t = await Table.create(uri(), rows(0, 30));
    await t.append(rows(30, 30));
    const batches: A.RecordBatch[] = [];
    for await (const b of t.scan({ columns: ["name"], offset: 25, limit: 10, batchSize: 4, withRowId: true })) batches.push(b);
    assert.ok(batches.every((b) => b.numRows <= 4));
    const all = new A.Table(batches);
    assert.deepEqual(all.schema.fields.map((f) => f.name), ["name", "_rowid"]);
    assert.deepEqual([...all.getChild("name")!], Array.from({ length: 10 }, (_, i) => `row ${25 + i}`));
  });
});

describe("Table deletes", () => {
  it("deletes through deletion vectors without rewriting data, and skips deleted rows everywhere", async () => {
    const t = await Table.create(uri(), rows(0, 20));
    await t.append(rows(20, 20));
    const before = await dataFiles(t);
    await t.delete(idFilter((id) => id % 3 === 0));
    assert.deepEqual(await dataFiles(t), before, "no data file written");
    assert.equal((await t.store.list("_deletions/")).length, 2);
    const live = [...Array(40).keys()].filter((i) => i % 3 !== 0);
    assert.equal(await t.countRows(), live.length);
    assert.deepEqual(await ids(t), live);
    assert.deepEqual([...(await t.take([0, 13, 25])).getChild("id")!], [live[0], live[13], live[25]]);
    await assert.rejects(t.takeRowIds([3n]), /row id 3 was deleted/);
    assert.equal(await t.countRows(idFilter((id) => id < 10)), 6);
  });

  it("drops a fragment whose rows are all deleted; a delete matching nothing commits nothing", async () => {
    const t = await Table.create(uri(), rows(0, 5));
    await t.append(rows(5, 5));
    await t.delete(idFilter((id) => id < 5));
    assert.equal(t.currentManifest.fragments.length, 1);
    const v = t.version;
    await t.delete(idFilter(() => false));
    assert.equal(t.version, v);
  });
});

describe("Table upserts", () => {
  it("updates matched rows, inserts new ones, deletes rows missing from the source when asked", async () => {
    const t = await Table.create(uri(), rows(0, 5));
    const src = new A.Table({
      id: A.makeVector(Int32Array.from([3, 4, 7])),
      name: A.vectorFromArray(["three", "four", "seven"], new A.Utf8()),
    });
    const stats = await t.mergeInsert("id", src);
    assert.deepEqual(stats, { updated: 2, inserted: 1, deleted: 0 });
    const byId = new Map((await t.toArrow()).toArray().map((r) => [r.id as number, r.name as string]));
    assert.deepEqual([...byId].sort((a, b) => a[0] - b[0]), [[0, "row 0"], [1, "row 1"], [2, "row 2"], [3, "three"], [4, "four"], [7, "seven"]]);
    const s2 = await t.mergeInsert("id", src.slice(0, 1), { whenMatched: "skip", whenNotMatched: "skip", whenNotMatchedBySource: "delete" });
    assert.deepEqual(stats.updated + s2.deleted, 2 + 5);
    assert.deepEqual(await ids(t), [3]);
  });

  it("refuses a source with duplicate keys or the wrong schema", async () => {
    const t = await Table.create(uri(), rows(0, 3));
    const dup = new A.Table({ id: A.makeVector(Int32Array.from([1, 1])), name: A.vectorFromArray(["a", "b"], new A.Utf8()) });
    await assert.rejects(t.mergeInsert("id", dup), /source has the key \(id\) = \(1\) twice; keys must be unique/);
    await assert.rejects(t.mergeInsert("id", new A.Table({ id: A.makeVector(Int32Array.from([1])) })), /lacks column "name"/);
    assert.equal(t.version, 1);
  });
});

describe("Table schema evolution", () => {
  it("adds columns from a function writing only the new column's files", async () => {
    const t = await Table.create(uri(), rows(0, 1000));
    await t.append(rows(1000, 500));
    const before = await dataFiles(t);
    t.store.resetStats();
    await t.addColumns((b) => ({ len: Int32Array.from([...b.getChild("name")!].map((s) => (s as string).length)) }), {
      inputColumns: ["name"],
      batchSize: 128,
    });
    const after = await dataFiles(t);
    assert.equal(after.length, before.length + 2, "one new file per fragment");
    assert.ok(before.every((f) => after.includes(f)), "old files untouched");
    const newBytes = (await t.store.list("data/")).filter((o) => !before.includes(o.path)).reduce((s, o) => s + o.size, 0);
    assert.equal(t.store.stats.bytesWritten - newBytes < 4096, true, "only the new files and the manifest were written");
    const got = await t.take([0, 1499]);
    assert.deepEqual([...got.getChild("len")!], ["row 0".length, "row 1499".length]);
  });

  it("adds columns from data keyed by _rowid; rows not given read as null", async () => {
    const t = await Table.create(uri(), rows(0, 6));
    const withIds = await t.toArrow({ withRowId: true, columns: ["id"] });
    const rid = [...withIds.getChild("_rowid")!] as bigint[];
    const extra = new A.Table({
      _rowid: A.makeVector(BigUint64Array.from([rid[4]!, rid[1]!])),
      score: A.makeVector(Float64Array.from([4.5, 1.5])),
    });
    await t.addColumns(extra);
    assert.deepEqual([...(await t.toArrow()).getChild("score")!], [null, 1.5, null, null, 4.5, null]);
  });

  it("appends data lacking a nullable column: those rows read null and no file is written for the column", async () => {
    const t = await Table.create(uri(), rows(0, 3));
    await t.addColumns({ tag: "'old'" });
    const onlyIdAndName = async function* () {
      yield* rows(3, 2).batches; // a stream: the columns are learnt from its first batch
    };
    await t.append(onlyIdAndName());
    assert.deepEqual([...(await t.toArrow()).getChild("tag")!], ["old", "old", "old", null, null]);
    const last = t.currentManifest.fragments.at(-1)!;
    const tagId = t.currentManifest.schema.fields.find((f) => f.name === "tag")!.id;
    assert.ok(last.files.every((f) => !f.fieldIds.includes(tagId)), "the new fragment has no file for tag");
    await assert.rejects(t.append(new A.Table({ name: A.vectorFromArray(["x"], new A.Utf8()) })), /lacks columns? "id"/);
  });

  it("drops and renames columns by changing only the manifest", async () => {
    const t = await Table.create(uri(), rows(0, 10));
    const before = await dataFiles(t);
    await t.renameColumn("name", "label");
    assert.deepEqual(t.schema.fields.map((f) => f.name), ["id", "label"]);
    assert.equal((await t.take([3])).getChild("label")!.get(0), "row 3");
    await t.dropColumns("label");
    assert.deepEqual(t.schema.fields.map((f) => f.name), ["id"]);
    assert.deepEqual(await dataFiles(t), before);
    await assert.rejects(t.dropColumns("id"), /cannot drop every column/);
    await assert.rejects(t.renameColumn("nope", "x"), /no column "nope"/);
    assert.equal((await t.checkout(1)).schema.fields[1]!.name, "name", "old versions keep their schema");
  });
});

describe("Table versions", () => {
  it("lists versions, restores, and pins tags", async () => {
    const t = await Table.create(uri(), rows(0, 3));
    await t.append(rows(3, 2));
    await t.delete(idFilter((id) => id === 0));
    const vs = await t.versions();
    assert.deepEqual(vs.map((v) => [v.version, v.operation, v.rows]), [[1, "create", 3], [2, "append", 5], [3, "delete", 4]]);
    await t.restore(1);
    assert.equal(t.version, 4);
    assert.deepEqual(await ids(t), [0, 1, 2]);
    await t.tags.create("start", 1);
    await assert.rejects(t.tags.create("start", 2), AlreadyExistsError);
    await assert.rejects(t.tags.create("bad name", 2), InvalidArgumentError);
    await assert.rejects(t.tags.create("later", 99), NotFoundError);
    assert.deepEqual(await t.tags.list(), [{ name: "start", version: 1 }]);
    await t.tags.delete("start");
    assert.deepEqual(await t.tags.list(), []);
  });

  it("cleanup removes old versions and unreferenced files, never the latest or a tagged one", async () => {
    const t = await Table.create(uri(), rows(0, 3));
    await t.append(rows(3, 3));
    await t.tags.create("v2", 2);
    await t.overwrite(rows(100, 2));
    await t.append(rows(102, 2));
    const stats = await t.cleanup({ olderThan: new Date(Date.now() + 1000), gracePeriodMs: 0 });
    assert.equal(stats.removedVersions, 2, "versions 1 and 3");
    assert.deepEqual((await t.versions()).map((v) => v.version), [2, 4]);
    assert.deepEqual(await ids(await t.checkout("v2")), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(await ids(t), [100, 101, 102, 103]);
    const referenced = new Set([...(await t.checkout(2)).currentManifest.fragments, ...t.currentManifest.fragments].flatMap((f) => f.files.map((x) => x.path)));
    assert.deepEqual(new Set(await dataFiles(t)), referenced);
  });

  it("compacts small fragments and drops deleted rows, keeping the rows", async () => {
    const t = await Table.create(uri(), rows(0, 10));
    for (let i = 1; i < 6; i++) await t.append(rows(i * 10, 10));
    await t.delete(idFilter((id) => id % 2 === 1));
    const expected = await ids(t);
    const events: CompactProgress[] = [];
    const stats = await t.compact({ targetRowsPerFragment: 20, onProgress: (p) => events.push({ ...p }) });
    assert.ok(stats.fragmentsRemoved > stats.fragmentsAdded, JSON.stringify(stats));
    assert.deepEqual(await ids(t), expected);
    // Progress counts live rows rewritten, from 0 to all of them, never going back.
    assert.equal(events[0]!.rows, 0);
    assert.ok(events.every((e, i) => e.totalRows === stats.rowsRewritten && (i === 0 || e.rows >= events[i - 1]!.rows)));
    assert.equal(events.at(-1)!.rows, stats.rowsRewritten);
    assert.equal(stats.rowsRewritten, expected.length);
    assert.ok(t.currentManifest.fragments.every((f) => f.deletion === undefined));
    assert.equal((await t.versions()).at(-1)!.operation, "rewrite");
  });

  it("refuses writes through a read-only checkout", async () => {
    const t = await Table.create(uri(), rows(0, 3));
    const old = await t.checkout(1);
    await assert.rejects(old.append(rows(3, 1)), /read-only checkout of version 1/);
  });
});

describe("Table expressions", () => {
  function labelled(n: number): A.Table {
    return new A.Table({
      id: A.makeVector(Int32Array.from({ length: n }, (_, i) => i)),
      label: A.makeVector(Int8Array.from({ length: n }, (_, i) => i % 10)),
      score: A.makeVector(Float64Array.from({ length: n }, (_, i) => i / 4)),
      split: A.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? "test" : "train")), new A.Utf8()),
    });
  }

  it("filters scans, counts and takes with SQL-like text", async () => {
    const t = await Table.create(uri(), labelled(1000));
    assert.equal(await t.countRows("label = 3"), 100);
    assert.equal(await t.countRows("label = 3 AND split = 'train'"), 100);
    assert.equal(await t.countRows("split = 'test' OR id < 10"), 208);
    assert.equal(await t.countRows("id BETWEEN 10 AND 19 AND label IN (1, 2)"), 2);
    const got = await t.toArrow({ columns: ["id"], filter: "score > 248.75", limit: 3 });
    assert.deepEqual([...got.getChild("id")!], [996, 997, 998]);
    await assert.rejects(t.countRows("lable = 3"), /no column "lable"; did you mean "label"\?/);
    await assert.rejects(t.countRows("label"), /a filter must be a condition/);
  });

  it("skips pages whose statistics rule the filter out", async () => {
    const t = await Table.create(uri(), labelled(200_000), { file: { maxPageRows: 8192 } });
    await t.countRows("id < 0"); // opens the data file (its footer read is not what this test measures)
    t.store.resetStats();
    assert.equal(await t.countRows("id >= 190000"), 10_000);
    const selective = t.store.stats.bytesRead;
    t.store.resetStats();
    assert.equal(await t.countRows("id >= 0"), 200_000);
    assert.ok(selective * 5 < t.store.stats.bytesRead, `selective ${selective} vs full ${t.store.stats.bytesRead} bytes`);
  });

  it("deletes, updates and adds columns with expressions", async () => {
    const t = await Table.create(uri(), labelled(100));
    await t.delete("split = 'test'");
    assert.equal(await t.countRows(), 80);
    await t.update({ where: "label = 1", valuesSql: { score: "score * 100" }, values: { split: "one" } });
    const ones = await t.toArrow({ filter: "label = 1" });
    assert.deepEqual([...ones.getChild("score")!], [1, 11, 21, 31, 41, 51, 61, 71, 81, 91].map((i) => i * 25));
    assert.ok([...ones.getChild("split")!].every((s) => s === "one"));
    await t.addColumns({ big: "score > 50", tag: "upper(split)" });
    const row = (await t.toArrow({ filter: "id = 91" })).get(0)!.toJSON();
    assert.deepEqual(row, { id: 91, label: 1, score: 2275, split: "one", big: true, tag: "ONE" });
    await assert.rejects(t.update({ values: { label: "x" } }), /cannot cast 'x' to int8/);
    await assert.rejects(t.addColumns({ bad: "nope + 1" }), /no column "nope"/);
  });
});

describe("Table expression edge cases", () => {
  it("a filter reading no column (TRUE, 1 = 1) matches every row", async () => {
    const t = await Table.create(uri(), rows(0, 3));
    assert.equal(await t.countRows("1 = 1"), 3);
    assert.equal((await t.toArrow({ filter: "TRUE", columns: ["id"] })).numRows, 3);
    await t.delete("TRUE");
    assert.equal(await t.countRows(), 0);
  });

  it("types read back from storage compare like the types users build", async () => {
    const t = await Table.create(uri(), new A.Table({ score: A.makeVector(Float64Array.from([1.5, 2.5])) }));
    await assert.rejects(t.countRows("score = 'x'"), /float64/);
    await t.update({ valuesSql: { score: "score * 2" } });
    assert.deepEqual([...(await t.toArrow()).getChild("score")!], [3, 5]);
  });

  it("arithmetic between integer literals may go negative", async () => {
    const t = await Table.create(uri(), rows(0, 3));
    assert.equal(await t.countRows("id > 65535 - 65536"), 3);
    assert.equal(await t.countRows("id > 1 - 2147483648"), 3);
  });
});
