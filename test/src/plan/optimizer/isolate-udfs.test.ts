// isolateUdfs: projections with UDFs (apply, udf, expensive registry functions) split around a UdfProject whose
// arguments are computed below it and whose outputs are used above it; plans are compared as explain text.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { col, when } from "../../../../src/expr/builders.js";
import { isolateUdfs } from "../../../../src/plan/optimizer/rules/isolate-udfs.js";
import { frame, people, plus100, runPlan, show, slow } from "../helpers.js";

const df = frame(people());

describe("isolateUdfs", () => {
  it("puts a UDF column added with withColumn in a UdfProject of its own", async () => {
    const q = df.withColumn("p", plus100(col("id")));
    assert.equal(
      show(q),
      `Project: id, grp, score, name, apply[plus100: int32](id) AS p
  └─ Scan Memory: mem`,
    );
    const after = isolateUdfs(q.plan);
    assert.equal(
      show(after),
      `UdfProject: id, grp, score, name, apply[plus100: int32](id) AS p
  └─ Scan Memory: mem`,
    );
    assert.deepEqual(await runPlan(after), await runPlan(q.plan));
  });

  it("computes cheap arguments below the UDFs and what uses their outputs above", async () => {
    const q = df.select(col("name"), plus100(col("id").add(1)).alias("p"), plus100(col("id")).mul(2).alias("q"));
    const after = isolateUdfs(q.plan);
    assert.equal(
      show(after),
      `Project: name, p, _udf0 * 2 AS q
  └─ UdfProject: name, apply[plus100: int32](_arg0) AS p, apply[plus100: int32](id) AS _udf0
    └─ Project: id, name, id + 1 AS _arg0
      └─ Scan Memory: mem`,
    );
    assert.deepEqual(after.schema.fields.map((f) => `${f.name}: ${f.type}`), q.schema.fields.map((f) => `${f.name}: ${f.type}`));
    assert.deepEqual(await runPlan(after), await runPlan(q.plan));
  });

  it("treats an expensive registry function as a UDF and renames an output that replaces an input column", async () => {
    const q = df.withColumn("id", slow(col("id")));
    const after = isolateUdfs(q.plan);
    assert.equal(
      show(after),
      `Project: _udf0 AS id, grp, score, name
  └─ UdfProject: grp, score, name, test.slow(id) AS _udf0
    └─ Scan Memory: mem`,
    );
    assert.deepEqual(await runPlan(after), await runPlan(q.plan));
  });

  it("keeps nested UDF calls together in one UdfProject", async () => {
    const q = df.select(col("id"), plus100(plus100(col("id").add(1)).add(2)).alias("u"));
    const after = isolateUdfs(q.plan);
    assert.equal(
      show(after),
      `UdfProject: id, apply[plus100: int32]((apply[plus100: int32](_arg0) + 2)) AS u
  └─ Project: id, id + 1 AS _arg0
    └─ Scan Memory: mem`,
    );
    assert.deepEqual(await runPlan(after), await runPlan(q.plan));
  });

  it("lifts a UDF out of a CASE, passing through the columns the CASE reads", async () => {
    const q = df.select(when(col("id").gt(3), plus100(col("id"))).otherwise(0).alias("w"), col("name"));
    const after = isolateUdfs(q.plan);
    assert.equal(
      show(after),
      `Project: CASE WHEN id > 3 THEN _udf0 ELSE 0 END AS w, name
  └─ UdfProject: id, name, apply[plus100: int32](id) AS _udf0
    └─ Scan Memory: mem`,
    );
    assert.deepEqual(await runPlan(after), await runPlan(q.plan));
  });

  it("leaves plans without UDFs as they are (the same object)", () => {
    const q = df.select(col("id").add(1).alias("x"), col("name").str.lower().alias("n")).where(col("x").gt(2));
    assert.equal(isolateUdfs(q.plan), q.plan);
  });
});
