// Exact search against brute force: random chunks (sizes, masks, empty ones), many queries at once, every metric,
// both kernels, tiny score tiles; k beyond the rows that exist; validation; and FlatCache (reuse, budget, eviction).
//
// Vectors hold small integers, so l2 and dot distances are exact in float32 and the expected lists (ties broken by
// row id) are compared exactly; cosine is checked as "a valid top-k" within float tolerance.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isTesseraError } from "../../format/errors.js";
import { createKernel, distance, METRICS, type DistanceKernel, type Metric } from "../../index/distance.js";
import { FlatCache, flatSearch, type CachedChunkSource, type VectorChunk } from "../../index/flat.js";
import { closeSharedScanPool, ScanPool, sharedScanPool } from "../../index/kernels/scan-pool.js";
import { compareHits, type SearchHit } from "../../index/top-k.js";
import { seededRandom } from "../bench/random.js";

const SEED = Number(process.env.TESSERA_PROPERTY_SEED ?? 20261121);
const RUNS = Number(process.env.TESSERA_PROPERTY_RUNS ?? 60);

const kernels: Record<string, DistanceKernel> = { wasm: createKernel({ backend: "wasm" }), js: createKernel({ backend: "js" }) };

/** `n` vectors of small integers in [-3, 3]. */
function intVectors(seed: number, n: number, dim: number): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(next() * 7) - 3;
  return out;
}

interface Case {
  dim: number;
  metric: Metric;
  k: number;
  queries: Float32Array[];
  chunks: VectorChunk[];
}

const arbCase = fc
  .record({
    dim: fc.constantFrom(1, 2, 3, 4, 5, 8, 13, 16, 33, 100),
    metric: fc.constantFrom(...METRICS),
    k: fc.integer({ min: 1, max: 50 }),
    nq: fc.integer({ min: 1, max: 6 }),
    sizes: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 4 }),
    masks: fc.array(fc.constantFrom("none", "sparse", "dense", "empty"), { minLength: 4, maxLength: 4 }),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
  })
  .map(({ dim, metric, k, nq, sizes, masks, seed }): Case => {
    const next = seededRandom(seed);
    let nextId = BigInt(seed) * 1000n + 2n ** 60n; // ids beyond 2^53
    const chunks = sizes.map((n, c): VectorChunk => {
      const ids = BigUint64Array.from({ length: n }, () => (nextId += BigInt(1 + Math.floor(next() * 3))));
      const vectors = intVectors(seed + c + 1, n, dim);
      const mask = masks[c]!;
      if (mask === "none") return { vectors, ids };
      const p = mask === "sparse" ? 0.2 : mask === "dense" ? 0.8 : 0;
      return { vectors, ids, allowed: Uint8Array.from({ length: n }, () => (next() < p ? 1 : 0)) };
    });
    const q = intVectors(seed + 99, nq, dim);
    return { dim, metric, k, chunks, queries: Array.from({ length: nq }, (_, i) => q.subarray(i * dim, (i + 1) * dim)) };
  });

/** Every allowed row with its reference distance to `query`, sorted nearest first (ties by id). */
function bruteForce(query: Float32Array, chunks: readonly VectorChunk[], dim: number, metric: Metric): SearchHit[] {
  const all: SearchHit[] = [];
  for (const c of chunks) {
    for (let r = 0; r < c.ids.length; r++) {
      if (c.allowed !== undefined && c.allowed[r] === 0) continue;
      all.push({ id: c.ids[r]!, distance: distance(metric, query, c.vectors.subarray(r * dim, (r + 1) * dim)) });
    }
  }
  return all.sort(compareHits);
}

/** Asserts `got` is a correct top-k of `all` (exactly, for l2 and dot on integer data; within tolerance for cosine). */
function assertTopK(got: SearchHit[], all: SearchHit[], k: number, metric: Metric): void {
  assert.equal(got.length, Math.min(k, all.length));
  if (metric !== "cosine") {
    assert.deepEqual(got, all.slice(0, k));
    return;
  }
  const tol = 1e-5;
  const ref = new Map(all.map((h) => [h.id, h.distance]));
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i]!.distance - ref.get(got[i]!.id)!) <= tol, "distance matches the reference");
    if (i > 0) assert.ok(compareHits(got[i - 1]!, got[i]!) < 0, "sorted nearest first");
  }
  if (got.length > 0) {
    const kth = all[got.length - 1]!.distance;
    for (const h of got) assert.ok(ref.get(h.id)! <= kth + tol, "no returned hit is beyond the true k-th");
  }
}

