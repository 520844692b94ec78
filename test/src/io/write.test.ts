import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import * as A from "apache-arrow";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../format/errors.js";
import { clearMemoryStore, MemoryStore } from "../../../format/store/memory.js";
import { arrowSource } from "../../../src/io/arrow.js";
import { openCsvSource } from "../../../src/io/csv.js";
import { openJsonSource } from "../../../src/io/json.js";
import { openParquetSource } from "../../../src/io/parquet.js";
import { writeCsv } from "../../../src/io/write-csv.js";
import { writeJson } from "../../../src/io/write-json.js";
import { writeParquet } from "../../../src/io/write-parquet.js";
import { arbSchema, arbRows, toBatches } from "../../support/arrow-arbitrary.js";
import { collect, fieldTypes, rowCount, rows, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;
before(() => ({ dir, cleanup } = tempDir()));
after(() => cleanup());

const f = (name: string, type: A.DataType): A.Field => new A.Field(name, type, true);

/** A table of many types, with nulls, awkward strings and integral floats. */
function richTable(n: number): A.Table {
  const ids = Array.from({ length: n }, (_, i) => i);
  const nullEvery = <T>(k: number, v: (i: number) => T): (T | null)[] => ids.map((i) => (i % k === 3 ? null : v(i)));
  return new A.Table({
    i8: A.vectorFromArray(nullEvery(5, (i) => (i % 200) - 100), new A.Int8()),
    i32: A.vectorFromArray(ids, new A.Int32()),
    u32: A.vectorFromArray(ids.map((i) => 4_000_000_000 - i), new A.Uint32()),
    i64: A.vectorFromArray(nullEvery(7, (i) => BigInt(i) * 1_000_000_000_007n), new A.Int64()),
    u64: A.vectorFromArray(ids.map((i) => 18_000_000_000_000_000_000n + BigInt(i)), new A.Uint64()),
    f32: A.vectorFromArray(ids.map((i) => i / 4), new A.Float32()),
    f64: A.vectorFromArray(nullEvery(6, (i) => (i % 2 === 0 ? i : i + 0.125)), new A.Float64()),
    s: A.vectorFromArray(nullEvery(4, (i) => ["plain", 'q"uote', "com,ma", "new\nline", "", "é€😀"][i % 6]!), new A.Utf8()),
    ls: A.vectorFromArray(ids.map((i) => `large ${i}`), new A.LargeUtf8()),
    bin: A.vectorFromArray(nullEvery(3, (i) => Uint8Array.from([i & 255, 7])), new A.Binary()),
    ok: A.vectorFromArray(nullEvery(5, (i) => i % 2 === 0), new A.Bool()),
    day: A.vectorFromArray(ids.map((i) => new Date(Date.UTC(2024, 0, 1 + (i % 300)))), new A.DateDay()),
    ts: A.vectorFromArray(ids.map((i) => 1_700_000_000_000 + i), new A.TimestampMillisecond("UTC")),
    tus: A.vectorFromArray(ids.map((i) => 1_700_000_000_000 + i), new A.TimestampMicrosecond()),
    st: A.vectorFromArray(nullEvery(8, (i) => ({ a: i, b: `b${i}` })), new A.Struct([f("a", new A.Int32()), f("b", new A.Utf8())])),
    li: A.vectorFromArray(nullEvery(9, (i) => Array.from({ length: i % 4 }, (_, k) => k * 1.5)), new A.List(f("item", new A.Float64()))),
    vec: A.vectorFromArray(ids.map((i) => [i, -i, 0.5]), new A.FixedSizeList(3, f("item", new A.Float32()))),
    dict: A.vectorFromArray(nullEvery(10, (i) => ["red", "green", "blue"][i % 3]!), new A.Dictionary(new A.Utf8(), new A.Int32())),
  });
}

async function* inBatches(table: A.Table, size: number): AsyncGenerator<A.RecordBatch> {
  for await (const b of arrowSource(table).scan({}, { batchSize: size })) yield b;
}

describe("writeParquet", () => {
  it("round-trips every type exactly, one row group per rowGroupRows", async () => {
    const table = richTable(2500);
    const path = join(dir, "rich.parquet");
    const summary = await writeParquet(inBatches(table, 700), path, { rowGroupRows: 1000, compression: "zstd" });
    assert.equal(summary.rows, 2500);
    assert.equal(summary.bytes, readFileSync(path).byteLength);
    const src = await openParquetSource(path);
    assert.equal(src.rowGroups, 3);
    assert.deepEqual(fieldTypes(src.schema), fieldTypes(table.schema));
    assert.deepEqual(rows(await collect(src, {}, 999)), rows(table.batches));
  });

  it("round-trips random schemas and rows (property)", async () => {
    const supported = (t: A.DataType): boolean =>
      ![A.Type.Null, A.Type.Float, A.Type.FixedSizeBinary, A.Type.LargeBinary, A.Type.Date].includes(t.typeId) || (t.typeId === A.Type.Float && (t as A.Float).precision !== A.Precision.HALF);
    const allSupported = (t: A.DataType): boolean => supported(t) && (t.children ?? []).every((c) => allSupported(c.type));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        arbSchema(2).filter((s) => s.fields.every((x) => allSupported(x.type))).chain((s) => fc.tuple(fc.constant(s), arbRows(s, 40), fc.array(fc.nat(15), { maxLength: 3 }))),
        async ([schema, data, cuts]) => {
          const batches = toBatches(schema, data, cuts);
          const path = join(dir, `prop-${n++}.parquet`);
          await writeParquet(batches, path, { schema, rowGroupRows: 16 });
          const src = await openParquetSource(path);
          assert.deepEqual(fieldTypes(src.schema), fieldTypes(schema));
          assert.deepEqual(rows(await collect(src)), rows(batches));
        },
      ),
      { seed: 7, numRuns: 25 },
    );
  });

  it("writes an empty stream when given a schema, and refuses without one", async () => {
    const schema = new A.Schema([f("a", new A.Int64())]);
    const path = join(dir, "empty.parquet");
    assert.equal((await writeParquet([], path, { schema })).rows, 0);
    const src = await openParquetSource(path);
    assert.deepEqual(fieldTypes(src.schema), ["a: Int64"]);
    assert.equal(src.rowCount, 0);
    await assert.rejects(writeParquet([], join(dir, "none.parquet")), /stream is empty and no options.schema/);
    assert.ok(!existsSync(join(dir, "none.parquet")));
  });

  it("leaves no file when the input fails or changes schema midway", async () => {
    async function* failing(): AsyncGenerator<A.RecordBatch> {
      yield* inBatches(richTable(100), 50);
      throw new Error("upstream broke");
    }
    const path = join(dir, "sub/failed.parquet");
    await assert.rejects(writeParquet(failing(), path), /upstream broke/);
    const mixed = [...richTable(10).batches, ...new A.Table({ x: A.vectorFromArray([1], new A.Int32()) }).batches];
    await assert.rejects(writeParquet(mixed, path), (err: unknown) => err instanceof InvalidArgumentError && /batch with schema \{x: Int32\}/.test(err.message));
    assert.ok(!existsSync(path));
    assert.deepEqual(readdirSync(join(dir, "sub")), [], "no temporary files left");
  });

  it("writes through a memory:// store", async () => {
    clearMemoryStore("write-test");
    const summary = await writeParquet(inBatches(richTable(50), 20), "memory://write-test/out/t.parquet");
    assert.equal(summary.rows, 50);
    const head = await new MemoryStore("write-test").head("out/t.parquet");
    assert.equal(head.size, summary.bytes);
    assert.equal(rowCount(await collect(await openParquetSource("memory://write-test/out/t.parquet"))), 50);
  });
});

