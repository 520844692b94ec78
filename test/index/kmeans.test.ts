// k-means: deterministic for a seed, recovers well-separated clusters, returns assignments that match the returned
// centroids (Elkan's bounds must not change the answer), and copes with duplicates, tiny inputs and the dot rule.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { seededRandom } from "../../index/ivf/random.js";
import { kmeans } from "../../index/kmeans.js";

/** `perCluster` rows around each of `clusters` seeded centres (spread 10, noise σ = `noise`). */
function clustered(clusters: number, perCluster: number, dim: number, noise: number, seed: number) {
  const random = seededRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Float32Array.from({ length: clusters * dim }, () => 10 * gauss());
  const n = clusters * perCluster;
  const data = new Float32Array(n * dim);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = (i * 7919) % clusters; // interleaved, so a prefix is not one cluster
    label[i] = c;
    for (let j = 0; j < dim; j++) data[i * dim + j] = centres[c * dim + j]! + noise * gauss();
  }
  return { centres, data, label, n };
}

function sqDist(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += (a[ao + j]! - b[bo + j]!) ** 2;
  return s;
}

function bruteNearest(data: Float32Array, i: number, centroids: Float32Array, k: number, dim: number): number[] {
  const d = Array.from({ length: k }, (_, c) => sqDist(data, i * dim, centroids, c * dim, dim));
  const best = Math.min(...d);
  // Every centroid within rounding of the best: the kernel's ‖c‖² − 2x·c form may break a near-tie differently.
  return d.flatMap((v, c) => (v <= best * (1 + 1e-5) + 1e-9 ? [c] : []));
}

describe("kmeans", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const { data } = clustered(6, 200, 8, 1, 1);
    const a = kmeans(data, 8, 6, { seed: 3 });
    const b = kmeans(data, 8, 6, { seed: 3 });
    const c = kmeans(data, 8, 6, { seed: 4, init: "kmeans++" });
    assert.deepEqual(a.centroids, b.centroids);
    assert.deepEqual(a.assignments, b.assignments);
    assert.notDeepEqual(a.centroids, c.centroids);
    assert.deepEqual(kmeans(data, 8, 6, { seed: 4, init: "kmeans++" }).centroids, c.centroids);
  });

  for (const dim of [8, 48]) {
    // 48 dimensions take the Elkan path, 8 the plain one.
    it(`recovers well-separated clusters with k-means++ (${dim} dimensions)`, () => {
      // Tight clusters, so D² sampling seeds every cluster (with σ = 1 at 8 dimensions, a second seed in a covered
      // cluster is a ~25% event at the last pick: k-means++ is a good start, not a guarantee).
      const k = 8;
      const { centres, data, label, n } = clustered(k, 300, dim, 0.3, 11);
      const r = kmeans(data, dim, k, { seed: 5, init: "kmeans++", sampleSize: n });
      for (let c = 0; c < k; c++) {
        const near = Math.min(...Array.from({ length: k }, (_, f) => sqDist(centres, c * dim, r.centroids, f * dim, dim)));
        assert.ok(near < 0.01 * dim, `true centre ${c} is ${near.toFixed(2)} from the nearest centroid`);
      }
      // Purity: each found cluster holds rows of one true cluster.
      const owner = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const f = r.assignments[i]!;
        if (!owner.has(f)) owner.set(f, label[i]!);
        assert.equal(owner.get(f), label[i], `cluster ${f} mixes true clusters`);
      }
      assert.equal(r.sizes.reduce((a, b) => a + b, 0), n);
    });
  }

  it("returns assignments that are the nearest returned centroid (Elkan's pruning changes nothing)", () => {
    const dim = 40;
    const { data, n } = clustered(30, 40, dim, 4, 21); // overlapping clusters: many rows near boundaries
    const r = kmeans(data, dim, 25, { seed: 9, iterations: 30, tolerance: 0 });
    for (let i = 0; i < n; i++) {
      assert.ok(bruteNearest(data, i, r.centroids, 25, dim).includes(r.assignments[i]!), `row ${i}`);
    }
  });

  it("trains on a seeded sample and reports which rows", () => {
    const { data } = clustered(4, 500, 6, 1, 2);
    const r = kmeans(data, 6, 4, { seed: 1, sampleSize: 300 });
    assert.equal(r.sample!.length, 300);
    assert.equal(r.assignments.length, 300);
    assert.ok(r.sample!.every((v, i) => i === 0 || v > r.sample![i - 1]!), "sample rows ascend");
    assert.equal(kmeans(data, 6, 4, { seed: 1 }).sample!.length, 1024, "default 256·k");
    assert.equal(kmeans(data, 6, 8, { seed: 1 }).sample, null, "256·k covers all 2000 rows");
  });

  it("uses every row as a centroid when there are no more rows than k", () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const r = kmeans(data, 2, 5);
    assert.deepEqual(Array.from(r.centroids), [1, 2, 3, 4, 5, 6, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(r.assignments), [0, 1, 2]);
  });

  it("repairs empty clusters when rows repeat", () => {
    // 400 rows with 3 distinct values and k = 6: random init picks duplicates, leaving clusters empty.
    const dim = 4;
    const data = new Float32Array(400 * dim);
    for (let i = 0; i < 400; i++) data.fill(i % 3, i * dim, (i + 1) * dim);
    for (const d of [dim, 40]) {
      const wide = new Float32Array(400 * d);
      for (let i = 0; i < 400; i++) wide.fill(i % 3, i * d, (i + 1) * d);
      const r = kmeans(wide, d, 6, { seed: 2 });
      assert.ok(r.centroids.every(Number.isFinite));
      // The three values each have a centroid (an unrepaired run could leave one value sharing a cluster).
      for (let v = 0; v < 3; v++) {
        const best = Math.min(...Array.from({ length: 6 }, (_, c) => Math.abs(r.centroids[c * d]! - v)));
        assert.ok(best < 0.01, `value ${v} has no centroid (${d} dimensions)`);
      }
    }
  });

  it("assigns by largest inner product with the dot rule", () => {
    const { data, n } = clustered(5, 100, 6, 2, 8);
    const r = kmeans(data, 6, 5, { seed: 1, metric: "dot" });
    for (let i = 0; i < n; i++) {
      const dots = Array.from({ length: 5 }, (_, c) => {
        let s = 0;
        for (let j = 0; j < 6; j++) s += data[i * 6 + j]! * r.centroids[c * 6 + j]!;
        return s;
      });
      assert.ok(dots[r.assignments[i]!]! >= Math.max(...dots) - 1e-3 * Math.abs(Math.max(...dots)), `row ${i}`);
    }
  });

  it("rejects a bad k and empty data", () => {
    assert.throws(() => kmeans(new Float32Array(8), 2, 0), RangeError);
    assert.throws(() => kmeans(new Float32Array(8), 2, 1.5), RangeError);
    assert.throws(() => kmeans(new Float32Array(0), 2, 1), RangeError);
  });
});
