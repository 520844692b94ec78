import { test } from "node:test";
import assert from "node:assert/strict";
import { col } from "../../../src/expr/builders.js";
import { DataType } from "../../../src/expr/data-type.js";
import { UdfError, UdfReturnTypeError } from "../../../src/udf/index.js";
import { frame, int32s, utf8s, values } from "./support.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test("apply: a sync function runs per value; null inputs are skipped and stay null", async () => {
  const seen: unknown[] = [];
  const len = (s: unknown): number => {
    seen.push(s);
    return String(s).length;
  };
  const df = frame({ s: utf8s(["a", null, "abc", "", null]) }, 2);
  const t = await df.withColumn("n", col("s").apply(len, DataType.int32())).collect();
  assert.deepEqual(values(t, "n"), [1, null, 3, 0, null]);
  assert.deepEqual(seen, ["a", "abc", ""]);
});

test("apply: async functions run with at most `concurrency` calls in flight", async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const slow = async (x: unknown): Promise<number> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await sleep(2 + (Number(x) % 3));
    inFlight--;
    return Number(x) + 1;
  };
  const xs = Array.from({ length: 60 }, (_, i) => i);
  const df = frame({ x: int32s(xs) }, 25);
  const t = await df.select(col("x").apply(slow, DataType.int32(), { concurrency: 4 }).alias("y")).collect();
  assert.deepEqual(values(t, "y"), xs.map((x) => x + 1));
  assert.equal(maxInFlight, 4, "the bound is reached and never exceeded");
});

test("apply: onError raise names the function, the row and the input value", async () => {
  const parse = (s: unknown): number => {
    const n = Number(s);
    if (Number.isNaN(n)) throw new Error("not a number");
    return n;
  };
  const df = frame({ s: utf8s(["1", "2", "x3", "4"]) }, 2);
  await assert.rejects(df.select(col("s").apply(parse, DataType.float64())).collect(), (err: unknown) => {
    assert.ok(err instanceof UdfError);
    assert.match(err.message, /apply\(parse\) failed on row 2 \(input "x3"\): not a number/);
    assert.match(err.message, /onError: "null" or "dead-letter"/);
    assert.equal(err.row, 2);
    assert.equal(err.input, "x3");
    return true;
  });
});

test("apply: onError null keeps the other rows and reports the failure count", async () => {
  const inv = (x: unknown): number => {
    if (x === 0) throw new Error("division by zero");
    return 1 / Number(x);
  };
  const df = frame({ x: int32s([1, 0, 2, 0, 4]) }, 2);
  const report = await df.select(col("x").apply(inv, DataType.float64(), { onError: "null", name: "inverse" })).collectReport();
  assert.deepEqual(values(report.table, "x"), [1, null, 0.5, null, 0.25]);
  assert.deepEqual(report.failures, { inverse: 2 });
  assert.deepEqual(report.deadLetters, []);
});

test("apply: onError dead-letter carries row, input and error, for async failures too", async () => {
  const check = async (s: unknown): Promise<string> => {
    await sleep(1);
    if (String(s).startsWith("bad")) throw new Error(`rejected ${String(s)}`);
    return String(s).toUpperCase();
  };
  const seen: unknown[] = [];
  const df = frame({ s: utf8s(["ok", "bad1", "fine", "bad2"]) }, 3);
  const report = await df
    .select(col("s").apply(check, DataType.utf8(), { onError: "dead-letter" }))
    .collectReport({ onDeadLetter: (d) => seen.push(d.input) });
  assert.deepEqual(values(report.table, "s"), ["OK", null, "FINE", null]);
  assert.deepEqual(report.failures, { check: 2 });
  assert.deepEqual(
    report.deadLetters.map((d) => ({ ...d })),
    [
      { udf: "check", row: 1, input: "bad1", error: "rejected bad1" },
      { udf: "check", row: 3, input: "bad2", error: "rejected bad2" },
    ],
  );
  assert.deepEqual(seen, ["bad1", "bad2"]);
});

test("apply: maxRetries retries a failing async call with backoff", async () => {
  const calls = new Map<unknown, number[]>();
  const flaky = async (x: unknown): Promise<number> => {
    const times = calls.get(x) ?? [];
    times.push(performance.now());
    calls.set(x, times);
    if (times.length <= 2) throw new Error("try again");
    return Number(x) * 10;
  };
  const df = frame({ x: int32s([1, 2]) }, 2);
  const t = await df.select(col("x").apply(flaky, DataType.int32(), { maxRetries: 2 })).collect();
  assert.deepEqual(values(t, "x"), [10, 20]);
  const times = calls.get(1)!;
  assert.equal(times.length, 3);
  assert.ok(times[1]! - times[0]! >= 20, "first retry waits (50 ms, jittered down to at most half)");
  assert.ok(times[2]! - times[1]! >= 45, "second retry waits about twice as long");
  const once = frame({ x: int32s([1]) }, 1);
  calls.clear();
  await assert.rejects(once.select(col("x").apply(flaky, DataType.int32(), { maxRetries: 1 })).collect(), /try again/);
});

test("apply: returning another type than returnType is an error naming both, whatever onError says", async () => {
  const df = frame({ x: int32s([1, 2]) }, 2);
  for (const onError of ["raise", "null"] as const) {
    await assert.rejects(df.select(col("x").apply((x) => `#${String(x)}`, DataType.int32(), { onError, name: "label" })).collect(), (err: unknown) => {
      assert.ok(err instanceof UdfReturnTypeError);
      assert.match(err.message, /apply\(label\) returned string "#1" for row 0 \(input 1\), but its return type is int32/);
      return true;
    });
  }
  await assert.rejects(df.select(col("x").apply(() => 3e9, DataType.int32())).collect(), /out of range.*int32/);
});
