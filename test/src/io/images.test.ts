import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InvalidArgumentError, NotFoundError } from "../../../format/errors.js";
import { clearMemoryStore, MemoryStore } from "../../../format/store/memory.js";
import { col } from "../../../src/expr/builders.js";
import { readExtension } from "../../../src/expr/data-type.js";
import { openImagesSource } from "../../../src/io/images.js";
import { readImages } from "../../../src/read.js";
import { encode, KNOWN, picture } from "../multimodal/image/fixtures.js";
import { collect, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;
let png: Uint8Array;
let jpeg: Uint8Array;

before(async () => {
  ({ dir, cleanup } = tempDir("tessera-images-"));
  png = await encode(KNOWN.RGB, "png");
  jpeg = await encode(picture(16), "jpeg");
  const files: [string, Uint8Array][] = [
    ["a.png", png],
    ["b.jpg", jpeg],
    ["sub/c.png", await encode(picture(8), "png")],
    ["notes.txt", new TextEncoder().encode("not an image")],
    ["raw/blob1", png],
    ["raw/blob2", png],
  ];
  for (const [name, bytes] of files) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
});
after(() => cleanup());

const formatOf = (df: { schema: { fields: { name: string; metadata: Map<string, string> }[] } }): unknown =>
  readExtension(df.schema.fields.find((f) => f.name === "image")!.metadata)?.params;

describe("readImages", () => {
  it("reads path and bytes of each matching file, sorted by path, typed as tessera.image", async () => {
    const df = await readImages(join(dir, "**/*.png"));
    assert.deepEqual(df.schema.fields.map((f) => `${f.name}: ${String(f.type)}`), ["path: Utf8", "image: Binary"]);
    assert.deepEqual(formatOf(df), { format: "png" });
    const rows = await df.toRows();
    assert.deepEqual(rows.map((r) => r.path), [join(dir, "a.png"), join(dir, "sub/c.png")]);
    assert.deepEqual(rows[0]!.image, new Uint8Array(readFileSync(join(dir, "a.png"))));
    const sizes = await df.select(col("image").image.width().alias("w"), col("image").image.height().alias("h")).toRows();
    assert.deepEqual(sizes, [{ w: 4, h: 3 }, { w: 8, h: 8 }]);
  });

  it("infers the format from extensions or magic bytes, and leaves it unset when files differ", async () => {
    assert.deepEqual(formatOf(await readImages(join(dir, "*.{png,jpg}"))), {});
    assert.deepEqual(formatOf(await readImages(join(dir, "raw/*"))), { format: "png" });
    assert.deepEqual(formatOf(await readImages(join(dir, "*.jpg"))), { format: "jpeg" });
    assert.deepEqual(formatOf(await readImages(join(dir, "*.jpg"), { format: "webp" })), { format: "webp" });
  });

  it("reads from memory:// and feeds image functions", async () => {
    clearMemoryStore("images-test");
    const store = new MemoryStore("images-test");
    for (let i = 0; i < 5; i++) await store.put(`imgs/${i}.png`, await encode(picture(8 + i), "png"));
    await store.put("imgs/skip.txt", new Uint8Array(3));
    const df = await readImages("memory://images-test/imgs/*.png", { concurrency: 2, batchRows: 2 });
    const out = await df.select("path", col("image").image.thumbnail(4).image.width().alias("w")).toRows();
    assert.deepEqual(out.map((r) => r.path), [0, 1, 2, 3, 4].map((i) => `memory://images-test/imgs/${i}.png`));
    assert.deepEqual(out.map((r) => r.w), [4, 4, 4, 4, 4]);
    let batches = 0;
    for await (const b of df.iterBatches()) batches += b.numRows > 0 ? 1 : 0;
    assert.equal(batches, 3, "batchRows 2 over 5 files");
  });

  it("reads no bytes for a projection to path, and only the files a path filter or limit keeps", async () => {
    const sub = join(dir, "gone");
    mkdirSync(sub, { recursive: true });
    for (const n of ["1.png", "2.png", "3.png"]) writeFileSync(join(sub, n), png);
    const df = await readImages(join(sub, "*.png"));
    rmSync(join(sub, "3.png")); // listed when the DataFrame was made, gone now
    assert.equal(await df.select("path").countRows(), 3);
    assert.equal((await df.where(col("path").like("%/1.png").or(col("path").like("%/2.png"))).toRows()).length, 2);
    assert.equal((await df.limit(2).toRows()).length, 2);
    await assert.rejects(df.toRows(), (err: unknown) => err instanceof NotFoundError && /3\.png was listed but is gone/.test(err.message));
  });

  it("applies a filter on other columns after reading, exactly", async () => {
    const src = await openImagesSource(join(dir, "*.{png,jpg}"));
    const batches = await collect(src, { columns: ["path"] });
    assert.equal(batches.reduce((n, b) => n + b.numRows, 0), 2);
    const df = await readImages(join(dir, "*.{png,jpg}"));
    assert.deepEqual(await df.where(col("image").image.width().gt(10)).select("path").toRows(), [{ path: join(dir, "b.jpg") }]);
  });

  it("fails clearly on no match and on bad options", async () => {
    await assert.rejects(readImages(join(dir, "*.gif")), (err: unknown) => err instanceof NotFoundError && /no image files match/.test(err.message));
    await assert.rejects(readImages(join(dir, "*.png"), { concurrency: 0 }), InvalidArgumentError);
  });
});
