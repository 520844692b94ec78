// useVectorIndex: a sort by embedding.distance + limit over an indexed table becomes a vector search scan. Plans are
// compared as explain text before and after; the rewritten plan must give the unoptimized plan's rows — exactly for
// a flat index, also over appended un-indexed fragments, deletions and rows without a vector — and reach ≥ 0.9
// recall for approximate indexes. Every way the pattern can fail to fit leaves the plan alone.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { seededRandom } from "../../../../index/ivf/random.js";
import type { DataFrame } from "../../../../src/dataframe.js";
import { col } from "../../../../src/expr/builders.js";
import { DataType } from "../../../../src/expr/data-type.js";
import { useVectorIndex } from "../../../../src/plan/optimizer/rules/use-vector-index.js";
import { optimize } from "../../../../src/plan/optimizer/optimize.js";
import { pushDownLimit } from "../../../../src/plan/optimizer/rules/push-down-limit.js";
import { pushDownProjection } from "../../../../src/plan/optimizer/rules/push-down-projection.js";
import { Table } from "../../../../src/table.js";
import { runPlan, show } from "../helpers.js";

const DIM = 8;
const rnd = seededRandom(2024);
const vec = (): number[] => Array.from({ length: DIM }, () => Math.fround(rnd() * 2 - 1));

/** Rows id, label (id % 3), embedding (null every 11th row), other (a second embedding). */
function rows(start: number, n: number): A.Table {
  const ids = Array.from({ length: n }, (_, i) => start + i);
  return new A.Table({
    id: A.vectorFromArray(ids, new A.Int32()),
    label: A.vectorFromArray(ids.map((i) => i % 3), new A.Int32()),
    embedding: A.vectorFromArray(ids.map((i) => (i % 11 === 4 ? null : vec())), DataType.embedding(DIM)),
    other: A.vectorFromArray(ids.map(() => vec()), DataType.embedding(DIM)),
  });
}

/** A table of 300 rows with an index, then 60 appended rows the index does not cover and a few deleted rows. */
async function indexed(name: string, index: { type: "flat" | "hnsw" | "ivf_pq"; metric: "l2" | "cosine" | "dot" } | undefined, n = 300): Promise<Table> {
  const t = await Table.create(`memory://use-vector-index/${name}`, rows(0, n));
  if (index !== undefined) await t.createIndex("embedding", { ...index, ...(index.type === "ivf_pq" ? { partitions: 4, subVectors: 4 } : {}) });
  await t.append(rows(n, 60));
  await t.delete("id % 50 = 7");
  return t;
}

const q = vec();
/** How explain prints a query vector. */
const fmt = (v: number[]): string => `[${v.slice(0, 3).map((x) => Number(x.toPrecision(4))).join(", ")}, … ×${v.length}]`;
const dist = (metric: "l2" | "cosine" | "dot" = "l2") => col("embedding").embedding.distance(q, metric);

/** The optimized logical plan's text. */
const optimized = (df: DataFrame): string => show(optimize(df.plan));

/** The optimized rows must be the unoptimized plan's. */
async function sameRows(df: DataFrame): Promise<Record<string, unknown>[]> {
  const got = await df.toRows();
  assert.deepEqual(got, await runPlan(df.plan));
  return got;
}

let flat: Table;
let hnsw: Table;
before(async () => {
  flat = await indexed("flat", { type: "flat", metric: "l2" });
  hnsw = await indexed("hnsw", { type: "hnsw", metric: "cosine" });
});

