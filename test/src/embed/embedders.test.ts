// The built-in embedders on real inputs: dimensions, unit length, determinism, and that their distances mean what
// they claim (similar texts and the same picture at two sizes are closer than unrelated ones); descriptors rebuild
// identical embedders through createEmbedder.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { fromArrow } from "../../../src/read.js";
import { createEmbedder, embedders, fitPca, projectPca } from "../../../src/embed/index.js";
import { hash32 } from "../../../src/embed/hash.js";
import { binaries, disc, drawImage, l2, norm, rowsOf, split, strings, stripes } from "./support.js";

const close = (a: number, b: number, eps = 1e-5): boolean => Math.abs(a - b) <= eps;

describe("embedders.text", () => {
  it("gives unit vectors of the dimension, null for null, zeros for empty text", async () => {
    const e = embedders.text({ dimension: 64 });
    assert.equal(e.dimension, 64);
    assert.equal(e.accepts, "text");
    const rows = rowsOf(await e.embed(strings(["hello world", null, ""])));
    assert.equal(rows[0]!.length, 64);
    assert.ok(close(norm(rows[0]!), 1));
    assert.equal(rows[1], null);
    assert.equal(norm(rows[2]!), 0);
  });

  it("is deterministic, and case and spacing do not matter", async () => {
    const e = embedders.text();
    const [a, b, c] = rowsOf(await e.embed(strings(["The quick brown fox", "the  QUICK brown fox ", "The quick brown fox"])));
    assert.deepEqual(a, c);
    assert.deepEqual(a, b);
  });

  it("puts similar strings closer than unrelated ones", async () => {
    const e = embedders.text({ dimension: 256, ngrams: [3] });
    const [base, typo, reordered, other] = rowsOf(
      await e.embed(strings(["a red bicycle leaning on a wall", "a red bicycel leaning on a wall", "leaning on a wall, a red bicycle", "quarterly revenue grew by nine percent"])),
    );
    assert.ok(l2(base!, typo!) < l2(base!, other!) / 3, `typo ${l2(base!, typo!)} vs other ${l2(base!, other!)}`);
    assert.ok(l2(base!, reordered!) < l2(base!, other!) / 2);
  });

  it("uses a fixed hash (stored embeddings stay valid across versions)", () => {
    // Golden values from an independent Python implementation (FNV-1a("abc") = 0x1a47e90b, then fmix32).
    assert.equal(hash32(""), 2872998923);
    assert.equal(hash32("abc"), 482950588);
    assert.equal(hash32("3: ca"), 3346138411);
  });

  it("hashes exactly the features it documents: `${n}:${gram}` of the padded text and `w:${word}`", () => {
    const e = embedders.text({ dimension: 32, ngrams: [2, 5] });
    for (const text of ["Ünïcode  Café 😀 ok", "ab", "x", "\ud800 lone"]) {
      const clean = text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
      const chars = Array.from(` ${clean} `);
      const features: string[] = [];
      for (const n of [2, 5]) {
        if (chars.length <= n) features.push(`${n}:${chars.join("")}`);
        else for (let i = 0; i + n <= chars.length; i++) features.push(`${n}:${chars.slice(i, i + n).join("")}`);
      }
      for (const w of clean.match(/[\p{L}\p{N}]+/gu) ?? []) features.push(`w:${w}`);
      const want = new Float32Array(32);
      for (const f of features) {
        const h = hash32(f);
        want[h % 32]! += h & 0x80000000 ? -1 : 1;
      }
      const len = norm(want);
      const inv = 1 / len;
      assert.deepEqual(e.embedOne(text), want.map((x) => x * inv));
    }
  });

  it("checks its options", () => {
    assert.throws(() => embedders.text({ dimension: 0 }), InvalidArgumentError);
    assert.throws(() => embedders.text({ ngrams: [], words: false }), /nothing to hash/);
  });
});

