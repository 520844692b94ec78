// concatStreams: inputs one after another in order, every batch rebuilt with the output schema's names and
// nullability, empty inputs and batches skipped, a column-count mismatch refused.

import assert from "node:assert/strict";
import { test } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { concatStreams } from "../../../src/exec/concat.js";
import { FC, arbSizes, batchesOf, collect, rowsOf, schemaOf, streamOf } from "./helpers.js";

const A_SCHEMA = schemaOf([["x", new A.Int32()], ["s", new A.Utf8()]]);
const B_SCHEMA = new A.Schema([new A.Field("x2", new A.Int32(), false), new A.Field("s2", new A.Utf8(), true)]);
const OUT = new A.Schema([new A.Field("x", new A.Int32(), true), new A.Field("s", new A.Utf8(), true)]);

const arbRows = fc.array(fc.record({ x: fc.integer(), s: fc.option(fc.string({ maxLength: 3 }), { nil: null }) }), { maxLength: 30 });

test("concatStreams yields each input's rows in turn, under the output schema", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(arbRows, arbSizes), { maxLength: 4 }), async (inputs) => {
      const streams = inputs.map(([rows, sizes], i) => {
        const schema = i % 2 === 0 ? A_SCHEMA : B_SCHEMA;
        const renamed = rows.map((r) => (i % 2 === 0 ? r : { x2: r.x, s2: r.s }));
        return streamOf(batchesOf(schema, renamed, sizes));
      });
      const out = await collect(concatStreams(streams, OUT));
      for (const b of out) {
        assert.ok(b.numRows > 0);
        assert.deepEqual(b.schema.fields.map((f) => [f.name, f.nullable]), [["x", true], ["s", true]]);
      }
      assert.deepEqual(rowsOf(out), inputs.flatMap(([rows]) => rows.map((r) => ({ ...r }))));
    }),
    FC,
  );
});

test("an input with other columns is refused, naming both column lists", async () => {
  const other = schemaOf([["x", new A.Int32()]]);
  await assert.rejects(collect(concatStreams([streamOf(batchesOf(other, [{ x: 1 }]))], OUT)), /columns \[x\], expected \[x, s\]/);
});
