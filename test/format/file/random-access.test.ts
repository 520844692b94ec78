// Random access reads only what the asked rows need: counts of ranges and bytes, footer read once, nearby rows
// sharing reads, and page statistics letting a scan skip pages.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { DataFileReader } from "../../../format/file/reader.js";
import { writeDataFile } from "../../../format/file/writer.js";
import { MemoryStore } from "../../../format/store/memory.js";
import { plainRows, vectorType } from "../../support/arrow-arbitrary.js";

const N = 20_000;
const DIM = 64;

function makeTable(): A.Table {
  const id = A.makeVector(Int32Array.from({ length: N }, (_, i) => i));
  const label = A.makeVector(Int8Array.from({ length: N }, (_, i) => i % 10));
  const name = A.vectorFromArray(
    Array.from({ length: N }, (_, i) => (i % 11 === 0 ? null : `item-${i}`)),
    new A.Utf8(),
  );
  const blob = A.vectorFromArray(
    Array.from({ length: N }, (_, i) => (i % 13 === 0 ? null : new Uint8Array(200 + (i % 300)).fill(i % 251))),
    new A.Binary(),
  );
  const values = Float32Array.from({ length: N * DIM }, (_, i) => Math.sin(i));
  const vec = A.makeVector(
    A.makeData({
      type: vectorType(DIM),
      length: N,
      child: A.makeData({ type: new A.Float32(), length: N * DIM, data: values }),
    }),
  );
  return new A.Table({ id, label, name, blob, vec });
}

async function setup(): Promise<{ store: MemoryStore; reader: DataFileReader; table: A.Table }> {
  const store = new MemoryStore(`random-access-${Math.random()}`);
  const table = makeTable();
  await writeDataFile(store, "t.tsf", table, { pageBytes: 256 * 1024, maxPageRows: 4096 });
  store.resetStats();
  const reader = await DataFileReader.open(store, "t.tsf");
  return { store, reader, table };
}

describe("data file random access", () => {
  it("opens with two requests (size, then tail) and one with a known size", async () => {
    const { store, reader } = await setup();
    assert.equal(store.stats.requests, 2);
    store.resetStats();
    await DataFileReader.open(store, "t.tsf", { size: reader.size });
    assert.equal(store.stats.requests, 1);
  });

  it("asks at most one range per row for fixed-width and chunked columns, two for variable ones", async () => {
    const { store, reader, table } = await setup();
    const rows = [17, 19_999, 3, 10_000, 5_555, 12];
    const budget: Record<string, number> = { id: 1, label: 1, name: 1, vec: 1, blob: 2 };
    for (const [col, perRow] of Object.entries(budget)) {
      store.resetStats();
      const got = await reader.take(rows, { columns: [col] });
      assert.ok(
        store.stats.rangesRequested <= perRow * rows.length,
        `${col}: ${store.stats.rangesRequested} ranges for ${rows.length} rows`,
      );
      const one = table.select([col]);
      const expected = plainRows(rows.flatMap((r) => one.slice(r, r + 1).batches));
      assert.deepEqual(plainRows(got), expected, col);
    }
  });

  it("reads about the bytes of the asked rows, not whole pages", async () => {
    const { store, reader } = await setup();
    store.resetStats();
    await reader.take([5, 9_000, 18_000], { columns: ["vec"] });
    const record = DIM * 4 + 8;
    assert.equal(store.stats.bytesRead, 3 * record, "three vector records, nothing else");
    store.resetStats();
    await reader.take([5, 9_000, 18_000], { columns: ["blob"] });
    assert.ok(store.stats.bytesRead < 3 * (16 + 4 + 500), `blob take read ${store.stats.bytesRead} bytes`);
  });

  it("lets nearby rows share reads", async () => {
    const { store, reader } = await setup();
    store.resetStats();
    const rows = Array.from({ length: 100 }, (_, i) => 1000 + i);
    await reader.take(rows, { columns: ["id", "label", "name"] });
    // Adjacent rows fall in the same chunks: a handful of chunk ranges, not 300.
    assert.ok(store.stats.rangesRequested <= 12, `ranges asked: ${store.stats.rangesRequested}`);
  });

  it("exposes page statistics that let a scan skip pages", async () => {
    const { store, reader } = await setup();
    const pages = reader.pageInfo("id");
    assert.ok(pages.length > 1, "several pages");
    assert.deepEqual(
      pages.map((p) => [p.stats.min, p.stats.max]),
      pages.map((p) => [p.rowStart, p.rowStart + p.rows - 1]),
    );
    // id >= 15000: keep only pages whose max reaches it.
    const keep = pages.filter((p) => (p.stats.max as number) >= 15_000).map((p) => [p.rowStart, p.rowStart + p.rows] as const);
    store.resetStats();
    let seen = 0;
    let matched = 0;
    for await (const b of reader.scan({ columns: ["id", "vec"], rowRanges: keep })) {
      const ids = b.getChild("id")!;
      for (let i = 0; i < b.numRows; i++) if ((ids.get(i) as number) >= 15_000) matched++;
      seen += b.numRows;
    }
    assert.equal(matched, 5_000);
    assert.ok(seen < N / 2, `scanned ${seen} rows`);
    const full = reader.size;
    assert.ok(store.stats.bytesRead < full / 2, `read ${store.stats.bytesRead} of ${full} bytes`);
  });

  it("keeps string and null statistics", async () => {
    const { reader } = await setup();
    const p = reader.pageInfo("name")[0]!;
    assert.ok(p.stats.nullCount > 0);
    assert.equal(typeof p.stats.min, "string");
    const blob = reader.pageInfo("blob")[0]!;
    assert.equal(blob.stats.min, undefined, "no min/max for binary");
  });

  it("rejects rows out of range and unknown columns with clear errors", async () => {
    const { reader } = await setup();
    await assert.rejects(reader.take([N]), /row 20000 is out of range .* 20000 rows/);
    await assert.rejects(reader.take([-1]), /row -1 is out of range/);
    await assert.rejects(reader.take([0], { columns: ["nope"] }), /no column "nope" .* columns are: id, label, name, blob, vec/);
  });
});
