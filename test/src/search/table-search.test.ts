// table.search by vector, text or image bytes: queries embedded with the embedder recorded in the column's metadata
// (rebuilt from its descriptor), or with options.embedder; errors naming the column; the built-in text embedder
// through .embed(); and the DataFrame forms (searchDataFrame, fromArrow of a result).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import type { Embedder, EmbedderDescriptor } from "../../../src/embed/embedder.js";
import { embedders } from "../../../src/embed/index.js";
import { registerEmbedder } from "../../../src/embed/registry.js";
import { col } from "../../../src/expr/builders.js";
import { DataType, extensionMetadata } from "../../../src/expr/data-type.js";
import { fromArrow } from "../../../src/read.js";
import { Table } from "../../../src/table.js";

const DIM = 4;

/**
 * A deterministic toy embedder: a text becomes (length, vowels, first letter, 1), image bytes (length, mean byte,
 * first byte, 0), each times `scale`. Enough to tell queries apart and to check which embedder ran.
 */
class FakeEmbedder implements Embedder {
  readonly accepts: "image" | "text" | "any";
  readonly dimension = DIM;
  readonly name: string;
  readonly descriptor: EmbedderDescriptor;
  calls = 0;

  constructor(readonly scale = 1, accepts: "image" | "text" | "any" = "any") {
    this.accepts = accepts;
    this.name = `fake-x${scale}`;
    this.descriptor = { kind: "test-fake", options: { scale, accepts } };
  }

  vector(value: string | Uint8Array): Float32Array {
    const s = this.scale;
    if (typeof value === "string") return Float32Array.from([value.length, (value.match(/[aeiou]/g) ?? []).length, value.charCodeAt(0) / 100, 1], (x) => x * s);
    const mean = value.reduce((a, b) => a + b, 0) / Math.max(1, value.length) / 255;
    return Float32Array.from([value.length, mean, (value[0] ?? 0) / 255, 0], (x) => x * s);
  }

  async embed(batch: A.Vector): Promise<(Float32Array | null)[]> {
    this.calls++;
    return [...batch].map((v) => (v === null ? null : this.vector(v as string | Uint8Array)));
  }
}

const rebuiltFakes: FakeEmbedder[] = [];
registerEmbedder("test-fake", (o) => {
  const e = new FakeEmbedder(o.scale as number, o.accepts as "image" | "text" | "any");
  rebuiltFakes.push(e);
  return e;
});

const WORDS = ["apple", "banana", "kiwi", "cherry", "fig", "grape", "orange", "melon", "plum", "pear", "lime", "mango"];

/** Rows: id, word, image bytes, and an embedding of the word whose metadata records `recorded` (or nothing). */
function rowsWith(recorded: Embedder | undefined): A.Table {
  const fake = new FakeEmbedder();
  const type = new A.FixedSizeList(DIM, new A.Field("item", new A.Float32(), true));
  const meta = recorded === undefined ? new Map<string, string>() : new Map(extensionMetadata("tessera.embedding", { dim: DIM, embedder: recorded.descriptor }));
  const schema = new A.Schema([
    new A.Field("id", new A.Int32(), false),
    new A.Field("word", new A.Utf8(), false),
    new A.Field("image", new A.Binary(), false),
    new A.Field("embedding", type, true, meta),
  ]);
  const data = new A.Table({
    id: A.vectorFromArray(WORDS.map((_, i) => i), new A.Int32()),
    word: A.vectorFromArray(WORDS, new A.Utf8()),
    image: A.vectorFromArray(WORDS.map((w) => new TextEncoder().encode(w)), new A.Binary()),
    embedding: A.vectorFromArray(WORDS.map((w) => [...fake.vector(w)]), type),
  });
  return new A.Table(schema, data.batches.map((b) => new A.RecordBatch(schema, b.data)));
}

let n = 0;
const uri = (): string => `memory://table-search-${process.pid}-${n++}/t`;

/** Rows as plain objects (vectors as arrays), comparable with deepEqual. */
const rowsOf = (t: A.Table): Record<string, unknown>[] =>
  t.toArray().map((r) => Object.fromEntries(Object.entries(r as object).map(([k, v]) => [k, v instanceof A.Vector ? [...v] : v])));

