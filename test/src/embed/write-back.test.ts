// Embeddings written back into tables: a merge by _rowid adds only the embedding column's files; an HNSW index
// over it finds each image by its own embedding (local disk and S3); backfill after an append, an update, a
// merge that missed fragments, or with null values computes only the missing rows and writes only their
// fragments' new files; optimizeIndices then brings the index up to date.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { CommitConflictError } from "../../../format/errors.js";
import type { StorageOptions } from "../../../format/store/object-store.js";
import type { Manifest } from "../../../format/table/manifest.js";
import { col } from "../../../src/expr/builders.js";
import { readExtension } from "../../../src/expr/data-type.js";
import { readTable } from "../../../src/read.js";
import { Table } from "../../../src/table.js";
import { embedders } from "../../../src/embed/index.js";
import { embeddingType } from "../../../src/embed/vectors.js";
import { startS3Server, type S3Server } from "../../support/s3-server.js";
import { binaries, disc, drawImage, rowsOf, split, strings, stripes, type Picture } from "./support.js";

let dir: string;
let server: S3Server;
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-embed-"));
  server = await startS3Server();
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await server.close();
});

const embedder = embedders.image({ size: 8 });
const DIM = 64;

/** A picture family: each id gets its own variation so every image has a distinct embedding. */
function picture(id: number): Picture {
  const base = [disc, stripes, split][id % 3]!;
  return (x, y) => {
    const [r, g, b] = base(x, y);
    const shade = (id * 37) % 101;
    return [Math.min(255, r + (x < 0.25 && y < 0.25 ? shade : 0)), g, Math.min(255, b + (x > 0.75 && y > 0.75 ? shade : 0))];
  };
}

async function images(from: number, count: number): Promise<A.Table> {
  const bytes: Uint8Array[] = [];
  for (let i = from; i < from + count; i++) bytes.push(await drawImage(picture(i), 24 + (i % 5) * 6));
  return new A.Table({ id: A.vectorFromArray(Array.from({ length: count }, (_, i) => from + i), new A.Int32()), image: binaries(bytes) });
}

/** The same rows with an embedding column of nulls (what an append to an embedded table carries). */
function withNullEmbedding(t: A.Table): A.Table {
  const nulls = A.makeVector(
    A.makeData({ type: embeddingType(DIM), length: t.numRows, nullCount: t.numRows, nullBitmap: new Uint8Array(Math.ceil(t.numRows / 8)), child: A.makeData({ type: new A.Float32(), length: t.numRows * DIM }) }),
  );
  return new A.Table({ id: t.getChild("id")!, image: t.getChild("image")!, embedding: nulls });
}

const dataFiles = (m: Manifest): Map<number, string[]> => new Map(m.fragments.map((f) => [f.id, f.files.map((d) => d.path)]));
const bytesOf = (m: Manifest): number => m.fragments.flatMap((f) => f.files).reduce((s, f) => s + f.size, 0);
async function storedDataFiles(t: Table): Promise<Set<string>> {
  return new Set((await t.store.list("data/")).map((o) => o.path));
}

async function embeddingOf(id: number): Promise<Float32Array> {
  const t = await images(id, 1);
  return rowsOf(await embedder.embed(t.getChild("image")!))[0]!;
}

/** Whether searching with image `id`'s embedding returns row `id` at distance 0 (two near-identical images may tie). */
async function finds(t: Table, id: number): Promise<boolean> {
  const hits = await t.search(await embeddingOf(id), { column: "embedding", k: 3, columns: ["id"] });
  const ids = [...hits.getChild("id")!] as number[];
  const at = ids.indexOf(id);
  return at >= 0 && (hits.getChild("_distance")!.get(at) as number) < 1e-6;
}

