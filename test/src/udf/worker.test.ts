import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import * as A from "apache-arrow";
import { DataType } from "../../../src/expr/data-type.js";
import { closeWorkerPools, udf, UdfError, UdfReturnTypeError, UdfSetupError } from "../../../src/udf/index.js";
import { activeWorkerPools, workerPool } from "../../../src/udf/pool.js";
import { normalise } from "./fixtures/my-udfs.js";
import { float64s, frame, int32s, values } from "./support.js";

const fixtures = new URL("./fixtures/my-udfs.ts", import.meta.url);
const xs = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// Each test closes its pools: a worker thread with tsx and Arrow loaded is tens of MB.
afterEach(() => closeWorkerPools());

test("udf.worker: a TypeScript module's function gives the same result on workers as in-process", async () => {
  const input = [...xs(500).map((i) => (i % 7 === 0 ? null : (i - 250) / 3))];
  const df = frame({ x: float64s(input) }, 128);
  const local = udf(normalise, { returnType: DataType.float64(), batchSize: 50 });
  const remote = udf.worker({ module: fixtures, export: "normalise" }, { returnType: DataType.float64(), workers: 2, batchSize: 50 });
  const [a, b] = await Promise.all([df.select(local("x")).collect(), df.select(remote("x")).collect()]);
  assert.deepEqual(values(b, "x"), values(a, "x"));
  assert.equal(values(b, "x")[0], null);
});

test("udf.worker: batches run on more than one worker thread", async () => {
  const threadOf = udf.worker({ module: fixtures, export: "threadOf" }, { returnType: DataType.int32(), workers: 2, batchSize: 25 });
  const q = frame({ x: int32s(xs(800)) }, 400).select(threadOf("x").alias("thread"));
  await frame({ x: int32s([1]) }).select(threadOf("x")).collect(); // both threads start with the pool
  const t = await q.collect();
  const perBatch = (values(t, "thread") as number[]).filter((_, i) => i % 25 === 0);
  const threads = new Set(perBatch);
  assert.equal(perBatch.length, 32);
  assert.ok(threads.size >= 2, `used threads ${[...threads].join(", ")}`);
  assert.ok(!threads.has(0), "never the main thread");
});

test("udf.worker: a class export is constructed once per worker and reused", async () => {
  const instances = udf.worker({ module: fixtures, export: "Instances" }, { returnType: DataType.int32(), workers: 2, batchSize: 20, init: [1000] });
  const q = frame({ x: int32s(xs(400)) }, 100).select(instances("x").alias("v"));
  const all = [...values(await q.collect(), "v"), ...values(await q.collect(), "v")] as number[];
  const constructions = new Set(all.map((v) => Math.floor(v / 1000)));
  assert.deepEqual([...constructions], [1], "every batch of every run saw the instance made once in its thread");
  assert.ok(new Set(all.map((v) => v % 1000)).size >= 2, "on both workers");
});

test("udf.worker: a wrong return type names both types; a failing call obeys onError", async () => {
  const df = frame({ x: int32s([1, 2, -3, 4]) }, 4);
  const wrong = udf.worker({ module: fixtures, export: "wrongType" }, { returnType: DataType.int32(), workers: 1, onError: "null" });
  await assert.rejects(df.select(wrong("x")).collect(), (e: unknown) => {
    assert.ok(e instanceof UdfReturnTypeError);
    assert.match(e.message, /udf wrongType returned string "oops" for row 0, but its return type is int32/);
    return true;
  });
  const target = { module: fixtures, export: "failOnNegative" };
  const nulled = await df.select(udf.worker(target, { returnType: DataType.int32(), workers: 1, onError: "null" })("x")).collectReport();
  assert.deepEqual(values(nulled.table, "x"), [10, 20, null, 40]);
  assert.deepEqual(nulled.failures, { failOnNegative: 1 });
  await assert.rejects(df.select(udf.worker(target, { returnType: DataType.int32(), workers: 1 })("x")).collect(), (e: unknown) => {
    assert.ok(e instanceof UdfError);
    assert.match(e.message, /udf failOnNegative failed on row 2 \(input -3\): negative value -3/);
    return true;
  });
});

test("udf.worker: bad modules and exports fail clearly", async () => {
  assert.throws(() => udf.worker({ module: "./fixtures/my-udfs.ts", export: "normalise" }, { returnType: DataType.int32() }), /relative.*new URL/);
  assert.throws(() => udf.worker({ module: new URL("./fixtures/nope.ts", import.meta.url) }, { returnType: DataType.int32() }), /no module at .*nope\.ts/);
  const missing = udf.worker({ module: fixtures, export: "normalize" }, { returnType: DataType.int32(), workers: 1 });
  await assert.rejects(frame({ x: int32s([1]) }).select(missing("x")).collect(), (e: unknown) => {
    assert.ok(e instanceof UdfSetupError);
    assert.match(e.message, /no function or class export "normalize"; its function exports are .*normalise/);
    return true;
  });
});

test("udf.worker: at most workers * 2 batches are in flight, however many the query offers", async () => {
  const threadOf = udf.worker({ module: fixtures, export: "threadOf" }, { returnType: DataType.int32(), workers: 2, batchSize: 10, concurrency: 64 });
  const pool = workerPool(fixtures.href, "threadOf", 2);
  let max = 0;
  const sampler = setInterval(() => (max = Math.max(max, pool.inFlight)), 1);
  try {
    await frame({ x: int32s(xs(300)) }, 300).select(threadOf("x")).collect();
  } finally {
    clearInterval(sampler);
  }
  assert.ok(max > 1 && max <= 4, `max in flight ${max}`);
});

test("udf.worker: pools are shared, closed on request and made again on the next run", async (t) => {
  const identity = udf.worker({ module: fixtures, export: "identity" }, { returnType: DataType.int32(), workers: 2 });
  const df = frame({ x: int32s(xs(64)) }, 64);
  await df.select(identity("x")).collect();
  assert.ok(activeWorkerPools() >= 1);
  await closeWorkerPools();
  assert.equal(activeWorkerPools(), 0);
  assert.deepEqual(values(await df.select(identity("x")).collect(), "x"), xs(64));

  // Per-batch cost of the round trip (IPC out, transfer, IPC back), one batch at a time.
  const rows = 4096;
  const batches = 100;
  const big = frame({ x: int32s(xs(rows * batches).map((i) => i % 1000)) }, rows);
  const local = udf((v: A.Vector) => v, { returnType: DataType.int32() });
  const remote = udf.worker({ module: fixtures, export: "identity" }, { returnType: DataType.int32(), workers: 2, concurrency: 1 });
  await big.select(remote("x")).collect(); // warm up
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const start = performance.now();
    await f();
    return performance.now() - start;
  };
  const inProcess = await time(() => big.select(local("x")).collect());
  const onWorkers = await time(() => big.select(remote("x")).collect());
  const perBatch = (onWorkers - inProcess) / batches;
  t.diagnostic(`worker round trip: ${(perBatch * 1000).toFixed(0)} µs per ${rows}-row int32 batch (in-process ${inProcess.toFixed(0)} ms, workers ${onWorkers.toFixed(0)} ms for ${batches} batches)`);
  assert.ok(perBatch < 20, `per-batch overhead ${perBatch.toFixed(2)} ms`);
});
