import { test } from "node:test";
import assert from "node:assert/strict";
import * as A from "apache-arrow";
import { col, lit, sql, when } from "../../../src/expr/builders.js";
import { compileExpr, isLowerable, selectRows } from "../../../src/expr/compile.js";
import { DataType } from "../../../src/expr/data-type.js";
import { outputName } from "../../../src/expr/names.js";

function batch(): A.RecordBatch {
  const t = new A.Table({
    id: A.vectorFromArray([1, 2, 3, 4], new A.Int32()),
    score: A.vectorFromArray([0.5, null, 2.5, -1], new A.Float64()),
    name: A.vectorFromArray(["ann", "bob", null, "dora"], new A.Utf8()),
  });
  return t.batches[0]!;
}

const values = async (e: ReturnType<typeof col>, b = batch()): Promise<unknown[]> => [...(await compileExpr(e.node, b.schema).run(b))];

test("arithmetic and comparisons evaluate through format/expr", async () => {
  assert.deepEqual(await values(col("id").mul(2).add(1)), [3, 5, 7, 9]);
  assert.deepEqual(await values(col("score").gt(0)), [true, null, true, false]);
  assert.equal(isLowerable(col("id").add(1).node), true);
});

test("an unknown column fails when compiled, suggesting the nearest names", () => {
  const b = batch();
  assert.throws(() => compileExpr(col("scor").gt(1).node, b.schema), /no column "scor"; did you mean "score"/);
});

test("a type mismatch names both types", () => {
  const b = batch();
  assert.throws(() => compileExpr(col("name").add(1).node, b.schema), /utf8|string/i);
});

test("when/otherwise picks the first true branch, null without otherwise", async () => {
  const e = when(col("id").lt(2), "small").when(col("id").lt(4), "mid").otherwise("big");
  assert.deepEqual(await values(e), ["small", "mid", "mid", "big"]);
  const noElse = when(col("score").gt(1), lit(1));
  assert.deepEqual((await values(noElse)).map((v) => (v === null ? null : Number(v))), [null, null, 1, null]);
});

test("a format/expr parent evaluates engine-only children as extra columns", async () => {
  const e = when(col("id").gt(2), col("id")).otherwise(lit(0)).add(10);
  assert.equal(isLowerable(e.node), false);
  assert.deepEqual((await values(e)).map(Number), [10, 10, 13, 14]);
});

test("output names: alias, else the first column, else literal", () => {
  assert.equal(outputName(col("a").add(col("b")).node), "a");
  assert.equal(outputName(col("a").alias("z").node), "z");
  assert.equal(outputName(lit(1).add(2).node), "literal");
  assert.equal(outputName(col("meta", "w").node), "w");
});

test("SQL-like text compiles to the same filter", async () => {
  const b = batch();
  const p = compileExpr(sql("id >= 2 AND score IS NOT NULL").node, b.schema);
  assert.deepEqual([...(await selectRows(p, b))], [2, 3]);
});

test("fillNull, isIn, between, cast", async () => {
  assert.deepEqual(await values(col("score").fillNull(0)), [0.5, 0, 2.5, -1]);
  assert.deepEqual(await values(col("id").isIn([1, 3])), [true, false, true, false]);
  assert.deepEqual(await values(col("id").between(2, 3)), [false, true, true, false]);
  assert.deepEqual(await values(col("id").cast(DataType.float32())), [1, 2, 3, 4]);
  assert.deepEqual(await values(col("id").cast(DataType.utf8())), ["1", "2", "3", "4"]);
});

test("aggregations outside agg() are refused", () => {
  const b = batch();
  assert.throws(() => compileExpr(col("id").sum().node, b.schema), /only be used inside agg/);
});

test("apply checks what the function returns against the declared type", async () => {
  const b = batch();
  const ok = compileExpr(col("name").apply((s) => String(s).length, DataType.int32()).node, b.schema);
  assert.deepEqual([...(await ok.run(b))], [3, 3, null, 4]);
  const bad = compileExpr(col("name").apply((s) => String(s), DataType.int32()).node, b.schema);
  await assert.rejects(bad.run(b), /returned string "ann" for row 0.*return type is int32/);
});

test("namespaces build registered functions; list is both the aggregation and the namespace", async () => {
  assert.deepEqual(await values(col("name").str.upper()), ["ANN", "BOB", null, "DORA"]);
  assert.deepEqual(await values(col("name").str.contains("o")), [false, true, null, true]);
  const split = col("name").str.split("n").list.length();
  assert.deepEqual(await values(split), [3, 1, null, 1]);
  assert.equal(col("id").list().node.kind, "agg");
  assert.throws(() => compileExpr(col("id").str.lower().node, batch().schema), /str.lower expects a string, got int32/);
});

test("logical types: DataType.embedding/image metadata reaches the output field; lists cast to embeddings", async () => {
  const { fromRows } = await import("../../../src/index.js");
  const df = fromRows([{ v: [1, 2, 3], b: "x" }, { v: [4, 5, 6], b: "y" }, { v: null, b: "z" }]);
  const e = df.select(col("v").cast(DataType.embedding(3)).alias("e"));
  const f = e.schema.fields[0]!;
  assert.equal(f.type.toString(), "FixedSizeList[3]<Float32>");
  assert.equal(f.metadata.get("ARROW:extension:name"), "tessera.embedding");
  const rows = await e.toRows();
  assert.deepEqual(rows.map((r) => r.e), [[1, 2, 3], [4, 5, 6], null]);
  await assert.rejects(fromRows([{ v: [1, 2] }]).select(col("v").cast(DataType.embedding(3))).collect(), /row 0 .* 2 values, not 3/);
  assert.throws(() => df.select(col("b").cast(DataType.embedding(3))), /cannot cast (utf8|string) to/);
  const img = df.select(col("b").apply((s) => new TextEncoder().encode(String(s)), DataType.image("png")).alias("img"));
  assert.equal(img.schema.fields[0]!.metadata.get("ARROW:extension:name"), "tessera.image");
  assert.deepEqual(JSON.parse(img.schema.fields[0]!.metadata.get("ARROW:extension:metadata")!), { format: "png" });
  assert.equal(df.select(col("b").alias("c")).select("c").schema.fields[0]!.nullable, true);
});
