// hashAggregate against a plain-JS oracle over rows: every aggregate, every kind of key (incl. null, NaN, -0,
// several keys, none), random batch cuts; plus SQL's empty-input row, exact int64 sums past 2^53 and growth.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { InvalidArgumentError } from "../../../format/errors.js";
import { makeBatch } from "../../../src/exec/gather.js";
import { hashAggregate } from "../../../src/exec/hash-aggregate.js";
import type { AggFn, AggSpec } from "../../../src/exec/types.js";
import { aggResultType } from "../../../src/expr/aggregate-types.js";
import { col as exprCol } from "../../../src/expr/builders.js";
import { compileExpr } from "../../../src/expr/compile.js";
import { FC, type Row, approxEqual, arbSizes, batchOf, batchesOf, col, collect, collectRows, orNull, rowsOf, schemaOf, streamOf } from "./helpers.js";

const INPUT = schemaOf([
  ["k", new A.Int32()],
  ["s", new A.Utf8()],
  ["b", new A.Int64()],
  ["f", new A.Float64()],
  ["t", new A.Bool()],
  ["x", new A.Int32()],
]);
const typeOf = (name: string): A.DataType => INPUT.fields.find((f) => f.name === name)!.type;

interface Agg {
  name: string;
  fn: AggFn;
  input?: string;
  ddof?: number;
}

const AGGS: Agg[] = [
  { name: "count_x", fn: "count", input: "x" },
  { name: "rows", fn: "countAll" },
  { name: "sum_x", fn: "sum", input: "x" },
  { name: "sum_f", fn: "sum", input: "f" },
  { name: "sum_b", fn: "sum", input: "b" },
  { name: "sum_t", fn: "sum", input: "t" },
  { name: "mean_x", fn: "mean", input: "x" },
  { name: "mean_b", fn: "mean", input: "b" },
  { name: "var_f", fn: "var", input: "f" },
  { name: "std_x0", fn: "std", input: "x", ddof: 0 },
  { name: "var_b2", fn: "var", input: "b", ddof: 2 },
  { name: "min_x", fn: "min", input: "x" },
  { name: "max_x", fn: "max", input: "x" },
  { name: "min_s", fn: "min", input: "s" },
  { name: "max_s", fn: "max", input: "s" },
  { name: "min_f", fn: "min", input: "f" },
  { name: "max_f", fn: "max", input: "f" },
  { name: "min_b", fn: "min", input: "b" },
  { name: "max_b", fn: "max", input: "b" },
  { name: "min_t", fn: "min", input: "t" },
  { name: "max_t", fn: "max", input: "t" },
  { name: "nd_s", fn: "countDistinct", input: "s" },
  { name: "nd_f", fn: "countDistinct", input: "f" },
  { name: "first_s", fn: "first", input: "s" },
  { name: "last_x", fn: "last", input: "x" },
  { name: "list_f", fn: "list", input: "f" },
  { name: "list_s", fn: "list", input: "s" },
];

function specOf(a: Agg, schema = INPUT): AggSpec {
  const t = a.input === undefined ? undefined : schema.fields.find((f) => f.name === a.input)!.type;
  return {
    name: a.name,
    fn: a.fn,
    type: aggResultType(a.fn, t),
    ...(a.input === undefined ? {} : { input: col(a.input, t!) }),
    ...(a.ddof === undefined ? {} : { ddof: a.ddof }),
  };
}

function outSchema(keys: string[], specs: AggSpec[], schema = INPUT): A.Schema {
  return new A.Schema([
    ...keys.map((k) => schema.fields.find((f) => f.name === k)!),
    ...specs.map((s) => new A.Field(s.name, s.type, true)),
  ]);
}

// ---- the oracle ----

/** A grouping key for a value: NaN equals NaN, -0 equals 0. */
function canon(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v === 0 ? 0 : v);
  return JSON.stringify(v);
}

function oracle(rows: Row[], keys: string[], aggs: Agg[]): Row[] {
  const groups = new Map<string, Row[]>();
  if (keys.length === 0) groups.set("", []);
  for (const r of rows) {
    const k = keys.map((c) => canon(r[c])).join("|");
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.values()].map((g) => {
    const out: Row = {};
    for (const k of keys) out[k] = g[0]![k];
    for (const a of aggs) out[a.name] = aggregate(a, g.map((r) => (a.input === undefined ? 1 : r[a.input])));
    return out;
  });
}

