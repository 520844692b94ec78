import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import * as pw from "parquet-wasm";
import { CorruptFileError, InvalidArgumentError } from "../../../format/errors.js";
import { parseExpr } from "../../../format/expr/index.js";
import { clearMemoryStore, MemoryStore } from "../../../format/store/memory.js";
import { openParquetSource } from "../../../src/io/parquet.js";
import { collect, fieldTypes, rowCount, rows, tempDir } from "./helpers.js";

const N = 10_000;
const GROUP = 1000;
let dir: string;
let cleanup: () => void;
let path: string;
let fileBytes: Uint8Array;

/** Sorted ids so each row group covers one range: [1000k, 1000k + 999]. */
function makeTable(n = N, offset = 0): A.Table {
  const ids = Array.from({ length: n }, (_, i) => BigInt(offset + i));
  return new A.Table({
    id: A.vectorFromArray(ids, new A.Int64()),
    name: A.vectorFromArray(ids.map((i) => `name-${String(i).padStart(5, "0")}`), new A.Utf8()),
    score: A.vectorFromArray(ids.map((i) => Number(i) / 2), new A.Float64()),
    small: A.vectorFromArray(ids.map((i) => (i % 7n === 0n ? null : Number(i % 100n))), new A.Int32()),
    info: A.vectorFromArray(
      ids.map((i) => ({ k: Number(i) })),
      new A.Struct([new A.Field("k", new A.Int32(), true)]),
    ),
    vec: A.vectorFromArray(
      ids.map((i) => [Number(i), 1]),
      new A.FixedSizeList(2, new A.Field("item", new A.Float32(), true)),
    ),
  });
}

function toParquet(table: A.Table, groupRows = GROUP): Uint8Array {
  const props = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(groupRows).setCompression(pw.Compression.SNAPPY).build();
  return pw.writeParquet(pw.Table.fromIPCStream(A.tableToIPC(table, "stream")), props);
}

before(() => {
  ({ dir, cleanup } = tempDir());
  fileBytes = toParquet(makeTable());
  path = join(dir, "data.parquet");
  writeFileSync(path, fileBytes);
});
after(() => cleanup());

