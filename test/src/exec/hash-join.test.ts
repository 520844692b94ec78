// hashJoin against a nested-loop oracle over rows: every join kind, single and multiple keys, int32 against int64
// keys, float keys with NaN and -0, null keys (never matching), duplicates on both sides, random batch cuts.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { hashJoin } from "../../../src/exec/hash-join.js";
import type { JoinHow } from "../../../src/exec/types.js";
import { FC, type Row, arbSizes, batchesOf, col, collect, collectRows, orNull, rowsOf, schemaOf, streamOf } from "./helpers.js";

const LEFT = schemaOf([
  ["lk", new A.Int32()],
  ["ls", new A.Utf8()],
  ["lf", new A.Float64()],
  ["lb", new A.Int64()],
  ["lv", new A.Int32()],
]);
const RIGHT = schemaOf([
  ["rk", new A.Int64()],
  ["rs", new A.Utf8()],
  ["rf", new A.Float64()],
  ["rv", new A.Utf8()],
  ["ri", new A.Int32()],
]);
const RIGHT_COLS = [
  { from: "rv", to: "v" },
  { from: "rk", to: "rk" },
  { from: "rs", to: "rs2" },
];
const HOWS: JoinHow[] = ["inner", "left", "right", "outer", "semi", "anti"];
const KEY_PAIRS: [string[], string[]][] = [
  [["lk"], ["rk"]], // int32 = int64, by value
  [["lb"], ["rk"]], // int64 = int64, raw words
  [["lk", "ls"], ["rk", "rs"]],
  [["lf"], ["rf"]],
  [["ls"], ["rs"]],
  [["lk"], ["ri"]], // int32 = int32: ids by value in a direct array, until a value is too far out
  [["lb"], ["ri"]], // int64 probing an int32 build side
];

const typeIn = (schema: A.Schema, name: string): A.DataType => schema.fields.find((f) => f.name === name)!.type;

function outSchema(how: JoinHow): A.Schema {
  if (how === "semi" || how === "anti") return LEFT;
  return new A.Schema([...LEFT.fields, ...RIGHT_COLS.map((c) => new A.Field(c.to, typeIn(RIGHT, c.from), true))]);
}

/** Key equality by value: ints of any width, NaN = NaN, -0 = 0; null never equal. */
function canon(v: unknown): string {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? String(Number(v)) : `${v}n`;
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v === 0 ? 0 : v);
  return JSON.stringify(v);
}

function oracle(left: Row[], right: Row[], lk: string[], rk: string[], how: JoinHow): Row[] {
  const matches = (l: Row, r: Row): boolean => lk.every((k, i) => l[k] !== null && r[rk[i]!] !== null && canon(l[k]) === canon(r[rk[i]!]));
  const leftPart = (l: Row | undefined): Row => Object.fromEntries(LEFT.fields.map((f) => [f.name, l === undefined ? null : l[f.name]]));
  const rightPart = (r: Row | undefined): Row => Object.fromEntries(RIGHT_COLS.map((c) => [c.to, r === undefined ? null : r[c.from]]));
  const out: Row[] = [];
  const used = new Set<number>();
  for (const l of left) {
    const ms = right.flatMap((r, j) => (matches(l, r) ? [j] : []));
    if (how === "semi" || how === "anti") {
      if ((ms.length > 0) === (how === "semi")) out.push(leftPart(l));
      continue;
    }
    for (const j of ms) {
      used.add(j);
      out.push({ ...leftPart(l), ...rightPart(right[j]) });
    }
    if (ms.length === 0 && (how === "left" || how === "outer")) out.push({ ...leftPart(l), ...rightPart(undefined) });
  }
  if (how === "right" || how === "outer") right.forEach((r, j) => used.has(j) || out.push({ ...leftPart(undefined), ...rightPart(r) }));
  return out;
}

const arbFloat = fc.constantFrom(0, -0, 1.5, NaN, 2, -3.25);
const arbBig = fc.oneof(fc.bigInt({ min: -2n, max: 3n }), fc.constant(2n ** 60n + 1n), fc.constant(3_000_000n));
const arbLeft: fc.Arbitrary<Row> = fc.record({
  lk: orNull(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -2, max: 3 }) }, { weight: 1, arbitrary: fc.constant(3_000_000) }), 5),
  ls: orNull(fc.constantFrom("a", "b", "é"), 5),
  lf: orNull(arbFloat, 5),
  lb: orNull(arbBig, 5),
  lv: fc.integer(),
});
const arbRight: fc.Arbitrary<Row> = fc.record({
  rk: orNull(arbBig, 5),
  rs: orNull(fc.constantFrom("a", "b", "é"), 5),
  rf: orNull(arbFloat, 5),
  rv: fc.string({ maxLength: 4 }),
  ri: orNull(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -2, max: 3 }) }, { weight: 1, arbitrary: fc.constant(3_000_000) }), 5),
});

