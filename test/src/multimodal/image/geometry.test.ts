import assert from "node:assert/strict";
import { describe, it } from "node:test";
import sharp from "sharp";
import { col } from "../../../../src/expr/builders.js";
import { readExtension } from "../../../../src/expr/data-type.js";
import { ImageRowError } from "../../../../src/multimodal/image/errors.js";
import { sniffFormat } from "../../../../src/multimodal/image/header.js";
import { encode, imageFrame, KNOWN, pixels, run, type DecodedRow } from "./fixtures.js";

const QUAD_COLOURS = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 255],
];
/** 8×6: red top-left, green top-right, blue bottom-left, white bottom-right. */
const QUADRANTS = pixels(8, 6, 3, (x, y, k) => QUAD_COLOURS[(y >= 3 ? 2 : 0) + (x >= 4 ? 1 : 0)]![k]!);

const sizes = async (images: unknown[]): Promise<[number, number][]> =>
  Promise.all(images.map(async (b) => {
    const m = await sharp(b as Uint8Array).metadata();
    return [m.width!, m.height!] as [number, number];
  }));

const everyPixel = (r: DecodedRow): number[][] => Array.from({ length: r.width * r.height }, (_, i) => [...r.data.subarray(i * r.channels, (i + 1) * r.channels)]);

describe("image.resize", () => {
  it("resizes encoded images and keeps each one's format", async () => {
    const df = imageFrame([await encode(QUADRANTS, "png"), await encode(QUADRANTS, "jpeg"), await encode(QUADRANTS, "webp")]);
    const out = (await run(df, col("image").image.resize(4, 4))) as Uint8Array[];
    assert.deepEqual(out.map((b) => sniffFormat(b)), ["png", "jpeg", "webp"]);
    assert.deepEqual(await sizes(out), [[4, 4], [4, 4], [4, 4]]);
  });

  it("fits as asked: fill, cover and contain give the exact size; inside and outside keep the aspect ratio", async () => {
    const df = imageFrame([await encode(QUADRANTS, "png")]);
    const got: Record<string, [number, number]> = {};
    for (const fit of ["fill", "cover", "contain", "inside", "outside"] as const) {
      got[fit] = (await sizes(await run(df, col("image").image.resize(4, 4, { fit }))))[0]!;
    }
    assert.deepEqual(got, { fill: [4, 4], cover: [4, 4], contain: [4, 4], inside: [4, 3], outside: [5, 4] });
  });

  it("records a fixed size in the type only when every image has it", () => {
    const df = imageFrame([]);
    const params = (e: ReturnType<typeof col>) => readExtension(df.select(e.alias("x")).schema.fields[0]!.metadata)!.params;
    assert.deepEqual(params(col("image").image.resize(32, 16)), { width: 32, height: 16 });
    assert.deepEqual(params(col("image").image.resize(32, 16, { fit: "inside" })), {});
    assert.deepEqual(params(col("image").image.decode({ mode: "L" }).image.crop(0, 0, 2, 2)), { decoded: true, mode: "L", width: 2, height: 2 });
  });

  it("resizes decoded images into decoded images with the same channels", async () => {
    const solid = pixels(6, 4, 3, (_x, _y, k) => [10, 200, 30][k]!);
    const df = imageFrame([await encode(solid, "png"), await encode(KNOWN.L, "png"), await encode(KNOWN.LA, "png")]);
    const rows = (await run(df, col("image").image.decode().image.resize(3, 2))) as DecodedRow[];
    assert.deepEqual(rows.map((r) => [r.mode, r.channels, r.width, r.height]), [["RGB", 3, 3, 2], ["L", 1, 3, 2], ["LA", 2, 3, 2]]);
    assert.ok(everyPixel(rows[0]!).every((p) => p.join() === "10,200,30"), "a solid colour stays that colour");
  });
});

