// The MNIST walkthrough runs end to end on a small generated dataset (never on the installed Fashion-MNIST, so it
// passes anywhere) and observes what it should: the schema, the planted bad rows as nulls, per-label statistics
// recomputed here from the generator, accuracies far above chance, and the rows in Parquet and in a table.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkDocQuotes } from "../support/doc-quotes.js";
import { col, readParquet, readTable, Table } from "../../src/index.js";
import { runMnistPipeline, type MnistPipelineResult } from "../../examples/mnist-pipeline.js";
import { generateDigits } from "../../examples/support/digits.js";
import { PIXELS } from "../../examples/support/mnist-features.js";

const TRAIN = 1200;
const TEST = 300;

describe("examples/mnist-pipeline.ts on generated digits", () => {
  let dir: string;
  let out: MnistPipelineResult;
  const lines: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-mnist-example-"));
    out = await runMnistPipeline({ dir, data: "generated", trainRows: TRAIN, testRows: TEST, log: (line) => lines.push(line) });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("prints one line (or block) per step", () => {
    assert.deepEqual(
      lines.map((l) => l.split(/[ :]/)[0]),
      ["data", "1.", "2.", "3.", "4.", "5.", "wrote", "timings"],
    );
    assert.match(lines[0]!, /generated digits, 1200 train \+ 300 test rows/);
  });

  it("reads the gzip NDJSON with an inferred schema and peeks at 5 rows", () => {
    assert.equal(out.source, "generated");
    assert.equal(out.inferredSchema, "id Int64, split Utf8, label Int64, image List<Int64>");
    assert.equal(out.schema, "id Int64, split Utf8, label Int64, image List<Uint8>");
    assert.match(out.peek, /\(5 rows shown\)/);
    assert.equal(out.peek.split("\n").filter((l) => /^│ \d+\s+│ train/.test(l)).length, 5);
    assert.equal(out.rows, TRAIN + TEST);
  });

  it("turns the planted rows of the wrong length into nulls and counts them", () => {
    assert.equal(out.input.badRowIds.length, 6);
    assert.equal(out.badRows, out.input.badRowIds.length);
    assert.equal(out.trained.train + out.trained.test, out.rows - out.badRows, "bad rows are left out of training");
  });

  it("adds float32 statistics, a 60-value feature vector and the per-label columns", () => {
    assert.equal(out.featureDim, 60);
    assert.deepEqual(out.columns, [
      "id Int64",
      "split Utf8",
      "label Int64",
      "image FixedSizeList[784]<Uint8>",
      "pixel_mean Float32",
      "pixel_std Float32",
      "features FixedSizeList[60]<Float32>",
      "label_count Int64",
      "label_pixel_mean Float64",
    ]);
  });

  it("groups by label: counts and mean intensity equal those recomputed from the generator", async () => {
    const { pixels, labels } = await generateDigits(TRAIN + TEST, { seed: 1 });
    const bad = new Set(out.input.badRowIds);
    const expected = Array.from({ length: 10 }, (_, label) => {
      let count = 0;
      let sum = 0;
      let n = 0;
      labels.forEach((l, i) => {
        if (l !== label) return;
        count++;
        if (bad.has(i)) return;
        sum += Math.fround(pixels.subarray(i * PIXELS, (i + 1) * PIXELS).reduce((s, v) => s + v, 0) / PIXELS);
        n++;
      });
      return { label, count, mean: sum / n };
    });
    assert.deepEqual(out.groups.map((g) => [g.label, g.count]), expected.map((e) => [e.label, e.count]));
    out.groups.forEach((g, i) => assert.ok(Math.abs(g.meanPixel - expected[i]!.mean) < 1e-6, `label ${g.label}: ${g.meanPixel} vs ${expected[i]!.mean}`));
    assert.deepEqual(out.groups.map((g) => g.name), Array.from({ length: 10 }, (_, i) => `digit ${i}`));
  });

  it("learns the digits far above chance (0.1) from the features and from the raw pixels", () => {
    assert.ok(out.accuracy > 0.5, `features accuracy ${out.accuracy}`);
    assert.ok(out.baselineAccuracy > 0.6, `raw pixels accuracy ${out.baselineAccuracy}`);
    assert.ok(out.trainAccuracy >= out.accuracy - 0.1, "no wild gap between train and held-out accuracy");
    assert.equal(out.report.accuracy, out.accuracy);
    assert.equal(out.report.rows, out.trained.test);
    assert.equal(out.report.classes.reduce((s, c) => s + c.support, 0), out.trained.test);
    assert.ok(out.report.classes.every((c) => c.f1 >= 0 && c.f1 <= 1));
    assert.match(out.reportText, /digit 9 .*\n\n\s+accuracy/);
  });

  it("writes every row to Parquet and to a Tessera table, nulls included", async () => {
    assert.equal(out.parquet.rows, out.rows);
    const parquet = await readParquet(out.parquet.path);
    assert.equal(await parquet.countRows(), out.rows);
    assert.equal(String(parquet.schema.fields.find((f) => f.name === "features")!.type), "FixedSizeList[60]<Float32>");
    assert.deepEqual(out.table, { uri: out.table.uri, version: 1, rows: out.rows });
    const table = await Table.open(out.table.uri);
    assert.equal(await table.countRows(), out.rows);
    assert.equal(await (await readTable(out.table.uri)).where(col("image").isNull()).countRows(), out.badRows);
  });

  it("times every phase", () => {
    const t = out.timingsMs;
    for (const phase of ["data", "peek", "enrich", "groups", "train", "write"] as const) assert.ok(t[phase] > 0, phase);
    assert.ok(t.total >= t.data + t.peek + t.enrich + t.groups + t.train + t.write);
  });
});

describe("docs/getting-started.md quotes examples/mnist-pipeline.ts verbatim", () => {
  it("every ts block is an excerpt of the example", () => checkDocQuotes("docs/getting-started.md", "examples/mnist-pipeline.ts"));
});