describe("useVectorIndex", () => {
  it("answers a filtered nearest-neighbour query with a vector search scan", async () => {
    const df = flat.toDataFrame().where("label = 1").select("id", dist().alias("d")).sort("d").limit(5);
    assert.equal(
      df.explain({ optimized: true }),
      `== Logical plan ==
Limit: 5
  └─ Sort: d ASC
    └─ Project: id, embedding.distance(embedding, vector="${fmt(q)}", metric="l2") AS d
      └─ Filter: label = 1
        └─ Scan Table: memory://use-vector-index/flat v4

== Optimized logical plan ==
Scan VectorSearch: memory://use-vector-index/flat column=embedding k=5 metric=l2 index=flat prefilter=label = 1 columns=[id, d]

== Physical plan ==
ScanVectorSearch memory://use-vector-index/flat column=embedding k=5 metric=l2 index=flat prefilter=label = 1 columns=[id, d]`,
    );
    const got = await sameRows(df);
    assert.equal(got.length, 5);
  });

  it("rewrites the plan on its own: Limit over Sort over Project over Filter over Scan", async () => {
    const df = hnsw.toDataFrame().where(col("label").eq(2)).withColumn("d", dist("cosine")).sort("d").limit(3);
    assert.equal(
      show(df),
      `Limit: 3
  └─ Sort: d ASC
    └─ Project: id, label, embedding, other, embedding.distance(embedding, vector="${fmt(q)}", metric="cosine") AS d
      └─ Filter: label = 2
        └─ Scan Table: memory://use-vector-index/hnsw v4`,
    );
    const after = useVectorIndex(df.plan);
    assert.equal(
      show(after),
      `Project: id, label, embedding, other, d
  └─ Scan VectorSearch: memory://use-vector-index/hnsw column=embedding k=3 metric=cosine index=hnsw prefilter=label = 2`,
    );
    assert.equal(useVectorIndex(after), after, "a second pass changes nothing");
    const ids = (r: Record<string, unknown>[]): unknown[] => r.map((x) => x.id);
    assert.deepEqual(ids(await runPlan(after)), ids(await runPlan(df.plan)));
  });

  it("keeps a scan's pruned columns when run after column pruning", async () => {
    const df = flat.toDataFrame().select("id", dist().alias("d")).sort("d").limit(3);
    const pruned = pushDownProjection(pushDownLimit(df.plan));
    assert.match(show(pruned), /Scan Table: memory:\/\/use-vector-index\/flat v4 columns=\[id, embedding\]$/);
    const after = useVectorIndex(pruned);
    assert.equal(
      show(after),
      `Project: id, d
  └─ Scan VectorSearch: memory://use-vector-index/flat column=embedding k=3 metric=l2 index=flat columns=[id, embedding, d]`,
    );
    assert.deepEqual(await runPlan(after), await runPlan(df.plan));
  });

  it("sorts by the distance expression itself: the distance is read and dropped, the offset kept", async () => {
    const df = flat.toDataFrame({ withRowId: true }).sort(dist()).offset(2).limit(4).select("id", "_rowid");
    assert.equal(
      optimized(df),
      `Limit: 4 offset 2
  └─ Scan VectorSearch: memory://use-vector-index/flat column=embedding k=6 metric=l2 index=flat columns=[id, _rowid]`,
    );
    await sameRows(df);
  });

  it("names the distance afresh when the projection's name is a table column", async () => {
    const df = flat.toDataFrame().select("id", dist().alias("label")).sort("label").limit(3);
    assert.equal(
      optimized(df),
      `Project: id, _distance AS label
  └─ Scan VectorSearch: memory://use-vector-index/flat column=embedding k=3 metric=l2 index=flat columns=[id, _distance]`,
    );
    await sameRows(df);
  });

  it("shows the index kind and metric it uses", () => {
    const df = hnsw.toDataFrame().select("id", dist("cosine").alias("d")).sort("d").limit(10);
    assert.match(df.explain({ optimized: true }), /\nScanVectorSearch memory:\/\/use-vector-index\/hnsw column=embedding k=10 metric=cosine index=hnsw columns=\[id, d\]$/);
  });

  describe("leaves the plan alone", () => {
    const untouched = (df: DataFrame): void => {
      const text = optimized(df);
      assert.doesNotMatch(text, /VectorSearch/);
      assert.match(text, /TopN|Sort/);
    };

    it("without an index, or with an index of another metric", async () => {
      const none = await indexed("none", undefined, 50);
      untouched(none.toDataFrame().select("id", dist().alias("d")).sort("d").limit(3));
      untouched(flat.toDataFrame().select("id", dist("cosine").alias("d")).sort("d").limit(3));
      untouched(hnsw.toDataFrame().select("id", dist("l2").alias("d")).sort("d").limit(3));
      untouched(hnsw.toDataFrame().select("id", dist("dot").alias("d")).sort("d").limit(3));
    });

    it("for a descending or nulls-first sort, several keys, or no limit", () => {
      const base = flat.toDataFrame().select("id", dist().alias("d"));
      untouched(base.sort("d", { desc: true }).limit(3));
      untouched(base.sort("d", { nullsFirst: true }).limit(3));
      untouched(base.sort(["d", "id"]).limit(3));
      untouched(base.sort("d"));
    });

    it("for a filter that cannot be a prefilter, or a scan already limited", () => {
      untouched(flat.toDataFrame().withColumn("d", dist()).where(col("d").lt(1)).sort("d").limit(3));
      untouched(flat.toDataFrame().where(col("other").embedding.distance(q).lt(1)).sort(dist()).limit(3));
      untouched(flat.toDataFrame().limit(100).sort(dist()).limit(3));
    });

    it("for a distance between two columns, or over another column", () => {
      untouched(flat.toDataFrame().sort(col("embedding").embedding.distance(col("other"))).limit(3));
      untouched(flat.toDataFrame().sort(col("other").embedding.distance(q)).limit(3));
    });
  });

  describe("gives the unoptimized plan's rows", () => {
    it("exactly, with a flat index, over appended fragments, deletions and rows without a vector", async () => {
      for (const filter of [undefined, "label = 0", "id >= 300"]) {
        const base = filter === undefined ? flat.toDataFrame({ withRowId: true }) : flat.toDataFrame({ withRowId: true }).where(filter);
        for (const k of [1, 7, 40]) await sameRows(base.withColumn("d", dist()).sort("d").limit(k));
      }
    });

    it("padding with rows without a vector, in table order, when fewer than k have one", async () => {
      // ids 300..359: 2 deleted (307, 357), 6 without a vector (i % 11 = 4: 301, 312, ...), so 52 with a distance.
      const df = flat.toDataFrame().where("id >= 300").select("id", dist().alias("d")).sort("d").limit(55);
      assert.match(optimized(df), /^Scan VectorSearch: .* k=55 /);
      const got = await sameRows(df);
      assert.equal(got.length, 55);
      assert.ok(got.slice(0, 52).every((r) => r.d !== null));
      assert.deepEqual(got.slice(52), [{ id: 301, d: null }, { id: 312, d: null }, { id: 323, d: null }]);
      // Only the distance read: the search and the padding scan read no table column.
      const onlyD = flat.toDataFrame().where("id >= 300").select(dist().alias("d")).sort("d").limit(55);
      assert.match(optimized(onlyD), /columns=\[d\]$/);
      assert.deepEqual(await sameRows(onlyD), got.map((r) => ({ d: r.d })));
    });

    it("with an HNSW index over covered and appended fragments (same ids, distances within float rounding)", async () => {
      for (const filter of [undefined, "label = 1"]) {
        const base = filter === undefined ? hnsw.toDataFrame() : hnsw.toDataFrame().where(filter);
        const df = base.select("id", dist("cosine").alias("d")).sort("d").limit(10);
        assert.match(optimized(df), /index=hnsw/);
        const got = await df.toRows();
        const want = await runPlan(df.plan);
        assert.deepEqual(got.map((r) => r.id), want.map((r) => r.id));
        got.forEach((r, i) => assert.ok(Math.abs((r.d as number) - (want[i]!.d as number)) < 1e-5));
      }
    });

    for (const type of ["hnsw", "ivf_pq"] as const) {
      it(`with recall ≥ 0.9 for an approximate ${type} index`, async () => {
        const t = await indexed(`recall-${type}`, { type, metric: "l2" }, 2000);
        let found = 0;
        let total = 0;
        for (let i = 0; i < 10; i++) {
          const query = vec();
          const df = t.toDataFrame().select("id", col("embedding").embedding.distance(query).alias("d")).sort("d").limit(10);
          assert.match(optimized(df), new RegExp(`index=${type}`));
          const exact = new Set((await runPlan(df.plan)).map((r) => r.id));
          found += (await df.toRows()).filter((r) => exact.has(r.id)).length;
          total += exact.size;
        }
        assert.ok(found / total >= 0.9, `recall ${found / total}`);
      });
    }
  });
});
