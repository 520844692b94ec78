// Property tests: random schemas and data written with random page settings read back identically, by scan
// (any batch size, any row ranges) and by take (any rows, any order, duplicates).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { NotSupportedError } from "../../../format/errors.js";
import { DataFileReader } from "../../../format/file/reader.js";
import { DataFileWriter, writeDataFile, type DataFileWriterOptions } from "../../../format/file/writer.js";
import { MemoryStore } from "../../../format/store/memory.js";
import { arbRows, arbSchema, plainRows, toBatches, vectorType } from "../../support/arrow-arbitrary.js";

const SEED = Number(process.env.TESSERA_PROPERTY_SEED ?? 20261121);
const RUNS = Number(process.env.TESSERA_PROPERTY_RUNS ?? 60);

let fileNo = 0;
function newStore(): { store: MemoryStore; path: string } {
  return { store: new MemoryStore(`roundtrip-${process.pid}-${fileNo}`), path: `f${fileNo++}.tsf` };
}

const arbOptions: fc.Arbitrary<DataFileWriterOptions> = fc.record({
  pageBytes: fc.constantFrom(16, 200, 4096, 1 << 20),
  maxPageRows: fc.constantFrom(1, 3, 17, 65536),
  largeValueBytes: fc.constantFrom(1, 16, 128, 1 << 30),
  compression: fc.constantFrom("auto" as const, "none" as const),
});

const arbCase = arbSchema(2).chain((schema) =>
  fc.record({
    schema: fc.constant(schema),
    rows: arbRows(schema, 50),
    cuts: fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 4 }),
    options: arbOptions,
    batchSize: fc.integer({ min: 1, max: 70 }),
    takeSeed: fc.array(fc.nat(), { maxLength: 30 }),
  }),
);

describe("data file round trip", () => {
  it("scan returns exactly what was written, for random schemas, data and page settings", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ schema, rows, cuts, options, batchSize }) => {
        const { store, path } = newStore();
        const batches = toBatches(schema, rows, cuts);
        const summary = await writeDataFile(store, path, batches, { ...options, schema });
        assert.equal(summary.rows, rows.length);
        const reader = await DataFileReader.open(store, path);
        assert.equal(reader.numRows, rows.length);
        assert.ok(A.util.compareSchemas(reader.schema, schema), "schema survives");
        const got: A.RecordBatch[] = [];
        for await (const b of reader.scan({ batchSize })) {
          assert.ok(b.numRows <= batchSize);
          got.push(b);
        }
        assert.deepEqual(plainRows(got), plainRows(batches));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("take returns the asked rows in the asked order, duplicates included", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ schema, rows, cuts, options, takeSeed }) => {
        fc.pre(rows.length > 0);
        const { store, path } = newStore();
        const batches = toBatches(schema, rows, cuts);
        await writeDataFile(store, path, batches, { ...options, schema });
        const reader = await DataFileReader.open(store, path);
        const asked = takeSeed.map((x) => x % rows.length);
        const expected = plainRows(batches);
        const got = plainRows(await reader.take(asked));
        assert.deepEqual(got, asked.map((i) => expected[i]));
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it("scans row ranges and projections", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbCase,
        fc.array(fc.tuple(fc.nat(60), fc.nat(60)), { maxLength: 4 }),
        async ({ schema, rows, cuts, options, batchSize }, rawRanges) => {
          const { store, path } = newStore();
          const batches = toBatches(schema, rows, cuts);
          await writeDataFile(store, path, batches, { ...options, schema });
          const reader = await DataFileReader.open(store, path);
          const ranges = rawRanges.map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
          const keep = new Set<number>();
          for (const [a, b] of ranges) for (let i = a; i < Math.min(b, rows.length); i++) keep.add(i);
          const last = schema.fields.at(-1)!.name;
          const got: A.RecordBatch[] = [];
          for await (const b of reader.scan({ batchSize, rowRanges: ranges, columns: [last] })) got.push(b);
          const full = new A.Table(batches).select([last]);
          const expected = plainRows(full).filter((_, i) => keep.has(i));
          assert.deepEqual(plainRows(got), expected);
        },
      ),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });

  it("writes and reads a file with zero rows", async () => {
    const { store, path } = newStore();
    const schema = new A.Schema([new A.Field("v", vectorType(4), true), new A.Field("s", new A.Utf8(), true)]);
    const w = await DataFileWriter.create(store, path, schema);
    const s = await w.finish();
    assert.equal(s.rows, 0);
    const r = await DataFileReader.open(store, path);
    assert.equal(r.numRows, 0);
    assert.equal((await r.toArrow()).numRows, 0);
    assert.equal((await r.take([])).numRows, 0);
    assert.ok(A.util.compareSchemas(r.schema, schema));
  });

  it("keeps schema and field metadata", async () => {
    const { store, path } = newStore();
    const field = new A.Field("img", new A.Binary(), true, new Map([["tessera:type", "image"]]));
    const schema = new A.Schema([field], new Map([["origin", "test"]]));
    const batch = toBatches(schema, [[new Uint8Array([1, 2])], [null]], [])[0]!;
    await writeDataFile(store, path, [batch], { schema });
    const r = await DataFileReader.open(store, path);
    assert.equal(r.schema.metadata.get("origin"), "test");
    assert.equal(r.schema.fields[0]!.metadata.get("tessera:type"), "image");
  });

  it("round-trips values of several megabytes", async () => {
    const { store, path } = newStore();
    const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
    const schema = new A.Schema([new A.Field("b", new A.Binary(), true)]);
    const batch = toBatches(schema, [[big], [null], [new Uint8Array([9])]], [])[0]!;
    await writeDataFile(store, path, [batch], { schema, pageBytes: 1024 });
    const r = await DataFileReader.open(store, path);
    const got = await r.take([2, 0]);
    assert.deepEqual(got.getChild("b")!.get(0), new Uint8Array([9]));
    assert.deepEqual(Buffer.compare(got.getChild("b")!.get(1) as Uint8Array, big), 0);
  });
});

