// distinct against a first-occurrence oracle over rows: subsets of columns or all of them (a list column
// included), nulls equal to each other, NaN to NaN and -0 to 0, random batch cuts; it streams as it goes.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { distinct } from "../../../src/exec/distinct.js";
import { makeBatch } from "../../../src/exec/gather.js";
import { FC, type Row, arbSizes, batchesOf, collect, collectRows, orNull, schemaOf, streamOf } from "./helpers.js";

const INPUT = schemaOf([
  ["a", new A.Int32()],
  ["s", new A.Utf8()],
  ["f", new A.Float64()],
  ["l", new A.List(new A.Field("item", new A.Int32(), true))],
  ["id", new A.Int32()],
]);

function canon(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v === 0 ? 0 : v);
  return JSON.stringify(v);
}

function oracle(rows: Row[], columns: string[]): Row[] {
  const seen = new Set<string>();
  return rows
    .filter((r) => {
      const k = columns.map((c) => canon(r[c])).join("|");
      return seen.has(k) ? false : (seen.add(k), true);
    })
    .map((r) => ({ ...r }));
}

const arbRow = (id: number): fc.Arbitrary<Row> =>
  fc.record({
    a: orNull(fc.integer({ min: 0, max: 3 })),
    s: orNull(fc.constantFrom("x", "y", "")),
    f: orNull(fc.constantFrom(0, -0, NaN, 2.5)),
    l: orNull(fc.array(orNull(fc.integer({ min: 0, max: 2 })), { maxLength: 2 })),
    id: fc.constant(id),
  });
const arbRows = fc.integer({ min: 0, max: 60 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbRow(i))));
const COLUMN_SETS = [["a"], ["s", "a"], ["f"], ["l"], ["a", "s", "f", "l"]];

test("distinct keeps the first row of each key, all columns, in input order", async () => {
  await fc.assert(
    fc.asyncProperty(arbRows, fc.constantFrom(...COLUMN_SETS), arbSizes, async (rows, columns, sizes) => {
      const out = await collectRows(distinct(streamOf(batchesOf(INPUT, rows, sizes)), columns));
      assert.deepEqual(out, oracle(rows, columns));
    }),
    FC,
  );
});

test("without columns it compares whole rows", async () => {
  const rows = [
    { a: 1, s: "x", f: 1, l: [1], id: 0 },
    { a: 1, s: "x", f: 1, l: [1], id: 0 },
    { a: 1, s: "x", f: 1, l: [2], id: 0 },
  ];
  assert.deepEqual(await collectRows(distinct(streamOf(batchesOf(INPUT, rows, [1, 1])))), [rows[0], rows[2]]);
});

test("it streams: each batch's new rows come out before the next batch is pulled", async () => {
  const pulled: number[] = [];
  async function* src() {
    for (let i = 0; i < 3; i++) {
      pulled.push(i);
      yield batchesOf(INPUT, [{ a: i, s: null, f: null, l: null, id: i }])[0]!;
    }
  }
  const seenAt: number[] = [];
  for await (const b of distinct(src(), ["a"])) seenAt.push(pulled.length, b.numRows);
  assert.deepEqual(seenAt, [1, 1, 2, 1, 3, 1]);
});

test("over no columns, only the first row is distinct", async () => {
  const empty = new A.Schema([]);
  const out = await collect(distinct(streamOf([makeBatch(empty, [], 0), makeBatch(empty, [], 3), makeBatch(empty, [], 2)])));
  assert.deepEqual(out.map((b) => b.numRows), [1]);
});