for (const where of ["local", "s3"] as const) {
  describe(`embed → merge → index → search → backfill on ${where}`, () => {
    it("writes only the new column, indexes it, and backfills only appended rows", async (t) => {
      const uri = where === "local" ? join(dir, `t-${n++}`) : `s3://embed/t-${n++}`;
      const storage: StorageOptions = where === "s3" ? server.storageOptions() : {};
      const table = await Table.create(uri, await images(0, 40), { maxRowsPerFile: 20, storage });
      const before = table.currentManifest;

      // Merge: embeddings computed from the table and written back by _rowid.
      const df = (await readTable(uri, { withRowId: true, storage })).select("_rowid", col("image").embed(embedder).alias("embedding"));
      const written = await df.writeTable(uri, { mode: "merge", storage });
      assert.equal(written.rows, 40);
      await table.refresh();
      const m = table.currentManifest;
      const field = m.schema.fields.find((f) => f.name === "embedding")!;
      assert.deepEqual(readExtension(new Map(Object.entries(field.metadata ?? {}))), {
        name: "tessera.embedding",
        params: { dim: DIM, embedder: { kind: "image", options: { size: 8, mode: "L" } } },
      });
      // Each fragment kept its files and gained one holding only the embedding; the bytes added are the vectors'.
      for (const f of m.fragments) {
        const old = dataFiles(before).get(f.id)!;
        assert.deepEqual(f.files.slice(0, old.length).map((d) => d.path), old);
        assert.equal(f.files.length, old.length + 1);
        assert.deepEqual(f.files.at(-1)!.fieldIds, [field.id]);
      }
      const added = bytesOf(m) - bytesOf(before);
      const raw = 40 * DIM * 4;
      assert.ok(added >= raw * 0.5 && added < raw * 1.25 + 4096, `added ${added} bytes for ${raw} bytes of vectors`);
      t.diagnostic(`merge added ${added} bytes (${raw} bytes of float32 vectors) to ${bytesOf(before)} bytes of data`);

      // Index and search: every image finds itself.
      await table.createIndex("embedding", { type: "hnsw" });
      for (const id of [0, 7, 39]) assert.ok(await finds(table, id), `image ${id}`);

      // Append 10 images without embeddings, then backfill: only the new fragment gets a file.
      await table.append(withNullEmbedding(await images(40, 10)));
      const appended = table.currentManifest;
      const newFrag = appended.fragments.at(-1)!.id;
      assert.equal(await finds(table, 45), false, "an image without an embedding cannot be found");
      const storedBefore = await storedDataFiles(table);
      const stats = await table.backfill("embedding", col("image").embed(embedder));
      assert.deepEqual(stats.fragments, [newFrag]);
      assert.equal(stats.rows, 10);
      assert.equal(stats.files.length, 1);
      assert.deepEqual(stats.staleIndexFragments, []);
      const storedAfter = await storedDataFiles(table);
      assert.deepEqual([...storedAfter].filter((p) => !storedBefore.has(p)), stats.files);
      const filled = table.currentManifest;
      for (const f of filled.fragments) {
        const was = dataFiles(appended).get(f.id)!;
        const now = f.files.map((d) => d.path);
        if (f.id === newFrag) {
          assert.deepEqual(now, [...was, stats.files[0]]);
          assert.deepEqual(f.files.at(-1)!.fieldIds, [field.id]);
        } else assert.deepEqual(now, was);
      }
      assert.equal(bytesOf(filled) - bytesOf(appended), stats.bytes);
      assert.deepEqual(filled.operation.detail, { columns: ["embedding"], from: "backfill", rows: 10 });

      // The new rows are found (exact search of the uncovered fragment), then through the index once optimized.
      assert.ok(await finds(table, 45));
      let info = (await table.listIndices())[0]!;
      assert.equal(info.unindexedRows, 10);
      await table.optimizeIndices();
      info = (await table.listIndices())[0]!;
      assert.equal(info.unindexedRows, 0);
      assert.equal(info.indexedRows, 50);
      for (const id of [41, 45, 49, 3]) assert.ok(await finds(table, id), `image ${id}`);

      // Nothing is missing any more: no version, no file.
      const version = table.version;
      const again = await table.backfill("embedding", col("image").embed(embedder));
      assert.equal(again.rows, 0);
      assert.deepEqual(again.fragments, []);
      assert.equal(table.version, version);
      assert.deepEqual(await storedDataFiles(table), storedAfter);
    });
  });
}

