// The row-movement helpers over random schemas (nested types included): takes with -1 as a null row, concat and
// slice agree with the same rows rebuilt from JS values; column-less batches keep their row count.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { concatBatches, makeBatch, sliceBatch, takeColumns, takeData, takeRows } from "../../../src/exec/gather.js";
import { arbRows, arbSchema, plainRows, toBatches } from "../../support/arrow-arbitrary.js";
import { FC } from "./helpers.js";

const arbCase = arbSchema().chain((schema) =>
  arbRows(schema, 30).chain((rows) =>
    fc.record({
      schema: fc.constant(schema),
      rows: fc.constant(rows),
      cuts: fc.array(fc.nat(10), { maxLength: 4 }),
      indices: fc.array(fc.integer({ min: -1, max: Math.max(-1, rows.length - 1) }), { maxLength: 40 }),
    }),
  ),
);

test("concat, take (with -1 as a null row) and slice keep every value of every type", () => {
  fc.assert(
    fc.property(arbCase, ({ schema, rows, cuts, indices }) => {
      const all = concatBatches(schema, toBatches(schema, rows, cuts));
      assert.deepEqual(plainRows([all]), plainRows(toBatches(schema, rows, [])));
      const nullRow = schema.fields.map(() => null);
      const taken = takeRows(all, Int32Array.from(indices));
      assert.equal(taken.numRows, indices.length);
      assert.deepEqual(plainRows([taken]), plainRows(toBatches(schema, indices.map((i) => (i < 0 ? nullRow : rows[i]!)), [])));
      const start = Math.floor(rows.length / 3);
      const sliced = sliceBatch(all, start, rows.length - start);
      assert.deepEqual(plainRows([sliced]), plainRows(toBatches(schema, rows.slice(start), [])));
    }),
    { ...FC, numRuns: 200 },
  );
});

test("a take reads a struct whose children are shorter than it (nulls at the end), and a sliced input", () => {
  const type = new A.Struct([new A.Field("x", new A.Int32(), true)]);
  // Two rows, the second a null struct whose child slot is missing, as Arrow JS builders leave it.
  const child = A.makeData({ type: new A.Int32(), length: 1, data: Int32Array.of(7) });
  const d = A.makeData({ type, length: 2, nullCount: 1, nullBitmap: Uint8Array.of(1), children: [child] });
  const out = A.makeVector(takeData(d, Int32Array.of(1, 0, -1, 0)));
  assert.deepEqual([...out].map((r) => r?.toJSON() ?? null), [null, { x: 7 }, null, { x: 7 }]);
  const ints = A.makeData({ type: new A.Int32(), data: Int32Array.of(1, 2, 3, 4) }).slice(1, 3);
  assert.deepEqual([...A.makeVector(takeData(ints, Int32Array.of(1, -1, 0, 1)))], [3, null, 2, 3]);
  // Consecutive indices around a miss take the zero-copy slice path first.
  assert.deepEqual([...A.makeVector(takeData(ints, Int32Array.of(-1, 1)))], [null, 3]);
});

test("a batch with no columns keeps its row count through make, slice and take", () => {
  const empty = new A.Schema([]);
  const b = makeBatch(empty, [], 10);
  assert.equal(b.numRows, 10);
  assert.equal(sliceBatch(b, 2, 5).numRows, 5);
  assert.equal(takeRows(b, Int32Array.of(0, 0, 1)).numRows, 3);
  assert.equal(concatBatches(empty, [b, makeBatch(empty, [], 4)]).numRows, 14);
});

test("takeColumns slices every column for a consecutive run and takes otherwise, misses as nulls", () => {
  const ints = A.makeData({ type: new A.Int32(), data: Int32Array.of(1, 2, 3, 4) });
  const strs = A.vectorFromArray(["a", "", null, "dd"], new A.Utf8()).data[0]!;
  const run = takeColumns([ints, strs], Int32Array.of(1, 2, 3));
  assert.ok(run.every((d, i) => d.offset === 1 && d.values.buffer === [ints, strs][i]!.values.buffer));
  assert.deepEqual(run.map((d) => [...A.makeVector(d)]), [[2, 3, 4], ["", null, "dd"]]);
  const some = takeColumns([ints, strs], Int32Array.of(3, -1, 0, 0));
  assert.deepEqual(some.map((d) => [...A.makeVector(d)]), [[4, null, 1, 1], ["dd", null, "a", "a"]]);
  assert.deepEqual(takeColumns([], Int32Array.of(0)), []);
});
