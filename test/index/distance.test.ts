// Every kernel (WebAssembly SIMD, JS fallback) against the scalar reference, for every metric, on random data of
// many dimensions (1..1030, most not multiples of 4), unnormalised and with zero vectors; the kernel memory under
// churn (loads, disposes, compaction); and the embedded wasm bytes against the WAT they are built from.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isTesseraError } from "../../format/errors.js";
import {
  batchDistances,
  batchDistancesMany,
  cosineDistance,
  createKernel,
  distance,
  dotDistance,
  l2Distance,
  METRICS,
  wasmSimdSupported,
  type DistanceKernel,
  type Metric,
} from "../../index/distance.js";
import { seededRandom } from "../bench/random.js";

const SEED = Number(process.env.TESSERA_PROPERTY_SEED ?? 20261121);
const RUNS = Number(process.env.TESSERA_PROPERTY_RUNS ?? 60);
const root = resolve(import.meta.dirname, "..", "..");

const BACKENDS = ["wasm", "js"] as const;
const SPECIAL_DIMS = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 513, 783, 784, 785, 1023, 1024, 1029, 1030];

/** `n` rows of `dim` floats in [-scale, scale); every `zeroEvery`-th row is all zeros (0: none). */
function randomVectors(seed: number, n: number, dim: number, scale: number, zeroEvery = 0): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) {
    if (zeroEvery > 0 && r % zeroEvery === zeroEvery - 1) continue;
    for (let k = 0; k < dim; k++) out[r * dim + k] = (next() * 2 - 1) * scale;
  }
  return out;
}

/** How far a float32 kernel may stray from the float64 reference for this pair. */
function tolerance(metric: Metric, a: Float32Array, b: Float32Array): number {
  let sumAbs = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    sumAbs += metric === "l2" ? (a[i]! - b[i]!) ** 2 : Math.abs(a[i]! * b[i]!);
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  if (metric === "cosine") return aa === 0 || bb === 0 ? 0 : 1e-4 * (sumAbs / Math.sqrt(aa * bb)) + 1e-5;
  return 1e-4 * sumAbs + 1e-6;
}

function row(v: Float32Array, dim: number, r: number): Float32Array {
  return v.subarray(r * dim, (r + 1) * dim);
}

function assertClose(got: number, a: Float32Array, b: Float32Array, metric: Metric, where: string): void {
  const want = distance(metric, a, b);
  const tol = tolerance(metric, a, b);
  assert.ok(Math.abs(got - want) <= tol, `${where}: ${metric} got ${got}, reference ${want} (tolerance ${tol})`);
}

const kernels: Record<(typeof BACKENDS)[number], DistanceKernel | undefined> = {
  wasm: wasmSimdSupported() ? createKernel({ backend: "wasm" }) : undefined,
  js: createKernel({ backend: "js" }),
};

