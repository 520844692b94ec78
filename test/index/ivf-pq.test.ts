// IVF-PQ end to end: recall against exact search for every metric (with the table layer's exact re-ranking done
// here), persistence through memory:// and local disk, filters, deletions, appends without retraining, corruption,
// determinism and request counts.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CorruptFileError, InvalidArgumentError, isTesseraError } from "../../format/errors.js";
import { LocalStore } from "../../format/store/local.js";
import { MemoryStore, clearMemoryStore } from "../../format/store/memory.js";
import { seededRandom } from "../../index/ivf/random.js";
import { buildIvfPq, IvfPqIndex, type IvfMetric, type VectorChunk, type VectorSource } from "../../index/ivf-pq.js";

const DIM = 64;
const ROWS = 20_000;
const QUERIES = 1_000;
const K = 10;

/**
 * Rows around 400 seeded centres, σ = 1 around centres of σ = 1.2: overlapping clusters, so a query's neighbours
 * spread over several partitions and recall grows with nprobes. Each row is scaled by a random factor in `scale`.
 */
function clustered(rows: number, seed: number, scale: readonly [number, number] = [1, 1]): Float32Array {
  const fixed = seededRandom(99);
  const gaussFrom = (r: () => number) => (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const g0 = gaussFrom(fixed);
  const centres = Float32Array.from({ length: 400 * DIM }, () => 1.2 * g0());
  const random = seededRandom(seed);
  const gauss = gaussFrom(random);
  const out = new Float32Array(rows * DIM);
  for (let i = 0; i < rows; i++) {
    const c = Math.floor(random() * 400);
    const f = scale[0] + (scale[1] - scale[0]) * random();
    for (let j = 0; j < DIM; j++) out[i * DIM + j] = f * (centres[c * DIM + j]! + gauss());
  }
  return out;
}

/** Chunks of 3 000 rows with ids 1000 + row (so ids are not row numbers), as a re-iterable source. */
function sourceOf(vectors: Float32Array, firstId = 1000, chunk = 3000): VectorSource {
  const rows = vectors.length / DIM;
  return async function* (): AsyncGenerator<VectorChunk> {
    for (let s = 0; s < rows; s += chunk) {
      const e = Math.min(rows, s + chunk);
      const ids = BigUint64Array.from({ length: e - s }, (_, i) => BigInt(firstId + s + i));
      yield { vectors: vectors.subarray(s * DIM, e * DIM), ids };
    }
  };
}

/** The exact distance under `metric`, as index/distance.ts defines it. */
function exact(metric: IvfMetric, a: Float32Array, ao: number, b: Float32Array, bo: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let j = 0; j < DIM; j++) {
    const x = a[ao + j]!;
    const y = b[bo + j]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
    l2 += (x - y) ** 2;
  }
  if (metric === "l2") return l2;
  if (metric === "dot") return 1 - dot;
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
}

/** Exact top-k row numbers of every query (by dot products and norms: 20 000 × 1 000 pairs per metric). */
function groundTruth(metric: IvfMetric, base: Float32Array, queries: Float32Array): number[][] {
  const rows = base.length / DIM;
  const norm = (v: Float32Array, i: number): number => {
    let s = 0;
    for (let j = 0; j < DIM; j++) s += v[i * DIM + j]! ** 2;
    return s;
  };
  const baseNorms = Float64Array.from({ length: rows }, (_, r) => norm(base, r));
  const d = new Float64Array(rows);
  return Array.from({ length: queries.length / DIM }, (_, q) => {
    const qn = norm(queries, q);
    const qo = q * DIM;
    for (let r = 0; r < rows; r++) {
      const ro = r * DIM;
      let s0 = 0;
      let s1 = 0;
      for (let j = 0; j < DIM; j += 2) {
        s0 += queries[qo + j]! * base[ro + j]!;
        s1 += queries[qo + j + 1]! * base[ro + j + 1]!;
      }
      d[r] = s0 + s1;
    }
    for (let r = 0; r < rows; r++) {
      const dot = d[r]!;
      d[r] = metric === "l2" ? qn + baseNorms[r]! - 2 * dot : metric === "dot" ? 1 - dot : 1 - dot / Math.sqrt(qn * baseNorms[r]!);
    }
    return topRows(d, K);
  });
}