describe("data file encodings and types", () => {
  it("keeps the fixed-record layout for vectors with null rows", async () => {
    const { store, path } = newStore();
    const type = vectorType(64);
    const rows = Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? null : Array.from({ length: 64 }, (_, j) => i + j)));
    const vec = A.vectorFromArray(rows, type);
    const s = await writeDataFile(store, path, new A.Table({ vec }));
    assert.deepEqual([...new Set(s.metadata.columns[0]!.pages.map((p) => p.layout))], ["fixed"]);
    const r = await DataFileReader.open(store, path);
    const got = await r.take([3, 4]);
    assert.equal(got.getChild("vec")!.get(0), null);
    assert.deepEqual([...(got.getChild("vec")!.get(1) as A.Vector)], rows[4]);
  });

  it("bit-packs integers and dictionary-encodes repeated strings, and both read back by take and scan", async () => {
    const { store, path } = newStore();
    const n = 20_000;
    const id = A.makeVector(BigInt64Array.from({ length: n }, (_, i) => BigInt(i) + 10n ** 12n));
    const label = A.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : i % 10)), new A.Int8());
    const split = A.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? "test" : "train")), new A.Utf8());
    const table = new A.Table({ id, label, split });
    const s = await writeDataFile(store, path, table);
    // Plain would be 8 + 1 + ~9 bytes a row; packing and dictionaries make it a fraction of that.
    assert.ok(s.bytes < n * 5, `file is ${s.bytes} bytes for ${n} rows`);
    const r = await DataFileReader.open(store, path);
    const rows = [19_999, 0, 13, 12_345, 5];
    assert.deepEqual(plainRows(await r.take(rows)), rows.map((i) => plainRows(table.slice(i, i + 1))[0]));
    assert.deepEqual(plainRows(await r.toArrow({ batchSize: 999 })), plainRows(table));
  });

  it("refuses types it cannot store, naming the column", async () => {
    const { store, path } = newStore();
    const bad = [
      new A.Field("dict", new A.Dictionary(new A.Utf8(), new A.Int32()), true),
      new A.Field("nested", new A.List(new A.Field("item", new A.Interval(A.IntervalUnit.MONTH_DAY_NANO), true)), true),
    ];
    for (const f of bad) {
      await assert.rejects(DataFileWriter.create(store, path, new A.Schema([f])), (err: unknown) => {
        assert.ok(err instanceof NotSupportedError);
        assert.match(err.message, new RegExp(`column "${f.name}"`));
        return true;
      });
    }
  });

  it("rejects a batch whose schema differs from the file's, naming the columns", async () => {
    const { store, path } = newStore();
    const schema = new A.Schema([new A.Field("a", new A.Int32(), true)]);
    const w = await DataFileWriter.create(store, path, schema);
    const other = toBatches(new A.Schema([new A.Field("a", new A.Float32(), true)]), [[1.5]], [])[0]!;
    await assert.rejects(w.write(other), /expected a: Int32; got a: Float32/);
    await assert.rejects(store.head(path), /not found/, "an aborted file leaves nothing behind");
  });
});