describe("embedders.image", () => {
  it("gives normalised size² (L) or 3·size² (RGB) thumbnails, deterministic", async () => {
    const img = await drawImage(disc, 64);
    const grey = embedders.image();
    const rgb = embedders.image({ size: 8, mode: "RGB" });
    assert.equal(grey.dimension, 256);
    assert.equal(rgb.dimension, 192);
    const [g1, nul, g2] = rowsOf(await grey.embed(binaries([img, null, img])));
    assert.equal(g1!.length, 256);
    assert.ok(close(norm(g1!), 1));
    assert.equal(nul, null);
    assert.deepEqual(g1, g2);
    const [c] = rowsOf(await rgb.embed(binaries([img])));
    assert.equal(c!.length, 192);
    assert.ok(close(norm(c!), 1));
    // The disc is yellow: red and green exceed blue at its centre (pixel (2, 3) of 8 × 8).
    const at = (3 * 8 + 2) * 3;
    assert.ok(c![at]! > c![at + 2]! && c![at + 1]! > c![at + 2]!);
  });

  it("puts the same picture at two sizes closer than a different picture", async () => {
    const e = embedders.image({ size: 16 });
    const [small, large, jpeg, other, third] = rowsOf(
      await e.embed(binaries([await drawImage(disc, 48), await drawImage(disc, 200, 150), await drawImage(disc, 120, 120, "jpeg"), await drawImage(stripes, 48), await drawImage(split, 48)])),
    );
    const same = l2(small!, large!);
    assert.ok(same < l2(small!, other!) / 4, `same ${same} vs stripes ${l2(small!, other!)}`);
    assert.ok(same < l2(small!, third!) / 4, `same ${same} vs split ${l2(small!, third!)}`);
    assert.ok(l2(small!, jpeg!) < l2(small!, other!) / 4);
  });

  it("fails naming the row of an undecodable image", async () => {
    const e = embedders.image();
    await assert.rejects(e.embed(binaries([await drawImage(disc, 16), new Uint8Array([1, 2, 3])])), (err: Error) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /row 1 \(3 bytes\) could not be decoded/);
      return true;
    });
  });

  it("fits PCA on the data, stores it in the descriptor, and rebuilds it exactly", async () => {
    const pictures = [disc, stripes, split];
    const images: Uint8Array[] = [];
    for (let i = 0; i < 12; i++) images.push(await drawImage(pictures[i % 3]!, 24 + i * 3, 24 + ((i * 5) % 9)));
    const unfitted = embedders.image({ size: 8, pca: { dimension: 4 } });
    assert.equal(unfitted.dimension, 4);
    assert.equal(unfitted.fitted, false);
    await assert.rejects(unfitted.embed(binaries(images)), /fit/);
    const fitted = await unfitted.fit(binaries(images));
    assert.equal(fitted.fitted, true);
    assert.equal(fitted.name, "image-8x8-L-pca4");
    const rows = rowsOf(await fitted.embed(binaries(images)));
    for (const r of rows) {
      assert.equal(r!.length, 4);
      assert.ok(close(norm(r!), 1));
    }
    // The three pictures separate in the reduced space: every image is nearest to the others of its picture.
    for (let i = 0; i < rows.length; i++) {
      let best = -1;
      for (let j = 0; j < rows.length; j++) if (j !== i && (best < 0 || l2(rows[i]!, rows[j]!) < l2(rows[i]!, rows[best]!))) best = j;
      assert.equal(best % 3, i % 3, `image ${i} is nearest to ${best}`);
    }
    const opts = fitted.descriptor.options as { pca: { projection: { components: string } } };
    assert.equal(typeof opts.pca.projection.components, "string");
    const rebuilt = createEmbedder(JSON.parse(JSON.stringify(fitted.descriptor)) as typeof fitted.descriptor);
    assert.deepEqual(rowsOf(await rebuilt.embed(binaries(images))), rows);
    // The same fit from a DataFrame (a stream of record batches; its only binary column) and from thumbnails.
    const df = fromArrow(new A.Table({ id: A.vectorFromArray(images.map((_, i) => i), new A.Int32()), image: binaries(images) }));
    assert.deepEqual(rowsOf(await (await unfitted.fit(df)).embed(binaries(images))), rows);
    const fromThumbs = await unfitted.fit((await embedders.image({ size: 8 }).thumbnails(binaries(images))) as Float32Array[]);
    assert.deepEqual(rowsOf(await fromThumbs.embed(binaries(images))), rows);
  });
});

