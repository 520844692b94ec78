// Vector search through the Table: exact and indexed results against brute force, results right after appends and
// deletes, prefilter/postfilter, persistence across handles (memory, local disk, S3), compaction, metrics, errors.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { CommitConflictError } from "../../format/errors.js";
import { distance, type Metric } from "../../index/distance.js";
import type { IndexProgress } from "../../index/manage.js";
import { forgetLoadedIndexes, Table } from "../../index/table.js";
import { startS3Server, type S3Server } from "../support/s3-server.js";

const DIM = 24;
let seed = 11;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const centers = Array.from({ length: 12 }, () => Float32Array.from({ length: DIM }, () => rnd() * 8 - 4));

/** Clustered rows: id, label (= cluster), vec. */
function data(start: number, n: number): A.Table {
  const vecs = new Float32Array(n * DIM);
  const label = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const c = (start + i) % centers.length;
    label[i] = c;
    for (let j = 0; j < DIM; j++) vecs[i * DIM + j] = centers[c]![j]! + (rnd() - 0.5) * 2;
  }
  const vec = A.makeVector(
    A.makeData({
      type: new A.FixedSizeList(DIM, new A.Field("item", new A.Float32(), false)),
      length: n,
      child: A.makeData({ type: new A.Float32(), length: n * DIM, data: vecs }),
    }),
  );
  return new A.Table({ id: A.makeVector(Int32Array.from({ length: n }, (_, i) => start + i)), label: A.makeVector(label), vec });
}

/** Brute-force k nearest ids over the table's current rows (optionally filtered). */
async function truth(t: Table, q: Float32Array, k: number, metric: Metric, keep: (row: { id: number; label: number }) => boolean = () => true): Promise<number[]> {
  const all = await t.toArrow({ columns: ["id", "label", "vec"] });
  const scored: [number, number][] = [];
  for (const r of all) {
    const row = { id: r.id as number, label: r.label as number };
    if (!keep(row)) continue;
    scored.push([distance(metric, q, (r.vec as A.Vector).toArray() as Float32Array), row.id]);
  }
  return scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, k).map((s) => s[1]);
}

function ids(result: A.Table): number[] {
  return [...result.getChild("id")!] as number[];
}

function query(i: number): Float32Array {
  return Float32Array.from({ length: DIM }, (_, j) => centers[i % centers.length]![j]! + Math.sin(i + j) * 0.7);
}

let n = 0;
const mem = (): string => `memory://search-${process.pid}-${n++}/t`;

