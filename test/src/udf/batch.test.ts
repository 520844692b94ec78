import { test } from "node:test";
import assert from "node:assert/strict";
import * as A from "apache-arrow";
import { col } from "../../../src/expr/builders.js";
import { DataType } from "../../../src/expr/data-type.js";
import { udf, UdfError, UdfReturnTypeError, UdfSetupError } from "../../../src/udf/index.js";
import { float64s, frame, int32s, utf8s, values } from "./support.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const xs = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test("udf: a batch function returning an array, called per batchSize rows", async () => {
  const sizes: number[] = [];
  const double = udf(
    (v: A.Vector) => {
      sizes.push(v.length);
      return [...v].map((x) => (x === null ? null : Number(x) * 2));
    },
    { returnType: DataType.int32(), batchSize: 4 },
  );
  const t = await frame({ x: int32s([1, 2, null, 4, 5, 6, 7, 8, 9, 10]) }, 6).select(double("x").alias("y")).collect();
  assert.deepEqual(values(t, "y"), [2, 4, null, 8, 10, 12, 14, 16, 18, 20]);
  assert.deepEqual([...sizes].sort(), [2, 4, 4], "engine batches of 6 split into calls of at most 4 rows (batches may run concurrently)");
});

test("udf: a batch function returning a vector (zero-copy typed array too), over several columns", async () => {
  const sum = (a: A.Vector, b: A.Vector): A.Vector => A.vectorFromArray([...a].map((x, i) => Number(x) + Number(b.get(i))), new A.Float64());
  const add = udf(sum, { returnType: DataType.float64() });
  const scaled = udf((a: A.Vector) => Float64Array.from(a.toArray() as Float64Array, (x) => x * 10), { returnType: DataType.float64() });
  const df = frame({ a: float64s([1, 2, 3]), b: float64s([0.5, 0.25, 0]) }, 2);
  const t = await df.select(add("a", col("b")).alias("sum"), scaled(col("a").add(1)).alias("s")).collect();
  assert.deepEqual(values(t, "sum"), [1.5, 2.25, 3]);
  assert.deepEqual(values(t, "s"), [20, 30, 40]);
  assert.match(df.select(add("a", "b").alias("sum")).explain(), /udf\[sum: float64\]\(a, b\) AS sum/, "named after the function");
});

test("udf.class: the instance is constructed (and set up) exactly once across many batches", async () => {
  let constructed = 0;
  let setups = 0;
  class Scale {
    constructor(private readonly factor: number) {
      constructed++;
    }
    async setup(): Promise<void> {
      await sleep(1);
      setups++;
    }
    call(v: A.Vector): number[] {
      return [...v].map((x) => Number(x) * this.factor);
    }
  }
  const scale = udf.class(Scale, { returnType: DataType.float64(), init: [3], batchSize: 7 });
  const df = frame({ x: int32s(xs(100)) }, 10);
  const q = df.select(scale("x").alias("y"));
  const t = await q.collect();
  assert.deepEqual(values(t, "y"), xs(100).map((x) => x * 3));
  await q.collect();
  assert.equal(constructed, 1);
  assert.equal(setups, 1);
});

test("udf.class: a constructor that throws is a set-up error (not nulled), tried again on the next run", async () => {
  let attempts = 0;
  class Broken {
    constructor() {
      attempts++;
      throw new Error("model file missing");
    }
    call(v: A.Vector): number[] {
      return [...v].map(() => 0);
    }
  }
  const q = frame({ x: int32s([1]) }).select(udf.class(Broken, { returnType: DataType.int32(), onError: "null" })("x"));
  await assert.rejects(q.collect(), (e: unknown) => e instanceof UdfSetupError && /udf.class\(Broken\) could not be set up: model file missing/.test(e.message));
  await assert.rejects(q.collect(), UdfSetupError);
  assert.equal(attempts, 2);
});

test("udf: concurrency bounds the calls of one batch in flight", async () => {
  let inFlight = 0;
  let max = 0;
  const slow = udf(
    async (v: A.Vector) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await sleep(3);
      inFlight--;
      return v;
    },
    { returnType: DataType.int32(), batchSize: 5, concurrency: 3 },
  );
  const t = await frame({ x: int32s(xs(200)) }, 100).select(slow("x")).collect();
  assert.deepEqual(values(t, "x"), xs(200));
  assert.equal(max, 3);
});

const failsOnNegative = (v: A.Vector): number[] => {
  for (const x of v) if (Number(x) < 0) throw new Error(`negative ${String(x)}`);
  return [...v].map((x) => Number(x) * 10);
};