function num(v: unknown): number {
  return typeof v === "boolean" ? Number(v) : Number(v);
}

/** Order for min/max: NaN above every number; strings and bigints as JS compares them. */
function less(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(b)) return !Number.isNaN(a);
    return a < b;
  }
  return (a as number) < (b as number);
}

function aggregate(a: Agg, vals: unknown[]): unknown {
  const nn = vals.filter((v) => v !== null);
  switch (a.fn) {
    case "count":
      return BigInt(nn.length);
    case "countAll":
      return BigInt(vals.length);
    case "sum":
      if (nn.length === 0) return null;
      if (a.input === "f") return nn.reduce((s: number, v) => s + (v as number), 0);
      return nn.reduce((s: bigint, v) => s + BigInt(num(v)), 0n);
    case "mean":
      return nn.length === 0 ? null : nn.reduce((s: number, v) => s + num(v), 0) / nn.length;
    case "var":
    case "std": {
      const ddof = a.ddof ?? 1;
      if (nn.length - ddof <= 0) return null;
      const xs = nn.map(num);
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - ddof);
      return a.fn === "std" ? Math.sqrt(v) : v;
    }
    case "min":
    case "max": {
      if (nn.length === 0) return null;
      return nn.reduce((best, v) => ((a.fn === "min" ? less(v, best) : less(best, v)) ? v : best));
    }
    case "countDistinct":
      return BigInt(new Set(nn.map(canon)).size);
    case "first":
      return vals.length === 0 ? null : vals[0];
    case "last":
      return vals.length === 0 ? null : vals[vals.length - 1];
    case "list":
      return vals.length === 0 ? null : vals;
  }
}

// ---- random data ----

const arbRow: fc.Arbitrary<Row> = fc.record({
  k: orNull(fc.integer({ min: -3, max: 3 })),
  s: orNull(fc.constantFrom("a", "b", "B", "ü", "", "a string well over thirty-two bytes long, to take the slow path")),
  b: orNull(fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }))),
  f: orNull(fc.oneof({ weight: 6, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(NaN, -0, 0, 1.5) })),
  t: orNull(fc.boolean()),
  x: orNull(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }))),
});

const KEY_SETS = [["k"], ["s"], ["b"], ["f"], ["t"], ["k", "s"], ["s", "t", "b"], ["f", "k"], []];

test("hashAggregate matches the oracle for every aggregate, key kind and batching", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(arbRow, { maxLength: 120 }), fc.constantFrom(...KEY_SETS), arbSizes, async (rows, keys, sizes) => {
      const specs = AGGS.map((a) => specOf(a));
      const schema = outSchema(keys, specs);
      const batches = await collect(hashAggregate(streamOf(batchesOf(INPUT, rows, sizes)), { keys: keys.map((k) => col(k, typeOf(k))), aggs: specs, schema }));
      for (const b of batches) {
        b.schema.fields.forEach((f, i) => assert.equal(String(b.data.children[i]!.type), String(schema.fields[i]!.type), f.name));
      }
      approxEqual(rowsOf(batches), oracle(rows, keys, AGGS));
    }),
    FC,
  );
});

test("global aggregation of no rows gives one row: counts 0, everything else null", async () => {
  const specs = AGGS.map((a) => specOf(a));
  const rows = await collectRows(hashAggregate(streamOf([batchOf(INPUT, [])]), { keys: [], aggs: specs, schema: outSchema([], specs) }));
  assert.equal(rows.length, 1);
  const r = rows[0]!;
  for (const a of AGGS) {
    const expected = a.fn === "count" || a.fn === "countAll" || a.fn === "countDistinct" ? 0n : null;
    assert.equal(r[a.name], expected, a.name);
  }
});

test("grouped aggregation of no rows gives no rows", async () => {
  const specs = AGGS.map((a) => specOf(a));
  const batches = await collect(hashAggregate(streamOf([]), { keys: [col("k", new A.Int32())], aggs: specs, schema: outSchema(["k"], specs) }));
  assert.equal(batches.length, 0);
});