describe("openParquetSource", () => {
  it("reads schema, row count and row groups from the footer", async () => {
    const src = await openParquetSource(path);
    assert.equal(src.kind, "Parquet");
    assert.equal(src.rowCount, N);
    assert.equal(src.rowGroups, N / GROUP);
    assert.deepEqual(fieldTypes(src.schema), [
      "id: Int64",
      "name: Utf8",
      "score: Float64",
      "small: Int32",
      "info: Struct<{k:Int32}>",
      "vec: FixedSizeList[2]<Float32>",
    ]);
    assert.deepEqual(src.supports, { projection: true, filter: "prune", limit: true });
  });

  it("reads every row exactly, in batches of batchSize", async () => {
    const src = await openParquetSource(path);
    const batches = await collect(src, {}, 400);
    assert.ok(batches.every((b) => b.numRows <= 400));
    assert.deepEqual(rows(batches), rows(makeTable().batches));
  });

  it("fetches only the asked columns, returned in the asked order", async () => {
    const src = await openParquetSource(path, { footerReadBytes: 1024 });
    const all = await openParquetSource(path, { footerReadBytes: 1024 });
    await collect(all);
    const batches = await collect(src, { columns: ["score", "id"] }, 4096);
    assert.deepEqual(fieldTypes(batches[0]!.schema), ["score: Float64", "id: Int64"]);
    assert.equal(rowCount(batches), N);
    assert.ok(src.stats.bytesRead < all.stats.bytesRead / 2, `projected ${src.stats.bytesRead} vs all ${all.stats.bytesRead} bytes`);
  });

  it("prunes row groups whose statistics rule the filter out", async () => {
    const cases: [string, number][] = [
      ["id >= 7500", 3],
      ["id < 1000 OR id > 9500", 2],
      ["name = 'name-04321'", 1],
      ["score BETWEEN 100 AND 600", 2],
      ["info.k = 2500", 1],
      ["small IS NULL", 10],
      ["id = -1", 0],
      ["length(name) > 3", 10],
    ];
    for (const [text, groups] of cases) {
      const src = await openParquetSource(path);
      const filter = parseExpr(text);
      const got = rows(await collect(src, { filter, columns: ["id"] }));
      assert.equal(src.stats.rowGroupsRead, groups, `${text}: read ${src.stats.rowGroupsRead} row groups`);
      assert.equal(src.stats.rowGroupsPruned, 10 - groups, text);
      assert.equal(got.length, groups * GROUP, "pruning skips whole row groups; the engine filters rows");
    }
  });

  it("stops fetching row groups once the limit is reached", async () => {
    const src = await openParquetSource(path);
    const batches = await collect(src, { limit: 1500, columns: ["id"] }, 1000);
    assert.equal(rowCount(batches), 1500);
    assert.equal(src.stats.rowGroupsRead, 2);
    assert.deepEqual(rows(batches).at(-1), { id: "1499n" });
  });

  it("answers an empty projection from the footer without reading data", async () => {
    const src = await openParquetSource(path);
    const batches = await collect(src, { columns: [] }, 3000);
    assert.equal(rowCount(batches), N);
    assert.ok(batches.every((b) => b.numCols === 0));
    assert.equal(src.stats.rowGroupsRead, 0);
    assert.equal(src.stats.bytesRead, 0);
  });

  it("reads a glob of files and refuses mixed schemas", async () => {
    writeFileSync(join(dir, "part-0.parquet"), toParquet(makeTable(3000, 0)));
    writeFileSync(join(dir, "part-1.parquet"), toParquet(makeTable(2000, 3000)));
    const src = await openParquetSource(join(dir, "part-*.parquet"));
    assert.equal(src.rowCount, 5000);
    assert.equal(src.files.length, 2);
    const ids = rows(await collect(src, { columns: ["id"], filter: parseExpr("id >= 2500 AND id < 3500") }));
    assert.equal(src.stats.rowGroupsRead, 2, "one group from each file");
    assert.deepEqual([ids[0], ids.at(-1)], [{ id: "2000n" }, { id: "3999n" }]);
    writeFileSync(join(dir, "part-2.parquet"), toParquet(new A.Table({ other: A.vectorFromArray([1], new A.Int32()) })));
    await assert.rejects(openParquetSource(join(dir, "part-*.parquet")), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /part-2\.parquet has schema \{other: Int32\}/);
      return true;
    });
  });

  it("reads through a memory:// store, with a footer larger than the first read", async () => {
    clearMemoryStore("pq-test");
    await new MemoryStore("pq-test").put("t/data.parquet", fileBytes);
    const src = await openParquetSource("memory://pq-test/t/data.parquet", { footerReadBytes: 64 });
    assert.equal(src.rowCount, N);
    const got = rows(await collect(src, { columns: ["name"], limit: 2 }));
    assert.deepEqual(got, [{ name: "name-00000" }, { name: "name-00001" }]);
  });

  it("names a file that is not Parquet", async () => {
    const bad = join(dir, "bad.parquet");
    writeFileSync(bad, "this is not a parquet file at all");
    await assert.rejects(openParquetSource(bad), (err: unknown) => err instanceof CorruptFileError && err.message.includes(bad));
  });

  it("decodes timestamp statistics in the column's unit", async () => {
    const t = new A.Table({
      s: A.vectorFromArray([1, 2, 3, 4].map((x) => x * 1000) as unknown as number[], new A.TimestampSecond()),
      us: A.vectorFromArray([1, 2, 3, 4].map((x) => x * 1000) as unknown as number[], new A.TimestampMicrosecond()),
    });
    const p = join(dir, "ts.parquet");
    writeFileSync(p, toParquet(t, 2));
    for (const filter of ["s > '1970-01-01 00:00:02'", "us > '1970-01-01 00:00:02'"]) {
      const src = await openParquetSource(p);
      const got = await collect(src, { filter: parseExpr(filter) });
      assert.equal(src.stats.rowGroupsPruned, 1, filter);
      assert.equal(rowCount(got), 2);
    }
  });
});
