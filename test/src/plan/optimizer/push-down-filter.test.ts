// pushDownFilter: filters split on AND and move below projections, sorts, concats, join sides, group keys and
// explodes into scans, and stop where moving them would change the result; plans are compared as explain text and
// every rewritten plan must give the rows the original gives.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { col, count, lit } from "../../../../src/expr/builders.js";
import type { DataFrame } from "../../../../src/dataframe.js";
import * as B from "../../../../src/plan/build.js";
import type { PlanNode } from "../../../../src/plan/logical.js";
import { isolateUdfs } from "../../../../src/plan/optimizer/rules/isolate-udfs.js";
import { pushDownFilter } from "../../../../src/plan/optimizer/rules/push-down-filter.js";
import { checkRewrite, frame, grades, memorySource, people, plus100, show, slow } from "../helpers.js";

const df = frame(people());


const pushed = (q: DataFrame | PlanNode, prepare: (p: PlanNode) => PlanNode = (p) => p): Promise<string> =>
  checkRewrite(pushDownFilter, q, { prepare });

describe("pushDownFilter", () => {
  it("rewrites a filter over a projection's cheap expressions and pushes it into an exact scan", async () => {
    const q = df.select(col("id"), col("score").mul(2).alias("s2")).where(col("s2").gt(3).and(col("id").lt(7)));
    assert.equal(
      show(q),
      `Filter: s2 > 3 AND id < 7
  └─ Project: id, score * 2 AS s2
    └─ Scan Memory: mem`,
    );
    assert.equal(
      await pushed(q),
      `Project: id, score * 2 AS s2
  └─ Scan Memory: mem filter=score * 2 > 3 AND id < 7`,
    );
  });

  it("merges stacked filters into one scan filter", async () => {
    assert.equal(await pushed(df.where(col("id").gt(3)).where(col("score").lt(7))), `Scan Memory: mem filter=id > 3 AND score < 7`);
  });

  it("keeps the filter above a pruning scan, and parts format/expr cannot evaluate above any scan", async () => {
    const src = people({ supports: { filter: "prune" } });
    const q = frame(src).where(col("id").gt(5).and(col("name").str.lower().eq("fay")));
    assert.equal(
      await pushed(q),
      `Filter: (id > 5 AND (str.lower(name) = 'fay'))
  └─ Scan Memory: mem filter=id > 5`,
    );
    // The source was asked for the filter when the rewritten plan ran (the original plan's scan asked for none).
    assert.deepEqual(
      src.requests.map((r) => r.filter !== undefined),
      [true, false],
    );
  });

  it("does not push into a source that cannot filter", async () => {
    const q = frame(people({ supports: { filter: "none" } })).where(col("id").gt(5));
    assert.equal(pushDownFilter(q.plan), q.plan);
  });

  it("moves filters on other columns below a UdfProject but keeps a filter on the UDF output above it", async () => {
    const q = df.withColumn("p", plus100(col("id"))).where(col("p").gt(103).and(col("score").gt(1)));
    assert.equal(
      await pushed(q, isolateUdfs),
      `Filter: p > 103
  └─ UdfProject: id, grp, score, name, apply[plus100: int32](id) AS p
    └─ Scan Memory: mem filter=score > 1`,
    );
  });

  it("never substitutes a UDF output, even in a plain Project", async () => {
    const q = df.withColumn("p", plus100(col("id"))).where(col("p").gt(103));
    assert.equal(pushDownFilter(q.plan), q.plan);
  });

  it("leaves parts calling UDFs in place and moves cheap parts below them", async () => {
    const q = df.where(slow(col("id")).gt(6)).where(col("grp").eq("a").and(plus100(col("id")).lt(105)));
    assert.equal(
      show(q),
      `Filter: (grp = 'a' AND (apply[plus100: int32](id) < 105))
  └─ Filter: (test.slow(id) > 6)
    └─ Scan Memory: mem`,
    );
    assert.equal(
      await pushed(q),
      `Filter: (apply[plus100: int32](id) < 105)
  └─ Filter: (test.slow(id) > 6)
    └─ Scan Memory: mem filter=grp = 'a'`,
    );
    const joined = df.join(grades(), { on: "id" }).where(plus100(col("grade")).gt(110));
    assert.equal(pushDownFilter(joined.plan), joined.plan);
  });

  it("moves filters below a sort", async () => {
    assert.equal(
      await pushed(df.sort("score").where(col("id").gt(3))),
      `Sort: score ASC
  └─ Scan Memory: mem filter=id > 3`,
    );
  });

  it("copies a filter into every input of a concat", async () => {
    assert.equal(
      await pushed(df.concat(df.where(col("id").gt(5))).where(col("score").lt(5))),
      `Concat
  └─ Scan Memory: mem filter=score < 5
  └─ Scan Memory: mem filter=id > 5 AND score < 5`,
    );
  });

  it("pushes into both sides of an inner join, renaming right columns, and keeps parts reading both sides", async () => {
    const q = df.join(grades(), { on: "id" }).where(col("score").gt(1).and(col("grade").gt(10)).and(col("name").neq(col("name_right"))));
    assert.equal(
      await pushed(q),
      `Filter: name != name_right
  └─ Join inner: id = id
    └─ Scan Memory: mem filter=score > 1
    └─ Scan Memory: grades filter=grade > 10`,
    );
    const renamed = df.join(grades(), { on: "id" }).where(col("name_right").neq("y"));
    assert.equal(
      await pushed(renamed),
      `Join inner: id = id
  └─ Scan Memory: mem
  └─ Scan Memory: grades filter=name != 'y'`,
    );
  });

  it("pushes only left-column parts into a left join, and never a right-column part (it would null-pad instead)", async () => {
    const q = df.join(grades(), { on: "id", how: "left" }).where(col("score").gt(1).and(col("grade").gt(10)));
    assert.equal(
      await pushed(q),
      `Filter: grade > 10
  └─ Join left: id = id
    └─ Scan Memory: mem filter=score > 1
    └─ Scan Memory: grades`,
    );
    const rightOnly = df.join(grades(), { on: "id", how: "left" }).where(col("grade").gt(10));
    assert.equal(pushDownFilter(rightOnly.plan), rightOnly.plan);
  });

  it("mirrors that for right joins, pushes nothing into outer joins, and pushes semi/anti filters left", async () => {
    const cond = col("score").gt(1).and(col("grade").gt(10));
    assert.equal(
      await pushed(df.join(grades(), { on: "id", how: "right" }).where(cond)),
      `Filter: score > 1
  └─ Join right: id = id
    └─ Scan Memory: mem
    └─ Scan Memory: grades filter=grade > 10`,
    );
    const outer = df.join(grades(), { on: "id", how: "outer" }).where(cond);
    assert.equal(pushDownFilter(outer.plan), outer.plan);
    for (const how of ["semi", "anti"] as const) {
      assert.equal(
        await pushed(df.join(grades(), { on: "id", how }).where(col("score").gt(1).and(col("id").lt(4)))),
        `Join ${how}: id = id
  └─ Scan Memory: mem filter=score > 1 AND id < 4
  └─ Scan Memory: grades`,
      );
    }
  });

  it("pushes parts on group keys below an aggregate and keeps parts on aggregates above", async () => {
    const q = df
      .groupBy("grp")
      .agg(col("score").sum().alias("s"), count().alias("n"))
      .where(col("grp").neq("c").and(col("s").gt(2)));
    assert.equal(
      await pushed(q),
      `Filter: s > 2
  └─ Aggregate: sum(score) AS s, count(*) AS n by grp
    └─ Scan Memory: mem filter=grp != 'c'`,
    );
  });

  it("keeps a constant filter above a global aggregate (below it, the aggregate would still make a row)", async () => {
    const q = df.agg(count().alias("n")).where(lit(false));
    assert.equal(pushDownFilter(q.plan), q.plan);
  });

  it("moves parts below an explode unless they read the exploded column", async () => {
    const list = new A.List(new A.Field("item", new A.Utf8(), true));
    const src = memorySource({ id: [[1, 2, 3], new A.Int32()], tags: [[["a", "b"], [], ["c"]], list] });
    const q = frame(src).explode("tags").where(col("id").gt(1).and(col("tags").neq("c")));
    assert.equal(
      await pushed(q),
      `Filter: tags != 'c'
  └─ Explode: tags
    └─ Scan Memory: mem filter=id > 1`,
    );
  });

  it("never crosses a limit, and never enters a scan that already has a limit", async () => {
    const q = df.limit(5).where(col("id").gt(3));
    assert.equal(pushDownFilter(q.plan), q.plan);
    const limitedScan = { ...df.plan, pushdown: { limit: 5 } } as PlanNode;
    const over = B.filter(limitedScan, col("id").gt(3).node);
    assert.equal(show(over), `Filter: id > 3
  └─ Scan Memory: mem limit=5`);
    assert.equal(pushDownFilter(over), over);
  });

  it("stays above distinct, sample and topN", () => {
    const topN = B.topN(df.plan, [{ node: col("id").node, desc: false, nullsFirst: false }], 2, 0);
    for (const input of [df.distinct("grp").plan, df.sample({ fraction: 0.5, seed: 1 }).plan, topN]) {
      const plan = B.filter(input, col("id").gt(3).node);
      assert.equal(pushDownFilter(plan), plan);
    }
  });
});
