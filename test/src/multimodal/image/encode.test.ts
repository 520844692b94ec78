import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import sharp from "sharp";
import { col } from "../../../../src/expr/builders.js";
import { readExtension } from "../../../../src/expr/data-type.js";
import { ImageRowError } from "../../../../src/multimodal/image/errors.js";
import { sniffFormat } from "../../../../src/multimodal/image/header.js";
import { encode, imageFrame, KNOWN, picture, pixels, run, type DecodedRow } from "./fixtures.js";

const luma = (r: number, g: number, b: number): number => (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16;
const meanError = (a: Uint8Array, b: Uint8Array): number => Array.from(a, (v, i) => Math.abs(v - b[i]!)).reduce((s, x) => s + x, 0) / a.length;

describe("image.encode", () => {
  it("round-trips every mode through PNG exactly", async () => {
    const modes = ["L", "LA", "RGB", "RGBA"] as const;
    const df = imageFrame(await Promise.all(modes.map((m) => encode(KNOWN[m], "png"))));
    const png = (await run(df, col("image").image.decode().image.encode("png"))) as Uint8Array[];
    const back = (await run(imageFrame(png), col("image").image.decode())) as DecodedRow[];
    modes.forEach((m, i) => {
      assert.equal(back[i]!.mode, m);
      assert.deepEqual([...back[i]!.data], [...KNOWN[m].data], `${m} pixels`);
    });
  });

  it("writes JPEG and WebP within their tolerance, with the format in the type", async () => {
    const smooth = picture(48);
    const df = imageFrame([await encode(smooth, "png")]);
    for (const format of ["jpeg", "webp"] as const) {
      const sel = df.select(col("image").image.decode().image.encode(format, { quality: 92 }).alias("out"));
      assert.deepEqual(readExtension(sel.schema.fields[0]!.metadata)!.params, { format });
      const [bytes] = [...(await sel.collect()).getChild("out")!] as Uint8Array[];
      assert.equal(sniffFormat(bytes!), format);
      const [back] = (await run(imageFrame([bytes!]), col("image").image.decode())) as DecodedRow[];
      assert.ok(meanError(back!.data, smooth.data) < 3, `${format} mean error`);
    }
  });

  it("keeps bytes already in the format unless a quality asks for re-encoding", async () => {
    const png = await encode(picture(48), "png");
    const jpeg = await encode(picture(48), "jpeg", { quality: 95 });
    const df = imageFrame([png, jpeg]);
    const [samePng, pngAsJpeg] = (await run(df, col("image").image.encode("png"))) as Uint8Array[];
    assert.deepEqual(samePng, png);
    assert.equal(sniffFormat(pngAsJpeg!), "png");
    const [, low] = (await run(df, col("image").image.encode("jpeg", { quality: 30 }))) as Uint8Array[];
    const [, kept] = (await run(df, col("image").image.encode("jpeg"))) as Uint8Array[];
    assert.deepEqual(kept, jpeg);
    assert.ok(low!.length < jpeg.length, "a lower quality gives fewer bytes");
  });

  it("rejects unknown formats and qualities when the plan is built", () => {
    const df = imageFrame([]);
    assert.throws(() => df.select(col("image").image.encode("bmp" as "png")), /format must be one of png, jpeg, webp/);
    assert.throws(() => df.select(col("image").image.encode("jpeg", { quality: 0 })), /quality must be an integer from 1 to 100/);
  });
});

describe("image.toMode", () => {
  it("converts encoded images and writes them back in their format (grey as grey)", async () => {
    const df = imageFrame([await encode(KNOWN.RGB, "png")]);
    const [bytes] = (await run(df, col("image").image.toMode("L"))) as Uint8Array[];
    assert.equal(sniffFormat(bytes!), "png");
    assert.equal((await sharp(bytes!).metadata()).channels, 1);
    const [back] = (await run(imageFrame([bytes!]), col("image").image.decode())) as DecodedRow[];
    const want: number[] = [];
    for (let i = 0; i < KNOWN.RGB.data.length; i += 3) want.push(luma(KNOWN.RGB.data[i]!, KNOWN.RGB.data[i + 1]!, KNOWN.RGB.data[i + 2]!));
    assert.deepEqual([...back!.data], want);
  });

  it("converts decoded images", async () => {
    const df = imageFrame([await encode(KNOWN.LA, "png")]);
    const [rgba] = (await run(df, col("image").image.decode().image.toMode("RGBA"))) as DecodedRow[];
    assert.equal(rgba!.mode, "RGBA");
    const la = KNOWN.LA.data;
    assert.deepEqual([...rgba!.data.subarray(0, 8)], [la[0], la[0], la[0], la[1], la[2], la[2], la[2], la[3]]);
  });
});

describe("image.toTensor", () => {
  it("gives [height, width, channels] tensors after a resize, typed as tessera.tensor", async () => {
    const solid = pixels(6, 4, 3, (_x, _y, k) => [10, 200, 30][k]!);
    const df = imageFrame([await encode(solid, "png"), null]).select(col("image").image.resize(2, 2).image.toTensor().alias("t"));
    const f = df.schema.fields[0]!;
    assert.equal(String(f.type), "FixedSizeList[12]<Uint8>");
    assert.deepEqual(readExtension(f.metadata), { name: "tessera.tensor", params: { shape: [2, 2, 3] } });
    const t = (await df.collect()).getChild("t")!;
    assert.deepEqual([...(t.get(0) as A.Vector)], [10, 200, 30, 10, 200, 30, 10, 200, 30, 10, 200, 30]);
    assert.equal(t.get(1), null);
  });

  it("takes the size and mode as options, and float32 in [0, 1]", async () => {
    const df = imageFrame([await encode(KNOWN.L, "png")]);
    const [u8] = await run(df, col("image").image.toTensor({ width: 4, height: 3, mode: "L" }));
    assert.deepEqual([...(u8 as A.Vector)], [...KNOWN.L.data]);
    const sel = df.select(col("image").image.toTensor({ width: 4, height: 3, mode: "L", dtype: "float32" }).alias("t"));
    assert.equal(String(sel.schema.fields[0]!.type), "FixedSizeList[12]<Float32>");
    const [f32] = [...(await sel.collect()).getChild("t")!] as A.Vector[];
    assert.deepEqual([...f32!], Array.from(KNOWN.L.data, (v) => Math.fround(v / 255)));
    const la = imageFrame([]).select(col("image").image.decode({ mode: "LA" }).image.resize(5, 5).image.toTensor().alias("t"));
    assert.deepEqual(readExtension(la.schema.fields[0]!.metadata)!.params, { shape: [5, 5, 2] });
  });

  it("resizes while decoding with a fit, in one step from encoded bytes", async () => {
    const df = imageFrame([await encode(picture(64), "jpeg"), await encode(KNOWN.RGBA, "png")]);
    const sel = df.select(col("image").image.toTensor({ width: 16, height: 8, fit: "cover" }).alias("t"));
    assert.equal(String(sel.schema.fields[0]!.type), "FixedSizeList[384]<Uint8>");
    const rows = [...(await sel.collect()).getChild("t")!] as A.Vector[];
    assert.deepEqual(rows.map((r) => r.length), [384, 384]);
    assert.throws(() => df.select(col("image").image.toTensor({ width: 4, height: 4, fit: "inside" })), /fit "inside" does not give every image one size/);
  });

  it("fails on an image of another size naming the row, and on a plan with no fixed size", async () => {
    const df = imageFrame([await encode(KNOWN.RGB, "png"), await encode(picture(8), "png")]);
    await assert.rejects(
      run(df, col("image").image.toTensor({ width: 4, height: 3 })),
      (err: unknown) => err instanceof ImageRowError && err.row === 1 && /is 8×8, not 4×3; resize first/.test(err.message),
    );
    assert.deepEqual((await run(df, col("image").image.toTensor({ width: 4, height: 3, onError: "null" }))).map((v) => v === null), [false, true]);
    assert.throws(() => df.select(col("image").image.toTensor()), /needs every image to have one size: pass \{ width, height \}, or resize first/);
  });
});
