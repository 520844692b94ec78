// The ONNX embedder against models built in code: its outputs equal the same preprocessing and math done in JS
// (images: resize, scale, mean/std, matmul; text: WordPiece ids, embedding lookup, mean over real tokens).

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { InvalidArgumentError, NotFoundError, NotSupportedError } from "../../../format/errors.js";
import * as A from "apache-arrow";
import { createEmbedder, embedOnWorkers, embedders } from "../../../src/embed/index.js";
import { col } from "../../../src/expr/builders.js";
import { fromArrow } from "../../../src/read.js";
import { closeWorkerPools } from "../../../src/udf/index.js";
import { imageModel, textModel, weights } from "./onnx-models.js";
import { binaries, disc, drawImage, norm, rowsOf, split, strings, stripes } from "./support.js";

let dir: string;
let imagePath: string;
let textPath: string;
const SIZE = 8;
const OUT = 4;
const W = weights(3 * SIZE * SIZE * OUT, 7);
const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "red", "blue", "bike", "##s", "car", "a"];
const HIDDEN = 6;
const E = weights(VOCAB.length * HIDDEN, 11);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-onnx-"));
  imagePath = await imageModel(dir, SIZE, OUT, W);
  textPath = await textModel(dir, VOCAB.length, HIDDEN, E);
  await writeFile(join(dir, "vocab.txt"), VOCAB.join("\n") + "\n");
});
after(async () => {
  await closeWorkerPools();
  await rm(dir, { recursive: true, force: true });
});

/** The image model's output computed in JS: sharp resize to 8 × 8 RGB, (p/255 − mean)/std in NCHW, times W. */
async function expectedImage(bytes: Uint8Array, mean: number[], std: number[], normalize: boolean): Promise<Float32Array> {
  const { data } = await sharp(bytes).flatten({ background: "#000000" }).resize(SIZE, SIZE, { fit: "fill" }).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  const x = new Float64Array(3 * SIZE * SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) for (let c = 0; c < 3; c++) x[c * SIZE * SIZE + i] = (data[i * 3 + c]! / 255 - mean[c]!) / std[c]!;
  const y = new Float32Array(OUT);
  for (let o = 0; o < OUT; o++) {
    let s = 0;
    for (let j = 0; j < x.length; j++) s += x[j]! * W[j * OUT + o]!;
    y[o] = s;
  }
  if (normalize) {
    const n = norm(y);
    for (let o = 0; o < OUT; o++) y[o]! /= n;
  }
  return y;
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-4): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= eps, `[${i}] ${a[i]} vs ${b[i]}`);
}

