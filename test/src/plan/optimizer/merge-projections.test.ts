// mergeProjections: a Project over a Project becomes one unless that would compute an inner expression twice or
// touch a UdfProject.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { col } from "../../../../src/expr/builders.js";
import type { DataFrame } from "../../../../src/dataframe.js";
import { isolateUdfs } from "../../../../src/plan/optimizer/rules/isolate-udfs.js";
import { mergeProjections } from "../../../../src/plan/optimizer/rules/merge-projections.js";
import { checkRewrite, frame, people, plus100, show } from "../helpers.js";

const df = frame(people());

const merged = (q: DataFrame): Promise<string> => checkRewrite(mergeProjections, q, { sameSchema: true });

describe("mergeProjections", () => {
  it("substitutes the inner expressions into the outer ones", async () => {
    const q = df.select(col("id").add(1).alias("a"), col("name")).select(col("a").mul(2).alias("b"), col("name").alias("n"));
    assert.equal(
      show(q),
      `Project: a * 2 AS b, name AS n
  └─ Project: id + 1 AS a, name
    └─ Scan Memory: mem`,
    );
    assert.equal(
      await merged(q),
      `Project: (id + 1) * 2 AS b, name AS n
  └─ Scan Memory: mem`,
    );
  });

  it("merges a chain of projections in one pass, plain columns being free to repeat", async () => {
    const q = df
      .withColumn("x", col("id").mul(3))
      .select(col("x"), col("id"), col("id").add(col("id")).alias("twice"))
      .select(col("x").add(col("twice")).alias("y"), col("id"));
    assert.equal(
      await merged(q),
      `Project: id * 3 + (id + id) AS y, id
  └─ Scan Memory: mem`,
    );
  });

  it("does not merge when a computed inner expression is read twice", () => {
    const q = df.select(col("id").add(1).alias("a")).select(col("a").mul(col("a")).alias("sq"));
    assert.equal(mergeProjections(q.plan), q.plan);
  });

  it("never merges into or out of a UdfProject", () => {
    const q = isolateUdfs(df.withColumn("p", plus100(col("id"))).select(col("p").add(1).alias("q")).plan);
    assert.equal(
      show(q),
      `Project: p + 1 AS q
  └─ UdfProject: id, grp, score, name, apply[plus100: int32](id) AS p
    └─ Scan Memory: mem`,
    );
    assert.equal(mergeProjections(q), q);
  });
});