/** The table as the text readers infer it back: binary and times are text, dictionaries their values. */
function asText(table: A.Table): A.Table {
  return table.select(["i32", "i64", "f64", "s", "ok", "st", "li"]);
}

describe("writeJson", () => {
  it("round-trips as NDJSON with the inferred types", async () => {
    const table = asText(richTable(300));
    const path = join(dir, "rt.jsonl");
    const summary = await writeJson(inBatches(table, 128), path);
    assert.equal(summary.rows, 300);
    const src = await openJsonSource(path);
    assert.deepEqual(fieldTypes(src.schema), [
      "i32: Int64",
      "i64: Int64",
      "f64: Float64",
      "s: Utf8",
      "ok: Bool",
      "st: Struct<{a:Int64, b:Utf8}>",
      "li: List<Float64>",
    ]);
    const widen = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, i32: `${r.i32}n`, st: r.st === null ? null : { ...(r.st as object), a: `${(r.st as { a: number }).a}n` } });
    assert.deepEqual(rows(await collect(src)), rows(table.batches).map(widen));
  });

  it("gzips when the name ends in .gz, and writes times and bytes as text", async () => {
    const table = richTable(20).select(["ts", "day", "bin", "dict"]);
    const path = join(dir, "rt.jsonl.gz");
    await writeJson(inBatches(table, 8), path);
    const text = gunzipSync(readFileSync(path)).toString("utf8");
    assert.equal(text.split("\n")[0], '{"ts":"2023-11-14T22:13:20.000Z","day":"2024-01-01","bin":"AAc=","dict":"red"}');
    const src = await openJsonSource(path, { schema: new A.Schema([f("bin", new A.Binary())]) });
    const back = await collect(src);
    assert.equal(rowCount(back), 20);
    assert.deepEqual([...(back[0]!.getChild("bin")!.get(0) as Uint8Array)], [0, 7]);
  });

  it("writes one JSON array with { array: true }, read back like NDJSON", async () => {
    const table = asText(richTable(50)).select(["i32", "s"]);
    const path = join(dir, "rt.json");
    await writeJson(inBatches(table, 16), path, { array: true });
    const text = readFileSync(path, "utf8");
    const parsed = JSON.parse(text) as { i32: number; s: string | null }[];
    assert.equal(parsed.length, 50);
    assert.deepEqual(parsed.map((r) => r.s), rows(table.batches).map((r) => r.s));
    assert.equal(rowCount(await collect(await openJsonSource(path))), 50);
    await writeJson([], join(dir, "empty.json"), { array: true });
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "empty.json"), "utf8")), []);
  });
});