describe("vector search", () => {
  for (const metric of ["l2", "cosine", "dot"] as const) {
    it(`exact search matches brute force (${metric})`, async () => {
      const t = await Table.create(mem(), data(0, 1500));
      await t.createIndex("vec", { type: "flat", metric });
      for (let i = 0; i < 5; i++) {
        const q = query(i);
        const got = await t.search(q, { k: 10, columns: ["id"] });
        assert.deepEqual(ids(got), await truth(t, q, 10, metric));
        const dist = [...got.getChild("_distance")!] as number[];
        assert.deepEqual(dist, [...dist].sort((a, b) => a - b), "nearest first");
      }
    });
  }

  it("HNSW finds the true neighbours (recall ≥ 0.95) and returns _rowid and _distance", async () => {
    const t = await Table.create(mem(), data(0, 3000));
    await t.createIndex("vec", { type: "hnsw", metric: "l2", m: 16, efConstruction: 100 });
    let hit = 0;
    for (let i = 0; i < 20; i++) {
      const q = query(i);
      const got = await t.search(q, { k: 10, ef: 64 });
      assert.deepEqual(got.schema.fields.map((f) => f.name), ["id", "label", "vec", "_rowid", "_distance"]);
      const want = new Set(await truth(t, q, 10, "l2"));
      hit += ids(got).filter((x) => want.has(x)).length;
    }
    assert.ok(hit / 200 >= 0.95, `recall ${hit / 200}`);
  });

  it("rows appended after the index are found at once, and optimizeIndices covers them", async () => {
    const t = await Table.create(mem(), data(0, 1200));
    await t.createIndex("vec", { type: "hnsw" });
    await t.append(data(1200, 300));
    assert.equal((await t.listIndices())[0]!.unindexedRows, 300);
    const q = query(3);
    assert.deepEqual(ids(await t.search(q, { k: 10, ef: 200 })), await truth(t, q, 10, "l2"));
    const before = (await t.listIndices())[0]!;
    await t.optimizeIndices();
    const info = (await t.listIndices())[0]!;
    assert.equal(info.unindexedRows, 0);
    assert.equal(info.indexedRows, before.indexedRows + 300);
    assert.deepEqual(ids(await t.search(q, { k: 10, ef: 200 })), await truth(t, q, 10, "l2"));
  });

  it("deleted rows never appear; compaction keeps results right", async () => {
    const t = await Table.create(mem(), data(0, 600));
    await t.append(data(600, 600));
    await t.createIndex("vec", { type: "hnsw" });
    const q = query(5);
    const first = ids(await t.search(q, { k: 10, ef: 200 }));
    await t.delete(`id IN (${first.slice(0, 5).join(", ")})`);
    const after = ids(await t.search(q, { k: 10, ef: 200 }));
    assert.ok(first.slice(0, 5).every((x) => !after.includes(x)));
    assert.deepEqual(after, await truth(t, q, 10, "l2"));
    await t.compact({ targetRowsPerFragment: 5000 });
    assert.deepEqual(ids(await t.search(q, { k: 10, ef: 200 })), await truth(t, q, 10, "l2"));
  });

  for (const type of ["hnsw", "ivf_pq"] as const) {
    it(`${type}: a partial compaction retires the rewritten fragments; optimizeIndices drops their old rows`, async () => {
      const uri = mem();
      const t = await Table.create(uri, data(0, 1200));
      await t.append(data(1200, 100));
      await t.append(data(1300, 100));
      const params = type === "hnsw" ? { type } : { type, partitions: 8, subVectors: 6 };
      await t.createIndex("vec", params);
      const right = async (table: Table, what: string): Promise<void> => {
        for (let i = 0; i < 6; i++) {
          const q = query(i);
          assert.deepEqual(ids(await table.search(q, { k: 10, ef: 200, nprobes: 8 })), await truth(table, q, 10, "l2"), `${what}, query ${i}`);
        }
      };
      // Only the two small fragments are merged: the index still covers fragment 0 and holds their old row ids.
      await t.compact({ targetRowsPerFragment: 500 });
      assert.deepEqual([t.currentManifest.indices[0]!.fragments, t.currentManifest.indices[0]!.retired], [[0], [1, 2]]);
      await right(t, "after the compaction");
      await t.optimizeIndices();
      const ref = t.currentManifest.indices[0]!;
      assert.deepEqual([ref.fragments, ref.retired], [[0, 3], undefined]);
      assert.equal((await t.listIndices())[0]!.indexedRows, 1400);
      await right(t, "after optimizeIndices");
      // Reloaded from its files: every row once, none of the dropped ids, with no filter left to hide them.
      forgetLoadedIndexes();
      const reopened = await Table.open(uri);
      await right(reopened, "reloaded");
      const all = await reopened.search(query(0), { k: 1400, ef: 1400, nprobes: 8, refineFactor: 1 });
      assert.deepEqual(ids(all).sort((a, b) => a - b), Array.from({ length: 1400 }, (_, i) => i));
    });
  }

  it("a search of an older version while optimizeIndices extends the graph sees the old graph, unchanged", async () => {
    const t = await Table.create(mem(), data(0, 800));
    await t.append(data(800, 100));
    await t.append(data(900, 100));
    await t.createIndex("vec", { type: "hnsw" });
    const indexed = await t.checkout(t.version);
    const q = query(2);
    const expected = await truth(indexed, q, 10, "l2");
    assert.deepEqual(ids(await indexed.search(q, { k: 10, ef: 200 })), expected); // the graph is loaded and cached
    await t.compact({ targetRowsPerFragment: 500 });
    let during: Promise<A.Table> | undefined;
    await t.optimizeIndices({ onProgress: () => (during ??= indexed.search(q, { k: 10, ef: 200 })) });
    assert.ok(during !== undefined);
    assert.deepEqual(ids(await during), expected);
  });

  it("optimizeIndices refuses to commit over a compaction that retired fragments meanwhile; run again, it succeeds", async () => {
    const uri = mem();
    const a = await Table.create(uri, data(0, 800));
    await a.append(data(800, 50));
    await a.append(data(850, 50));
    await a.createIndex("vec", { type: "hnsw" });
    await a.append(data(900, 50));
    const b = await Table.open(uri); // sees the index covering 0..2, fragment 3 not yet indexed
    await a.compact({ targetRowsPerFragment: 400 }); // retires 1 and 2 while b works from the older version
    await assert.rejects(b.optimizeIndices(), (e: unknown) => e instanceof CommitConflictError && /changed while it was extended/.test(e.message));
    const c = await Table.open(uri);
    await c.optimizeIndices();
    assert.deepEqual(c.currentManifest.indices[0]!.retired, undefined);
    const q = query(3);
    assert.deepEqual(ids(await c.search(q, { k: 10, ef: 200 })), await truth(c, q, 10, "l2"));
  });

  it("prefilter returns k matching rows even for a selective filter; postfilter may return fewer and says so", async () => {
    const t = await Table.create(mem(), data(0, 2400));
    await t.createIndex("vec", { type: "hnsw" });
    const q = query(0); // near cluster 0
    const pre = await t.search(q, { k: 10, filter: "label = 7 AND id < 600", columns: ["id", "label"] });
    assert.equal(pre.numRows, 10);
    assert.ok(([...pre.getChild("label")!] as number[]).every((l) => l === 7));
    assert.deepEqual(ids(pre), await truth(t, q, 10, "l2", (r) => r.label === 7 && r.id < 600));
    const post = await t.search(q, { k: 10, filter: "label = 7", prefilter: false, columns: ["id", "label"] });
    assert.ok(post.numRows < 10);
    assert.match(post.schema.metadata.get("tessera:search") ?? "", /postfilter/);
  });

  it("IVF-PQ with exact re-ranking finds the true neighbours; appended rows are found, then indexed", async () => {
    const t = await Table.create(mem(), data(0, 4000));
    await t.createIndex("vec", { type: "ivf_pq", metric: "l2", partitions: 16, subVectors: 6 });
    const recall = async (): Promise<number> => {
      let hit = 0;
      for (let i = 0; i < 20; i++) {
        const q = query(i);
        const want = new Set(await truth(t, q, 10, "l2"));
        hit += ids(await t.search(q, { k: 10, nprobes: 8, refineFactor: 10, columns: ["id"] })).filter((x) => want.has(x)).length;
      }
      return hit / 200;
    };
    assert.ok((await recall()) >= 0.95);
    await t.append(data(4000, 500));
    assert.equal((await t.listIndices())[0]!.unindexedRows, 500);
    assert.ok((await recall()) >= 0.95);
    await t.optimizeIndices();
    assert.equal((await t.listIndices())[0]!.unindexedRows, 0);
    assert.ok((await recall()) >= 0.95);
    const files = (await t.store.list("_indices/")).map((o) => o.path.split("/").pop());
    assert.deepEqual(files, ["ivfpq.idx", "ivfpq.idx"], "the optimized index is a new file; the old one stays for old versions");
  });

  it("checks dimensions and columns", async () => {
    const t = await Table.create(mem(), data(0, 50));
    await assert.rejects(t.search(new Float32Array(3)), /query vector has 3 dimensions but column "vec" has 24/);
    await assert.rejects(t.createIndex("label", { type: "hnsw" }), /column "label" is Int8; vector search needs a fixed-size list of float32/);
    await assert.rejects(t.dropIndex("nope"), /no index "nope"/);
    await assert.rejects(t.search(query(0), { k: 0 }), /k must be a positive integer/);
  });

  it("an index built at an older version still serves later versions; dropIndex falls back to exact search", async () => {
    const t = await Table.create(mem(), data(0, 800));
    await t.createIndex("vec", { type: "hnsw", metric: "cosine" });
    await t.append(data(800, 10));
    const q = query(2);
    assert.deepEqual(ids(await t.search(q, { k: 5, ef: 200 })), await truth(t, q, 5, "cosine"));
    await t.dropIndex("vec_idx");
    assert.deepEqual(await t.listIndices(), []);
    assert.deepEqual(ids(await t.search(q, { k: 5, metric: "cosine" })), await truth(t, q, 5, "cosine"));
  });
});