test("countAll counts the rows of column-less batches", async () => {
  const empty = new A.Schema([]);
  const spec = specOf({ name: "n", fn: "countAll" });
  const rows = await collectRows(hashAggregate(streamOf([makeBatch(empty, [], 5), makeBatch(empty, [], 0), makeBatch(empty, [], 7)]), { keys: [], aggs: [spec], schema: outSchema([], [spec]) }));
  assert.deepEqual(rows, [{ n: 12n }]);
});

/** Batches of 64k rows of an int32 key and an int64 value, from typed arrays. */
function bigBatches(keys: Int32Array, values: BigInt64Array): A.RecordBatch[] {
  const schema = schemaOf([["k", new A.Int32()], ["v", new A.Int64()]]);
  const out: A.RecordBatch[] = [];
  for (let s = 0; s < keys.length; s += 65536) {
    const e = Math.min(keys.length, s + 65536);
    const k = A.makeData({ type: new A.Int32(), data: keys.subarray(s, e) });
    const v = A.makeData({ type: new A.Int64(), data: values.subarray(s, e) });
    out.push(makeBatch(schema, [k, v], e - s));
  }
  return out;
}

test("int64 sums are exact past 2^53 over very large groups (across sum folds)", async () => {
  const n = 1_200_000;
  const keys = new Int32Array(n);
  const values = new BigInt64Array(n);
  const sums = [0n, 0n, 0n];
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    keys[i] = seed % 3;
    values[i] = BigInt(seed) * 2n ** 13n - 2n ** 44n; // about ±2^44
    sums[keys[i]!]! += values[i]!;
  }
  const specs = [
    { name: "sum", fn: "sum" as const, input: col("v", new A.Int64()), type: new A.Int64() },
    { name: "n", fn: "countAll" as const, type: new A.Int64() },
  ];
  const schema = new A.Schema([new A.Field("k", new A.Int32()), new A.Field("sum", new A.Int64()), new A.Field("n", new A.Int64())]);
  const rows = await collectRows(hashAggregate(streamOf(bigBatches(keys, values)), { keys: [col("k", new A.Int32())], aggs: specs, schema }));
  const byKey = new Map(rows.map((r) => [r.k as number, r]));
  for (let g = 0; g < 3; g++) assert.equal(byKey.get(g)!.sum, sums[g], `group ${g}`);
  assert.equal(rows.reduce((s, r) => s + (r.n as bigint), 0n), BigInt(n));
});

test("an int32 sum past 2^53 within one huge batch stays exact", async () => {
  const n = 5_000_000;
  const schema = schemaOf([["v", new A.Int32()]]);
  const batch = makeBatch(schema, [A.makeData({ type: new A.Int32(), data: new Int32Array(n).fill(2 ** 31 - 1) })], n);
  const spec = { name: "s", fn: "sum" as const, input: col("v", new A.Int32()), type: new A.Int64() };
  const rows = await collectRows(hashAggregate(streamOf([batch]), { keys: [], aggs: [spec], schema: new A.Schema([new A.Field("s", new A.Int64())]) }));
  assert.deepEqual(rows, [{ s: BigInt(n) * (2n ** 31n - 1n) }]);
});

test("an int64 sum that overflows fails with an actionable error", async () => {
  const values = new BigInt64Array(4).fill(2n ** 62n);
  const spec = { name: "s", fn: "sum" as const, input: col("v", new A.Int64()), type: new A.Int64() };
  await assert.rejects(
    collect(hashAggregate(streamOf(bigBatches(new Int32Array(4), values)), { keys: [], aggs: [spec], schema: new A.Schema([new A.Field("s", new A.Int64())]) })),
    (e: unknown) => e instanceof InvalidArgumentError && /overflows int64.*float64/.test(e.message),
  );
});

test("many groups: the hash table grows, ids stay dense, output comes in 64k-row batches", async () => {
  const n = 200_000;
  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) keys[i] = (i * 7919) % 150_001; // 150001 groups, in a scattered order
  const spec = { name: "n", fn: "countAll" as const, type: new A.Int64() };
  const schema = new A.Schema([new A.Field("k", new A.Int32()), new A.Field("n", new A.Int64())]);
  const batches = await collect(hashAggregate(streamOf(bigBatches(keys, new BigInt64Array(n))), { keys: [col("k", new A.Int32())], aggs: [spec], schema }));
  assert.ok(batches.every((b) => b.numRows <= 65536));
  const rows = rowsOf(batches);
  assert.equal(rows.length, 150_001);
  const firstSeen = [...new Set(keys)];
  assert.deepEqual(rows.map((r) => r.k), firstSeen);
  const counts = new Map<number, bigint>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0n) + 1n);
  assert.ok(rows.every((r) => r.n === counts.get(r.k as number)));
});

