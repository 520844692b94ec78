import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import sharp from "sharp";
import { col, lit } from "../../../../src/expr/builders.js";
import { DataType, readExtension } from "../../../../src/expr/data-type.js";
import { fromArrow } from "../../../../src/read.js";
import { bigIntToHash, hammingDistance, hashToBigInt, perceptualHash } from "../../../../src/multimodal/image/phash.js";
import { encode, imageFrame, otherPicture, picture, pixels, run, type Known } from "./fixtures.js";

const KINDS = ["average", "difference"] as const;

/** The picture made at 256 px, then scaled by sharp to `size` and saved as JPEG at `quality`. */
async function variant(base: Known, size: number, quality: number): Promise<Uint8Array> {
  const raw = sharp(base.data, { raw: { width: base.width, height: base.height, channels: base.channels } });
  return new Uint8Array(await raw.resize(size, size).jpeg({ quality }).toBuffer());
}

describe("perceptualHash", () => {
  it("packs 64 bits row by row, most significant bit first", () => {
    // Left half dark, right half bright, 18 px wide: the 9-cell grid's cell 4 straddles the edge.
    const halves = pixels(18, 8, 1, (x) => (x < 9 ? 20 : 220));
    assert.deepEqual([...perceptualHash(halves, "average")], Array(8).fill(0x0f));
    assert.deepEqual([...perceptualHash(halves, "difference")], Array(8).fill(0x18));
    const flat = pixels(5, 7, 4, () => 128);
    for (const kind of KINDS) assert.deepEqual([...perceptualHash(flat, kind)], Array(8).fill(0));
  });

  it("uses luma for colour, ignores alpha, and works on images smaller than the grid", () => {
    const rgb = pixels(16, 16, 3, (x, _y, k) => (k === 1 && x >= 8 ? 255 : 0));
    const grey = pixels(16, 16, 2, (x, _y, k) => (k === 1 ? 7 : x >= 8 ? 150 : 0));
    assert.deepEqual(perceptualHash(rgb, "average"), perceptualHash(grey, "average"));
    const tiny = pixels(3, 2, 1, (x) => x * 100);
    assert.equal(perceptualHash(tiny, "difference").length, 8);
  });

  it("rejects impossible pixel buffers", () => {
    assert.throws(() => perceptualHash({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 }, "average"), /need 12 bytes, got 5/);
    assert.throws(() => perceptualHash({ data: new Uint8Array(5), width: 0, height: 2, channels: 1 }, "average"), /positive integers/);
    assert.throws(() => perceptualHash({ data: new Uint8Array(5), width: 1, height: 1, channels: 1 }, "p" as "average"), /kind must be/);
  });

  it("converts to and from uint64 and counts differing bits", () => {
    const h = Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0x01);
    assert.equal(hashToBigInt(h), 0x8000000000000001n);
    assert.deepEqual(bigIntToHash(0x8000000000000001n), h);
    assert.deepEqual(bigIntToHash(-1n), new Uint8Array(8).fill(255));
    assert.equal(hammingDistance(h, new Uint8Array(8)), 2);
  });
});

describe("image.hash", () => {
  it("keeps near-duplicates within a few bits across sizes and JPEG qualities, and different images far apart", async () => {
    const base = picture(256);
    const copies = [await encode(base, "png")];
    for (const [size, quality] of [[64, 90], [128, 60], [200, 30], [333, 80], [97, 50]] as const) copies.push(await variant(base, size, quality));
    const others = [await encode(picture(256, 1), "png"), await encode(otherPicture(256), "png"), await variant(otherPicture(256), 100, 70)];
    const df = imageFrame([...copies, ...others]);
    for (const kind of KINDS) {
      const hashes = (await run(df, col("image").image.hash({ kind }))) as bigint[];
      const bits = hashes.map((h) => bigIntToHash(h));
      const near = bits.slice(1, copies.length).map((b) => hammingDistance(bits[0]!, b));
      const far = bits.slice(copies.length).map((b) => hammingDistance(bits[0]!, b));
      assert.ok(Math.max(...near) <= 5, `${kind}: copies differ by ${near.join(", ")} bits`);
      assert.ok(Math.min(...far) > 15, `${kind}: other images differ by only ${far.join(", ")} bits`);
    }
  });

  it("gives uint64 with the kind in its metadata, and equals perceptualHash of the decoded pixels", async () => {
    const png = await encode(picture(40), "png");
    const df = imageFrame([png, null]).select(col("image").image.hash({ kind: "average" }).alias("h"));
    const f = df.schema.fields[0]!;
    assert.equal(String(f.type), "Uint64");
    assert.deepEqual(readExtension(f.metadata), { name: "tessera.image_hash", params: { kind: "average", bits: 64 } });
    const [h, none] = [...(await df.collect()).getChild("h")!];
    assert.equal(h, hashToBigInt(perceptualHash(picture(40), "average")));
    assert.equal(none, null);
    assert.throws(() => imageFrame([]).select(col("image").image.hash({ bits: 32 as 64 })), /only 64-bit hashes/);
  });
});

describe("image.hammingDistance", () => {
  it("compares hash columns with each other and with a bigint", async () => {
    const a = [0n, 0xffn, 0xffffffffffffffffn, null];
    const b = [1n, 0n, 0n, 5n];
    const df = fromArrow(new A.Table({ a: A.vectorFromArray(a, new A.Uint64()), b: A.vectorFromArray(b, new A.Uint64()) }));
    const out = await df.select(col("a").image.hammingDistance(col("b")).alias("d"), col("a").image.hammingDistance(0xf0n).alias("lit")).collect();
    assert.equal(String(out.schema.fields[0]!.type), "Int32");
    assert.deepEqual([...out.getChild("d")!], [1, 8, 64, null]);
    assert.deepEqual([...out.getChild("lit")!], [4, 4, 60, null]);
    const top = await df.select(col("a").image.hammingDistance(lit(0xffffffffffffffffn, DataType.uint64())).alias("d")).collect();
    assert.deepEqual([...top.getChild("d")!], [64, 56, 0, null]);
  });

  it("finds near-duplicates of one image in a DataFrame", async () => {
    const base = picture(128);
    const df = imageFrame([await variant(base, 90, 60), await encode(otherPicture(128), "png"), await variant(base, 150, 85)]);
    const target = hashToBigInt(perceptualHash(base, "difference"));
    const dups = await df
      .withColumn("h", col("image").image.hash())
      .where(col("h").image.hammingDistance(target).lte(5))
      .countRows();
    assert.equal(dups, 2);
  });

  it("rejects other types and hashes of different kinds", () => {
    const df = imageFrame([]).withColumns({ a: col("image").image.hash({ kind: "average" }), d: col("image").image.hash() });
    assert.throws(() => df.select(col("a").image.hammingDistance(col("d"))), /compares a average hash with a difference hash/);
    assert.throws(() => df.select(col("a").image.hammingDistance("x")), /expects 64-bit hashes .* got string/);
  });
});
