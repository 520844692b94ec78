// explode against a flatMap oracle over rows: lists with null and empty values (one null row each), null items,
// fixed-size lists, other columns repeated, random batch cuts; long lists are split into 64k-row batches.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { explode } from "../../../src/exec/explode.js";
import { sliceBatch } from "../../../src/exec/gather.js";
import { FC, type Row, arbSizes, batchOf, batchesOf, collect, collectRows, orNull, rowsOf, schemaOf, streamOf } from "./helpers.js";

const ITEM = new A.Utf8();
const INPUT = schemaOf([
  ["id", new A.Int32()],
  ["l", new A.List(new A.Field("item", ITEM, true))],
  ["v", new A.FixedSizeList(2, new A.Field("item", new A.Int32(), true))],
]);

function oracle(rows: Row[], column: string): Row[] {
  return rows.flatMap((r) => {
    const items = r[column] as unknown[] | null;
    return items === null || items.length === 0 ? [{ ...r, [column]: null }] : items.map((x) => ({ ...r, [column]: x }));
  });
}

function outSchema(column: string): A.Schema {
  return new A.Schema(INPUT.fields.map((f) => (f.name === column ? new A.Field(column, (f.type as A.List).children[0]!.type, true) : f)));
}

const arbRow = (id: number): fc.Arbitrary<Row> =>
  fc.record({
    id: fc.constant(id),
    l: orNull(fc.array(orNull(fc.string({ maxLength: 3 })), { maxLength: 4 }), 4),
    v: orNull(fc.tuple(orNull(fc.integer()), orNull(fc.integer())), 4),
  });
const arbRows = fc.integer({ min: 0, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbRow(i))));

test("explode gives one row per item, and one null row for a null or empty list", async () => {
  await fc.assert(
    fc.asyncProperty(arbRows, fc.constantFrom("l", "v"), arbSizes, async (rows, column, sizes) => {
      const schema = outSchema(column);
      const out = await collect(explode(streamOf(batchesOf(INPUT, rows, sizes)), column, schema));
      for (const b of out) assert.equal(String(b.schema.fields[1]!.type), String(schema.fields[1]!.type));
      assert.deepEqual(rowsOf(out), oracle(rows, column));
    }),
    FC,
  );
});

test("explode reads sliced batches (list offsets pre-sliced, fixed-size list children sliced)", async () => {
  await fc.assert(
    fc.asyncProperty(arbRows, fc.constantFrom("l", "v"), fc.nat(10), async (rows, column, cut) => {
      const start = Math.min(cut, rows.length);
      const sliced = sliceBatch(batchOf(INPUT, rows), start, rows.length - start);
      assert.deepEqual(await collectRows(explode(streamOf([sliced]), column, outSchema(column))), oracle(rows.slice(start), column));
    }),
    FC,
  );
});

test("a list longer than 64k items spans several output batches", async () => {
  const items = Array.from({ length: 70_000 }, (_, i) => String(i % 10));
  const rows = [{ id: 1, l: items, v: null }, { id: 2, l: [], v: [1, 2] }];
  const out = await collect(explode(streamOf(batchesOf(INPUT, rows)), "l", outSchema("l")));
  assert.deepEqual(out.map((b) => b.numRows), [65536, 70_001 - 65536]);
  const flat = rowsOf(out);
  assert.equal(flat[69_999]!.l, "9");
  assert.deepEqual(flat[70_000], { id: 2, l: null, v: [1, 2] });
});

test("exploding a column that is not a list says so", async () => {
  await assert.rejects(collectRows(explode(streamOf(batchesOf(INPUT, [{ id: 1, l: null, v: null }])), "id", INPUT)), /"id": it is int.*not a list/);
});