describe("index persistence", () => {
  let dir: string;
  let server: S3Server;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-index-"));
    server = await startS3Server();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await server.close();
  });

  for (const where of ["local", "s3"] as const) {
    it(`an index saved on ${where} is loaded by a fresh handle and gives the same results`, async () => {
      const uri = where === "local" ? join(dir, `t-${n++}`) : `s3://idx/t-${n++}`;
      const storage = where === "s3" ? server.storageOptions() : {};
      const t = await Table.create(uri, data(0, 1000), { storage });
      await t.createIndex("vec", { type: "hnsw", name: "emb" });
      const q = query(4);
      const want = ids(await t.search(q, { k: 8, ef: 100 }));
      const objects = (await t.store.list("_indices/")).map((o) => o.path.split("/").pop());
      assert.deepEqual(objects.sort(), ["hnsw.bin", "ids.bin"]);
      forgetLoadedIndexes(); // the fresh handle must read the index from storage
      const fresh = await Table.open(uri, { storage });
      assert.equal((await fresh.listIndices())[0]!.name, "emb");
      assert.deepEqual(ids(await fresh.search(q, { k: 8, ef: 100 })), want);
      // cleanup keeps the index files of the versions it keeps
      await fresh.cleanup({ olderThan: new Date(Date.now() + 1000), gracePeriodMs: 0 });
      assert.equal((await fresh.store.list("_indices/")).length, 2);
    });
  }
});