test("int keys move from the direct array to the hash table when their range grows too wide", async () => {
  const schema = schemaOf([["k", new A.Int32()]]);
  const values = [3, 1, null, 3, -2_000_000, 1, 7, null, 2_000_000, 7, 3];
  const spec = { name: "n", fn: "countAll" as const, type: new A.Int64() };
  const out = new A.Schema([new A.Field("k", new A.Int32()), new A.Field("n", new A.Int64())]);
  for (const cut of [[], [4], [3, 3, 3], [8]]) {
    const rows = await collectRows(hashAggregate(streamOf(batchesOf(schema, values.map((k) => ({ k })), cut)), { keys: [col("k", new A.Int32())], aggs: [spec], schema: out }));
    assert.deepEqual(rows, [
      { k: 3, n: 3n },
      { k: 1, n: 2n },
      { k: null, n: 2n },
      { k: -2_000_000, n: 1n },
      { k: 7, n: 2n },
      { k: 2_000_000, n: 1n },
    ], `cuts ${cut}`);
  }
});

test("dictionary-encoded and uint64 keys group by value", async () => {
  const dictType = new A.Dictionary(new A.Utf8(), new A.Int32());
  const schema = schemaOf([["d", dictType], ["u", new A.Uint64()]]);
  const rows: Row[] = [
    { d: "x", u: 2n ** 63n + 1n },
    { d: "y", u: 1n },
    { d: null, u: 2n ** 63n + 1n },
    { d: "x", u: null },
  ];
  const specs = [specOf({ name: "max_u", fn: "max", input: "u" }, schema), specOf({ name: "n", fn: "countAll" }, schema)];
  const out = await collectRows(hashAggregate(streamOf([batchOf(schema, rows.slice(0, 2)), batchOf(schema, rows.slice(2))]), { keys: [col("d", dictType)], aggs: specs, schema: outSchema(["d"], specs, schema) }));
  assert.deepEqual(out, [
    { d: "x", max_u: 2n ** 63n + 1n, n: 2n },
    { d: "y", max_u: 1n, n: 1n },
    { d: null, max_u: 2n ** 63n + 1n, n: 1n },
  ]);
});

test("min and max keep temporal, float16 and binary types", async () => {
  const schema = schemaOf([
    ["d", new A.DateDay()],
    ["ts", new A.TimestampMillisecond()],
    ["h", new A.Float16()],
    ["bin", new A.Binary()],
  ]);
  const rows: Row[] = [
    { d: new Date(86400000 * 3), ts: 5, h: 1.5, bin: Uint8Array.of(2) },
    { d: new Date(86400000 * -1), ts: -7, h: -0.5, bin: Uint8Array.of(1, 9) },
    { d: null, ts: null, h: null, bin: null },
  ];
  const aggs = ["d", "ts", "h", "bin"].flatMap((c) => [specOf({ name: `min_${c}`, fn: "min", input: c }, schema), specOf({ name: `max_${c}`, fn: "max", input: c }, schema)]);
  const out = await collect(hashAggregate(streamOf(batchesOf(schema, rows, [1])), { keys: [], aggs, schema: outSchema([], aggs, schema) }));
  out[0]!.schema.fields.forEach((f, i) => assert.equal(String(out[0]!.data.children[i]!.type), String(aggs[i]!.type), f.name));
  const [r] = rowsOf(out);
  assert.deepEqual(r, {
    min_d: 86400000 * -1,
    max_d: 86400000 * 3,
    min_ts: -7,
    max_ts: 5,
    min_h: -0.5,
    max_h: 1.5,
    min_bin: [1, 9],
    max_bin: [2],
  });
});

// ---- aggregates sharing one input's state ----

