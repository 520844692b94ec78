import assert from "node:assert/strict";
import { describe, it } from "node:test";
import sharp from "sharp";
import { decodeSmallPng, SMALL_PNG_PIXELS } from "../../../../src/multimodal/image/png-small.js";
import { col } from "../../../../src/expr/builders.js";
import { ImageDecodeError } from "../../../../src/multimodal/image/errors.js";
import { encode, imageFrame, KNOWN, picture, pixels, run, type Known } from "./fixtures.js";

/** What sharp decodes (one band for grey without alpha, as image.decode asks it). */
async function viaSharp(png: Uint8Array, channels: number): Promise<number[]> {
  const s = channels === 1 ? sharp(png).toColourspace("b-w") : sharp(png);
  const raw = [...(await s.raw().toBuffer())];
  if (channels !== 2) return raw;
  // sharp widens grey + alpha to RGBA: keep one grey sample and the alpha.
  return raw.filter((_, i) => i % 4 === 0 || i % 4 === 3);
}

/** Noise-like pixels, so libpng picks every row filter (sub, up, average, Paeth). */
const noisy = (w: number, h: number, c: Known["channels"]): Known => pixels(w, h, c, (x, y, k) => ((x * 37 + y * 91 + k * 53) ^ (x * y)) & 255);

describe("decodeSmallPng", () => {
  it("gives exactly sharp's pixels for every plain mode and filter", async () => {
    for (const p of [KNOWN.L, KNOWN.LA, KNOWN.RGB, KNOWN.RGBA, noisy(28, 28, 1), noisy(31, 17, 3), noisy(20, 9, 4), noisy(13, 13, 2), picture(40)]) {
      for (const filters of [false, true]) {
        let s = sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels } });
        if (p.channels <= 2) s = s.toColourspace("b-w");
        const png = new Uint8Array(await s.png({ adaptiveFiltering: filters, compressionLevel: 9 }).toBuffer());
        const got = decodeSmallPng(png);
        assert.ok(got !== undefined, `${p.width}×${p.height}×${p.channels} qualifies`);
        assert.deepEqual([got.width, got.height, got.channels], [p.width, p.height, p.channels]);
        assert.deepEqual([...got.data], await viaSharp(png, p.channels));
        assert.deepEqual([...got.data], [...p.data]);
      }
    }
  });

  it("leaves palette, 16-bit, large and non-PNG files to sharp", async () => {
    const palette = new Uint8Array(await sharp(KNOWN.RGB.data, { raw: { width: 4, height: 3, channels: 3 } }).png({ palette: true }).toBuffer());
    const deep = new Uint8Array(await sharp(KNOWN.RGB.data, { raw: { width: 4, height: 3, channels: 3 } }).toColourspace("rgb16").png().toBuffer());
    const side = Math.sqrt(SMALL_PNG_PIXELS) + 1;
    const large = await encode(pixels(side, side, 1, () => 9), "png");
    for (const png of [palette, deep, large, await encode(KNOWN.RGB, "jpeg")]) assert.equal(decodeSmallPng(png), undefined);
  });

  it("throws on corrupt image data and declines truncated files", async () => {
    const png = await encode(noisy(28, 28, 1), "png");
    const bad = png.slice();
    bad[100] = bad[100]! ^ 0xff; // inside the IDAT payload (zlib stream)
    assert.throws(() => decodeSmallPng(bad));
    assert.equal(decodeSmallPng(png.subarray(0, 60)), undefined);
    const df = imageFrame([png, bad]);
    await assert.rejects(run(df, col("image").image.decode()), (err: unknown) => err instanceof ImageDecodeError && err.row === 1);
    assert.deepEqual((await run(df, col("image").image.decode({ onError: "null" }))).map((v) => v === null), [false, true]);
  });
});
