// sortStream against Array.prototype.sort (stable) over rows: several keys, both directions, nulls first or last,
// NaN after numbers, strings by code unit; with and without limit/offset (TopN), random batch cuts.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { makeBatch } from "../../../src/exec/gather.js";
import { sortStream } from "../../../src/exec/sort.js";
import type { SortKey } from "../../../src/exec/types.js";
import { FC, type Row, arbSizes, batchesOf, col, collect, orNull, rowsOf, schemaOf, streamOf } from "./helpers.js";

const INPUT = schemaOf([
  ["a", new A.Int32()],
  ["f", new A.Float64()],
  ["s", new A.Utf8()],
  ["b", new A.Int64()],
  ["t", new A.Bool()],
  ["id", new A.Int32()],
]);
const typeOf = (name: string): A.DataType => INPUT.fields.find((f) => f.name === name)!.type;

interface Key {
  name: string;
  desc: boolean;
  nullsFirst: boolean;
}

/** Ascending order of two non-null values: NaN after numbers, JS order otherwise (code units for strings). */
function cmpValues(x: unknown, y: unknown): number {
  if (typeof x === "number" && typeof y === "number" && (Number.isNaN(x) || Number.isNaN(y))) return Number(Number.isNaN(x)) - Number(Number.isNaN(y));
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

function oracle(rows: Row[], keys: Key[]): Row[] {
  return rows.map((r) => ({ ...r })).sort((p, q) => {
    for (const k of keys) {
      const x = p[k.name];
      const y = q[k.name];
      if (x === null && y === null) continue;
      if (x === null || y === null) return (x === null) === k.nullsFirst ? -1 : 1;
      const c = cmpValues(x, y) * (k.desc ? -1 : 1);
      if (c !== 0) return c;
    }
    return 0;
  });
}

const arbRow = (id: number): fc.Arbitrary<Row> =>
  fc.record({
    a: orNull(fc.integer({ min: -3, max: 3 })),
    f: orNull(fc.constantFrom(-0, 0, 1.5, -2, NaN, Infinity, -Infinity)),
    s: orNull(fc.constantFrom("", "a", "B", "ab", "é", "\u{1F600}", "\uFFFF")),
    b: orNull(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n })),
    t: orNull(fc.boolean()),
    id: fc.constant(id),
  });
const arbRows = fc.integer({ min: 0, max: 80 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbRow(i))));
const arbKey: fc.Arbitrary<Key> = fc.record({ name: fc.constantFrom("a", "f", "s", "b", "t"), desc: fc.boolean(), nullsFirst: fc.boolean() });
const sortKeys = (keys: Key[]): SortKey[] => keys.map((k) => ({ column: col(k.name, typeOf(k.name)), desc: k.desc, nullsFirst: k.nullsFirst }));

test("sortStream is a stable multi-key sort matching the oracle", async () => {
  await fc.assert(
    fc.asyncProperty(arbRows, fc.array(arbKey, { minLength: 1, maxLength: 3 }), arbSizes, async (rows, keys, sizes) => {
      const out = await collect(sortStream(streamOf(batchesOf(INPUT, rows, sizes)), sortKeys(keys)));
      assert.deepEqual(rowsOf(out), oracle(rows, keys));
    }),
    FC,
  );
});

test("with a limit and offset it returns the oracle's slice (TopN)", async () => {
  await fc.assert(
    fc.asyncProperty(arbRows, fc.array(arbKey, { minLength: 1, maxLength: 2 }), arbSizes, fc.nat(20), fc.nat(30), async (rows, keys, sizes, offset, limit) => {
      const out = await collect(sortStream(streamOf(batchesOf(INPUT, rows, sizes)), sortKeys(keys), { limit, offset }));
      assert.deepEqual(rowsOf(out), oracle(rows, keys).slice(offset, offset + limit));
    }),
    FC,
  );
});

/** `n` rows of an int32 key (many ties) and a row number, in batches of 10k. */
function bigInput(n: number): { batches: A.RecordBatch[]; keys: Int32Array } {
  const schema = schemaOf([["k", new A.Int32()], ["id", new A.Int32()]]);
  const keys = new Int32Array(n);
  let seed = 3;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    keys[i] = seed % 5000;
  }
  const batches: A.RecordBatch[] = [];
  for (let s = 0; s < n; s += 10_000) {
    const e = Math.min(n, s + 10_000);
    const id = Int32Array.from({ length: e - s }, (_, i) => s + i);
    batches.push(makeBatch(schema, [A.makeData({ type: new A.Int32(), data: keys.subarray(s, e) }), A.makeData({ type: new A.Int32(), data: id })], e - s));
  }
  return { batches, keys };
}

