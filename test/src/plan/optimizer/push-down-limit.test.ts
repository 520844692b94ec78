// pushDownLimit: Limit over Sort becomes TopN, limits merge, move below projections (UDFs run on fewer rows) and
// go into concat inputs and scans that stop early, never past a filter a scan does not apply exactly.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { col } from "../../../../src/expr/builders.js";
import type { DataFrame } from "../../../../src/dataframe.js";
import * as B from "../../../../src/plan/build.js";
import type { PlanNode } from "../../../../src/plan/logical.js";
import { isolateUdfs } from "../../../../src/plan/optimizer/rules/isolate-udfs.js";
import { pushDownFilter } from "../../../../src/plan/optimizer/rules/push-down-filter.js";
import { pushDownLimit } from "../../../../src/plan/optimizer/rules/push-down-limit.js";
import { checkRewrite, frame, people, plus100, show } from "../helpers.js";

const df = frame(people());


const pushed = (q: DataFrame | PlanNode, prepare: (p: PlanNode) => PlanNode = (p) => p): Promise<string> =>
  checkRewrite(pushDownLimit, q, { prepare });

describe("pushDownLimit", () => {
  it("turns a limit over a sort into a TopN, keeping the offset", async () => {
    assert.equal(
      await pushed(df.sort("score", { desc: true }).offset(2).limit(3)),
      `TopN 3 offset 2: score DESC
  └─ Scan Memory: mem`,
    );
  });

  it("merges a limit over a limit (offsets add) and over a TopN", async () => {
    assert.equal(
      await pushed(df.sort("id").limit(6).offset(1).limit(2)),
      `TopN 2 offset 1: id ASC
  └─ Scan Memory: mem`,
    );
    assert.equal(
      await pushed(B.limit(B.limit(df.plan, 3, 1), 5, 2)),
      `Limit: 1 offset 3
  └─ Scan Memory: mem limit=4`,
    );
  });

  it("moves a limit below a UdfProject so the UDF runs on fewer rows, and into the scan", async () => {
    const q = df.select(plus100(col("id")).alias("p")).limit(2);
    assert.equal(
      show(q),
      `Limit: 2
  └─ Project: apply[plus100: int32](id) AS p
    └─ Scan Memory: mem`,
    );
    assert.equal(
      await pushed(q, isolateUdfs),
      `UdfProject: apply[plus100: int32](id) AS p
  └─ Limit: 2
    └─ Scan Memory: mem limit=2`,
    );
  });

  it("pushes offset + limit into a scan whose filter is exact, keeping the Limit above", async () => {
    const src = people();
    const q = frame(src).where(col("id").gt(3)).offset(1).limit(2);
    assert.equal(
      await pushed(q, (p) => pushDownLimit(pushDownFilter(p))),
      `Limit: 2 offset 1
  └─ Scan Memory: mem filter=id > 3 limit=3`,
    );
    assert.equal(src.requests[0]!.limit, 3);
  });

  it("does not push a limit past a filter a pruning scan leaves above it", async () => {
    const q = frame(people({ supports: { filter: "prune" } })).where(col("id").gt(3)).limit(2);
    const filtered = pushDownFilter(q.plan);
    assert.equal(
      show(filtered),
      `Limit: 2
  └─ Filter: id > 3
    └─ Scan Memory: mem filter=id > 3`,
    );
    assert.equal(pushDownLimit(filtered), filtered);
  });

  it("does not push into a scan whose source cannot stop early", () => {
    const q = frame(people({ supports: { limit: false } })).limit(2);
    assert.equal(pushDownLimit(q.plan), q.plan);
  });

  it("limits each input of a concat to offset + limit rows, keeping the outer Limit", async () => {
    assert.equal(
      await pushed(df.concat(df.where(col("id").gt(3))).offset(1).limit(3)),
      `Limit: 3 offset 1
  └─ Concat
    └─ Limit: 4
      └─ Scan Memory: mem limit=4
    └─ Limit: 4
      └─ Filter: id > 3
        └─ Scan Memory: mem`,
    );
  });

  it("stays above filters, joins, aggregates, distinct and samples", () => {
    for (const q of [df.where(col("id").gt(3)), df.join(df, { on: "id" }), df.groupBy("grp").count(), df.distinct("grp"), df.sample({ size: 3 })]) {
      const plan = q.limit(2).plan;
      assert.equal(pushDownLimit(plan), plan);
    }
  });
});
