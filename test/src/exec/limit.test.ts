// limitStream against Array.slice over rows, and its contract with upstream: it stops pulling as soon as the limit
// is reached, so the upstream generator's finally block runs and later batches are never produced.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { limitStream } from "../../../src/exec/limit.js";
import { FC, arbSizes, batchesOf, collectRows, schemaOf, streamOf } from "./helpers.js";

const INPUT = schemaOf([["id", new A.Int32()]]);
const rowsN = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i }));

test("limitStream returns rows offset .. offset+limit", async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(100), fc.nat(120), fc.option(fc.nat(120), { nil: undefined }), arbSizes, async (n, offset, limit, sizes) => {
      const out = await collectRows(limitStream(streamOf(batchesOf(INPUT, rowsN(n), sizes)), limit === undefined ? { offset } : { limit, offset }));
      assert.deepEqual(out, rowsN(n).slice(offset, limit === undefined ? undefined : offset + limit));
    }),
    FC,
  );
});

test("it stops pulling once the limit is reached, and upstream cleans up", async () => {
  const produced: number[] = [];
  let cleaned = false;
  async function* src() {
    try {
      for (let i = 0; i < 100; i++) {
        produced.push(i);
        yield batchesOf(INPUT, rowsN(10))[0]!;
      }
    } finally {
      cleaned = true;
    }
  }
  const out = await collectRows(limitStream(src(), { limit: 15, offset: 3 }));
  assert.equal(out.length, 15);
  assert.deepEqual(produced, [0, 1]);
  assert.equal(cleaned, true);
});

test("limit 0 pulls nothing; negative or fractional values are refused", async () => {
  let pulled = false;
  async function* src() {
    pulled = true;
    yield batchesOf(INPUT, rowsN(1))[0]!;
  }
  assert.deepEqual(await collectRows(limitStream(src(), { limit: 0, offset: 0 })), []);
  assert.equal(pulled, false);
  await assert.rejects(collectRows(limitStream(src(), { limit: 1.5, offset: 0 })), /limit must be a non-negative integer/);
  await assert.rejects(collectRows(limitStream(src(), { offset: -1 })), /offset must be a non-negative integer/);
});
