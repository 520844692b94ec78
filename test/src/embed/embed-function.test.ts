// The "embed" function in DataFrames: plan-time checks (input type, fitted PCA, worker-capable kinds), the
// result type and the metadata recording the embedder, the dimension check naming the row, and worker execution
// giving exactly what in-process execution gives.

import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../../../format/errors.js";
import { col } from "../../../src/expr/builders.js";
import { readExtension } from "../../../src/expr/data-type.js";
import { fromArrow } from "../../../src/read.js";
import { closeWorkerPools } from "../../../src/udf/index.js";
import { activeWorkerPools } from "../../../src/udf/pool.js";
import { createEmbedder, embedOnWorkers, embedders, type Embedder } from "../../../src/embed/index.js";
import { binaries, disc, drawImage, rowsOf, split, strings, stripes } from "./support.js";

afterEach(() => closeWorkerPools());

async function imageFrame(n: number, batch = n): Promise<{ table: A.Table; images: (Uint8Array | null)[] }> {
  const pictures = [disc, stripes, split];
  const images: (Uint8Array | null)[] = [];
  for (let i = 0; i < n; i++) images.push(i % 10 === 9 ? null : await drawImage(pictures[i % 3]!, 20 + (i % 7) * 4));
  const batches: A.RecordBatch[] = [];
  for (let at = 0; at < n; at += batch) {
    const part = images.slice(at, at + batch);
    batches.push(new A.Table({ id: A.vectorFromArray(part.map((_, i) => at + i), new A.Int32()), image: binaries(part) }).batches[0]!);
  }
  return { table: new A.Table(batches), images };
}

function embeddingRows(t: A.Table, name: string): (Float32Array | null)[] {
  return rowsOf(t.getChild(name)!);
}

describe("embed", () => {
  it("returns FixedSizeList<Float32, dim> whose metadata records the embedder's descriptor", async () => {
    const { table, images } = await imageFrame(12);
    const e = embedders.image({ size: 8 });
    const df = fromArrow(table).select("id", col("image").embed(e).alias("embedding"));
    const field = df.schema.fields.find((f) => f.name === "embedding")!;
    assert.equal(String(field.type), "FixedSizeList[64]<Float32>");
    assert.deepEqual(readExtension(field.metadata), { name: "tessera.embedding", params: { dim: 64, embedder: { kind: "image", options: { size: 8, mode: "L" } } } });
    const t = await df.collect();
    assert.deepEqual(embeddingRows(t, "embedding"), rowsOf(await e.embed(binaries(images))));
    assert.equal(t.schema.fields[1]!.metadata.get("ARROW:extension:name"), "tessera.embedding");
    // explain() names the embedder instead of dumping it.
    assert.match(df.explain(), /embed\(image, embedder="image-8x8-L"\) AS embedding/);
  });

  it("checks the column type, fitting and options when the plan is built", async () => {
    const { table } = await imageFrame(3);
    const df = fromArrow(table);
    assert.throws(() => df.select(col("image").embed(embedders.text())), /embed: embedder text-256-ng3-w expects a string, got binary/);
    assert.throws(() => df.select(col("id").embed(embedders.image())), /expects binary \(encoded image bytes\), got int32/);
    assert.throws(() => df.select(col("image").embed(embedders.image({ size: 4, pca: { dimension: 2 } }))), /must be fitted first/);
    assert.throws(() => df.select(col("image").embed({ name: "x" } as unknown as Embedder)), /needs an embedder/);
    assert.throws(() => embedOnWorkers(embedders.image(), { workers: 0 }), InvalidArgumentError);
  });

  it("fails naming the row when an embedder returns the wrong number of values", async () => {
    const bad: Embedder = {
      name: "bad",
      dimension: 3,
      accepts: "text",
      descriptor: { kind: "bad", options: {} },
      embed: async (batch) => Array.from({ length: batch.length }, (_, i) => new Float32Array(i === 2 ? 2 : 3)),
    };
    const df = fromArrow(new A.Table({ t: strings(["a", "b", "c", "d"]) })).select(col("t").embed(bad));
    await assert.rejects(df.collect(), /embedder bad returned 2 values for row 2, but its dimension is 3/);
    // A custom kind cannot be rebuilt in worker threads: refused when planned.
    assert.throws(() => fromArrow(new A.Table({ t: strings(["a"]) })).select(embedOnWorkers(bad, { workers: 1 })("t")), NotSupportedError);
  });

  it("embeds text columns, literal-free and null-preserving", async () => {
    const e = embedders.text({ dimension: 32 });
    const texts = ["cats", null, "dogs and cats"];
    const t = await fromArrow(new A.Table({ t: strings(texts) })).select(col("t").embed(e).alias("v")).collect();
    const rows = embeddingRows(t, "v");
    assert.equal(rows[1], null);
    assert.deepEqual(rows, rowsOf(await createEmbedder(e.descriptor).embed(strings(texts))));
  });
});

describe("embed on workers", () => {
  it("gives exactly the in-process result, across batches and threads", async () => {
    const { table } = await imageFrame(60, 25);
    const e = embedders.image({ size: 6, mode: "RGB" });
    const local = await fromArrow(table).select("id", col("image").embed(e).alias("v")).collect();
    const remote = await fromArrow(table).select("id", embedOnWorkers(e, { workers: 2 })("image").alias("v")).collect();
    assert.deepEqual(embeddingRows(remote, "v"), embeddingRows(local, "v"));
    assert.deepEqual(readExtension(remote.schema.fields[1]!.metadata), readExtension(local.schema.fields[1]!.metadata));
    assert.equal(activeWorkerPools(), 1);
    // A fitted PCA travels in the descriptor: workers project exactly as this thread does.
    const pca = await embedders.image({ size: 6, pca: { dimension: 5 } }).fit(table.getChild("image")!);
    const [p1, p2] = await Promise.all([
      fromArrow(table).select(col("image").embed(pca).alias("v")).collect(),
      fromArrow(table).select(embedOnWorkers(pca, { workers: 2 })("image").alias("v")).collect(),
    ]);
    assert.deepEqual(embeddingRows(p2, "v"), embeddingRows(p1, "v"));
    const text = embedders.text({ dimension: 16, ngrams: [2, 3] });
    const words = new A.Table({ t: strings(["alpha", "beta", null, "gamma delta", "epsilon"]) });
    const [a, b] = await Promise.all([
      fromArrow(words).select(col("t").embed(text).alias("v")).collect(),
      fromArrow(words).select(embedOnWorkers(text, { workers: 2, batchSize: 2 })(col("t")).alias("v")).collect(),
    ]);
    assert.deepEqual(embeddingRows(b, "v"), embeddingRows(a, "v"));
  });

  it("reports a failing row with the rows of the worker task", async () => {
    const table = new A.Table({ image: binaries([await drawImage(disc, 10), new Uint8Array([9, 9]), null, await drawImage(split, 10)]) });
    const df = fromArrow(table).select(embedOnWorkers(embedders.image(), { workers: 2 })("image"));
    await assert.rejects(df.collect(), /on a worker failed for rows 0\.\.1 of the batch: .*row 1 \(2 bytes\) could not be decoded/);
  });
});
