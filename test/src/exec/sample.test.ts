// sample: the same seed gives the same rows whatever the batch cuts; fractions keep about that share, sizes
// exactly min(size, rows); output is a subsequence of the input; the reservoir is uniform and compacts.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { makeBatch } from "../../../src/exec/gather.js";
import { sample } from "../../../src/exec/sample.js";
import { FC, arbSizes, batchesOf, collect, collectRows, rowsOf, schemaOf, streamOf } from "./helpers.js";

const INPUT = schemaOf([["id", new A.Int32()], ["s", new A.Utf8()]]);
const rowsN = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, s: `r${i}` }));
const ids = async (opts: Parameters<typeof sample>[1], n: number, sizes: number[] = []): Promise<number[]> =>
  (await collectRows(sample(streamOf(batchesOf(INPUT, rowsN(n), sizes)), opts))).map((r) => r.id as number);

const isIncreasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

test("a seeded sample is a subsequence of the input and does not depend on batch cuts", async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(120), fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }).map((fraction) => ({ fraction })), fc.nat(50).map((size) => ({ size }))), fc.integer(), arbSizes, arbSizes, async (n, how, seed, s1, s2) => {
      const a = await ids({ ...how, seed }, n, s1);
      const b = await ids({ ...how, seed }, n, s2);
      assert.deepEqual(a, b);
      assert.ok(isIncreasing(a) && a.every((x) => x >= 0 && x < n));
      if ("size" in how) assert.equal(a.length, Math.min(how.size, n));
    }),
    FC,
  );
});

test("fraction keeps about that share of rows; 0 keeps none and 1 keeps all", async () => {
  const kept = await ids({ fraction: 0.3, seed: 1 }, 20_000, [5000, 0, 5000]);
  assert.ok(Math.abs(kept.length - 6000) < 300, `kept ${kept.length}`);
  assert.deepEqual(await ids({ fraction: 0, seed: 1 }, 100), []);
  assert.equal((await ids({ fraction: 1, seed: 1 }, 100)).length, 100);
  assert.notDeepEqual(await ids({ fraction: 0.5, seed: 1 }, 100), await ids({ fraction: 0.5, seed: 2 }, 100));
});

test("the reservoir picks every row about equally often", async () => {
  const n = 40;
  const hits = new Array<number>(n).fill(0);
  for (let seed = 0; seed < 400; seed++) for (const id of await ids({ size: 10, seed }, n, [7, 13])) hits[id]!++;
  // Each row is expected 100 times; allow generous noise.
  assert.ok(hits.every((h) => h > 60 && h < 140), hits.join(","));
});

test("a size sample over 300k rows holds few batches (it compacts) and returns rows in input order", async () => {
  const schema = schemaOf([["id", new A.Int32()]]);
  const batches = Array.from({ length: 30 }, (_, b) => makeBatch(schema, [A.makeData({ type: new A.Int32(), data: Int32Array.from({ length: 10_000 }, (_, i) => b * 10_000 + i) })], 10_000));
  const out = await collect(sample(streamOf(batches), { size: 1000, seed: 9 }));
  const got = rowsOf(out).map((r) => r.id as number);
  assert.equal(got.length, 1000);
  assert.ok(isIncreasing(got));
  assert.ok(got[999]! > 200_000, "late rows get sampled too");
});

test("sample needs exactly one of fraction and size, in range", () => {
  assert.throws(() => sample(streamOf([]), { seed: 1 }), /exactly one/);
  assert.throws(() => sample(streamOf([]), { fraction: 0.5, size: 3, seed: 1 }), /exactly one/);
  assert.throws(() => sample(streamOf([]), { fraction: 1.5, seed: 1 }), /\[0, 1\]/);
  assert.throws(() => sample(streamOf([]), { size: -1, seed: 1 }), /non-negative integer/);
});
