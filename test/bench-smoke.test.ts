// Smoke test for test/bench/ (which the test runner skips): every registered benchmark runs at size small, the
// dispatcher rejects unknown names, and the take benchmark's sides return exactly the rows asked for.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type * as arrow from "apache-arrow";
import { loadFashionMnist } from "./bench/data/fashion-mnist.js";
import { BENCHMARKS } from "./bench/registry.js";
import { LanceDbSide } from "./bench/sides/lancedb.js";
import { ParquetDuckDbSide } from "./bench/sides/parquet-duckdb.js";
import { TesseraFileSide } from "./bench/sides/tessera-file.js";

/** Asked out of order, with both ends of the table and a duplicate. */
const OFFSETS = [1999, 0, 5, 777, 1024, 5, 1500];

/** The row's values in plain comparable form. */
function rowOf(table: arrow.Table, i: number): Record<string, unknown> {
  const row = table.get(i)!;
  return {
    id: row.id,
    label: row.label,
    split: row.split,
    png: Array.from(row.png as Uint8Array),
    vector: Array.from((row.vector as arrow.Vector).toArray() as Float32Array),
  };
}

describe("benchmarks at size small", () => {
  for (const name of Object.keys(BENCHMARKS)) {
    it(`${name} runs and reports every case`, async () => {
      const bench = await BENCHMARKS[name]!();
      const report = await bench.run({ size: "small", repeat: 1, print: false, writeResults: false });
      assert.equal(report.name, name);
      assert.equal(report.size, "small");
      if (name === "take") {
        const cases = report.cases as { timings: Record<string, { medianMs: number }>; io: { requests: number } }[];
        assert.equal(cases.length, 6);
        for (const c of cases) {
          assert.deepEqual(Object.keys(c.timings).sort(), ["lancedb", "parquet", "tessera"]);
          assert.ok(Object.values(c.timings).every((t) => t.medianMs > 0));
          assert.ok(c.io.requests >= 1, "Tessera's store counters were read");
        }
      }
    });
  }

  it("the dispatcher lists the benchmarks and exits 2 on an unknown name", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "test/bench/run.ts", "no-such-bench"], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown benchmark: no-such-bench/);
    assert.match(r.stderr, /available: .*take/);
  });
});

describe("take sides return the asked rows", () => {
  let dir: string;
  let table: arrow.Table;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-bench-smoke-"));
    table = (await loadFashionMnist({ size: "small", standIn: true })).table;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("Tessera: every column equals the source, in the order asked", async () => {
    const side = await TesseraFileSide.create(table, join(dir, "tessera"));
    try {
      const taken = await side.takeTable(OFFSETS);
      assert.equal(taken.numRows, OFFSETS.length);
      OFFSETS.forEach((offset, i) => assert.deepEqual(rowOf(taken, i), rowOf(table, offset), `row ${offset}`));
      assert.ok(side.lastStats.requests >= 1 && side.lastStats.bytesRead > 0);

      const pngs = await side.takeTable(OFFSETS, ["png"]);
      assert.deepEqual(pngs.schema.fields.map((f) => f.name), ["png"]);
      OFFSETS.forEach((offset, i) => assert.deepEqual(pngs.get(i)!.png, table.get(offset)!.png, `png of ${offset}`));
    } finally {
      await side.close();
    }
  });

  // Neither keeps the asked order (DuckDB's parallel scan does not even keep file order), so compare by id.
  it("LanceDB and Parquet return the same rows as the source", async () => {
    const distinct = [...new Set(OFFSETS)];
    const sorted = [...distinct].sort((a, b) => a - b);
    const lance = await LanceDbSide.create(table, join(dir, "lancedb"));
    const parquet = await ParquetDuckDbSide.create(table, join(dir, "parquet"), { rowGroupRows: 512 });
    try {
      const fromLance = await lance.takeTable(distinct);
      const lanceRows = distinct.map((_, i) => rowOf(fromLance, i)).sort((a, b) => Number(a.id) - Number(b.id));
      assert.deepEqual(lanceRows, sorted.map((o) => rowOf(table, o)));
      const fromParquet = await parquet.take(distinct, ["id", "label"]);
      assert.deepEqual([...fromParquet.ids!].sort((a, b) => a - b), sorted);
    } finally {
      await lance.close();
      await parquet.close();
    }
  });
});