test("udf: onError raise finds the failing row and names it with its input", async () => {
  const f = udf(failsOnNegative, { returnType: DataType.int32(), name: "tenfold" });
  const df = frame({ x: int32s([1, 2, 3, 4, 5, -6, 7, 8, 9, 10]) }, 4);
  const report = await df.select(f("x")).collectReport().catch((e: unknown) => e);
  assert.ok(report instanceof UdfError);
  assert.match(report.message, /udf tenfold failed on row 5 \(input -6\): negative -6/);
  assert.equal(report.row, 5);
  assert.equal(report.input, -6);
});

test("udf: onError null nulls only the failing rows; failures are counted per UDF", async () => {
  const calls: number[] = [];
  const f = udf(
    (v: A.Vector) => {
      calls.push(v.length);
      return failsOnNegative(v);
    },
    { returnType: DataType.int32(), onError: "null", name: "tenfold" },
  );
  const input = [1, -2, 3, 4, 5, 6, 7, -8, 9, 10, 11, 12, 13, 14, 15, 16];
  const report = await frame({ x: int32s(input) }, 16).select(f("x")).collectReport();
  assert.deepEqual(values(report.table, "x"), input.map((x) => (x < 0 ? null : x * 10)));
  assert.deepEqual(report.failures, { tenfold: 2 });
  assert.ok(calls.length < 16, `halving finds 2 bad rows of 16 in fewer calls than row by row (${calls.length})`);
});

test("udf: onError dead-letter reports row, input (an array for several columns) and error", async () => {
  const f = udf((a: A.Vector, b: A.Vector) => [...a].map((x, i) => {
    if (b.get(i) === "bad") throw new Error(`bad label for ${String(x)}`);
    return Number(x);
  }), { returnType: DataType.int32(), onError: "dead-letter", name: "pick" });
  const df = frame({ x: int32s([1, 2, 3, 4, 5]), s: utf8s(["a", "bad", "b", "c", "bad"]) }, 2);
  const report = await df.select(f("x", "s")).collectReport();
  assert.deepEqual(values(report.table, "x"), [1, null, 3, 4, null]);
  assert.deepEqual(report.failures, { pick: 2 });
  assert.deepEqual(
    report.deadLetters.map((d) => ({ ...d })),
    [
      { udf: "pick", row: 1, input: [2, "bad"], error: "bad label for 2" },
      { udf: "pick", row: 4, input: [5, "bad"], error: "bad label for 5" },
    ],
  );
});

test("udf: maxRetries retries a failing async batch call (fails twice, then succeeds)", async () => {
  let calls = 0;
  const flaky = udf(
    async (v: A.Vector) => {
      calls++;
      if (calls <= 2) throw new Error("model server busy");
      return v;
    },
    { returnType: DataType.int32(), maxRetries: 2 },
  );
  const t = await frame({ x: int32s([1, 2, 3]) }).select(flaky("x")).collect();
  assert.deepEqual(values(t, "x"), [1, 2, 3]);
  assert.equal(calls, 3);
});

test("udf: the return type is checked; strings for an int32 UDF name both, even with onError null", async () => {
  const df = frame({ x: int32s([1, 2]) });
  const strings = udf((v: A.Vector) => [...v].map(String), { returnType: DataType.int32(), onError: "null", name: "asText" });
  await assert.rejects(df.select(strings("x")).collect(), (e: unknown) => {
    assert.ok(e instanceof UdfReturnTypeError);
    assert.match(e.message, /udf asText returned string "1" for row 0, but its return type is int32/);
    return true;
  });
  const vec = udf((v: A.Vector) => A.vectorFromArray([...v].map(String), new A.Utf8()), { returnType: DataType.int32(), name: "vec" });
  await assert.rejects(df.select(vec("x")).collect(), /udf vec returned string values, but its return type is int32/);
  const short = udf((v: A.Vector) => [...v].slice(1), { returnType: DataType.int32(), name: "short" });
  await assert.rejects(df.select(short("x")).collect(), /udf short returned 1 values for 2 rows/);
});

test("udf: options and arguments are checked when declared", () => {
  const f = (v: A.Vector): A.Vector => v;
  assert.throws(() => udf(f, {} as never), /needs options with a returnType/);
  assert.throws(() => udf(f, { returnType: DataType.int32(), batchSize: 0 }), /batchSize must be a positive integer/);
  assert.throws(() => udf(f, { returnType: DataType.int32(), onError: "skip" as never }), /onError must be/);
  assert.throws(() => udf(f, { returnType: DataType.int32() })(), /needs at least one column/);
  assert.throws(() => frame({ x: int32s([1]) }).select(udf(f, { returnType: DataType.int32() })("y")), /no column "y"/);
});
