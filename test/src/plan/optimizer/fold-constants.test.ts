// foldConstants: column-free subtrees become literals of the type resolve gives them, neutral AND/OR operands go,
// Filter(TRUE) disappears and Filter(FALSE/NULL) becomes Limit 0.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { col, lit, sql } from "../../../../src/expr/builders.js";
import type { DataFrame } from "../../../../src/dataframe.js";
import { foldConstants } from "../../../../src/plan/optimizer/rules/fold-constants.js";
import { checkRewrite, frame, memorySource, people, show } from "../helpers.js";

const df = frame(people());

const folded = (q: DataFrame): Promise<string> => checkRewrite(foldConstants, q, { sameSchema: true });

describe("foldConstants", () => {
  it("folds constant arithmetic into typed literals and drops neutral operands", async () => {
    const q = df
      .where(col("id").gt(lit(1).add(2)).and(lit(true)))
      .select(col("id").add(lit(2).mul(3)).alias("x"), lit("a").eq("a").alias("t"), col("score").gt(1).or(lit(1).gt(2)).alias("o"));
    assert.equal(
      show(q),
      `Project: id + 2 * 3 AS x, 'a' = 'a' AS t, score > 1 OR 1 > 2 AS o
  └─ Filter: id > 1 + 2 AND TRUE
    └─ Scan Memory: mem`,
    );
    assert.equal(
      await folded(q),
      `Project: id + CAST(6 AS int32) AS x, TRUE AS t, score > 1 AS o
  └─ Filter: id > CAST(3 AS int32)
    └─ Scan Memory: mem`,
    );
  });

  it("keeps literal types exact: an untyped integer would adopt its neighbour's type", async () => {
    const src = memorySource({ u: [[1, 2, 250], new A.Uint8()], big: [[1n, 2n, 3n], new A.Uint64()] });
    const q = frame(src).select(col("u").add(lit(100).add(100)).alias("a"), col("big").add(lit(1).add(1)).alias("b"), lit(7).div(2).alias("d"), lit(1.5).mul(2).alias("f"));
    assert.equal(
      await folded(q),
      `Project: u + CAST(200 AS int32) AS a, big + CAST(2 AS int32) AS b, 3.5 AS d, 3.0 AS f
  └─ Scan Memory: mem`,
    );
  });

  it("leaves constants a literal cannot hold exactly (dates) and constants that fail", async () => {
    const q = df.select(sql("CAST('2024-01-01' AS date)").alias("day"), col("id"));
    assert.equal(foldConstants(q.plan), q.plan);
  });

  it("removes Filter(TRUE) and turns Filter(FALSE) and Filter(NULL) into Limit 0", async () => {
    assert.equal(await folded(df.where(lit(1).lt(2))), `Scan Memory: mem`);
    assert.equal(
      await folded(df.where(lit(1).gt(2))),
      `Limit: 0
  └─ Scan Memory: mem`,
    );
    assert.equal(
      await folded(df.where(lit(null).eq(1))),
      `Limit: 0
  └─ Scan Memory: mem`,
    );
    // NULL AND x is NULL or FALSE depending on x: it folds no further.
    assert.equal(
      await folded(df.where(lit(null).eq(1).and(col("id").gt(1)))),
      `Filter: CAST(NULL AS boolean) AND id > 1
  └─ Scan Memory: mem`,
    );
  });

  it("does not drop a neutral operand when that would change the expression's type", () => {
    // A null-typed column AND TRUE is boolean; the column alone is not.
    const q = frame(memorySource({ nul: [[null, null], new A.Null()], b: [[true, false], new A.Bool()] })).select(
      col("nul").and(lit(true)).alias("n"),
      col("b").and(lit(true)).alias("b"),
    );
    assert.equal(
      show(foldConstants(q.plan)),
      `Project: nul AND TRUE AS n, b AS b
  └─ Scan Memory: mem`,
    );
  });

  it("leaves plans without constants as they are (the same object)", () => {
    const q = df.where(col("id").gt(col("score"))).select(col("id").add(col("score")).alias("x"));
    assert.equal(foldConstants(q.plan), q.plan);
  });
});
