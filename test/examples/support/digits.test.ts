// Generated digits are deterministic from their seed, look like MNIST (white ink on black, inside the frame),
// cover every label and style, and are learnable: a softmax regression on them does far better than chance.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DIGIT_STYLES, generateDigits } from "../../../examples/support/digits.js";
import { FEATURE_DIM, imageFeatures, PIXELS, SIDE } from "../../../examples/support/mnist-features.js";
import { SoftmaxRegression } from "../../../examples/support/softmax-regression.js";

describe("generateDigits", () => {
  it("gives the same images and labels for the same seed, and others for another seed", async () => {
    const a = await generateDigits(300, { seed: 5 });
    const b = await generateDigits(300, { seed: 5 });
    const c = await generateDigits(300, { seed: 6 });
    assert.equal(a.rows, 300);
    assert.equal(a.pixels.length, 300 * PIXELS);
    assert.deepEqual(a.labels, b.labels);
    assert.ok(Buffer.from(a.pixels).equals(Buffer.from(b.pixels)), "same seed, same bytes");
    assert.ok(!Buffer.from(a.pixels).equals(Buffer.from(c.pixels)));
    // Drawings come first from the seed's sequence, so a longer run starts with the same labels.
    const longer = await generateDigits(600, { seed: 5 });
    assert.deepEqual(longer.labels.subarray(0, 300), a.labels);
  });

  it("draws every label, with ink on a dark background and little of it on the border (over two sheets)", async () => {
    const { pixels, labels, rows } = await generateDigits(700, { seed: 1 });
    assert.deepEqual([...new Set(labels)].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let border = 0;
    let inside = 0;
    for (let i = 0; i < rows; i++) {
      const image = pixels.subarray(i * PIXELS, (i + 1) * PIXELS);
      const max = Math.max(...image);
      const mean = image.reduce((s, v) => s + v, 0) / PIXELS;
      assert.ok(max >= 150, `image ${i} has ink (max ${max})`);
      assert.ok(mean > 2 && mean < 90, `image ${i}: mean ${mean.toFixed(1)} (dark background, some ink)`);
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const v = image[y * SIDE + x]!;
          if (y === 0 || x === 0 || y === SIDE - 1 || x === SIDE - 1) border += v;
          else inside += v;
        }
      }
    }
    assert.ok(border < inside * 0.05, `ink on the border ${border}, inside ${inside}`);
    assert.equal(DIGIT_STYLES.length, 6);
  });

  it("is learnable: features and raw pixels both beat chance (0.1) by far on held-out digits", async () => {
    const train = 1500;
    const test = 500;
    const { pixels, labels } = await generateDigits(train + test, { seed: 2 });
    const features = new Float32Array((train + test) * FEATURE_DIM);
    for (let i = 0; i < train + test; i++) imageFeatures(pixels, i * PIXELS, features, i * FEATURE_DIM);
    const raw = Float32Array.from(pixels, (v) => v / 255);
    const options = { classes: 10, epochs: 60, seed: 1 };
    const split = (x: Float32Array, dim: number): [Float32Array, Float32Array] => [x.subarray(0, train * dim), x.subarray(train * dim)];
    const [fTrain, fTest] = split(features, FEATURE_DIM);
    const [pTrain, pTest] = split(raw, PIXELS);
    const byFeatures = SoftmaxRegression.fit(fTrain, labels.subarray(0, train), FEATURE_DIM, options).accuracy(fTest, labels.subarray(train));
    const byPixels = SoftmaxRegression.fit(pTrain, labels.subarray(0, train), PIXELS, { ...options, epochs: 20, learningRate: 0.002 }).accuracy(pTest, labels.subarray(train));
    console.log(`generated digits, ${train} train / ${test} held-out: accuracy ${byFeatures.toFixed(3)} on features, ${byPixels.toFixed(3)} on raw pixels`);
    assert.ok(byFeatures > 0.5, `features: held-out accuracy ${byFeatures}`);
    assert.ok(byPixels > 0.6, `raw pixels: held-out accuracy ${byPixels}`);
  });
});