describe("embedders.onnx on images", () => {
  it("reads the dimension and image size from the model and matches the math in JS", async () => {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const e = await embedders.onnx({ model: imagePath, preprocess: { kind: "image", mean, std }, batchSize: 2 });
    assert.equal(e.dimension, OUT);
    assert.equal(e.accepts, "image");
    assert.equal(e.name, "onnx-image");
    const images = [await drawImage(disc, 40), await drawImage(stripes, 33, 20), null, await drawImage(split, 64), await drawImage(disc, 90, 70, "jpeg")];
    const rows = rowsOf(await e.embed(binaries(images)));
    assert.equal(rows[2], null);
    for (const [i, img] of images.entries()) {
      if (img === null) continue;
      assertClose(rows[i]!, await expectedImage(img, mean, std, true));
    }
  });

  it("can keep raw outputs, and rebuilds from its descriptor (session shared)", async () => {
    const e = await embedders.onnx({ model: imagePath, preprocess: { kind: "image", size: SIZE }, normalize: false });
    const img = await drawImage(stripes, 30);
    const [row] = rowsOf(await e.embed(binaries([img])));
    assertClose(row!, await expectedImage(img, [0, 0, 0], [1, 1, 1], false));
    const again = createEmbedder(JSON.parse(JSON.stringify(e.descriptor)) as typeof e.descriptor);
    assert.deepEqual(rowsOf(await again.embed(binaries([img]))), [row]);
    assert.deepEqual((e.descriptor.options as { preprocess: unknown }).preprocess, { kind: "image", size: 8, mode: "RGB", mean: [0, 0, 0], std: [1, 1, 1], layout: "nchw" });
  });

  it("runs on worker threads (a session per worker) with the in-process result", async () => {
    const e = await embedders.onnx({ model: imagePath, preprocess: { kind: "image", mean: [0.5], std: [0.25] }, batchSize: 3 });
    const images: (Uint8Array | null)[] = [];
    for (let i = 0; i < 14; i++) images.push(i === 5 ? null : await drawImage([disc, stripes, split][i % 3]!, 20 + i));
    const df = fromArrow(new A.Table({ image: binaries(images) }));
    const local = await df.select(col("image").embed(e).alias("v")).collect();
    const remote = await df.select(embedOnWorkers(e, { workers: 2 })("image").alias("v")).collect();
    assert.deepEqual(rowsOf(remote.getChild("v")!), rowsOf(local.getChild("v")!));
    assert.equal(remote.getChild("v")!.get(5), null);
  });

  it("refuses URLs, missing files, wrong dimensions and channel counts", async () => {
    await assert.rejects(embedders.onnx({ model: "https://example.com/m.onnx", preprocess: { kind: "image" } }), NotSupportedError);
    await assert.rejects(embedders.onnx({ model: join(dir, "nope.onnx"), preprocess: { kind: "image" } }), NotFoundError);
    await assert.rejects(embedders.onnx({ model: imagePath, preprocess: { kind: "image" }, dimension: 5 }), /has 4 values per input, not 5/);
    await assert.rejects(embedders.onnx({ model: imagePath, preprocess: { kind: "image", mode: "L" } }), /takes 3 channels/);
    await assert.rejects(embedders.onnx({ model: imagePath, preprocess: { kind: "image", std: [1, 0, 1] } }), InvalidArgumentError);
    await assert.rejects(embedders.onnx({ model: imagePath, input: "pixels", preprocess: { kind: "image" } }), /no input "pixels"; its inputs are x/);
  });
});

describe("embedders.onnx on text", () => {
  it("tokenizes with the vocabulary, feeds the attention mask, and mean-pools real tokens", async () => {
    const e = await embedders.onnx({ model: textPath, preprocess: { kind: "text", tokenizer: join(dir, "vocab.txt"), maxLength: 16 }, normalize: false });
    assert.equal(e.dimension, HIDDEN);
    assert.equal(e.accepts, "text");
    const texts = ["Red bikes", "a blue car, a red car", null, "zebra"];
    const rows = rowsOf(await e.embed(strings(texts)));
    // [CLS] red bike ##s [SEP]; [CLS] a blue car [UNK]("," is punctuation, not in the vocabulary) a red car [SEP]; [CLS] [UNK] [SEP]
    const ids = [
      [2, 4, 6, 7, 3],
      [2, 9, 5, 8, 1, 9, 4, 8, 3],
      null,
      [2, 1, 3],
    ];
    ids.forEach((t, i) => {
      if (t === null) return assert.equal(rows[i], null);
      const want = new Float32Array(HIDDEN);
      for (const id of t) for (let h = 0; h < HIDDEN; h++) want[h]! += E[id * HIDDEN + h]! / t.length;
      assertClose(rows[i]!, want);
    });
  });

  it("truncates to maxLength keeping the end token", async () => {
    const e = await embedders.onnx({ model: textPath, preprocess: { kind: "text", tokenizer: join(dir, "vocab.txt"), maxLength: 3 }, normalize: false });
    const [row] = rowsOf(await e.embed(strings(["red blue car"])));
    const want = new Float32Array(HIDDEN);
    for (const id of [2, 4, 3]) for (let h = 0; h < HIDDEN; h++) want[h]! += E[id * HIDDEN + h]! / 3;
    assertClose(row!, want);
  });
});