describe("table.search by text and image", () => {
  it("embeds a text query with the embedder recorded in the column metadata", async () => {
    const t = await Table.create(uri(), rowsWith(new FakeEmbedder()));
    const byText = await t.search("grapes", { k: 3, columns: ["word"] });
    const byVector = await t.search(new FakeEmbedder().vector("grapes"), { k: 3, columns: ["word"] });
    assert.ok(byText instanceof A.Table);
    assert.deepEqual(rowsOf(byText), rowsOf(byVector));
    assert.deepEqual(byText.schema.fields.map((f) => f.name), ["word", "_rowid", "_distance"]);
    assert.equal(byText.getChild("word")!.get(0), "grape");
  });

  it("embeds image bytes the same way, and rebuilds the embedder once per process", async () => {
    const t = await Table.create(uri(), rowsWith(new FakeEmbedder(2)));
    const bytes = new TextEncoder().encode("melon");
    const before = rebuiltFakes.length;
    const byImage = await t.search(bytes, { k: 2, columns: ["id"] });
    await t.search(new Uint8Array([1, 2, 3]), { k: 2 });
    assert.deepEqual(rowsOf(byImage), rowsOf(await t.search(new FakeEmbedder(2).vector(bytes), { k: 2, columns: ["id"] })));
    assert.equal(rebuiltFakes.length - before, 1, "one rebuild for two searches");
    assert.equal(rebuiltFakes.at(-1)!.calls, 2);
  });

  it("uses options.embedder over the recorded one", async () => {
    const t = await Table.create(uri(), rowsWith(new FakeEmbedder(1)));
    const other = new FakeEmbedder(3);
    const got = await t.search("kiwi", { k: 4, embedder: other });
    assert.deepEqual(rowsOf(got), rowsOf(await t.search(other.vector("kiwi"), { k: 4 })));
    assert.equal(other.calls, 1);
  });

  it("fails naming the column when it records no embedder and none is given; vectors still work", async () => {
    const t = await Table.create(uri(), rowsWith(undefined));
    await assert.rejects(
      t.search("fig", { column: "embedding" }),
      (e: unknown) => e instanceof InvalidArgumentError && /column "embedding" records no embedder/.test(e.message) && e.context.column === "embedding",
    );
    await assert.rejects(t.search(new Uint8Array([1])), /column "embedding" records no embedder.*pass \{ embedder \}/);
    assert.equal((await t.search([5, 1, 1, 1], { k: 1 })).numRows, 1);
    assert.equal((await t.search("fig", { k: 1, embedder: new FakeEmbedder() })).getChild("word")!.get(0), "fig");
  });

  it("refuses an embedder that does not take the query's kind or makes vectors of another dimension", async () => {
    const t = await Table.create(uri(), rowsWith(undefined));
    await assert.rejects(t.search(new Uint8Array([1]), { embedder: new FakeEmbedder(1, "text") }), /embeds texts, not image bytes/);
    await assert.rejects(t.search("x", { embedder: new FakeEmbedder(1, "image") }), /embeds images, not text/);
    await assert.rejects(t.search("x", { embedder: embedders.text({ dimension: 8 }) }), /makes 8-dimensional vectors but column "embedding" has 4/);
  });

  it("finds captions by text with the built-in text embedder recorded by .embed()", async () => {
    const captions = ["a red bicycle leaning on a wall", "two cats asleep on a sofa", "a bowl of ramen", "the red planet at night", "a blue bicycle in the rain", "snow on the mountains"];
    const df = fromArrow(new A.Table({ id: A.vectorFromArray(captions.map((_, i) => i), new A.Int32()), caption: A.vectorFromArray(captions, new A.Utf8()) })).withColumn(
      "vec",
      col("caption").embed(embedders.text({ dimension: 128, ngrams: [3] })),
    );
    const t = await Table.create(uri(), df);
    const hits = await t.search("red bicycle", { k: 2, columns: ["caption"] });
    assert.equal(hits.getChild("caption")!.get(0), "a red bicycle leaning on a wall");
    assert.equal(hits.getChild("caption")!.get(1), "a blue bicycle in the rain");
    const sleepy = await t.search("cat sleeping on the sofa", { k: 1, columns: ["id"] });
    assert.equal(sleepy.getChild("id")!.get(0), 1);
  });
});

describe("search results as DataFrames", () => {
  it("searchDataFrame gives search()'s rows lazily, to filter and compute on", async () => {
    const t = await Table.create(uri(), rowsWith(new FakeEmbedder()));
    const df = await t.searchDataFrame("plum", { k: 5, filter: "id > 2", columns: ["id", "word"] });
    assert.equal(df.explain(), "== Logical plan ==\nScan VectorSearch: " + t.uri + " column=embedding k=5 metric=l2 index=none prefilter=id > 2");
    assert.deepEqual(df.schema.fields.map((f) => f.name), ["id", "word", "_rowid", "_distance"]);
    assert.deepEqual(await df.toRows(), rowsOf(await t.search("plum", { k: 5, filter: "id > 2", columns: ["id", "word"] })));
    const near = await df.where(col("_distance").lt(0.5)).select("word").toRows();
    assert.deepEqual(near, [{ word: "plum" }]);
  });

  it("passes postfilter, metric and index knobs to the search", async () => {
    const t = await Table.create(uri(), rowsWith(new FakeEmbedder()));
    await t.createIndex("embedding", { type: "flat", metric: "cosine" });
    const opts = { k: 4, filter: "id < 3", prefilter: false, columns: ["id"] } as const;
    const df = await t.searchDataFrame("pear", opts);
    assert.match(df.explain(), /metric=cosine index=flat postfilter=id < 3$/);
    assert.deepEqual(await df.toRows(), rowsOf(await t.search("pear", opts)));
  });

  it("fromArrow(await table.search(...)) is a DataFrame", async () => {
    const t = await Table.create(uri(), rowsWith(new FakeEmbedder()));
    const df = fromArrow(await t.search([5, 2, 1, 1], { k: 3 }));
    assert.deepEqual((await df.select("word", col("_distance").mul(2).alias("twice")).toRows()).length, 3);
  });

  it("searchDataFrame embeds the query when called, once", async () => {
    const t = await Table.create(uri(), rowsWith(undefined));
    const e = new FakeEmbedder();
    const df = await t.searchDataFrame("lime", { k: 2, embedder: e });
    await df.collect();
    await df.collect();
    assert.equal(e.calls, 1);
    assert.deepEqual(DataType.embedding(DIM).toString(), df.schema.fields.find((f) => f.name === "embedding")!.type.toString());
  });
});