test("hashJoin matches the nested-loop oracle for every join kind and key shape", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(arbLeft, { maxLength: 40 }),
      fc.array(arbRight, { maxLength: 40 }),
      fc.constantFrom(...KEY_PAIRS),
      fc.constantFrom(...HOWS),
      arbSizes,
      arbSizes,
      async (left, right, [lk, rk], how, ls, rs) => {
        const schema = outSchema(how);
        const out = await collect(
          hashJoin(streamOf(batchesOf(LEFT, left, ls)), streamOf(batchesOf(RIGHT, right, rs)), {
            leftKeys: lk.map((k) => col(k, typeIn(LEFT, k))),
            rightKeys: rk.map((k) => col(k, typeIn(RIGHT, k))),
            how,
            schema,
            leftColumns: LEFT.fields.map((f) => f.name),
            rightColumns: how === "semi" || how === "anti" ? [] : RIGHT_COLS,
          }),
        );
        for (const b of out) assert.deepEqual(b.schema.names, schema.names);
        assert.deepEqual(rowsOf(out), oracle(left, right, lk, rk, how));
      },
    ),
    FC,
  );
});

function joinSpec(how: JoinHow) {
  return {
    leftKeys: [col("lk", new A.Int32())],
    rightKeys: [col("rk", new A.Int64())],
    how,
    schema: outSchema(how),
    leftColumns: LEFT.fields.map((f) => f.name),
    rightColumns: how === "semi" || how === "anti" ? [] : RIGHT_COLS,
  };
}

test("duplicate keys on both sides give every pair, in output batches of at most 64k rows", async () => {
  const left = Array.from({ length: 300 }, (_, i) => ({ lk: 1, ls: null, lf: null, lb: null, lv: i }));
  const right = Array.from({ length: 300 }, (_, i) => ({ rk: 1n, rs: null, rf: null, rv: String(i) }));
  const out = await collect(hashJoin(streamOf(batchesOf(LEFT, left)), streamOf(batchesOf(RIGHT, right, [100, 0, 100])), joinSpec("inner")));
  assert.ok(out.length >= 2 && out.every((b) => b.numRows <= 65536));
  const rows = rowsOf(out);
  assert.equal(rows.length, 90_000);
  assert.deepEqual(rows.slice(0, 2).map((r) => [r.lv, r.v]), [[0, "0"], [0, "1"]]);
  assert.deepEqual(rows.at(-1)!.lv, 299);
});

test("an empty side: left keeps every left row, right keeps every right row, inner has none", async () => {
  const left = [{ lk: 1, ls: "a", lf: 1, lb: 1n, lv: 7 }];
  const right = [{ rk: 1n, rs: "a", rf: 1, rv: "x" }];
  const none = (s: A.Schema) => streamOf(batchesOf(s, [], [0]));
  assert.deepEqual(await collectRows(hashJoin(streamOf(batchesOf(LEFT, left)), none(RIGHT), joinSpec("left"))), [{ ...left[0], v: null, rk: null, rs2: null }]);
  assert.deepEqual(await collectRows(hashJoin(none(LEFT), streamOf(batchesOf(RIGHT, right)), joinSpec("right"))), [
    { lk: null, ls: null, lf: null, lb: null, lv: null, v: "x", rk: 1n, rs2: "a" },
  ]);
  assert.deepEqual(await collectRows(hashJoin(streamOf(batchesOf(LEFT, left)), none(RIGHT), joinSpec("inner"))), []);
  assert.deepEqual(await collectRows(hashJoin(streamOf(batchesOf(LEFT, left)), none(RIGHT), joinSpec("anti"))), left);
});

test("keys of incompatible kinds are refused with a message naming both types", async () => {
  const spec = { ...joinSpec("inner"), leftKeys: [col("ls", new A.Utf8())] };
  await assert.rejects(collect(hashJoin(streamOf([]), streamOf([]), spec)), /compares string .*with .*int64.*cast one side/i);
});

