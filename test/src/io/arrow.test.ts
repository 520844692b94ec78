import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { arrowSource, rowsSource } from "../../../src/io/arrow.js";
import { collect, fieldTypes, rowCount, rows } from "./helpers.js";

const table = new A.Table({
  id: A.makeVector(Int32Array.from({ length: 10 }, (_, i) => i)),
  name: A.vectorFromArray(Array.from({ length: 10 }, (_, i) => `n${i}`), new A.Utf8()),
});

describe("arrowSource", () => {
  it("scans a table zero-copy with projection, slicing and limit", async () => {
    const src = arrowSource(table, "ten rows");
    assert.equal(src.description, "ten rows");
    assert.equal(src.rowCount, 10);
    const batches = await collect(src, { columns: ["name"], limit: 7 }, 3);
    assert.deepEqual(batches.map((b) => b.numRows), [3, 3, 1]);
    assert.deepEqual(fieldTypes(batches[0]!.schema), ["name: Utf8"]);
    assert.deepEqual(rows(batches).map((r) => r.name), ["n0", "n1", "n2", "n3", "n4", "n5", "n6"]);
    assert.equal(batches[0]!.getChildAt(0)!.data[0]!.values.buffer, table.getChild("name")!.data[0]!.values.buffer, "no copy");
    assert.equal(rowCount(await collect(src, { columns: [] }, 4)), 10);
  });

  it("takes record batches and rejects an empty list or mixed schemas", async () => {
    assert.equal(rowCount(await collect(arrowSource([...table.batches, ...table.batches]))), 20);
    assert.throws(() => arrowSource([]), InvalidArgumentError);
    const other = new A.Table({ x: A.vectorFromArray([1], new A.Float64()) });
    assert.throws(() => arrowSource([...table.batches, ...other.batches]), /differ in schema/);
  });
});

describe("rowsSource", () => {
  it("infers types as for JSON and converts the rows", async () => {
    const src = rowsSource([
      { id: 1, score: 1, name: "a", ok: true, when: new Date(5), raw: new Uint8Array([1, 2]), tags: ["x"], pt: { x: 1 } },
      { id: 2n, score: 2.5, name: null, ok: false, tags: [], pt: { x: 2, y: "q" } },
    ]);
    assert.deepEqual(fieldTypes(src.schema), [
      "id: Int64",
      "score: Float64",
      "name: Utf8",
      "ok: Bool",
      "when: Timestamp<MILLISECOND>",
      "raw: Binary",
      "tags: List<Utf8>",
      "pt: Struct<{x:Int64, y:Utf8}>",
    ]);
    assert.deepEqual(rows(await collect(src)), [
      { id: "1n", score: 1, name: "a", ok: true, when: 5, raw: "bytes:0102", tags: ["x"], pt: { x: "1n", y: null } },
      { id: "2n", score: 2.5, name: null, ok: false, when: null, raw: null, tags: [], pt: { x: "2n", y: "q" } },
    ]);
  });

  it("uses a given schema and names a row that does not fit", () => {
    const schema = new A.Schema([new A.Field("v", new A.FixedSizeList(2, new A.Field("item", new A.Float32(), true)), true)]);
    assert.equal(rowsSource([{ v: [1, 2] }, { v: null }], schema).rowCount, 2);
    assert.throws(
      () => rowsSource([{ v: [1, 2] }, { v: [1, 2, 3] }], schema),
      (err: unknown) => err instanceof InvalidArgumentError && /row 1, field "v": expected 2 items/.test(err.message),
    );
    assert.throws(() => rowsSource([{ n: 1 }, { n: "x" }], new A.Schema([new A.Field("n", new A.Int64(), true)])), /row 1, field "n": expected int64, got "x"/);
  });
});
