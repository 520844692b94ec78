// The idx-ubyte.gz reader, on small files written here in the same format (tests never depend on the installed
// dataset), and the NDJSON writer with its planted rows of the wrong length.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { fashionMnistInstalled, readFashionMnist, type ImageSet } from "../../../examples/support/fashion-mnist.js";
import { PIXELS } from "../../../examples/support/mnist-features.js";
import { writeMnistNdjson } from "../../../examples/support/mnist-ndjson.js";

/** An idx3 image file and idx1 label file of `rows` images: pixel j of image i is (i + j) % 256, label i % 10. */
function idxFiles(rows: number, side = 28): { images: Buffer; labels: Buffer } {
  const images = Buffer.alloc(16 + rows * side * side);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(rows, 4);
  images.writeUInt32BE(side, 8);
  images.writeUInt32BE(side, 12);
  for (let i = 0; i < rows; i++) for (let j = 0; j < side * side; j++) images[16 + i * side * side + j] = (i + j) % 256;
  const labels = Buffer.alloc(8 + rows);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(rows, 4);
  for (let i = 0; i < rows; i++) labels[8 + i] = i % 10;
  return { images: gzipSync(images), labels: gzipSync(labels) };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-fmnist-"));
});
after(() => rm(dir, { recursive: true, force: true }));

async function writeParts(at: string, train: number, test: number): Promise<void> {
  for (const [part, rows] of [["train", train], ["t10k", test]] as const) {
    const { images, labels } = idxFiles(rows);
    await writeFile(join(at, `${part}-images-idx3-ubyte.gz`), images);
    await writeFile(join(at, `${part}-labels-idx1-ubyte.gz`), labels);
  }
}

describe("readFashionMnist", () => {
  it("reads images and labels, all of them or the first rows", async () => {
    assert.equal(fashionMnistInstalled(dir), false);
    await writeParts(dir, 12, 5);
    assert.equal(fashionMnistInstalled(dir), true);
    const all = await readFashionMnist("train", undefined, dir);
    assert.equal(all.rows, 12);
    assert.equal(all.pixels.length, 12 * PIXELS);
    assert.deepEqual([...all.labels], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    assert.equal(all.pixels[5 * PIXELS + 100], 105);
    const some = await readFashionMnist("t10k", 3, dir);
    assert.equal(some.rows, 3);
    assert.deepEqual([...some.pixels.subarray(2 * PIXELS, 2 * PIXELS + 3)], [2, 3, 4]);
    assert.equal((await readFashionMnist("t10k", 99, dir)).rows, 5, "no more rows than the file has");
  });

  it("refuses files that are not 28×28 idx images", async () => {
    const other = await mkdtemp(join(dir, "bad-"));
    await writeParts(other, 2, 2);
    const { images } = idxFiles(2, 27);
    await writeFile(join(other, "train-images-idx3-ubyte.gz"), images);
    await assert.rejects(readFashionMnist("train", undefined, other), /not 28×28/);
    await writeFile(join(other, "t10k-labels-idx1-ubyte.gz"), gzipSync(Buffer.alloc(16)));
    await assert.rejects(readFashionMnist("t10k", undefined, other), /not idx-ubyte/);
  });
});

describe("writeMnistNdjson", () => {
  const set = (rows: number, from: number): ImageSet => ({
    pixels: Uint8Array.from({ length: rows * PIXELS }, (_, k) => (from + k) % 256),
    labels: Uint8Array.from({ length: rows }, (_, i) => (from + i) % 10),
    rows,
  });

  it("writes train then test rows as gzip NDJSON, with the planted rows' images of the reported wrong lengths", async () => {
    const path = join(dir, "out.jsonl.gz");
    const summary = await writeMnistNdjson(path, set(40, 0), set(10, 3), { badRows: 4 });
    const lines = gunzipSync(await readFile(path)).toString("utf8").trimEnd().split("\n");
    assert.equal(lines.length, 50);
    assert.equal(summary.rows, 50);
    assert.deepEqual([summary.trainRows, summary.testRows], [40, 10]);
    const rows = lines.map((l) => JSON.parse(l) as { id: number; split: string; label: number; image: number[] });
    assert.deepEqual(rows.map((r) => r.id), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(rows.map((r) => r.split), [...new Array<string>(40).fill("train"), ...new Array<string>(10).fill("test")]);
    assert.equal(rows[41]!.label, 4);
    assert.equal(summary.badRows.length, 4);
    const bad = new Map(summary.badRows.map((b) => [b.id, b.length]));
    for (const r of rows) {
      const wrong = bad.get(r.id);
      if (wrong === undefined) assert.equal(r.image.length, PIXELS, `row ${r.id}`);
      else assert.equal(r.image.length, wrong, `planted row ${r.id}`);
    }
    assert.ok([...bad.values()].every((n) => n !== PIXELS));
    assert.deepEqual(rows[7]!.image.slice(0, 3), [7 * PIXELS % 256, (7 * PIXELS + 1) % 256, (7 * PIXELS + 2) % 256]);
    assert.equal(summary.bytes, (await readFile(path)).length);
  });
});