const arbCase = fc.record({
  dim: fc.oneof(fc.constantFrom(...SPECIAL_DIMS), fc.integer({ min: 1, max: 1030 })),
  n: fc.integer({ min: 0, max: 37 }),
  nq: fc.integer({ min: 1, max: 9 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  scale: fc.constantFrom(0.01, 1, 100),
  zeroEvery: fc.constantFrom(0, 3, 5),
  metric: fc.constantFrom(...METRICS),
});

describe("scalar reference", () => {
  it("computes the documented formulas", () => {
    assert.equal(l2Distance([0, 0], [3, 4]), 25);
    assert.equal(cosineDistance([1, 0], [0, 2]), 1);
    assert.ok(Math.abs(cosineDistance([1, 1], [2, 2])) < 1e-12);
    assert.equal(cosineDistance([2, 0], [-3, 0]), 2);
    assert.equal(cosineDistance([0, 0], [1, 1]), 1, "a zero vector is at distance 1");
    assert.equal(cosineDistance([0, 0], [0, 0]), 1);
    assert.equal(dotDistance([1, 2], [3, 4]), 1 - 11);
    assert.equal(distance("l2", [1, 2], [1, 4]), 4);
  });

  it("rejects unknown metrics and mismatched lengths", () => {
    assert.throws(() => distance("manhattan" as Metric, [1], [1]), (e) => isTesseraError(e, "INVALID_ARGUMENT") && /manhattan/.test(e.message));
    assert.throws(() => distance("l2", [1, 2], [1]), (e) => isTesseraError(e, "INVALID_ARGUMENT") && /2 and 1/.test(e.message));
  });
});

describe("distance kernels", () => {
  it("run WebAssembly SIMD on this Node", () => {
    assert.equal(wasmSimdSupported(), true);
    assert.equal(createKernel().kind, "wasm-simd");
    assert.equal(createKernel({ backend: "js" }).kind, "js");
  });

  for (const backend of BACKENDS) {
    const kernel = kernels[backend];
    if (kernel === undefined) continue;

    it(`${backend}: one query against a block matches the reference (any dim, metric, row range)`, () => {
      fc.assert(
        fc.property(arbCase, ({ dim, n, seed, scale, zeroEvery, metric }) => {
          const base = randomVectors(seed, n, dim, scale, zeroEvery);
          const query = randomVectors(seed + 1, 1, dim, scale);
          const block = kernel.load(base, dim);
          try {
            assert.equal(block.n, n);
            const d = kernel.scoreOne(query, block, metric);
            assert.equal(d.length, n);
            for (let j = 0; j < n; j++) assertClose(d[j]!, query, row(base, dim, j), metric, `row ${j}`);
            const start = Math.floor(n / 3);
            const end = n - Math.floor(n / 4);
            const part = kernel.scoreOne(query, block, metric, start, end);
            assert.equal(part.length, end - start);
            for (let j = start; j < end; j++) assertClose(part[j - start]!, query, row(base, dim, j), metric, `range row ${j}`);
          } finally {
            block.dispose();
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

    it(`${backend}: many queries against a block match the reference`, () => {
      fc.assert(
        fc.property(arbCase, ({ dim, n, nq, seed, scale, zeroEvery, metric }) => {
          const base = randomVectors(seed, n, dim, scale, zeroEvery);
          const queries = randomVectors(seed + 7, nq, dim, scale, zeroEvery === 0 ? 0 : 4);
          const qb = kernel.load(queries, dim);
          const block = kernel.load(base, dim);
          try {
            const d = kernel.scoreMany(qb, block, metric);
            assert.equal(d.length, nq * n);
            for (let i = 0; i < nq; i++) {
              for (let j = 0; j < n; j++) assertClose(d[i * n + j]!, row(queries, dim, i), row(base, dim, j), metric, `query ${i} row ${j}`);
            }
          } finally {
            block.dispose();
            qb.dispose();
          }
        }),
        { seed: SEED + 1, numRuns: RUNS },
      );
    });

    it(`${backend}: many queries across several cache tiles and a row range`, () => {
      for (const dim of [785, 1030, 3]) {
        for (const metric of METRICS) {
          const n = dim === 3 ? 20000 : 300; // enough rows for several tiles of the multi-query kernel
          const base = randomVectors(dim, n, dim, 1, 7);
          const queries = randomVectors(dim + 1, 6, dim, 1);
          const qb = kernel.load(queries, dim);
          const block = kernel.load(base, dim);
          const start = 5;
          const end = n - 2;
          const d = kernel.scoreMany(qb, block, metric, start, end).slice();
          for (let i = 0; i < 6; i++) {
            for (let j = start; j < end; j += dim === 3 ? 97 : 1) {
              assertClose(d[i * (end - start) + j - start]!, row(queries, dim, i), row(base, dim, j), metric, `dim ${dim} q ${i} row ${j}`);
            }
          }
          block.dispose();
          qb.dispose();
        }
      }
    });

    it(`${backend}: loads a selection of rows in the order given`, () => {
      const dim = 6;
      const base = randomVectors(3, 10, dim, 1);
      const rows = [9, 0, 1, 2, 5, 6, 3];
      const query = randomVectors(4, 1, dim, 1);
      const block = kernel.load(base, dim, { rows });
      assert.equal(block.n, rows.length);
      const d = kernel.scoreOne(query, block, "l2");
      rows.forEach((r, i) => assertClose(d[i]!, query, row(base, dim, r), "l2", `selected row ${r}`));
      block.dispose();
      // unpadded rows take the run-copy path
      const block4 = kernel.load(randomVectors(5, 10, 4, 1), 4, { rows: [2, 3, 4, 8, 9, 0] });
      const d4 = kernel.scoreOne(new Float32Array(4), block4, "l2");
      const base4 = randomVectors(5, 10, 4, 1);
      [2, 3, 4, 8, 9, 0].forEach((r, i) => assertClose(d4[i]!, new Float32Array(4), row(base4, 4, r), "l2", `row ${r}`));
      block4.dispose();
    });

    it(`${backend}: rejects wrong dimensions, bad ranges, foreign and disposed blocks`, () => {
      const block = kernel.load(new Float32Array(12), 4);
      const invalid = (re: RegExp) => (e: unknown) => isTesseraError(e, "INVALID_ARGUMENT") && re.test((e as Error).message);
      assert.throws(() => kernel.scoreOne(new Float32Array(3), block, "l2"), invalid(/3 dimensions.*have 4/));
      assert.throws(() => kernel.scoreOne(new Float32Array(4), block, "l2", 2, 4), invalid(/2\.\.4/));
      assert.throws(() => kernel.load(new Float32Array(10), 4), invalid(/10 floats/));
      assert.throws(() => kernel.load(new Float32Array(8), 0), invalid(/positive integer/));
      assert.throws(() => kernel.load(new Float32Array(8), 4, { rows: [2] }), invalid(/row index 2/));
      const other = createKernel({ backend });
      assert.throws(() => other.scoreOne(new Float32Array(4), block, "l2"), invalid(/another distance kernel/));
      other.dispose();
      block.dispose();
      block.dispose(); // idempotent
      assert.equal(block.disposed, true);
      assert.throws(() => kernel.scoreOne(new Float32Array(4), block, "l2"), invalid(/disposed/));
    });
  }

  it("the JS fallback agrees with the WASM kernel", () => {
    const wasm = kernels.wasm!;
    const js = kernels.js;
    for (const dim of [1, 5, 128, 784, 1030]) {
      const base = randomVectors(dim * 3, 50, dim, 1, 9);
      const queries = randomVectors(dim * 5, 5, dim, 1);
      for (const metric of METRICS) {
        const a = batchDistancesMany(metric, queries, base, dim, undefined, wasm);
        const b = batchDistancesMany(metric, queries, base, dim, undefined, js);
        for (let x = 0; x < a.length; x++) {
          const tol = tolerance(metric, row(queries, dim, Math.floor(x / 50)), row(base, dim, x % 50));
          assert.ok(Math.abs(a[x]! - b[x]!) <= 2 * tol, `dim ${dim} ${metric} #${x}: ${a[x]} vs ${b[x]}`);
        }
      }
    }
  });

  it("batch helpers copy results out and release their blocks", () => {
    const kernel = createKernel();
    const dim = 9;
    const base = randomVectors(1, 40, dim, 1);
    const query = randomVectors(2, 1, dim, 1);
    const out = new Float32Array(41).fill(-1);
    const got = batchDistances("cosine", query, base, dim, out, kernel);
    assert.equal(got, out);
    for (let j = 0; j < 40; j++) assertClose(out[j]!, query, row(base, dim, j), "cosine", `row ${j}`);
    assert.equal(out[40], -1);
    const many = batchDistancesMany("dot", base.subarray(0, 3 * dim), base, dim, undefined, kernel);
    assert.equal(many.length, 3 * 40);
    assertClose(many[2 * 40 + 7]!, row(base, dim, 2), row(base, dim, 7), "dot", "q2 row 7");
    assert.throws(() => batchDistances("l2", query, base, dim, new Float32Array(3), kernel), (e) => isTesseraError(e, "INVALID_ARGUMENT"));
    assert.equal(kernel.usedBytes < 4096, true, `only scratch stays (${kernel.usedBytes} bytes)`);
    // the default (shared) kernel works too
    assertClose(batchDistances("l2", query, base, dim)[3]!, query, row(base, dim, 3), "l2", "shared kernel");
    kernel.dispose();
    assert.throws(() => kernel.load(base, dim), (e) => isTesseraError(e, "INVALID_ARGUMENT") && /disposed/.test((e as Error).message));
  });

  it("wasm: blocks stay correct while other blocks come and go (reuse, compaction, growth)", () => {
    const kernel = createKernel({ backend: "wasm" });
    fc.assert(
      fc.property(
        fc.array(fc.record({ drop: fc.nat(), n: fc.integer({ min: 0, max: 400 }), dim: fc.integer({ min: 1, max: 70 }) }), { minLength: 1, maxLength: 40 }),
        (steps) => {
          const live: { block: ReturnType<DistanceKernel["load"]>; base: Float32Array; dim: number }[] = [];
          steps.forEach(({ drop, n, dim }, s) => {
            if (live.length > 0 && drop % 3 === 0) live.splice(drop % live.length, 1)[0]!.block.dispose();
            const base = randomVectors(s * 31 + n, n, dim, 1, 6);
            live.push({ block: kernel.load(base, dim), base, dim });
            for (const { block, base: b, dim: d } of live) {
              const q = randomVectors(s, 1, d, 1);
              const metric = METRICS[s % 3]!;
              const got = kernel.scoreOne(q, block, metric);
              for (let j = 0; j < block.n; j += 13) assertClose(got[j]!, q, row(b, d, j), metric, `step ${s} row ${j}`);
            }
          });
          for (const { block } of live) block.dispose();
        },
      ),
      { seed: SEED + 2, numRuns: 30 },
    );
    assert.ok(kernel.usedBytes < 64 * 1024, `only scratch remains (${kernel.usedBytes} bytes)`);
    kernel.dispose();
  });

  it("the embedded wasm bytes are exactly what the WAT compiles to", () => {
    const r = spawnSync(process.execPath, [resolve(root, "scripts", "build-kernels.mjs"), "--check"], { encoding: "utf8", cwd: root });
    assert.equal(r.status, 0, `scripts/build-kernels.mjs --check failed:\n${r.stderr}${r.stdout}`);
  });
});