describe("index persistence: extending a loaded index", () => {
  it("optimizeIndices on an HNSW index read from storage keeps every new row id", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-index-"));
    try {
      const uri = join(dir, "t");
      const t = await Table.create(uri, data(0, 300));
      await t.createIndex("vec", { type: "hnsw" });
      forgetLoadedIndexes(); // as in a new process: the graph and ids.bin come from disk
      const other = await Table.open(uri);
      await other.append(data(300, 40));
      await other.optimizeIndices();
      forgetLoadedIndexes();
      const fresh = await Table.open(uri);
      assert.deepEqual(
        (await fresh.listIndices()).map((i) => [i.indexedRows, i.unindexedRows]),
        [[340, 0]],
      );
      const q = query(7);
      assert.deepEqual(ids(await fresh.search(q, { k: 8, ef: 200 })), await truth(fresh, q, 8, "l2"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("search results", () => {
  it("with columns: [] returns only _rowid and _distance", async () => {
    const t = await Table.create(mem(), data(0, 300));
    const got = await t.search(query(1), { k: 4, columns: [] });
    assert.deepEqual(got.schema.fields.map((f) => f.name), ["_rowid", "_distance"]);
    const full = await t.search(query(1), { k: 4, columns: ["id"] });
    assert.deepEqual([...got.getChild("_rowid")!], [...full.getChild("_rowid")!]);
    assert.deepEqual([...got.getChild("_distance")!], [...full.getChild("_distance")!]);
  });
});

describe("progress of index builds and extensions", () => {
  /** Checks one phase's reports: start at 0, never go back, end at the total. */
  const phaseEnds = (events: IndexProgress[], phase: string, total: number): void => {
    const mine = events.filter((e) => e.phase === phase);
    assert.ok(mine.length >= 2, `${phase}: ${mine.length} reports`);
    assert.equal(mine[0]!.rows, 0);
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i]!.rows >= mine[i - 1]!.rows, `${phase} never goes back`);
    assert.ok(mine.every((e) => e.totalRows === total), `${phase} total ${total}`);
    assert.equal(mine.at(-1)!.rows, total);
  };

  it("HNSW reports one build pass in small steps, and builds the same graph as without a listener", async () => {
    const rows = data(0, 5000);
    const plain = await Table.create(mem(), rows);
    const watched = await Table.create(mem(), rows);
    await plain.delete("id < 100"); // deleted rows are scanned (and counted) but not indexed
    await watched.delete("id < 100");
    const events: IndexProgress[] = [];
    await plain.createIndex("vec", { type: "hnsw", m: 8, seed: 3 });
    await watched.createIndex("vec", { type: "hnsw", m: 8, seed: 3, onProgress: (p) => events.push(p) });
    assert.deepEqual([...new Set(events.map((e) => e.phase))], ["build"]);
    assert.ok(events.every((e) => e.index === "vec_idx"));
    phaseEnds(events, "build", 5000);
    assert.ok(events.length >= 4, `reports come in steps smaller than the usual chunk: ${events.length}`);
    // The listener is not a build parameter: nothing of it reaches the manifest.
    assert.deepEqual(watched.currentManifest.indices[0]!.detail, plain.currentManifest.indices[0]!.detail);
    assert.equal((await watched.listIndices())[0]!.indexedRows, 4900);
    for (let i = 0; i < 5; i++) {
      const [a, b] = await Promise.all([plain.search(query(i), { k: 10, ef: 16 }), watched.search(query(i), { k: 10, ef: 16 })]);
      assert.deepEqual(ids(b), ids(a), `query ${i}: same graph`);
    }
  });

  it("IVF-PQ reports its sampling pass, then its encoding pass", async () => {
    const t = await Table.create(mem(), data(0, 3000));
    const events: IndexProgress[] = [];
    await t.createIndex("vec", { type: "ivf_pq", partitions: 4, subVectors: 4, name: "ivf", onProgress: (p) => events.push(p) });
    assert.deepEqual([...new Set(events.map((e) => e.phase))], ["sample", "encode"]);
    phaseEnds(events, "sample", 3000);
    phaseEnds(events, "encode", 3000);
    assert.ok(events.every((e) => e.index === "ivf"));
  });

  it("optimizeIndices reports the rows each index is extended with", async () => {
    const t = await Table.create(mem(), data(0, 1000));
    await t.createIndex("vec", { type: "hnsw", m: 8 });
    await t.append(data(1000, 700));
    await t.append(data(1700, 300));
    const events: IndexProgress[] = [];
    await t.optimizeIndices({ onProgress: (p) => events.push(p) });
    phaseEnds(events, "extend", 1000);
    assert.equal((await t.listIndices())[0]!.indexedRows, 2000);
    events.length = 0;
    await t.optimizeIndices({ onProgress: (p) => events.push(p) });
    assert.deepEqual(events, [], "nothing to extend, nothing reported");
  });
});