describe("backfill", () => {
  const mem = (): string => `memory://backfill-${n++}`;

  it("fills fragments that a merge did not cover (no file for the column at all)", async () => {
    const uri = mem();
    await Table.create(uri, await images(0, 12), { maxRowsPerFile: 6 });
    // A merge prepared on version 1 commits after an append: the appended fragment gets no embedding file.
    const stale = await Table.open(uri);
    const embedded = await (await readTable(uri, { withRowId: true })).select("_rowid", col("image").embed(embedder).alias("embedding")).collect();
    const other = await Table.open(uri);
    await other.append(await images(12, 4));
    await stale.addColumns(embedded);
    const table = await Table.open(uri);
    const fieldId = table.tableSchema.get("embedding").id;
    const lacking = table.currentManifest.fragments.filter((f) => !f.files.some((d) => d.fieldIds.includes(fieldId)));
    assert.equal(lacking.length, 1);
    const nulls = await table.toDataFrame().where(col("embedding").isNull()).countRows();
    assert.equal(nulls, 4);
    const stats = await table.backfill("embedding", col("image").embed(embedder));
    assert.deepEqual(stats.fragments, [lacking[0]!.id]);
    assert.equal(stats.rows, 4);
    const rows = (await table.toArrow({ columns: ["id", "embedding"] })).toArray() as unknown as { id: number; embedding: A.Vector }[];
    for (const r of rows) assert.deepEqual(Float32Array.from(r.embedding.toArray() as Float32Array), await embeddingOf(r.id));
  });

  it("computes only null values of live rows, keeps existing values, and skips deleted rows", async () => {
    const uri = mem();
    const texts = ["red bike", "blue car", "green tram", "yellow boat", "grey plane", "pink kite"];
    const text = embedders.text({ dimension: 16 });
    const known = rowsOf(await text.embed(strings(texts)));
    // Rows 1, 3 and 4 have no embedding; row 4 is then deleted.
    const values = known.map((v, i) => ([1, 3, 4].includes(i) ? null : Array.from(v!)));
    const emb = A.vectorFromArray(values, embeddingType(16));
    await Table.create(uri, new A.Table({ id: A.vectorFromArray([0, 1, 2, 3, 4, 5], new A.Int32()), t: strings(texts), embedding: emb }));
    const table = await Table.open(uri);
    await table.delete("id = 4");
    await table.createIndex("embedding", { type: "hnsw" });
    const seen: string[] = [];
    const stats = await table.backfill(
      "embedding",
      async (batch) => {
        const t = batch.getChild("t")!;
        for (let i = 0; i < t.length; i++) seen.push(t.get(i) as string);
        return text.embed(t);
      },
      { inputColumns: ["t"] },
    );
    assert.deepEqual(seen, ["blue car", "yellow boat"]);
    assert.equal(stats.rows, 2);
    // The index held rows of this fragment but lacks the filled ones: it is retired from the index (searched exactly)
    // and reported.
    assert.deepEqual(stats.staleIndexFragments, [0]);
    const ref = () => table.currentManifest.indices[0]!;
    assert.deepEqual([ref().fragments, ref().retired], [[], [0]]);
    const found = async (): Promise<number[]> => {
      const hits = await table.search(known[3]!, { column: "embedding", k: 5, columns: ["id"] });
      assert.equal(new Set([...hits.getChild("_rowid")!]).size, hits.numRows, "no row twice");
      return [...hits.getChild("id")!] as number[];
    };
    // A filled row is found at once, as its nearest neighbour (exact search over the retired fragment).
    const before = await found();
    assert.equal(before[0], 3);
    assert.deepEqual([...before].sort(), [0, 1, 2, 3, 5]);
    // optimizeIndices re-indexes the fragment whole: covered again, nothing retired, the same answers, no duplicates.
    await table.optimizeIndices();
    assert.deepEqual([ref().fragments, ref().retired], [[0], undefined]);
    assert.equal((await table.listIndices())[0]!.indexedRows, 5);
    assert.deepEqual(await found(), before);
    const got = (await table.toArrow({ columns: ["embedding"] })).getChild("embedding")!;
    assert.deepEqual(rowsOf(got), [0, 1, 2, 3, 5].map((i) => known[i]!));
  });

  it("createIndex refuses to commit over a backfill that filled rows of its fragments meanwhile", async () => {
    const uri = mem();
    const text = embedders.text({ dimension: 8 });
    const texts = ["a", "b", "c", "d"];
    const known = rowsOf(await text.embed(strings(texts)));
    const emb = A.vectorFromArray(known.map((v, i) => (i === 2 ? null : Array.from(v!))), embeddingType(8));
    const a = await Table.create(uri, new A.Table({ id: A.vectorFromArray([0, 1, 2, 3], new A.Int32()), t: strings(texts), embedding: emb }));
    const b = await Table.open(uri);
    await a.backfill("embedding", col("t").embed(text)); // row 2 gets its vector after b read the version
    await assert.rejects(
      b.createIndex("embedding", { type: "hnsw" }),
      (e: unknown) => e instanceof CommitConflictError && /fragment 0 got new values for the column/.test(e.message),
    );
    const c = await Table.open(uri);
    await c.createIndex("embedding", { type: "hnsw" });
    assert.equal((await c.listIndices())[0]!.indexedRows, 4);
  });

  it("fills rows an update set to null, and adds a column the schema lacks", async () => {
    const uri = mem();
    const text = embedders.text({ dimension: 8 });
    const table = await Table.create(uri, new A.Table({ id: A.vectorFromArray([1, 2, 3, 4], new A.Int32()), t: strings(["a", "b", "c", "d"]) }));
    const added = await table.backfill("vec", col("t").embed(text));
    assert.equal(added.rows, 4);
    assert.equal(added.fragments.length, 1);
    await table.update({ where: "id >= 3", valuesSql: { t: "'changed'" }, values: { vec: null } });
    const stats = await table.backfill("vec", col("t").embed(text));
    assert.equal(stats.rows, 2);
    // A value that computes to null (its text is null) writes nothing, now or on the next backfill.
    await table.append(new A.Table({ id: A.vectorFromArray([5], new A.Int32()), t: strings([null]), vec: A.vectorFromArray([null], embeddingType(8)) }));
    const files = (await table.store.list("data/")).length;
    const none = await table.backfill("vec", col("t").embed(text));
    assert.deepEqual([none.rows, none.fragments, (await table.store.list("data/")).length], [0, [], files]);
    const rows = (await table.toArrow({ columns: ["t", "vec"] })).toArray() as unknown as { t: string | null; vec: A.Vector | null }[];
    for (const r of rows) assert.deepEqual(r.vec === null ? null : Float32Array.from(r.vec.toArray() as Float32Array), r.t === null ? null : text.embedOne(r.t));
  });

  it("re-opens an index's coverage of a fragment that had no vectors, so optimizeIndices indexes it", async () => {
    const uri = mem();
    const table = await Table.create(uri, await images(0, 8));
    await table.backfill("embedding", col("image").embed(embedder));
    await table.createIndex("embedding", { type: "hnsw" });
    await table.append(withNullEmbedding(await images(8, 4)));
    await table.optimizeIndices(); // covers the new fragment, which has no vector yet
    const frag = table.currentManifest.fragments.at(-1)!.id;
    assert.ok(table.currentManifest.indices[0]!.fragments.includes(frag));
    assert.equal(await finds(table, 10), false);
    const stats = await table.backfill("embedding", col("image").embed(embedder));
    assert.deepEqual([stats.fragments, stats.staleIndexFragments], [[frag], []]);
    assert.ok(!table.currentManifest.indices[0]!.fragments.includes(frag));
    assert.ok(await finds(table, 10)); // exact search of the uncovered fragment
    await table.optimizeIndices();
    assert.deepEqual((await table.listIndices()).map((i) => [i.indexedRows, i.unindexedRows]), [[12, 0]]);
    for (const id of [0, 9, 11]) assert.ok(await finds(table, id), `image ${id}`);
  });

  it("checks the expression's type against the column before computing anything", async () => {
    const uri = mem();
    const table = await Table.create(uri, new A.Table({ t: strings(["a"]), vec: A.vectorFromArray([null], embeddingType(8)) }));
    const version = table.version;
    await assert.rejects(table.backfill("vec", col("t").embed(embedders.text({ dimension: 16 }))), (err: Error) => {
      assert.match(err.message, /^backfill: the expression gives .*16.*, but column "vec" is .*8/);
      return true;
    });
    await assert.rejects(table.backfill("vec", col("t").str.upper()), /gives (utf8|string), but column "vec"/);
    await assert.rejects(table.backfill("vec", col("nope").embed(embedders.text({ dimension: 8 }))), /no column "nope"/);
    assert.equal(table.version, version);
  });
});

describe("the recorded embedder", () => {
  it("lets table.search embed text and image queries the way the column was embedded", async () => {
    const uri = `memory://recorded-${n++}`;
    const texts = ["a red bicycle", "quarterly revenue report", "a blue car on a road"];
    const pics = [await drawImage(disc, 30), await drawImage(stripes, 30), await drawImage(split, 30)];
    await Table.create(uri, new A.Table({ t: strings(texts), image: binaries(pics) }));
    const df = (await readTable(uri, { withRowId: true })).select(
      "_rowid",
      col("t").embed(embedders.text()).alias("te"),
      col("image").embed(embedders.image({ size: 8 })).alias("ie"),
    );
    await df.writeTable(uri, { mode: "merge" });
    const t = await Table.open(uri);
    const byText = await t.search("red bicycles", { column: "te", k: 1, columns: ["t"] });
    assert.equal(byText.getChild("t")!.get(0), "a red bicycle");
    const byImage = await t.search(await drawImage(stripes, 77), { column: "ie", k: 1, columns: ["t"] });
    assert.equal(byImage.getChild("t")!.get(0), "quarterly revenue report");
  });
});
