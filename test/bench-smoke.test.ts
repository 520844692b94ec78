// Smoke test for test/bench/ (which the test runner skips): every registered benchmark runs at size small, the
// dispatcher rejects unknown names, the take benchmark's sides return exactly the rows asked for, the table
// benchmark reports every case and computes its added columns right, and the vector benchmark reports every method
// with exact search exact and indexed search close to it.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type * as arrow from "apache-arrow";
import { INDEX_KINDS } from "../index/kinds.js";
import { loadFashionMnist } from "./bench/data/fashion-mnist.js";
import { BENCHMARKS } from "./bench/registry.js";
import { fnv1aHashes, l2Norms, TAKE_SIZES } from "./bench/table.js";
import { LanceDbSide } from "./bench/sides/lancedb.js";
import { ParquetDuckDbSide } from "./bench/sides/parquet-duckdb.js";
import type { ColumnChunk } from "./bench/sides/table-side.js";
import { TesseraFileSide } from "./bench/sides/tessera-file.js";
import { EF_SWEEP, type MethodResult } from "./bench/vector.js";

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

type Timings = Record<string, { medianMs: number }>;

/** The table benchmark measured every case on its sides, and they agreed (it throws on wrong rows itself). */
function checkTableReport(report: Record<string, unknown>): void {
  const positive = (timings: Timings, sides: string[]): void => {
    assert.deepEqual(Object.keys(timings).sort(), [...sides].sort());
    assert.ok(Object.values(timings).every((t) => t.medianMs > 0));
  };
  const both = ["lancedb", "tessera"];
  const create = report.create as { timings: Timings; diskBytes: Record<string, number> };
  positive(create.timings, both);
  assert.ok(create.diskBytes.tessera! > 0 && create.diskBytes.lancedb! > 0);

  const takes = report.take as { rowsPerTake: number; timings: Timings; io: { requests: number } }[];
  assert.deepEqual(takes.map((t) => t.rowsPerTake), [...TAKE_SIZES]);
  for (const t of takes) {
    positive(t.timings, both);
    assert.ok(t.io.requests >= 1, "Tessera's store counters were read");
  }

  const scan = report.scan as { timings: Timings; rows: Record<string, number> };
  positive(scan.timings, ["duckdb", "lancedb", "tessera"]);
  const counts = Object.values(scan.rows);
  assert.equal(counts.length, 3);
  assert.ok(counts[0]! > 0 && counts.every((n) => n === counts[0]), `scan row counts ${JSON.stringify(scan.rows)}`);

  const adds = report.addColumns as {
    column: string;
    timings: Timings;
    tesseraBytesWritten: number;
    tesseraColumnBytes: number;
    lancedbBytesWritten: number;
    tableBytes: number;
  }[];
  assert.deepEqual(adds.map((a) => a.column), ["png_fnv1a", "vector_norm"]);
  for (const a of adds) {
    positive(a.timings, both);
    assert.ok(a.tesseraColumnBytes > 0 && a.tesseraBytesWritten >= a.tesseraColumnBytes, "Tessera wrote the new data file");
    assert.ok(a.tesseraBytesWritten < a.tableBytes / 10, "Tessera did not rewrite the table");
    assert.ok(a.lancedbBytesWritten > 0);
  }

  const versions = report.versions as { timings: Timings }[];
  assert.equal(versions.length, 3);
  for (const v of versions) positive(v.timings, both);
  assert.equal((report.targets as unknown[]).length, 5);
}

/** The vector benchmark ran every method and setting, exact search found the true neighbours, and HNSW got close. */
function checkVectorReport(report: Record<string, unknown>): void {
  const methods = report.methods as MethodResult[];
  const name = (m: MethodResult): string => `${m.system} ${m.index}${m.variant === undefined ? "" : " (variant)"}`;
  const expected = ["hnswlib hnsw", "lancedb flat", "lancedb ivf_hnsw_sq", "lancedb ivf_pq", "tessera flat", "tessera hnsw"];
  if ("ivf_pq" in INDEX_KINDS) expected.push("tessera ivf_pq");
  assert.deepEqual(methods.map(name).filter((n) => !n.endsWith("(variant)")).sort(), expected.sort());
  assert.ok((report.groundTruth as { ms: number }).ms > 0);
  for (const m of methods) {
    assert.ok(m.settings.length >= 1, `${name(m)} has settings`);
    if (m.index !== "flat") assert.ok(m.buildMs > 0, `${name(m)} build was timed`);
    for (const s of m.settings) {
      assert.ok(s.qps > 0 && s.p50Ms > 0 && s.firstPassQps > 0, `${name(m)} ${s.label} was timed`);
      assert.ok(s.recall >= 0 && s.recall <= 1, `${name(m)} ${s.label} recall ${s.recall}`);
      if (m.index === "flat") assert.equal(s.recall, 1, `${name(m)} is exact`);
    }
  }
  const hnsw = (system: string): MethodResult => methods.find((m) => m.system === system && m.index === "hnsw")!;
  for (const system of ["tessera", "hnswlib"]) assert.deepEqual(hnsw(system).settings.map((s) => s.knobs.ef), [...EF_SWEEP]);
  // Tessera's HNSW is hnswlib's graph built with the same parameters and seed: Table.search must not lose recall.
  hnsw("tessera").settings.forEach((s, i) => {
    const raw = hnsw("hnswlib").settings[i]!.recall;
    assert.ok(s.recall >= raw - 0.02, `Tessera HNSW ${s.label}: recall ${s.recall}, raw hnswlib ${raw}`);
  });
  for (const m of methods.filter((x) => x.index === "hnsw" || x.index === "ivf_hnsw_sq")) {
    assert.ok(m.settings.at(-1)!.recall >= 0.95, `${name(m)} at the largest ef: recall ${m.settings.at(-1)!.recall}`);
  }
  for (const m of methods.filter((x) => x.index === "ivf_pq")) {
    const recall = Math.max(...m.settings.map((s) => s.recall));
    assert.ok(recall >= 0.95, `${name(m)}: best recall ${recall}`);
  }
  assert.equal((report.targets as unknown[]).length, 5);
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
      if (name === "table") checkTableReport(report);
      if (name === "vector") checkVectorReport(report);
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

describe("table benchmark column functions", () => {
  const binary = (values: number[][]): ColumnChunk => {
    const offsets = new Int32Array(values.length + 1);
    values.forEach((v, i) => (offsets[i + 1] = offsets[i]! + v.length));
    return { length: values.length, values: Uint8Array.from(values.flat()), valueOffsets: offsets, children: [] };
  };

  it("fnv1aHashes gives 32-bit FNV-1a of each value, across chunks", () => {
    // Reference values of FNV-1a 32: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    const foobar = [..."foobar"].map((c) => c.charCodeAt(0));
    const hashes = fnv1aHashes([binary([[], [0x61]]), binary([foobar])]);
    assert.deepEqual(Array.from(hashes), [0x811c9dc5, 0xe40c292c, 0xbf9cf968]);
  });

  it("l2Norms gives each vector's norm, for sliced chunks too", () => {
    const child = (values: number[]): ColumnChunk => ({ length: values.length, values: Float32Array.from(values), children: [] });
    const norms = l2Norms([
      { length: 2, values: new Float32Array(0), children: [child([3, 4, 0, 0])] },
      { length: 1, values: new Float32Array(0), children: [child([1, 2])] },
    ]);
    assert.deepEqual(Array.from(norms), [5, 0, Math.fround(Math.sqrt(5))]);
  });
});