/** The k smallest entries' indexes, nearest first. */
function topRows(d: Float64Array, k: number): number[] {
  const best: number[] = [];
  for (let r = 0; r < d.length; r++) {
    if (best.length === k && d[r]! >= d[best[k - 1]!]!) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && d[best[at - 1]!]! > d[r]!) at--;
    best.splice(at, 0, r);
    if (best.length > k) best.pop();
  }
  return best;
}

/** What the table layer does: re-rank candidates by exact distance and keep k. */
function refine(metric: IvfMetric, base: Float32Array, queries: Float32Array, q: number, ids: bigint[]): number[] {
  return ids
    .map((id) => Number(id) - 1000)
    .map((r) => [exact(metric, queries, q * DIM, base, r * DIM), r] as const)
    .sort((x, y) => x[0] - y[0])
    .slice(0, K)
    .map((x) => x[1]);
}

/** Recall@10 of the raw top 10 and of the top 10 after re-ranking 10·k candidates (the raw top 10 are a prefix). */
async function recall(
  index: IvfPqIndex,
  metric: IvfMetric,
  base: Float32Array,
  queries: Float32Array,
  truth: number[][],
  nprobes: number,
): Promise<{ raw: number; refined: number }> {
  let raw = 0;
  let refined = 0;
  for (let q = 0; q < truth.length; q++) {
    const hits = await index.search(queries.subarray(q * DIM, (q + 1) * DIM), { k: K, nprobes, candidates: 10 * K });
    const want = new Set(truth[q]);
    raw += hits.slice(0, K).filter((h) => want.has(Number(h.id) - 1000)).length;
    refined += refine(metric, base, queries, q, hits.map((h) => h.id)).filter((r) => want.has(r)).length;
  }
  return { raw: raw / (truth.length * K), refined: refined / (truth.length * K) };
}

for (const metric of ["l2", "cosine", "dot"] as const) {
  describe(`IVF-PQ recall (${metric})`, () => {
    // Cosine on unnormalised vectors (norms spread tenfold); dot on the nearly normalised vectors it is used with
    // (norms over [0.7, 1.4]). Dot needs more probes: a longer row in a neighbouring direction can win, and it sits
    // in a neighbouring partition (0.947 at nprobes 10, 0.97 at 20).
    const scale: [number, number] = metric === "l2" ? [1, 1] : metric === "cosine" ? [0.5, 5] : [0.7, 1.4];
    const moderate = metric === "dot" ? 20 : 10;
    const base = clustered(ROWS, 1, scale);
    const queries = clustered(QUERIES, 2, scale);
    const store = new MemoryStore(`ivf-recall-${metric}`);
    let index: IvfPqIndex;
    let truth: number[][];

    before(async () => {
      const info = await buildIvfPq(store, "v.ivfpq", sourceOf(base), DIM, { metric, seed: 1 });
      assert.equal(info.rows, ROWS);
      assert.equal(info.partitions, Math.round(Math.sqrt(ROWS)));
      assert.equal(info.subVectors, 8);
      index = await IvfPqIndex.open(store, "v.ivfpq");
      truth = groundTruth(metric, base, queries);
    });
    after(() => clearMemoryStore(`ivf-recall-${metric}`));

    it("finds ≥ 95% of the true top 10 after re-ranking 10·k candidates at a moderate nprobes, more with more", async (t) => {
      const figures: string[] = [];
      let previous = 0;
      for (const nprobes of [2, 5, 10, 20]) {
        const { raw, refined } = await recall(index, metric, base, queries, truth, nprobes);
        figures.push(`nprobes ${nprobes}: ${raw.toFixed(3)} raw, ${refined.toFixed(3)} refined`);
        assert.ok(refined >= previous - 0.005, `recall fell with more probes: ${figures.join("; ")}`);
        assert.ok(refined >= raw - 0.005, `re-ranking lost recall: ${figures.join("; ")}`);
        if (nprobes === moderate) assert.ok(refined >= 0.95, `recall@10 ${figures.join("; ")}`);
        previous = refined;
      }
      t.diagnostic(`${metric} recall@10 on ${ROWS}×${DIM}: ${figures.join("; ")}`);
    });

    it("returns approximate distances close to the exact ones, nearest first", async () => {
      const query = queries.subarray(0, DIM);
      const hits = await index.search(query, { k: K, nprobes: 10, candidates: 50 });
      assert.equal(hits.length, 50);
      for (let i = 1; i < hits.length; i++) assert.ok(hits[i]!.distance >= hits[i - 1]!.distance);
      const scale = metric === "l2" ? hits[0]!.distance : 1;
      for (const h of hits) {
        const d = exact(metric, query, 0, base, (Number(h.id) - 1000) * DIM);
        assert.ok(Math.abs(h.distance - d) < 0.5 * Math.max(scale, Math.abs(d)), `${h.distance} vs exact ${d}`);
      }
    });
  });
}

