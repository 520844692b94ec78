// pushDownProjection: only the columns a consumer reads flow: scans read fewer columns, unread projection outputs
// (UDFs included) go, join and aggregate inputs are narrowed, and the plan's own output stays the same.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatExpr } from "../../../../format/expr/format-expr.js";
import { col, count } from "../../../../src/expr/builders.js";
import type { DataFrame } from "../../../../src/dataframe.js";
import type { PlanNode } from "../../../../src/plan/logical.js";
import { isolateUdfs } from "../../../../src/plan/optimizer/rules/isolate-udfs.js";
import { pushDownFilter } from "../../../../src/plan/optimizer/rules/push-down-filter.js";
import { pushDownProjection } from "../../../../src/plan/optimizer/rules/push-down-projection.js";
import { checkRewrite, frame, grades, people, plus100, show } from "../helpers.js";

const df = frame(people());


const pruned = (q: DataFrame | PlanNode, prepare: (p: PlanNode) => PlanNode = (p) => p): Promise<string> =>
  checkRewrite(pushDownProjection, q, { prepare, sameSchema: true });

describe("pushDownProjection", () => {
  it("drops unread outputs (an unread UDF is not called) and reads only needed columns", async () => {
    const q = df.select(col("id").add(1).alias("a"), col("name"), plus100(col("id")).alias("u")).where(col("a").gt(2)).select("name");
    assert.equal(
      show(q),
      `Project: name
  └─ Filter: a > 2
    └─ Project: id + 1 AS a, name, apply[plus100: int32](id) AS u
      └─ Scan Memory: mem`,
    );
    assert.equal(
      await pruned(q),
      `Project: name
  └─ Filter: a > 2
    └─ Project: id + 1 AS a, name
      └─ Scan Memory: mem columns=[id, name]`,
    );
  });

  it("turns a UdfProject whose UDF nobody reads into a projection, removed when it changes nothing", async () => {
    const q = df.withColumn("p", plus100(col("id"))).select("id", "name");
    assert.equal(
      await pruned(q, isolateUdfs),
      `Scan Memory: mem columns=[id, name]`,
    );
  });

  it("lets the source read the columns of a filter pushed into it that the output does not need", async () => {
    const src = people();
    const q = frame(src).where(col("score").gt(4)).select("name");
    assert.equal(
      await pruned(q, pushDownFilter),
      `Scan Memory: mem columns=[name] filter=score > 4`,
    );
    const asked = src.requests[0]!;
    assert.deepEqual([asked.columns, formatExpr(asked.filter!)], [["name"], "score > 4"]);
  });

  it("narrows join inputs, keeping right column names (and a custom suffix) as they were", async () => {
    assert.equal(
      await pruned(df.join(grades(), { on: "id", how: "left" }).select("score", "name_right")),
      `Project: score, name_right
  └─ Join left: id = id
    └─ Scan Memory: mem columns=[id, score]
    └─ Scan Memory: grades columns=[id, name]`,
    );
    assert.equal(
      await pruned(df.join(grades(), { on: "id", suffix: "_g" }).select("id", "name_g")),
      `Join inner: id = id
  └─ Scan Memory: mem columns=[id]
  └─ Scan Memory: grades columns=[id, name]`,
    );
  });

  it("inserts a Project above a join input that cannot narrow itself", async () => {
    const wide = frame(people({ supports: { projection: false } }));
    assert.equal(
      await pruned(wide.join(grades(), { on: "id" }).select("grade", "name")),
      `Project: grade, name
  └─ Join inner: id = id
    └─ Project: id, name
      └─ Scan Memory: mem
    └─ Scan Memory: grades columns=[id, grade]`,
    );
  });

  it("narrows aggregate inputs and keeps one column for count(*)", async () => {
    assert.equal(
      await pruned(df.groupBy("grp").agg(col("score").sum().alias("s"))),
      `Aggregate: sum(score) AS s by grp
  └─ Scan Memory: mem columns=[grp, score]`,
    );
    assert.equal(
      await pruned(df.where(col("score").gt(1)).agg(count().alias("n"))),
      `Aggregate: count(*) AS n
  └─ Filter: score > 1
    └─ Scan Memory: mem columns=[score]`,
    );
    assert.equal(
      await pruned(df.agg(count().alias("n"))),
      `Aggregate: count(*) AS n
  └─ Scan Memory: mem columns=[id]`,
    );
  });

  it("drops unread aggregations", async () => {
    const q = df.groupBy("grp").agg(col("score").sum().alias("s"), col("id").max().alias("m")).select("grp", "m");
    assert.equal(
      await pruned(q),
      `Aggregate: max(id) AS m by grp
  └─ Scan Memory: mem columns=[id, grp]`,
    );
  });

  it("gives every concat input exactly the same columns", async () => {
    const q = df.concat(df.select(col("id"), col("grp"), col("score").mul(2).alias("score"), col("name"))).select("name");
    assert.equal(
      await pruned(q),
      `Concat
  └─ Scan Memory: mem columns=[name]
  └─ Scan Memory: mem columns=[name]`,
    );
  });

  it("reads every column under a distinct over all columns", async () => {
    const q = df.select("grp", "name").distinct().select("grp");
    assert.equal(
      await pruned(q),
      `Project: grp
  └─ Distinct
    └─ Scan Memory: mem columns=[grp, name]`,
    );
  });

  it("leaves a plan that reads everything as it is (the same object)", () => {
    const q = df.where(col("id").gt(2)).sort("score");
    assert.equal(pushDownProjection(q.plan), q.plan);
  });
});
