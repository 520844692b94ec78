// Product quantisation: the sub-vector split, encode = nearest codeword per slice, bounded reconstruction error,
// and ADC tables whose sums equal the exact distance to the reconstructed vector.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRandom } from "../../index/ivf/random.js";
import { adcDistance, PQ_CODES, ProductQuantizer, subVectorStarts, trainPq } from "../../index/pq.js";

/**
 * Rows near `centres` random centres (the same centres for the same count and dim), with noise σ: correlated data,
 * as residuals and embeddings are.
 */
function data(rows: number, dim: number, centres: number, noise: number, seed: number): Float32Array {
  const fixed = seededRandom(centres * 1000 + dim);
  const c = Float32Array.from({ length: centres * dim }, () => Math.sqrt(-2 * Math.log(1 - fixed())) * Math.cos(2 * Math.PI * fixed()));
  const random = seededRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    const k = Math.floor(random() * centres);
    for (let j = 0; j < dim; j++) out[i * dim + j] = c[k * dim + j]! + noise * gauss();
  }
  return out;
}

function sqDist(a: Float32Array, ao: number, b: Float32Array, bo: number, len: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) s += (a[ao + j]! - b[bo + j]!) ** 2;
  return s;
}

describe("subVectorStarts", () => {
  it("splits evenly, or makes the first dim mod m sub-vectors one longer", () => {
    assert.deepEqual(Array.from(subVectorStarts(16, 4)), [0, 4, 8, 12, 16]);
    assert.deepEqual(Array.from(subVectorStarts(10, 3)), [0, 4, 7, 10]);
    assert.deepEqual(Array.from(subVectorStarts(5, 5)), [0, 1, 2, 3, 4, 5]);
    assert.throws(() => subVectorStarts(4, 5), RangeError);
    assert.throws(() => subVectorStarts(4, 0), RangeError);
  });
});

describe("ProductQuantizer", () => {
  const dim = 30; // 30 / 8: six sub-vectors of 4 and two of 3
  const m = 8;
  const train = data(3000, dim, 20, 0.3, 1);
  const pq = trainPq(train, dim, m, { seed: 7 });
  const test = data(400, dim, 20, 0.3, 2);
  const codes = new Uint8Array(400 * m);
  pq.encode(test, 400, codes);

  it("is deterministic for a seed", () => {
    assert.deepEqual(trainPq(train, dim, m, { seed: 7 }).codebooks, pq.codebooks);
    assert.notDeepEqual(trainPq(train, dim, m, { seed: 8 }).codebooks, pq.codebooks);
  });

  it("encodes each sub-vector as its nearest codeword", () => {
    for (let i = 0; i < 400; i += 7) {
      for (let j = 0; j < m; j++) {
        const start = pq.starts[j]!;
        const len = pq.starts[j + 1]! - start;
        const book = pq.codebook(j);
        const d = Array.from({ length: PQ_CODES }, (_, c) => sqDist(test, i * dim + start, book, c * len, len));
        const chosen = d[codes[i * m + j]!]!;
        assert.ok(chosen <= Math.min(...d) * (1 + 1e-5) + 1e-9, `row ${i} sub ${j}`);
      }
    }
  });

  it("reconstructs within a bounded error", () => {
    const out = new Float32Array(dim);
    let err = 0;
    let energy = 0;
    let worst = 0;
    for (let i = 0; i < 400; i++) {
      pq.decode(codes, i * m, out);
      const e = sqDist(out, 0, test, i * dim, dim);
      err += e;
      worst = Math.max(worst, e);
      for (let j = 0; j < dim; j++) energy += test[i * dim + j]! ** 2;
    }
    // 20 centres of 30 dimensions, noise σ = 0.3: the noise alone is 2.7 per row; 256 codewords per 3–4-value
    // slice model the centres and most of the noise (measured: 2.9% of the energy, 0.98 per row, worst 1.9).
    assert.ok(err / energy < 0.05, `relative error ${(err / energy).toFixed(3)}`);
    assert.ok(err / 400 < 1.5, `mean squared error ${(err / 400).toFixed(3)}`);
    assert.ok(worst < 4, `worst row error ${worst.toFixed(2)}`);
  });

  it("computes ADC distances equal to the distance to the reconstructed vector", () => {
    const queries = data(20, dim, 20, 1, 3);
    const table = new Float32Array(m * PQ_CODES);
    const products = new Float32Array(m * PQ_CODES);
    const rec = new Float32Array(dim);
    for (let q = 0; q < 20; q++) {
      pq.l2Table(queries, q * dim, table);
      pq.innerProducts(queries, q * dim, products);
      for (let i = 0; i < 400; i += 13) {
        pq.decode(codes, i * m, rec);
        const exact = sqDist(queries, q * dim, rec, 0, dim);
        const adc = adcDistance(table, codes, i * m, m);
        assert.ok(Math.abs(adc - exact) <= 1e-4 * Math.max(1, exact), `query ${q} row ${i}: ${adc} vs ${exact}`);
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += queries[q * dim + j]! * rec[j]!;
        const viaTable = adcDistance(products, codes, i * m, m);
        assert.ok(Math.abs(viaTable - dot) <= 1e-4 * Math.max(1, Math.abs(dot)), `inner product ${viaTable} vs ${dot}`);
      }
    }
  });

  it("reproduces training rows exactly when there are fewer than 256", () => {
    const few = data(50, 12, 5, 1, 4);
    const small = trainPq(few, 12, 3);
    const c = new Uint8Array(50 * 3);
    small.encode(few, 50, c);
    const out = new Float32Array(12);
    for (let i = 0; i < 50; i++) {
      small.decode(c, i * 3, out);
      assert.deepEqual(out, few.subarray(i * 12, (i + 1) * 12));
    }
  });

  it("encodes rows at an offset and rebuilds from its codebooks", () => {
    const shifted = new Float32Array(dim + 400 * dim);
    shifted.set(test, dim);
    const again = new Uint8Array(400 * m);
    pq.encode(shifted, 400, again, dim);
    assert.deepEqual(again, codes);
    const copy = new ProductQuantizer(dim, m, pq.codebooks.slice());
    copy.encode(test, 400, again);
    assert.deepEqual(again, codes);
    assert.throws(() => new ProductQuantizer(dim, m, new Float32Array(5)), RangeError);
  });
});