describe("IVF-PQ files", () => {
  const base = clustered(4000, 3);
  const queries = clustered(20, 4);
  const source = sourceOf(base);
  const options = { metric: "l2" as const, partitions: 16, seed: 5 };
  let dir: string;
  const mem = new MemoryStore("ivf-files");

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-ivf-"));
    await buildIvfPq(mem, "a.ivfpq", source, DIM, options);
  });
  after(async () => {
    clearMemoryStore("ivf-files");
    await rm(dir, { recursive: true, force: true });
  });

  it("round-trips through memory:// and local disk with identical bytes and results", async () => {
    const local = new LocalStore(dir);
    try {
      await buildIvfPq(local, "idx/a.ivfpq", source, DIM, options);
      assert.deepEqual(await local.get("idx/a.ivfpq"), await mem.get("a.ivfpq"));
      const a = await IvfPqIndex.open(mem, "a.ivfpq");
      const b = await IvfPqIndex.open(local, "idx/a.ivfpq");
      assert.deepEqual([a.dim, a.metric, a.partitions, a.subVectors, a.rows], [DIM, "l2", 16, 8, 4000]);
      assert.deepEqual([b.dim, b.metric, b.partitions, b.subVectors, b.rows], [DIM, "l2", 16, 8, 4000]);
      assert.equal(a.partitionSizes.reduce((x, y) => x + y, 0), 4000);
      for (let q = 0; q < 20; q++) {
        const query = queries.subarray(q * DIM, (q + 1) * DIM);
        assert.deepEqual(await b.search(query, { k: 5, nprobes: 4 }), await a.search(query, { k: 5, nprobes: 4 }));
      }
    } finally {
      await local.close();
    }
  });

  it("is deterministic for a seed", async () => {
    await buildIvfPq(mem, "b.ivfpq", source, DIM, options);
    assert.deepEqual(await mem.get("b.ivfpq"), await mem.get("a.ivfpq"));
    await buildIvfPq(mem, "c.ivfpq", source, DIM, { ...options, seed: 6 });
    assert.notDeepEqual(await mem.get("c.ivfpq"), await mem.get("a.ivfpq"));
  });

  it("reads the header and metadata in two requests, and probed partitions in one call, cached after", async () => {
    const store = new MemoryStore("ivf-files");
    const index = await IvfPqIndex.open(store, "a.ivfpq");
    assert.equal(store.stats.requests, 2);
    store.resetStats();
    const query = queries.subarray(0, DIM);
    await index.search(query, { k: 5, nprobes: 6 });
    assert.equal(store.stats.rangesRequested, 6, "one range per probed partition, in one getRanges call");
    assert.ok(store.stats.requests <= 6);
    store.resetStats();
    await index.search(query, { k: 5, nprobes: 6 });
    assert.equal(store.stats.requests, 0, "probed partitions are cached");
    // Concurrent searches share reads in flight, even with nothing cached.
    const cold = await IvfPqIndex.open(store, "a.ivfpq", { cacheBytes: 0 });
    store.resetStats();
    const together = await Promise.all([0, 0, 0].map(() => cold.search(query, { k: 5, nprobes: 6 })));
    assert.equal(store.stats.rangesRequested, 6);
    for (const hits of together) assert.deepEqual(hits, await index.search(query, { k: 5, nprobes: 6 }));
    // With a store that coalesces (local disk), all probes of a query are one request.
    const local = new LocalStore(dir);
    try {
      await buildIvfPq(local, "b.ivfpq", source, DIM, options);
      const onDisk = await IvfPqIndex.open(local, "b.ivfpq", { cacheBytes: 0 });
      local.resetStats();
      await onDisk.search(query, { k: 5, nprobes: 16 });
      assert.equal(local.stats.requests, 1);
      await onDisk.search(query, { k: 5, nprobes: 16 });
      assert.equal(local.stats.requests, 2, "a zero cache budget reads again");
    } finally {
      await local.close();
    }
  });

  it("returns only rows that pass `allowed`, the same as filtering an exhaustive result", async () => {
    const index = await IvfPqIndex.open(mem, "a.ivfpq");
    const allowed = (id: bigint): boolean => id % 3n === 0n;
    for (let q = 0; q < 5; q++) {
      const query = queries.subarray(q * DIM, (q + 1) * DIM);
      const filtered = await index.search(query, { k: 10, nprobes: 16, allowed });
      const everything = await index.search(query, { k: 10, nprobes: 16, candidates: 4000 });
      assert.equal(everything.length, 4000);
      assert.deepEqual(filtered, everything.filter((h) => allowed(h.id)).slice(0, 10));
    }
    const none = await index.search(queries.subarray(0, DIM), { k: 10, nprobes: 16, allowed: () => false });
    assert.deepEqual(none, []);
  });

  it("never returns deleted ids", async () => {
    const index = await IvfPqIndex.open(mem, "a.ivfpq");
    const query = queries.subarray(0, DIM);
    const before = await index.search(query, { k: 10, nprobes: 16, candidates: 30 });
    const gone = before.slice(0, 10).map((h) => h.id);
    const view = index.withDeletions(gone.slice(0, 5)).withDeletions(gone.slice(5));
    assert.equal(view.deletedIds.size, 10);
    assert.equal(index.deletedIds.size, 0, "the original view is unchanged");
    const after = await view.search(query, { k: 10, nprobes: 16, candidates: 20 });
    assert.deepEqual(after, before.slice(10, 30));
    const both = await view.search(query, { k: 10, nprobes: 16, allowed: (id) => id % 2n === 0n });
    assert.ok(both.every((h) => !gone.includes(h.id) && h.id % 2n === 0n));
  });

  it("appends rows without retraining, leaving deleted rows out", async () => {
    const first = base.subarray(0, 3000 * DIM);
    const extra = clustered(1000, 5);
    await buildIvfPq(mem, "half.ivfpq", sourceOf(first), DIM, options);
    const half = await IvfPqIndex.open(mem, "half.ivfpq");
    const info = await half.withDeletions([1000n, 1001n]).append(sourceOf(extra, 50_000), mem, "more.ivfpq");
    assert.deepEqual([info.rows, info.partitions, info.subVectors], [3998, 16, 8]);
    const more = await IvfPqIndex.open(mem, "more.ivfpq");
    assert.equal(more.rows, 3998);
    // The model is unchanged: header and metadata (centroids, codebooks) are those of the first file up to the
    // directory, which now counts the new rows.
    const a = await mem.get("half.ivfpq");
    const b = await mem.get("more.ivfpq");
    const centroidsAndCodebooks = 64 + 4 * (16 * DIM + 256 * DIM);
    assert.deepEqual(b.subarray(64, centroidsAndCodebooks), a.subarray(64, centroidsAndCodebooks));
    // Every new row is its own nearest neighbour; the deleted rows are gone.
    for (let r = 0; r < 1000; r += 50) {
      const hits = await more.search(extra.subarray(r * DIM, (r + 1) * DIM), { k: 1, nprobes: 4, candidates: 20 });
      assert.ok(hits.some((h) => h.id === BigInt(50_000 + r)), `appended row ${r} not found`);
    }
    const all = await more.search(base.subarray(0, DIM), { k: 1, nprobes: 16, candidates: 4000 });
    assert.equal(all.length, 3998);
    assert.ok(!all.some((h) => h.id === 1000n || h.id === 1001n));
    // Deleting everything and appending nothing leaves a valid, empty index.
    const ids = all.map((h) => h.id);
    await more.withDeletions(ids).append(async function* () {}, mem, "empty.ivfpq");
    const empty = await IvfPqIndex.open(mem, "empty.ivfpq");
    assert.equal(empty.rows, 0);
    assert.deepEqual(await empty.search(base.subarray(0, DIM), { k: 3 }), []);
  });

  it("reports corruption as CorruptFileError naming the object", async () => {
    const good = await mem.get("a.ivfpq");
    const cases: [string, (b: Uint8Array) => Uint8Array, "open" | "search"][] = [
      ["magic", (b) => flip(b, 0), "open"],
      ["header", (b) => flip(b, 13), "open"],
      ["centroids", (b) => flip(b, 100), "open"],
      ["directory", (b) => flip(b, 64 + 4 * (16 * DIM + 256 * DIM) + 3), "open"],
      // A truncated tail is found when the last partition is read (open does not pay for a size request).
      ["truncated", (b) => b.subarray(0, b.length - 10), "search"],
      ["header only", (b) => b.subarray(0, 40), "open"],
      ["partition block", (b) => flip(b, b.length - 20), "search"],
    ];
    for (const [name, damage, when] of cases) {
      const store = new MemoryStore("ivf-corrupt");
      await store.put("bad.ivfpq", damage(good.slice()));
      const attempt = async (): Promise<void> => {
        const index = await IvfPqIndex.open(store, "bad.ivfpq");
        assert.equal(when, "search", `${name}: open should have failed`);
        for (let q = 0; q < 20; q++) await index.search(queries.subarray(q * DIM, (q + 1) * DIM), { k: 1, nprobes: 16 });
      };
      await assert.rejects(attempt, (err: unknown) => {
        assert.ok(err instanceof CorruptFileError, `${name}: ${String(err)}`);
        assert.match(err.message, /memory:\/\/ivf-corrupt\/bad\.ivfpq/);
        return true;
      });
      clearMemoryStore("ivf-corrupt");
    }
  });

  it("validates dimensions, options and input", async () => {
    const index = await IvfPqIndex.open(mem, "a.ivfpq");
    await assert.rejects(index.search(new Float32Array(3), { k: 1 }), InvalidArgumentError);
    await assert.rejects(index.search(queries.subarray(0, DIM), { k: 1, nprobes: -1 }), InvalidArgumentError);
    assert.deepEqual(await index.search(queries.subarray(0, DIM), { k: 0 }), []);
    const bad: VectorSource = async function* () {
      yield { vectors: new Float32Array(10), ids: new BigUint64Array(1) };
    };
    await assert.rejects(buildIvfPq(mem, "x", bad, DIM, options), InvalidArgumentError);
    const empty: VectorSource = async function* () {};
    await assert.rejects(buildIvfPq(mem, "x", empty, DIM, options), (e: unknown) => isTesseraError(e, "INVALID_ARGUMENT"));
    let read = false;
    const watched: VectorSource = () => {
      read = true;
      return source();
    };
    await assert.rejects(buildIvfPq(mem, "x", watched, DIM, { ...options, subVectors: DIM + 1 }), InvalidArgumentError);
    await assert.rejects(buildIvfPq(mem, "x", watched, DIM, { ...options, partitions: 0 }), InvalidArgumentError);
    await assert.rejects(buildIvfPq(mem, "x", watched, DIM, { ...options, metric: "manhattan" as IvfMetric }), InvalidArgumentError);
    await assert.rejects(buildIvfPq(mem, "x", watched, 0, options), InvalidArgumentError);
    assert.equal(read, false, "bad options are refused before any data is read");
  });

  it("builds over fewer rows than partitions or PQ codes, with uneven sub-vectors", async () => {
    const few = base.subarray(0, 50 * DIM);
    const info = await buildIvfPq(mem, "few.ivfpq", sourceOf(few, 1000, 7), DIM, { metric: "cosine", partitions: 80, subVectors: 5 });
    assert.deepEqual([info.rows, info.partitions, info.subVectors], [50, 50, 5]);
    const index = await IvfPqIndex.open(mem, "few.ivfpq");
    const hits = await index.search(few.subarray(7 * DIM, 8 * DIM), { k: 1, nprobes: 50, candidates: 50 });
    assert.equal(hits.length, 50);
    assert.equal(hits[0]!.id, 1007n, "a row is its own nearest neighbour");
  });
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  bytes[at] = bytes[at]! ^ 0xff;
  return bytes;
}