test("a full sort of 150k rows comes out in batches of at most 64k rows, stable", async () => {
  const { batches, keys } = bigInput(150_000);
  const out = await collect(sortStream(streamOf(batches), [{ column: col("k", new A.Int32()), desc: true, nullsFirst: true }]));
  assert.deepEqual(out.map((b) => b.numRows), [65536, 65536, 150_000 - 2 * 65536]);
  const expected = Array.from(keys.keys()).sort((a, b) => keys[b]! - keys[a]! || a - b);
  assert.deepEqual(rowsOf(out).map((r) => r.id), expected);
});

test("TopN over 200k rows in many batches keeps ties in input order across its partial sorts", async () => {
  const { batches, keys } = bigInput(200_000);
  const out = await collect(sortStream(streamOf(batches), [{ column: col("k", new A.Int32()), desc: false, nullsFirst: false }], { limit: 2500, offset: 5 }));
  const expected = Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]! || a - b).slice(5, 2505);
  assert.deepEqual(rowsOf(out).map((r) => r.id), expected);
});

test("limit 0 pulls nothing; bad limits are refused", async () => {
  let pulled = false;
  async function* src() {
    pulled = true;
    yield makeBatch(new A.Schema([]), [], 1);
  }
  assert.deepEqual(await collect(sortStream(src(), [], { limit: 0 })), []);
  assert.equal(pulled, false);
  await assert.rejects(collect(sortStream(src(), [], { limit: -1 })), /limit must be a non-negative integer/);
});

/** Key values for the numeric TopN: a pool (NaN, ±0, infinities, repeats for ties) cut to the key's type. */
const POOL = [NaN, -0, 0, 1.5, -2, Infinity, -Infinity, 3, 0.25, 7, -7.5, 100];
const NUMERIC_TYPES: A.DataType[] = [new A.Float64(), new A.Float32(), new A.Int32(), new A.Int8(), new A.Uint16()];

function numericRows(type: A.DataType, n: number, seed: number, nullEvery: number, spread: number): Row[] {
  const isFloat = type.typeId === A.Type.Float;
  let s = seed >>> 0;
  const next = (m: number): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) % m;
  return Array.from({ length: n }, (_, id) => {
    if (nullEvery > 0 && next(nullEvery) === 0) return { k: null, id };
    const x = spread === 0 ? POOL[next(POOL.length)]! : next(spread) - spread / 2 + (isFloat ? next(4) / 4 : 0);
    const k = isFloat ? (type instanceof A.Float32 ? Math.fround(x) : x) : Number.isFinite(x) ? Math.trunc(x) & (type instanceof A.Int8 ? 0x3f : 0x7fff) : 1;
    return { k, id };
  });
}

test("TopN on one numeric key (NaN, null, ±0, ties) matches the oracle across many partial selects", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        type: fc.constantFrom(...NUMERIC_TYPES),
        n: fc.integer({ min: 1000, max: 4000 }),
        seed: fc.nat(),
        nullEvery: fc.constantFrom(0, 2, 9, 500),
        spread: fc.constantFrom(0, 40, 100_000),
        batch: fc.integer({ min: 50, max: 2000 }),
        limit: fc.constantFrom(0, 1, 7, 50, 300, 1500),
        offset: fc.constantFrom(0, 3),
        desc: fc.boolean(),
        nullsFirst: fc.boolean(),
      }),
      async ({ type, n, seed, nullEvery, spread, batch, limit, offset, desc, nullsFirst }) => {
        const schema = schemaOf([["k", type], ["id", new A.Int32()]]);
        const rows = numericRows(type, n, seed, nullEvery, spread);
        const sizes = Array.from({ length: Math.ceil(n / batch) }, () => batch);
        const keys = [{ column: col("k", type), desc, nullsFirst }];
        const out = await collect(sortStream(streamOf(batchesOf(schema, rows, sizes)), keys, { limit, offset }));
        const expected = oracle(rows, [{ name: "k", desc, nullsFirst }]).slice(offset, offset + limit);
        assert.deepEqual(rowsOf(out).map((r) => r.id), expected.map((r) => r.id));
      },
    ),
    { ...FC, numRuns: 60 },
  );
});
