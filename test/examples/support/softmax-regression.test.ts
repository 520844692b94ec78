// The walkthrough's softmax regression learns what it should: separable classes, probabilities that sum to 1,
// the same model from the same seed, standardization that copes with badly scaled and constant columns.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mulberry32 } from "../../../examples/support/random.js";
import { SoftmaxRegression } from "../../../examples/support/softmax-regression.js";

/**
 * `perClass` points around each of `classes` centres in `dim` dimensions: centres drawn from `seed` with standard
 * deviation `spread`, unit Gaussian noise drawn from `noiseSeed` (default `seed`).
 */
function blobs(classes: number, perClass: number, dim: number, spread: number, seed: number, noiseSeed = seed): { x: Float32Array; y: Int32Array } {
  const gaussian = (random: () => number) => (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centre = gaussian(mulberry32(seed));
  const gauss = gaussian(mulberry32(noiseSeed + 1000));
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => centre() * spread));
  const rows = classes * perClass;
  const x = new Float32Array(rows * dim);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[c]![j]! + gauss();
  }
  return { x, y };
}

describe("SoftmaxRegression", () => {
  it("learns well-separated classes, on the training rows and on new rows from the same distribution", () => {
    const train = blobs(4, 150, 6, 6, 1);
    const test = blobs(4, 100, 6, 6, 1, 2); // the same centres, other noise
    const model = SoftmaxRegression.fit(train.x, train.y, 6, { classes: 4, seed: 3 });
    assert.ok(model.accuracy(train.x, train.y) >= 0.97, `train accuracy ${model.accuracy(train.x, train.y)}`);
    assert.ok(model.accuracy(test.x, test.y) >= 0.95, `test accuracy ${model.accuracy(test.x, test.y)}`);
  });

  it("does much better than chance on overlapping classes, and no better than the data allows", () => {
    const { x, y } = blobs(3, 300, 4, 1.2, 9);
    const model = SoftmaxRegression.fit(x, y, 4, { classes: 3, epochs: 20 });
    const acc = model.accuracy(x, y);
    assert.ok(acc > 0.5 && acc < 0.99, `accuracy ${acc} on overlapping blobs`);
  });

  it("gives probabilities in [0, 1] that sum to 1 per row, and predicts the most probable class", () => {
    const { x, y } = blobs(5, 40, 3, 3, 2);
    const model = SoftmaxRegression.fit(x, y, 3, { classes: 5, epochs: 5 });
    const p = model.predictProba(x);
    const predicted = model.predict(x);
    assert.equal(p.length, y.length * 5);
    for (let i = 0; i < y.length; i++) {
      const row = Array.from(p.subarray(i * 5, i * 5 + 5));
      assert.ok(row.every((v) => v >= 0 && v <= 1), `row ${i}: ${row}`);
      assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5, `row ${i} sums to ${row.reduce((s, v) => s + v, 0)}`);
      assert.equal(predicted[i], row.indexOf(Math.max(...row)));
    }
  });

  it("is deterministic for a seed: the same weights bit for bit; another seed shuffles differently", () => {
    const { x, y } = blobs(3, 80, 5, 2, 4);
    const a = SoftmaxRegression.fit(x, y, 5, { classes: 3, seed: 11 });
    const b = SoftmaxRegression.fit(x, y, 5, { classes: 3, seed: 11 });
    const c = SoftmaxRegression.fit(x, y, 5, { classes: 3, seed: 12 });
    assert.deepEqual(a.weights, b.weights);
    assert.deepEqual(a.bias, b.bias);
    assert.notDeepEqual(a.weights, c.weights);
  });

  it("standardizes: a column scaled by 1e4 and offset, and a constant column, still train (and without NaN)", () => {
    const { x, y } = blobs(3, 100, 3, 8, 5);
    const dim = 5;
    const wide = new Float32Array(y.length * dim);
    for (let i = 0; i < y.length; i++) {
      wide[i * dim] = x[i * 3]! * 1e4 + 5e4;
      wide[i * dim + 1] = x[i * 3 + 1]!;
      wide[i * dim + 2] = x[i * 3 + 2]!;
      wide[i * dim + 3] = 7; // constant
      wide[i * dim + 4] = 0;
    }
    // 300 rows make few steps per pass: more passes and a larger step than the defaults (tuned for ~10k+ rows).
    const options = { classes: 3, epochs: 40, learningRate: 0.05 };
    const model = SoftmaxRegression.fit(wide, y, dim, options);
    const plain = SoftmaxRegression.fit(x, y, 3, options).accuracy(x, y);
    assert.ok(plain >= 0.95, `accuracy on the plain columns ${plain}`);
    assert.ok(model.accuracy(wide, y) >= plain - 0.02, `accuracy ${model.accuracy(wide, y)} with a rescaled column, ${plain} without`);
    assert.ok([...model.weights].every(Number.isFinite));
    assert.equal(model.scale[3], 1, "a constant column is left unscaled");
    // standardize: false leaves the inputs as they are.
    const raw = SoftmaxRegression.fit(wide, y, dim, { ...options, standardize: false });
    assert.ok([...raw.center].every((v) => v === 0));
  });

  it("rejects labels outside 0..classes-1 and inputs of the wrong size", () => {
    assert.throws(() => SoftmaxRegression.fit(new Float32Array(4), Int32Array.of(0, 3), 2, { classes: 3 }), /label 3 of row 1/);
    assert.throws(() => SoftmaxRegression.fit(new Float32Array(5), Int32Array.of(0, 1), 2, { classes: 2 }), /5 values, expected 2 rows × 2/);
    const model = SoftmaxRegression.fit(Float32Array.of(0, 1, 1, 0), Int32Array.of(0, 1), 2, { classes: 2 });
    assert.throws(() => model.predict(new Float32Array(3)), /not a whole number of rows/);
  });
});