describe("fitPca", () => {
  it("finds the directions of largest variance, strongest first", () => {
    // Points spread along (1, 1, 0) a lot and along (0, 0, 1) a little.
    const vectors: Float32Array[] = [];
    for (let i = -10; i <= 10; i++) for (const z of [-1, 1]) vectors.push(Float32Array.from([i + 5, i + 5, z * 0.5 + 2]));
    const p = fitPca(vectors, 2);
    const c0 = p.components.subarray(0, 3);
    const c1 = p.components.subarray(3, 6);
    assert.ok(close(c0[0]!, Math.SQRT1_2, 1e-4) && close(c0[1]!, Math.SQRT1_2, 1e-4) && close(c0[2]!, 0, 1e-4));
    assert.ok(close(Math.abs(c1[2]!), 1, 1e-4));
    assert.ok(close(projectPca(p, Float32Array.from([5, 5, 2]))[0]!, 0, 1e-4));
    assert.deepEqual(fitPca(vectors, 2), p);
    assert.throws(() => fitPca(vectors.slice(0, 1), 1), /at least 2/);
    assert.throws(() => fitPca(vectors, 4), /dimension must be/);
  });
});

describe("embedders.phash", () => {
  it("gives 64 bits as 0/1 whose L2² distance is the Hamming distance", async () => {
    const e = embedders.phash();
    assert.equal(e.dimension, 64);
    const [a, b, c, n] = rowsOf(await e.embed(binaries([await drawImage(disc, 64), await drawImage(disc, 160, 150, "jpeg"), await drawImage(stripes, 64), null])));
    for (const v of [a, b, c]) assert.ok(v!.every((x) => x === 0 || x === 1));
    assert.equal(n, null);
    const near = l2(a!, b!);
    const far = l2(a!, c!);
    assert.ok(near <= 6, `resized copy differs in ${near} bits`);
    assert.ok(far >= 16, `a different picture differs in only ${far} bits`);
    const avg = embedders.phash({ kind: "average" });
    assert.notDeepEqual(rowsOf(await avg.embed(binaries([await drawImage(disc, 64)])))[0], a);
  });
});

describe("createEmbedder", () => {
  it("rebuilds every built-in from its JSON descriptor with identical output", async () => {
    const img = binaries([await drawImage(disc, 40), await drawImage(stripes, 33)]);
    const txt = strings(["embeddings", "vector search"]);
    for (const [e, input] of [
      [embedders.image({ size: 12, mode: "RGB" }), img],
      [embedders.phash({ kind: "average" }), img],
      [embedders.text({ dimension: 32, ngrams: [2, 4], words: false }), txt],
    ] as const) {
      const again = createEmbedder(JSON.parse(JSON.stringify(e.descriptor)) as typeof e.descriptor);
      assert.equal(again.name, e.name);
      assert.equal(again.dimension, e.dimension);
      assert.deepEqual(again.descriptor, e.descriptor);
      assert.deepEqual(rowsOf(await again.embed(input)), rowsOf(await e.embed(input)));
    }
  });

  it("refuses unknown kinds, naming the known ones", () => {
    assert.throws(() => createEmbedder({ kind: "clip", options: {} }), /unknown embedder kind "clip"; known kinds are image, phash, text, onnx/);
  });
});