describe("image.crop and image.thumbnail", () => {
  it("crops decoded pixels and encoded bytes to the same rectangle", async () => {
    const df = imageFrame([await encode(QUADRANTS, "png")]);
    const [decoded] = (await run(df, col("image").image.decode().image.crop(4, 0, 4, 3))) as DecodedRow[];
    assert.deepEqual([decoded!.width, decoded!.height], [4, 3]);
    assert.ok(everyPixel(decoded!).every((p) => p.join() === "0,255,0"), "the top-right quadrant is green");
    const [bytes] = (await run(df, col("image").image.crop(2, 2, 4, 2))) as Uint8Array[];
    assert.equal(sniffFormat(bytes!), "png");
    const [back] = (await run(imageFrame([bytes!]), col("image").image.decode())) as DecodedRow[];
    // Rows 2..3, columns 2..5: red, green on top; blue, white below.
    assert.deepEqual(everyPixel(back!).map((p) => p.join()), ["255,0,0", "255,0,0", "0,255,0", "0,255,0", "0,0,255", "0,0,255", "255,255,255", "255,255,255"]);
  });

  it("fails on a crop outside an image naming the row, or nulls it", async () => {
    const df = imageFrame([await encode(QUADRANTS, "png"), await encode(KNOWN.RGB, "png")]);
    await assert.rejects(
      run(df, col("image").image.crop(2, 0, 6, 3)),
      (err: unknown) => err instanceof ImageRowError && err.row === 1 && /row 1 of the batch is 4×3: the 6×3 crop at \(2, 0\) does not fit/.test(err.message),
    );
    await assert.rejects(run(df, col("image").image.decode().image.crop(2, 0, 6, 3)), /row 1 of the batch is 4×3/);
    const out = await run(df, col("image").image.crop(2, 0, 6, 3, { onError: "null" }));
    assert.deepEqual(out.map((v) => v === null), [false, true]);
  });

  it("makes thumbnails that fit inside size×size and never enlarge", async () => {
    const df = imageFrame([await encode(QUADRANTS, "jpeg"), await encode(KNOWN.RGB, "png")]);
    assert.deepEqual(await sizes(await run(df, col("image").image.thumbnail(4))), [[4, 3], [4, 3]]);
    assert.deepEqual(await sizes(await run(df, col("image").image.thumbnail(100))), [[8, 6], [4, 3]]);
  });
});

describe("image.width and image.height", () => {
  it("read the size from headers of each format and from decoded images", async () => {
    const gif = new Uint8Array(await sharp(QUADRANTS.data, { raw: { width: 8, height: 6, channels: 3 } }).gif().toBuffer());
    const tiff = new Uint8Array(await sharp(QUADRANTS.data, { raw: { width: 8, height: 6, channels: 3 } }).tiff().toBuffer());
    const df = imageFrame([await encode(QUADRANTS, "png"), await encode(QUADRANTS, "jpeg"), await encode(QUADRANTS, "webp"), gif, tiff, null]);
    assert.deepEqual(await run(df, col("image").image.width()), [8, 8, 8, 8, 8, null]);
    assert.deepEqual(await run(df, col("image").image.height()), [6, 6, 6, 6, 6, null]);
    assert.deepEqual(await run(df, col("image").image.decode().image.width()), [8, 8, 8, 8, 8, null]);
  });
});

describe("image.format", () => {
  it("names each row's format from its magic bytes; unknown or empty bytes fail the row or give null", async () => {
    const raw = { raw: { width: 8, height: 6, channels: 3 as const } };
    const gif = new Uint8Array(await sharp(QUADRANTS.data, raw).gif().toBuffer());
    const png = await encode(QUADRANTS, "png");
    const df = imageFrame([png, await encode(QUADRANTS, "jpeg"), await encode(QUADRANTS, "webp"), gif, png.subarray(0, 20), null]);
    assert.deepEqual(await run(df, col("image").image.format()), ["png", "jpeg", "webp", "gif", "png", null]);
    const bad = imageFrame([png, new TextEncoder().encode("not an image"), new Uint8Array(0)]);
    await assert.rejects(run(bad, col("image").image.format()), /image.format: row 1 of the batch is not a readable image \(12 bytes starting 6e 6f/);
    const report = await bad.select(col("image").image.format({ onError: "null" }).alias("f")).collectReport();
    assert.deepEqual([...report.table.getChild("f")!], ["png", null, null]);
    assert.deepEqual(report.failures, { "image.format": 2 });
  });

  it("takes encoded images only, checked when the plan is built", () => {
    const df = imageFrame([]);
    assert.throws(() => df.select(col("image").image.decode().image.format()), /image.format expects encoded bytes/);
    assert.equal(df.select(col("image").image.format().alias("f")).schema.fields[0]!.type.toString(), "Utf8");
  });
});