describe("writeCsv", () => {
  it("round-trips with the inferred types, telling null from empty strings", async () => {
    const table = asText(richTable(300)).select(["i32", "i64", "f64", "s", "ok"]);
    const path = join(dir, "rt.csv");
    const summary = await writeCsv(inBatches(table, 100), path);
    assert.equal(summary.rows, 300);
    const src = await openCsvSource(path);
    assert.deepEqual(fieldTypes(src.schema), ["i32: Int64", "i64: Int64", "f64: Float64", "s: Utf8", "ok: Bool"]);
    const widen = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, i32: `${r.i32}n` });
    const back = rows(await collect(src));
    assert.deepEqual(back, rows(table.batches).map(widen));
    assert.ok(back.some((r) => r.s === "") && back.some((r) => r.s === null));
  });

  it("takes a delimiter and gzip, writing nested values as JSON text", async () => {
    const table = richTable(10).select(["i32", "st", "li"]);
    const path = join(dir, "rt.csv.gz");
    await writeCsv(inBatches(table, 4), path, { delimiter: ";" });
    const lines = gunzipSync(readFileSync(path)).toString("utf8").split("\n");
    assert.equal(lines[0], "i32;st;li");
    assert.equal(lines[1], '0;"{""a"":0,""b"":""b0""}";[]');
    const schema = new A.Schema([table.schema.fields[1]!, table.schema.fields[2]!]);
    const back = await collect(await openCsvSource(path, { delimiter: ";", schema }));
    assert.deepEqual(rows(back).map((r) => r.st), rows(table.batches).map((r) => r.st));
    assert.deepEqual(rows(back).map((r) => r.li), rows(table.batches).map((r) => r.li));
  });

  it("rejects batches whose columns change, and glob or directory targets", async () => {
    const mixed = [...richTable(5).select(["i32"]).batches, ...richTable(5).select(["s"]).batches];
    await assert.rejects(writeCsv(mixed, join(dir, "mixed.csv")), /different columns/);
    assert.ok(!existsSync(join(dir, "mixed.csv")));
    await assert.rejects(writeJson([], join(dir, "*.jsonl")), /without glob characters/);
  });
});
