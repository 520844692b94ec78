// The per-image arithmetic shared by the MNIST walkthrough's UDFs and the benchmark's loop, checked on images whose
// statistics are known by hand.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FEATURE_DIM, imageFeatures, PIXELS, pixelStats, SIDE } from "../../../examples/support/mnist-features.js";

/** Equal to float32 precision (sums of 28 float32 values differ from exact ones in the 7th digit). */
const near = (got: number, want: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${what}: ${got}, expected ${want}`);

describe("mnist features", () => {
  it("a blank image: zero sums, mean and std, centroid at the centre", () => {
    const out = new Float32Array(FEATURE_DIM).fill(9);
    imageFeatures(new Uint8Array(PIXELS), 0, out, 0);
    assert.deepEqual([...out.subarray(0, 2 * SIDE)], new Array(2 * SIDE).fill(0));
    assert.deepEqual([...out.subarray(2 * SIDE)], [0.5, 0.5, 0, 0]);
    assert.deepEqual(pixelStats(new Uint8Array(PIXELS), 0), { mean: 0, std: 0 });
  });

  it("one white pixel at row 3, column 20: its row and column sum to 1, the centroid is on it", () => {
    const image = new Uint8Array(PIXELS);
    image[3 * SIDE + 20] = 255;
    const out = new Float32Array(FEATURE_DIM);
    imageFeatures(image, 0, out, 0);
    assert.equal(FEATURE_DIM, 60);
    out.forEach((v, i) => {
      if (i === 3 || i === SIDE + 20) near(v, 1, `sum ${i}`);
      else if (i < 2 * SIDE) assert.equal(v, 0, `sum ${i}`);
    });
    near(out[2 * SIDE]!, 3 / SIDE, "cy");
    near(out[2 * SIDE + 1]!, 20 / SIDE, "cx");
    const mean = 255 / PIXELS;
    const std = Math.sqrt((255 * 255) / PIXELS - mean * mean);
    near(out[2 * SIDE + 2]!, mean / 255, "mean / 255");
    near(out[2 * SIDE + 3]!, std / 255, "std / 255");
    const stats = pixelStats(image, 0);
    near(stats.mean, mean, "mean");
    near(stats.std, std, "std");
  });

  it("reads at an offset and writes at an offset, leaving the rest of both arrays alone", () => {
    const pixels = new Uint8Array(3 * PIXELS);
    for (let i = 0; i < PIXELS; i++) pixels[PIXELS + i] = (i * 7) % 256; // the second image
    const alone = new Float32Array(FEATURE_DIM);
    imageFeatures(pixels.subarray(PIXELS, 2 * PIXELS), 0, alone, 0);
    const out = new Float32Array(3 * FEATURE_DIM).fill(-1);
    imageFeatures(pixels, PIXELS, out, FEATURE_DIM);
    assert.deepEqual([...out.subarray(FEATURE_DIM, 2 * FEATURE_DIM)], [...alone]);
    assert.ok(out.subarray(0, FEATURE_DIM).every((v) => v === -1) && out.subarray(2 * FEATURE_DIM).every((v) => v === -1));
    // Row sums and column sums both add up to the whole image.
    const rows = alone.subarray(0, SIDE).reduce((s, v) => s + v, 0);
    const cols = alone.subarray(SIDE, 2 * SIDE).reduce((s, v) => s + v, 0);
    near(rows / PIXELS, alone[2 * SIDE + 2]!, "row sums / 784 = mean / 255");
    near(cols, rows, "column sums = row sums");
    near(pixelStats(pixels, PIXELS).mean, alone[2 * SIDE + 2]! * 255, "pixelStats agrees");
  });
});