/** The first right row of each key (rows with a null key part all stay: they never match). */
function uniqueByKey(right: Row[], rk: string[]): Row[] {
  const seen = new Set<string>();
  return right.filter((r) => {
    if (rk.some((k) => r[k] === null)) return true;
    const key = rk.map((k) => canon(r[k])).join("|");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

test("with unique right keys (one lookup per left row) every join kind matches the oracle", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(arbLeft, { maxLength: 40 }),
      fc.array(arbRight, { maxLength: 40 }),
      fc.constantFrom(...KEY_PAIRS),
      fc.constantFrom(...HOWS),
      fc.boolean(),
      arbSizes,
      arbSizes,
      async (left, allRight, [lk, rk], how, noRightColumns, ls, rs) => {
        const right = uniqueByKey(allRight, rk);
        const rightColumns = how === "semi" || how === "anti" || noRightColumns ? [] : RIGHT_COLS;
        const schema = new A.Schema([...LEFT.fields, ...rightColumns.map((c) => new A.Field(c.to, typeIn(RIGHT, c.from), true))]);
        const out = await collect(
          hashJoin(streamOf(batchesOf(LEFT, left, ls)), streamOf(batchesOf(RIGHT, right, rs)), {
            leftKeys: lk.map((k) => col(k, typeIn(LEFT, k))),
            rightKeys: rk.map((k) => col(k, typeIn(RIGHT, k))),
            how,
            schema,
            leftColumns: LEFT.fields.map((f) => f.name),
            rightColumns,
          }),
        );
        const names = new Set(schema.names);
        const expected = oracle(left, right, lk, rk, how).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => names.has(k))));
        assert.deepEqual(rowsOf(out), expected);
      },
    ),
    FC,
  );
});

/** `n` left rows keyed i % keys, against a right side holding keys 0 .. rightKeys-1 once each. */
function dimCase(n: number, keys: number, rightKeys: number) {
  const left = Array.from({ length: n }, (_, i) => ({ lk: i % keys, ls: null, lf: null, lb: null, lv: i }));
  const right = Array.from({ length: rightKeys }, (_, k) => ({ rk: BigInt(k), rs: null, rf: null, rv: `n${k}`, ri: k }));
  return { left: batchesOf(LEFT, left), right: batchesOf(RIGHT, right) };
}

for (const [rk, how] of [["rk", "hashed"], ["ri", "direct slots"]] as const) {
  test(`unique right keys (${how}): a left batch whose rows all match passes through uncopied; misses are dropped or null`, async () => {
    const spec = (h: JoinHow) => ({ ...joinSpec(h), rightKeys: [col(rk, typeIn(RIGHT, rk))] });
    const { left, right } = dimCase(100, 10, 10);
    const bare = { ...spec("inner"), rightColumns: [], schema: LEFT };
    const [same] = await collect(hashJoin(streamOf(left), streamOf(right), bare));
    left[0]!.data.children.forEach((d, i) => assert.equal(same!.data.children[i], d));
    const some = dimCase(100, 10, 7);
    const inner = rowsOf(await collect(hashJoin(streamOf(some.left), streamOf(some.right), spec("inner"))));
    assert.deepEqual(inner.map((r) => r.lv), Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 10 < 7));
    assert.deepEqual(inner.slice(0, 2).map((r) => r.v), ["n0", "n1"]);
    const outer = rowsOf(await collect(hashJoin(streamOf(some.left), streamOf(some.right), spec("left"))));
    assert.deepEqual(outer.map((r) => r.v), Array.from({ length: 100 }, (_, i) => (i % 10 < 7 ? `n${i % 10}` : null)));
    const anti = rowsOf(await collect(hashJoin(streamOf(some.left), streamOf(some.right), spec("anti"))));
    assert.deepEqual(anti.map((r) => r.lv), Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 10 >= 7));
  });
}

test("unique right keys: a left batch over 64k rows comes out in batches of at most 64k rows", async () => {
  const { left, right } = dimCase(70_000, 1000, 1000);
  const out = await collect(hashJoin(streamOf(left), streamOf(right), joinSpec("left")));
  assert.deepEqual(out.map((b) => b.numRows), [65536, 70_000 - 65536]);
  assert.deepEqual(rowsOf(out).filter((_, i) => i % 9999 === 0).map((r) => r.v), Array.from({ length: 8 }, (_, j) => `n${(j * 9999) % 1000}`));
});
