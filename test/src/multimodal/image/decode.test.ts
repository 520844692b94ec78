import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../../format/errors.js";
import { col } from "../../../../src/expr/builders.js";
import { fromArrow } from "../../../../src/read.js";
import { ImageDecodeError } from "../../../../src/multimodal/image/errors.js";
import { encode, imageFrame, KNOWN, picture, run, type DecodedRow } from "./fixtures.js";

const luma = (r: number, g: number, b: number): number => (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16;

/** Per-pixel samples of a known image mapped by `f`. */
function mapPixels(p: { data: Uint8Array; channels: number }, f: (px: number[]) => number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.data.length; i += p.channels) out.push(...f([...p.data.subarray(i, i + p.channels)]));
  return out;
}

describe("image.decode", () => {
  it("gives each PNG's own mode and exact pixels", async () => {
    const modes = ["L", "LA", "RGB", "RGBA"] as const;
    const df = imageFrame(await Promise.all(modes.map((m) => encode(KNOWN[m], "png"))));
    const rows = (await run(df, col("image").image.decode())) as DecodedRow[];
    modes.forEach((m, i) => {
      const r = rows[i]!;
      assert.deepEqual([r.mode, r.width, r.height, r.channels], [m, 4, 3, KNOWN[m].channels]);
      assert.deepEqual([...r.data], [...KNOWN[m].data], `pixels of ${m}`);
    });
  });

  it("converts to a requested mode: grey by PIL's luma, alpha dropped or opaque", async () => {
    const df = imageFrame([await encode(KNOWN.RGBA, "png"), await encode(KNOWN.L, "png")]);
    const [rgbaAsL, lAsL] = (await run(df, col("image").image.decode({ mode: "L" }))) as DecodedRow[];
    assert.deepEqual([...rgbaAsL!.data], mapPixels(KNOWN.RGBA, ([r, g, b]) => [luma(r!, g!, b!)]));
    assert.deepEqual([...lAsL!.data], [...KNOWN.L.data]);
    const [rgbaAsLA, lAsLA] = (await run(df, col("image").image.decode({ mode: "LA" }))) as DecodedRow[];
    assert.deepEqual([...rgbaAsLA!.data], mapPixels(KNOWN.RGBA, ([r, g, b, a]) => [luma(r!, g!, b!), a!]));
    assert.deepEqual([...lAsLA!.data], mapPixels(KNOWN.L, ([v]) => [v!, 255]));
    const [rgbaAsRGB, lAsRGBA] = [
      ((await run(df, col("image").image.decode({ mode: "RGB" }))) as DecodedRow[])[0]!,
      ((await run(df, col("image").image.decode({ mode: "RGBA" }))) as DecodedRow[])[1]!,
    ];
    assert.deepEqual([...rgbaAsRGB.data], mapPixels(KNOWN.RGBA, ([r, g, b]) => [r!, g!, b!]));
    assert.deepEqual([...lAsRGBA.data], mapPixels(KNOWN.L, ([v]) => [v!, v!, v!, 255]));
    assert.deepEqual([rgbaAsRGB.mode, rgbaAsRGB.channels, lAsRGBA.mode, lAsRGBA.channels], ["RGB", 3, "RGBA", 4]);
  });

  it("reads a grey JPEG as L and a colour JPEG within JPEG's tolerance", async () => {
    // A smooth picture: JPEG's 4:2:0 chroma subsampling would move the samples of 4×3 colour steps by tens.
    const smooth = picture(32);
    const df = imageFrame([await encode(KNOWN.L, "jpeg", { quality: 100 }), await encode(smooth, "jpeg", { quality: 95 })]);
    const [grey, colour] = (await run(df, col("image").image.decode())) as DecodedRow[];
    assert.deepEqual([grey!.mode, grey!.channels, colour!.mode, colour!.channels], ["L", 1, "RGB", 3]);
    const diffs = (a: Uint8Array, b: Uint8Array): number[] => Array.from(a, (v, i) => Math.abs(v - b[i]!));
    assert.ok(Math.max(...diffs(grey!.data, KNOWN.L.data)) <= 3);
    const d = diffs(colour!.data, smooth.data);
    assert.ok(d.reduce((s, x) => s + x, 0) / d.length < 3, "mean error under 3");
  });

  it("fails on corrupt or truncated bytes naming the row, or gives null with onError 'null'", async () => {
    const good = await encode(KNOWN.RGB, "png");
    const df = imageFrame([good, new TextEncoder().encode("not an image"), good.subarray(0, 40), null]);
    await assert.rejects(
      run(df, col("image").image.decode()),
      (err: unknown) => err instanceof ImageDecodeError && err.row === 1 && /row 1 of the batch is not a readable image \(12 bytes starting 6e 6f/.test(err.message),
    );
    await assert.rejects(imageFrame([good, good.subarray(0, 40)]).select(col("image").image.decode()).collect(), /row 1 .*onError: "null"/);
    const rows = await run(df, col("image").image.decode({ onError: "null" }));
    assert.deepEqual(rows.map((r) => (r === null ? null : (r as DecodedRow).mode)), ["RGB", null, null, null]);
  });

  it("checks its input and options when the plan is built", () => {
    const ints = fromArrow(new A.Table({ n: A.vectorFromArray([1], new A.Int32()) }));
    assert.throws(() => ints.select(col("n").image.decode()), /image.decode expects an image .* got int32/);
    const df = imageFrame([]);
    assert.throws(() => df.select(col("image").image.decode({ mode: "CMYK" as "L" })), InvalidArgumentError);
    assert.throws(() => df.select(col("image").image.decode({ onError: "skip" as "null" })), /onError must be "raise", "null" or "dead-letter"/);
  });

  it("resizes while decoding when asked, recording the size in the type", async () => {
    const df = imageFrame([await encode(picture(32), "jpeg"), await encode(KNOWN.L, "png")]);
    const sel = df.select(col("image").image.decode({ mode: "RGB", resize: { width: 8, height: 6 } }).alias("px"));
    assert.deepEqual(JSON.parse(sel.schema.fields[0]!.metadata.get("ARROW:extension:metadata")!), { decoded: true, mode: "RGB", width: 8, height: 6 });
    const rows = (await run(df, col("image").image.decode({ resize: { width: 8, height: 6, fit: "cover" } }))) as DecodedRow[];
    assert.deepEqual(rows.map((r) => [r.mode, r.width, r.height, r.data.length]), [["RGB", 8, 6, 144], ["L", 8, 6, 48]]);
    assert.throws(() => df.select(col("image").image.decode({ resize: { width: 0, height: 6 } })), /resize.width must be an integer/);
  });

  it("gives decoded images the tessera.image {decoded, mode} type", () => {
    const df = imageFrame([]).select(col("image").image.decode({ mode: "RGB" }).alias("px"));
    const f = df.schema.fields[0]!;
    assert.equal(String(f.type), "Struct<{data:Binary, width:Uint32, height:Uint32, channels:Uint8, mode:Utf8}>");
    assert.equal(f.metadata.get("ARROW:extension:name"), "tessera.image");
    assert.deepEqual(JSON.parse(f.metadata.get("ARROW:extension:metadata")!), { decoded: true, mode: "RGB" });
  });
});
