// Image functions number rows within the run (not the batch) in errors, and count the rows onError "null" drops
// in the run report, as UDFs do.

import { test } from "node:test";
import assert from "node:assert/strict";
import { col } from "../../../../src/index.js";
import { encode, imageFrame, KNOWN } from "./fixtures.js";

test("a corrupt image in a later batch is named by its row in the run; nulled rows are counted", async () => {
  const good = await encode(KNOWN.RGB, "png");
  const bad = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  const images = [good, good, good, good, good, bad, good, bad];
  const df = imageFrame(images);
  await assert.rejects(
    df.select(col("image").image.decode().alias("d")).collect({ batchSize: 4 }),
    (err: Error) => /row 5\b/.test(err.message),
  );
  const report = await df.select(col("image").image.decode({ onError: "null" }).alias("d")).collectReport({ batchSize: 4 });
  assert.equal(report.table.numRows, 8);
  assert.equal(report.table.getChild("d")!.nullCount, 2);
  assert.deepEqual(report.failures, { "image.decode": 2 });
});