async function* asAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

const invalid = (re: RegExp) => (e: unknown) => isTesseraError(e, "INVALID_ARGUMENT") && re.test((e as Error).message);

describe("flatSearch", () => {
  for (const [name, kernel] of Object.entries(kernels)) {
    it(`${name}: equals brute force for many queries over masked chunks`, async () => {
      await fc.assert(
        fc.asyncProperty(arbCase, fc.constantFrom(8, 64, 8 << 20), async ({ dim, metric, k, queries, chunks }, scoreBytes) => {
          const got = await flatSearch(queries, asAsync(chunks), { k, metric, dim, kernel, scoreBytes });
          assert.equal(got.length, queries.length);
          queries.forEach((q, i) => assertTopK(got[i]!, bruteForce(q, chunks, dim, metric), k, metric));
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }

  it("gives the same answer one query at a time, in any chunk order, from sync iterables", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ dim, metric, k, queries, chunks }) => {
        const together = await flatSearch(queries, chunks, { k, metric, dim });
        for (let i = 0; i < queries.length; i++) {
          const [alone] = await flatSearch([queries[i]!], [...chunks].reverse(), { k, metric, dim });
          assert.deepEqual(alone, together[i]);
        }
      }),
      { seed: SEED + 1, numRuns: 30 },
    );
  });

  it("returns what exists when k exceeds the allowed rows, and nothing when every row is masked", async () => {
    const dim = 4;
    const chunk = { vectors: intVectors(1, 5, dim), ids: BigUint64Array.of(10n, 11n, 12n, 13n, 14n), allowed: Uint8Array.of(1, 0, 1, 0, 1) };
    const [hits] = await flatSearch([new Float32Array(dim)], [chunk], { k: 100, metric: "l2", dim });
    assert.deepEqual(hits!.map((h) => h.id).sort(), [10n, 12n, 14n]);
    const [none] = await flatSearch([new Float32Array(dim)], [{ ...chunk, allowed: new Uint8Array(5) }, { vectors: new Float32Array(0), ids: new BigUint64Array(0) }], {
      k: 3,
      metric: "cosine",
      dim,
    });
    assert.deepEqual(none, []);
  });

  it("holds one chunk at a time", async () => {
    const kernel = createKernel();
    const dim = 64;
    const seen: number[] = [];
    async function* chunks(): AsyncGenerator<VectorChunk> {
      for (let c = 0; c < 6; c++) {
        seen.push(kernel.usedBytes);
        yield { vectors: intVectors(c, 1000, dim), ids: BigUint64Array.from({ length: 1000 }, (_, i) => BigInt(c * 1000 + i)) };
      }
    }
    await flatSearch([new Float32Array(dim), new Float32Array(dim).fill(1)], chunks(), { k: 5, metric: "dot", dim, kernel });
    assert.ok(seen.slice(2).every((b) => b === seen[1]), `memory in use between chunks stays flat: ${seen.join(", ")}`);
    assert.ok(seen[1]! < 1000 * dim * 4, "a chunk is released before the next is read");
    kernel.dispose();
  });

  it("splits chunks in SharedArrayBuffers across worker threads, with the same answer", async () => {
    const dim = 256;
    const rows = 8192; // 2 Mi floats: enough for two parts
    const shared = (a: Float32Array): Float32Array => {
      const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
      s.set(a);
      return s;
    };
    const ids = new BigUint64Array(new SharedArrayBuffer(rows * 8));
    ids.forEach((_, i) => (ids[i] = BigInt(i * 3 + 1)));
    const next = seededRandom(5);
    const chunks: VectorChunk[] = [
      { vectors: shared(intVectors(1, rows, dim)), ids },
      { vectors: shared(intVectors(2, rows, dim)), ids, allowed: Uint8Array.from({ length: rows }, () => (next() < 0.5 ? 1 : 0)) },
    ];
    const queries = [0, 1, 2].map((i) => intVectors(10 + i, 1, dim));
    for (const metric of METRICS) {
      const one = await flatSearch(queries, chunks, { k: 20, metric, dim });
      const two = await flatSearch(queries, chunks, { k: 20, metric, dim, threads: 2 });
      assert.deepEqual(two, one);
      if (metric !== "cosine") queries.forEach((q, i) => assertTopK(two[i]!, bruteForce(q, chunks, dim, metric), 20, metric));
    }
    const everything = { k: 2 * rows, metric: "dot" as const, dim };
    assert.deepEqual(await flatSearch([queries[0]!], chunks, { ...everything, threads: 2 }), await flatSearch([queries[0]!], chunks, everything), "every row, once");
    assert.equal(sharedScanPool().size, 1, "one worker did the other half");
    const cache = new FlatCache({ threads: 2 });
    const src = chunks.map((c, i): CachedChunkSource => ({ key: `c${i}`, load: () => ({ vectors: c.vectors.slice(), ids: c.ids.slice() }), ...(c.allowed ? { allowed: c.allowed } : {}) }));
    for (let round = 0; round < 2; round++) assert.deepEqual(await cache.search(queries, src, { k: 20, metric: "l2", dim }), await flatSearch(queries, chunks, { k: 20, metric: "l2", dim }));
    await assert.rejects(flatSearch(queries, chunks, { k: 1, metric: "l2", dim, threads: 0 }), invalid(/threads must/));
    await closeSharedScanPool();
  });

  it("reports a failing scan worker's error, and keeps working after it", async () => {
    const pool = new ScanPool();
    const vectors = new Float32Array(new SharedArrayBuffer(4 * 4 * 2));
    const ids = new BigUint64Array(new SharedArrayBuffer(2 * 8));
    const job = { queries: new Float32Array(4), k: 1, metric: "l2" as const, dim: 4, vectors, ids, start: 0, end: 2 };
    await assert.rejects(pool.run([{ ...job, k: 0 }])[0]!, /scan worker failed: k must be a positive integer/);
    assert.deepEqual(await pool.run([job])[0], [[{ id: 0n, distance: 0 }]]);
    await pool.close();
    assert.equal(pool.size, 0);
  });

  it("rejects queries and chunks of the wrong dimension, bad masks, k and metric", async () => {
    const dim = 4;
    const ok = { vectors: new Float32Array(8), ids: BigUint64Array.of(1n, 2n) };
    const q = new Float32Array(dim);
    await assert.rejects(flatSearch([q, new Float32Array(3)], [ok], { k: 1, metric: "l2", dim }), invalid(/query 1 has 3 dimensions but the vectors have 4/));
    await assert.rejects(
      flatSearch([q], [ok, { vectors: new Float32Array(6), ids: BigUint64Array.of(1n, 2n) }], { k: 1, metric: "l2", dim }),
      invalid(/chunk 1 holds vectors of 3 dimensions .* search has 4 dimensions/),
    );
    await assert.rejects(flatSearch([q], [{ ...ok, allowed: new Uint8Array(3) }], { k: 1, metric: "l2", dim }), invalid(/allowed mask of 3 rows for 2/));
    await assert.rejects(flatSearch([q], [ok], { k: 0, metric: "l2", dim }), invalid(/k must/));
    await assert.rejects(flatSearch([q], [ok], { k: 1, metric: "hamming" as Metric, dim }), invalid(/hamming/));
    await assert.rejects(flatSearch([q], [ok], { k: 1, metric: "l2", dim: 0 }), invalid(/dim must/));
    let pulled = false;
    const none = await flatSearch([], (function* () {
      pulled = true;
      yield ok;
    })(), { k: 1, metric: "l2", dim });
    assert.deepEqual(none, []);
    assert.equal(pulled, false, "no queries: the chunks are not read");
  });
});

