import { test } from "node:test";
import assert from "node:assert/strict";
import * as A from "apache-arrow";
import { DataFrame } from "../../../src/dataframe.js";
import { DataType } from "../../../src/expr/data-type.js";
import { scan } from "../../../src/plan/build.js";
import { udf } from "../../../src/udf/index.js";
import { MemorySource } from "./support.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A fast source of `count` generated batches, and a slow UDF that notes how far ahead the source ran. */
function slowPipeline(count: number, rows: number): { df: DataFrame; maxPending: () => number; calls: () => number } {
  const schema = new A.Schema([new A.Field("x", new A.Int32(), true)]);
  const source = new MemorySource(schema, function* () {
    for (let b = 0; b < count; b++) {
      const v = A.makeVector(Int32Array.from({ length: rows }, (_, i) => b * rows + i));
      yield new A.Table({ x: v }).batches[0]!;
    }
  });
  let calls = 0;
  let maxPending = 0;
  const slow = udf(
    async (v: A.Vector) => {
      // Batches the source made that the UDF has not finished: those are the ones held in memory.
      maxPending = Math.max(maxPending, source.produced - calls);
      await sleep(3);
      calls++;
      return v;
    },
    { returnType: DataType.int32() },
  );
  return { df: new DataFrame(scan(source)).select(slow("x")), maxPending: () => maxPending, calls: () => calls };
}

test("a slow UDF over a fast source never has more than readAhead + 1 batches pending", async () => {
  for (const readAhead of [0, 2, 4]) {
    const p = slowPipeline(40, 1000);
    let rows = 0;
    for await (const b of p.df.iterBatches({ readAhead })) rows += b.numRows;
    assert.equal(rows, 40_000);
    assert.equal(p.calls(), 40);
    assert.ok(p.maxPending() <= readAhead + 1, `readAhead ${readAhead}: ${p.maxPending()} batches pending`);
    assert.ok(p.maxPending() >= 1);
  }
});