/** Specs whose inputs are one CompiledColumn object per column, so the aggregates of a column share its state. */
function sharedSpecs(aggs: Agg[], schema = INPUT): AggSpec[] {
  const cols = new Map<string, ReturnType<typeof col>>();
  return aggs.map((a) => {
    const spec = specOf(a, schema);
    if (a.input === undefined) return spec;
    if (!cols.has(a.input)) cols.set(a.input, spec.input!);
    return { ...spec, input: cols.get(a.input)! };
  });
}

const SHARED_AGGS: Agg[] = [
  { name: "sum_f", fn: "sum", input: "f" },
  { name: "mean_f", fn: "mean", input: "f" },
  { name: "count_f", fn: "count", input: "f" },
  { name: "var_f", fn: "var", input: "f" },
  { name: "std_f0", fn: "std", input: "f", ddof: 0 },
  { name: "rows", fn: "countAll" },
  { name: "min_f", fn: "min", input: "f" },
  { name: "sum_x", fn: "sum", input: "x" },
  { name: "mean_x", fn: "mean", input: "x" },
  { name: "count_x", fn: "count", input: "x" },
  { name: "rows2", fn: "countAll" },
  { name: "count_s", fn: "count", input: "s" },
  { name: "max_s", fn: "max", input: "s" },
  { name: "mean_b", fn: "mean", input: "b" },
  { name: "var_b", fn: "var", input: "b" },
];

test("sum, mean, count, var, std and count(*) over one input share state and match the oracle", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(arbRow, { maxLength: 120 }), fc.constantFrom<string[]>(["k"], [], ["s", "t"]), arbSizes, fc.integer({ min: 0, max: 3 }), async (rows, keys, sizes, drop) => {
      // Sometimes without the columns' own aggregates first, so count(*) takes its rows from another input.
      const aggs = SHARED_AGGS.slice(drop);
      const specs = sharedSpecs(aggs);
      const schema = outSchema(keys, specs);
      const batches = await collect(hashAggregate(streamOf(batchesOf(INPUT, rows, sizes)), { keys: keys.map((k) => col(k, typeOf(k))), aggs: specs, schema }));
      approxEqual(rowsOf(batches), oracle(rows, keys, aggs));
    }),
    FC,
  );
});

test("count(*) alone, and count(*) next to a count of an all-null column", async () => {
  const schema = schemaOf([["k", new A.Int32()], ["n", new A.Null()]]);
  const rows: Row[] = [{ k: 1, n: null }, { k: 2, n: null }, { k: 1, n: null }];
  const aggs: Agg[] = [{ name: "rows", fn: "countAll" }, { name: "count_n", fn: "count", input: "n" }];
  for (const specs of [sharedSpecs(aggs.slice(0, 1), schema), sharedSpecs(aggs, schema)]) {
    for (const keys of [["k"], []]) {
      const out = await collectRows(hashAggregate(streamOf(batchesOf(schema, rows, [2, 1])), { keys: keys.map((k) => col(k, new A.Int32())), aggs: specs, schema: outSchema(keys, specs, schema) }));
      assert.deepEqual(out, oracle(rows, keys, aggs.slice(0, specs.length)));
    }
  }
});

test("each distinct input is evaluated once per batch: same object or the same plain column", async () => {
  const compiled = (e: { node: Parameters<typeof compileExpr>[0] }): AggSpec["input"] => compileExpr(e.node, INPUT);
  let runs = 0;
  const counted = (c: NonNullable<AggSpec["input"]>): NonNullable<AggSpec["input"]> => ({ ...c, run: (b) => (runs++, c.run(b)) });
  const f1 = counted(compiled(exprCol("f"))!);
  const f2 = counted(compiled(exprCol("f"))!);
  const fPlus = counted(compiled(exprCol("f").add(1))!); // named "f" and reading only "f", yet another input
  const t = new A.Float64();
  const specs: AggSpec[] = [
    { name: "sum_f", fn: "sum", input: f1, type: t },
    { name: "mean_f", fn: "mean", input: f2, type: t },
    { name: "count_f", fn: "count", input: f1, type: new A.Int64() },
    { name: "sum_f1", fn: "sum", input: fPlus, type: t },
    { name: "rows", fn: "countAll", type: new A.Int64() },
  ];
  const rows: Row[] = [1.5, null, -2, 4, null, 8].map((f, i) => ({ k: i % 2, s: null, b: null, f, t: null, x: null }));
  const out = await collectRows(hashAggregate(streamOf(batchesOf(INPUT, rows, [2, 2, 2])), { keys: [col("k", new A.Int32())], aggs: specs, schema: outSchema(["k"], specs) }));
  assert.equal(runs, 2 * 3);
  assert.deepEqual(out, [
    { k: 0, sum_f: 1.5 - 2, mean_f: (1.5 - 2) / 2, count_f: 2n, sum_f1: 2.5 - 1, rows: 3n },
    { k: 1, sum_f: 12, mean_f: 6, count_f: 2n, sum_f1: 14, rows: 3n },
  ]);
});

