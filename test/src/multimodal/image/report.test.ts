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

test('onError "dead-letter": each failed row is reported with its bytes and sharp\'s reason, and counted', async () => {
  const good = await encode(KNOWN.RGB, "png");
  const truncated = good.subarray(0, 40); // a PNG header and nothing after it
  const garbage = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const images = [good, truncated, good, good, good, garbage, good];
  const df = imageFrame(images);
  const seen: number[] = [];
  const report = await df
    .select(col("image").image.resize(4, 4, { onError: "dead-letter" }).alias("r"))
    .collectReport({ batchSize: 4, onDeadLetter: (d) => seen.push(d.row) });
  assert.equal(report.table.numRows, 7);
  assert.equal(report.table.getChild("r")!.nullCount, 2);
  assert.deepEqual(report.failures, { "image.resize": 2 });
  const letters = [...report.deadLetters].sort((a, b) => a.row - b.row);
  assert.deepEqual(letters.map((d) => [d.udf, d.row]), [["image.resize", 1], ["image.resize", 5]]);
  assert.deepEqual(seen.sort((a, b) => a - b), [1, 5], "onDeadLetter sees them as they happen");
  // The input is the row's bytes, so the file can be found or kept; the reason is sharp's, with the bytes described.
  assert.deepEqual(letters.map((d) => Array.from(d.input as Uint8Array)), [Array.from(truncated), Array.from(garbage)]);
  assert.match(letters[0]!.error, /^40 bytes starting 89 50 4e 47 0d 0a 1a 0a: .+/);
  assert.match(letters[1]!.error, /^9 bytes starting 01 02 03 04 05 06 07 08: .*(unsupported image format|Input buffer)/i);
  assert.doesNotMatch(letters[0]!.error, /onError/, "no advice in a dead letter");
});