describe("FlatCache", () => {
  function sources(chunks: readonly VectorChunk[], loads: Map<string, number>): CachedChunkSource[] {
    return chunks.map((c, i) => {
      const key = `frag-${i}/data-${i}.tsf`;
      const { allowed, ...data } = c;
      return {
        key,
        load: async () => {
          loads.set(key, (loads.get(key) ?? 0) + 1);
          return data;
        },
        ...(allowed === undefined ? {} : { allowed }),
      };
    });
  }

  it("answers like flatSearch, loading each chunk once across repeated searches", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ dim, metric, k, queries, chunks }) => {
        const cache = new FlatCache();
        const loads = new Map<string, number>();
        const want = await flatSearch(queries, chunks, { k, metric, dim });
        for (let round = 0; round < 3; round++) {
          assert.deepEqual(await cache.search(queries, sources(chunks, loads), { k, metric, dim }), want);
          // single queries against the resident chunks
          assert.deepEqual(await cache.search([queries[0]!], asAsync(sources(chunks, loads)), { k, metric, dim }), [want[0]]);
        }
        assert.ok([...loads.values()].every((n) => n === 1), "every chunk was loaded once");
        assert.equal(cache.size, chunks.length);
        cache.clear();
        assert.equal(cache.heldBytes, 0);
      }),
      { seed: SEED + 3, numRuns: 30 },
    );
  });

  it("evicts least recently used chunks to stay within its budget, and never caches a chunk above it", async () => {
    const dim = 16;
    const rows = 100;
    const perChunk = rows * dim * 4 + rows * 8; // vectors, ids
    const chunks = [0, 1, 2, 3].map((c): VectorChunk => ({
      vectors: intVectors(c, rows, dim),
      ids: BigUint64Array.from({ length: rows }, (_, i) => BigInt(c * rows + i)),
    }));
    const cache = new FlatCache({ budgetBytes: 2 * perChunk });
    const loads = new Map<string, number>();
    const src = sources(chunks, loads);
    const q = [new Float32Array(dim).fill(1)];
    const want = await flatSearch(q, chunks, { k: 7, metric: "l2", dim });
    assert.deepEqual(await cache.search(q, src, { k: 7, metric: "l2", dim }), want);
    assert.deepEqual(cache.keys(), [src[2]!.key, src[3]!.key]);
    assert.equal(cache.heldBytes, 2 * perChunk);
    await cache.search(q, [src[2]!], { k: 7, metric: "l2", dim }); // touch 2: 3 is now the oldest
    await cache.search(q, [src[0]!], { k: 7, metric: "l2", dim });
    assert.deepEqual(cache.keys(), [src[2]!.key, src[0]!.key]);
    assert.equal(loads.get(src[2]!.key), 1);
    assert.equal(cache.evictWhere((key) => key.startsWith("frag-0/")), 1);
    assert.equal(cache.evict("missing"), false);
    assert.deepEqual(cache.keys(), [src[2]!.key]);

    const tiny = new FlatCache({ budgetBytes: perChunk - 1 });
    assert.deepEqual(await tiny.search(q, sources(chunks, new Map()), { k: 7, metric: "l2", dim }), want);
    assert.equal(tiny.size, 0, "chunks above the budget are searched, not cached");
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it("applies each search's own masks to cached chunks, and reloads a key seen with another dimension", async () => {
    const dim = 3;
    const chunk = { vectors: intVectors(5, 6, dim), ids: BigUint64Array.of(1n, 2n, 3n, 4n, 5n, 6n) };
    const cache = new FlatCache();
    let loads = 0;
    const source = (allowed?: Uint8Array): CachedChunkSource => ({ key: "k", load: () => (loads++, chunk), ...(allowed ? { allowed } : {}) });
    const q = [new Float32Array(dim)];
    const all = await cache.search(q, [source()], { k: 10, metric: "l2", dim });
    assert.equal(all[0]!.length, 6);
    const some = await cache.search(q, [source(Uint8Array.of(0, 1, 0, 1, 0, 0))], { k: 10, metric: "l2", dim });
    assert.deepEqual(some[0]!.map((h) => h.id).sort(), [2n, 4n]);
    const none = await cache.search(q, [source(new Uint8Array(6))], { k: 10, metric: "l2", dim });
    assert.deepEqual(none, [[]]);
    await assert.rejects(cache.search(q, [source(new Uint8Array(2))], { k: 1, metric: "l2", dim }), invalid(/allowed mask of 2 rows for 6/));
    assert.equal(loads, 1);
    const wide = { vectors: intVectors(6, 2, 9), ids: BigUint64Array.of(1n, 2n) };
    const [hits] = await cache.search([new Float32Array(9)], [{ key: "k", load: () => (loads++, wide) }], { k: 10, metric: "l2", dim: 9 });
    assert.equal(hits!.length, 2);
    assert.equal(loads, 2, "the stale entry was replaced");
    assert.equal(cache.heldBytes, wide.vectors.byteLength + wide.ids.byteLength);
  });

  it("copies a chunk that is a view of a larger buffer, so it holds (and counts) only the chunk", async () => {
    const dim = 2;
    const big = new Float32Array(1000).fill(9);
    const vectors = big.subarray(10, 14);
    vectors.set([1, 0, 0, 1]);
    const cache = new FlatCache();
    const source: CachedChunkSource = { key: "view", load: () => ({ vectors, ids: BigUint64Array.of(1n, 2n) }) };
    const first = await cache.search([Float32Array.of(1, 0)], [source], { k: 1, metric: "l2", dim });
    assert.equal(cache.heldBytes, 4 * 4 + 2 * 8);
    vectors.set([0, 1, 1, 0]); // the caller reuses its buffer
    assert.deepEqual(await cache.search([Float32Array.of(1, 0)], [source], { k: 1, metric: "l2", dim }), first);
  });
});