test("var and std stay accurate when the mean dwarfs the spread, across batches", async () => {
  const n = 300_000;
  const keys = new Int32Array(n);
  const values = new Float64Array(n);
  let seed = 11;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    keys[i] = seed % 3;
    values[i] = 1e9 + keys[i]! * 1e6 + (seed >>> 8) / 2 ** 24; // spread ~0.29 around a mean of ~1e9
  }
  const schema = schemaOf([["k", new A.Int32()], ["v", new A.Float64()]]);
  const batches: A.RecordBatch[] = [];
  for (let s = 0; s < n; s += 65536) {
    const e = Math.min(n, s + 65536);
    batches.push(makeBatch(schema, [A.makeData({ type: new A.Int32(), data: keys.subarray(s, e) }), A.makeData({ type: new A.Float64(), data: values.subarray(s, e) })], e - s));
  }
  const v = col("v", new A.Float64());
  const specs: AggSpec[] = [
    { name: "var", fn: "var", input: v, type: new A.Float64() },
    { name: "std", fn: "std", input: v, type: new A.Float64(), ddof: 0 },
    { name: "mean", fn: "mean", input: v, type: new A.Float64() },
    { name: "sum", fn: "sum", input: v, type: new A.Float64() },
    { name: "n", fn: "count", input: v, type: new A.Int64() },
  ];
  for (const grouped of [true, false]) {
    const out = await collectRows(hashAggregate(streamOf(batches), { keys: grouped ? [col("k", new A.Int32())] : [], aggs: specs, schema: outSchema(grouped ? ["k"] : [], specs, schema) }));
    for (const r of out) {
      const xs = values.filter((_, i) => !grouped || keys[i] === r.k);
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const m2 = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
      assert.equal(r.n, BigInt(xs.length));
      assert.ok(Math.abs((r.mean as number) - mean) <= 1e-6, `mean ${r.mean} vs ${mean}`);
      assert.ok(Math.abs((r.sum as number) - mean * xs.length) <= 1e-9 * mean * xs.length, `sum ${r.sum}`);
      assert.ok(Math.abs((r.var as number) / (m2 / (xs.length - 1)) - 1) < 1e-6, `var ${r.var} vs ${m2 / (xs.length - 1)}`);
      assert.ok(Math.abs((r.std as number) / Math.sqrt(m2 / xs.length) - 1) < 1e-6, `std ${r.std}`);
    }
  }
});

test("int keys at the ends of their type's range never alias a direct-array slot", async () => {
  const cases: [A.DataType, number[]][] = [
    [new A.Int32(), [-(2 ** 31) + 10, 2 ** 31 - 20, -(2 ** 31) + 10, 0, 2 ** 31 - 20, 2 ** 30, -(2 ** 31), 2 ** 31 - 20]],
    [new A.Uint32(), [5, 3, 2 ** 32 - 20, 2 ** 32 - 1, 3, 2 ** 31, 2 ** 32 - 20, 5]],
  ];
  for (const [type, values] of cases) {
    const schema = schemaOf([["k", type]]);
    const spec = { name: "n", fn: "countAll" as const, type: new A.Int64() };
    const out = new A.Schema([new A.Field("k", type), new A.Field("n", new A.Int64())]);
    const expected = [...new Set(values)].map((k) => ({ k, n: BigInt(values.filter((v) => v === k).length) }));
    for (const cut of [[], [2, 2, 2, 2], [5]]) {
      const rows = await collectRows(hashAggregate(streamOf(batchesOf(schema, values.map((k) => ({ k })), cut)), { keys: [col("k", type)], aggs: [spec], schema: out }));
      assert.deepEqual(rows, expected, `${type} cuts ${cut}`);
    }
  }
});
