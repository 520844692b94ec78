// The bounded heap and the merge against plain sorting, on random candidates full of ties (small integer
// distances) and with 64-bit row ids beyond 2^53.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isTesseraError } from "../../format/errors.js";
import { compareHits, mergeTopK, TopK, type SearchHit } from "../../index/top-k.js";

const SEED = Number(process.env.TESSERA_PROPERTY_SEED ?? 20261121);
const RUNS = Number(process.env.TESSERA_PROPERTY_RUNS ?? 200);

/** Candidates with distinct ids; distances drawn from a few values so ties are common. */
const arbHits = fc
  .uniqueArray(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 300 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids),
      fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), {
        minLength: ids.length,
        maxLength: ids.length,
      }),
    ),
  )
  .map(([ids, ds]) => ids.map((id, i): SearchHit => ({ id, distance: ds[i]! })));

function bySort(hits: readonly SearchHit[], k: number): SearchHit[] {
  return [...hits].sort(compareHits).slice(0, k);
}

describe("TopK", () => {
  it("keeps exactly what sorting keeps: nearest first, ties by smaller id", () => {
    fc.assert(
      fc.property(arbHits, fc.integer({ min: 1, max: 40 }), (hits, k) => {
        const top = new TopK(k);
        for (const h of hits) top.push(h.distance, h.id);
        assert.equal(top.size, Math.min(k, hits.length));
        assert.deepEqual(top.sorted(), bySort(hits, k));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("does not depend on the order candidates arrive in", () => {
    fc.assert(
      fc.property(arbHits, fc.integer({ min: 1, max: 20 }), (hits, k) => {
        const a = new TopK(k);
        const b = new TopK(k);
        for (const h of hits) a.push(h.distance, h.id);
        for (const h of [...hits].reverse()) b.push(h.distance, h.id);
        assert.deepEqual(a.sorted(), b.sorted());
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it("exposes the bound a candidate must meet, and reports whether it was kept", () => {
    const top = new TopK(2);
    assert.equal(top.bound, Infinity);
    assert.equal(top.push(5, 10n), true);
    assert.equal(top.push(3, 11n), true);
    assert.equal(top.bound, 5);
    assert.equal(top.push(6, 1n), false, "farther than the worst");
    assert.equal(top.push(5, 12n), false, "a tie with a larger id loses");
    assert.equal(top.push(5, 9n), true, "a tie with a smaller id wins");
    assert.deepEqual(top.sorted(), [
      { id: 11n, distance: 3 },
      { id: 9n, distance: 5 },
    ]);
  });

  it("never keeps NaN, keeps infinities, and grows past its initial slots for a large k", () => {
    const top = new TopK(5000);
    assert.equal(top.push(NaN, 1n), false);
    assert.equal(top.push(Infinity, 2n), true);
    for (let i = 0; i < 3000; i++) top.push(3000 - i, BigInt(i + 10));
    const sorted = top.sorted();
    assert.equal(sorted.length, 3001);
    assert.deepEqual(sorted[0], { id: 2999n + 10n, distance: 1 });
    assert.deepEqual(sorted.at(-1), { id: 2n, distance: Infinity });
  });

  it("rejects a k that is not a positive integer", () => {
    for (const k of [0, -1, 1.5, NaN]) assert.throws(() => new TopK(k), (e) => isTesseraError(e, "INVALID_ARGUMENT") && /k must/.test((e as Error).message));
  });
});

describe("mergeTopK", () => {
  it("equals sorting the concatenation (one entry per id, at its smallest distance)", () => {
    fc.assert(
      fc.property(arbHits, fc.array(fc.nat(), { maxLength: 4 }), fc.integer({ min: 1, max: 30 }), (hits, cuts, k) => {
        const at = [0, ...cuts.map((c) => c % (hits.length + 1)).sort((a, b) => a - b), hits.length];
        const lists = at.slice(1).map((end, i) => bySort(hits.slice(at[i]!, end), k));
        assert.deepEqual(mergeTopK(lists, k), bySort(hits, k));
      }),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });

  it("keeps a row found by two lists once, at its smaller distance, and drops NaN", () => {
    const merged = mergeTopK(
      [
        [{ id: 7n, distance: 2 }, { id: 8n, distance: NaN }],
        [{ id: 7n, distance: 1 }, { id: 3n, distance: 4 }],
        [],
      ],
      10,
    );
    assert.deepEqual(merged, [
      { id: 7n, distance: 1 },
      { id: 3n, distance: 4 },
    ]);
  });
});
