// col(...).embedding.distance / cosineSimilarity: every metric against a plain-JS oracle (unnormalised vectors,
// zero vectors, nulls, several batches), a second column as the argument, float64 embeddings, use in where and
// sort, the short vector in explain, and the errors raised when the plan is built.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { col } from "../../../src/expr/builders.js";
import { DataType } from "../../../src/expr/data-type.js";
import { fromArrow } from "../../../src/read.js";
import { InvalidArgumentError } from "../../../format/errors.js";
import { seededRandom } from "../../../index/ivf/random.js";

type Metric = "l2" | "cosine" | "dot";
const METRICS: readonly Metric[] = ["l2", "cosine", "dot"];

/** The definitions, in float64, written out again rather than imported. */
function oracle(metric: Metric, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
    l2 += (a[i]! - b[i]!) ** 2;
  }
  if (metric === "l2") return l2;
  if (metric === "dot") return 1 - dot;
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
}

const close = (got: number, want: number, tol = 1e-5): boolean => Math.abs(got - want) <= tol * Math.max(1, Math.abs(want));

const DIM = 6;
const rnd = seededRandom(42);
/** Unnormalised vectors of very different lengths, a zero vector, and nulls. */
const rows: (number[] | null)[] = Array.from({ length: 23 }, (_, i) => {
  if (i % 7 === 3) return null;
  if (i === 5) return new Array(DIM).fill(0);
  const scale = 0.01 + i * 3;
  return Array.from({ length: DIM }, () => Math.fround((rnd() * 2 - 1) * scale));
});
const other: (number[] | null)[] = rows.map((_, i) => (i % 5 === 1 ? null : Array.from({ length: DIM }, () => Math.fround(rnd() * 4 - 2))));
const query = Array.from({ length: DIM }, () => Math.fround(rnd() * 10 - 5));

/** The rows split into batches of 5, so kernels see several batches and sliced data. */
function frame(type: A.DataType = DataType.embedding(DIM)) {
  const full = new A.Table({
    id: A.vectorFromArray(rows.map((_, i) => i), new A.Int32()),
    e: A.vectorFromArray(rows, type),
    o: A.vectorFromArray(other, type),
  });
  const batches = [];
  for (let i = 0; i < full.numRows; i += 5) batches.push(...full.slice(i, i + 5).batches);
  return fromArrow(new A.Table(batches));
}

describe("embedding.distance", () => {
  for (const metric of METRICS) {
    it(`matches the definition for ${metric} (unnormalised, zero and null vectors)`, async () => {
      const df = frame().select("id", col("e").embedding.distance(query, metric).alias("d"));
      assert.equal(String(df.schema.fields[1]!.type), "Float32");
      const got = await df.toRows();
      for (const r of got) {
        const v = rows[r.id as number]!;
        if (v === null) assert.equal(r.d, null);
        else assert.ok(close(r.d as number, oracle(metric, v, query)), `row ${r.id}: ${r.d} vs ${oracle(metric, v, query)}`);
      }
    });

    it(`takes a second embedding column, row by row (${metric})`, async () => {
      const got = await frame().select("id", col("e").embedding.distance(col("o"), metric).alias("d")).toRows();
      for (const r of got) {
        const a = rows[r.id as number]!;
        const b = other[r.id as number]!;
        if (a === null || b === null) assert.equal(r.d, null);
        else assert.ok(close(r.d as number, oracle(metric, a, b)));
      }
    });
  }

  it("holds for random vectors of any dimension (property)", async () => {
    // Sixteenths in [-100, 100]: no subnormals, whose norms float32 kernels flush to zero (cosine then says 1).
    const value = fc.integer({ min: -1600, max: 1600 }).map((v) => v / 16);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }).chain((dim) =>
          fc.tuple(
            fc.array(fc.array(value, { minLength: dim, maxLength: dim }), { minLength: 1, maxLength: 30 }),
            fc.array(value, { minLength: dim, maxLength: dim }),
            fc.constantFrom(...METRICS),
          ),
        ),
        async ([vectors, q, metric]) => {
          const t = new A.Table({ e: A.vectorFromArray(vectors, DataType.embedding(q.length)) });
          const got = (await fromArrow(t).select(col("e").embedding.distance(q, metric).alias("d")).toRows()).map((r) => r.d as number);
          got.forEach((d, i) => {
            const want = oracle(metric, vectors[i]!, q);
            // float32 sums: the error scales with the terms (Σ|aᵢbᵢ| or Σ(aᵢ−bᵢ)²), not with a result that cancels.
            const terms = metric === "l2" ? want : metric === "dot" ? vectors[i]!.reduce((s, a, j) => s + Math.abs(a * q[j]!), 0) : 1;
            assert.ok(Math.abs(d - want) <= 1e-5 * Math.max(1, Math.abs(terms)), `${metric} row ${i}: ${d} vs ${want}`);
          });
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });

  it("gives float64 for float64 embeddings, exactly the float64 definition", async () => {
    const f64 = DataType.fixedSizeList(DataType.float64(), DIM);
    const got = await frame(f64).select("id", col("e").embedding.distance(query, "cosine").alias("d")).toRows();
    assert.equal(String(frame(f64).select(col("e").embedding.distance(query)).schema.fields[0]!.type), "Float64");
    for (const r of got) {
      const v = rows[r.id as number]!;
      if (v !== null) assert.ok(close(r.d as number, oracle("cosine", v, query), 1e-12));
    }
  });

  it("is the same for a Float32Array and a number[] query", async () => {
    const a = await frame().select(col("e").embedding.distance(query).alias("d")).toRows();
    const b = await frame().select(col("e").embedding.distance(Float32Array.from(query)).alias("d")).toRows();
    assert.deepEqual(a, b);
  });

  it("works in where and sort", async () => {
    const dist = col("e").embedding.distance(query);
    const all = await frame().select("id", dist.alias("d")).toRows();
    const scored = all.filter((r) => r.d !== null) as { id: number; d: number }[];
    const cut = [...scored].sort((a, b) => a.d - b.d)[8]!.d;
    const kept = (await frame().where(dist.lt(cut)).select("id").toRows()).map((r) => r.id);
    assert.deepEqual(kept, scored.filter((r) => r.d < cut).map((r) => r.id));
    assert.equal(kept.length, 8);
    const sorted = (await frame().sort(dist).select("id").toRows()).map((r) => r.id);
    const order = [...scored].sort((a, b) => a.d - b.d).map((r) => r.id);
    assert.deepEqual(sorted.slice(0, order.length), order);
    // The order is the definition's too.
    const byOracle = [...scored].sort((a, b) => oracle("l2", rows[a.id]!, query) - oracle("l2", rows[b.id]!, query)).map((r) => r.id);
    assert.deepEqual(order, byOracle);
    // Rows without a vector have no distance and sort last.
    assert.deepEqual(sorted.slice(order.length).sort(), rows.flatMap((v, i) => (v === null ? [i] : [])).sort());
  });

  it("prints a short vector in explain", () => {
    const long = Array.from({ length: 784 }, (_, i) => i / 10);
    const df = fromArrow(new A.Table({ e: A.vectorFromArray([long], DataType.embedding(784)) })).select(col("e").embedding.distance(long, "cosine").alias("d"));
    assert.match(df.explain(), /Project: embedding\.distance\(e, vector="\[0, 0\.1, 0\.2, … ×784\]", metric="cosine"\) AS d/);
  });
});

describe("embedding.cosineSimilarity", () => {
  it("is a·b / (|a| |b|), 0 for a zero vector, and 1 − the cosine distance", async () => {
    const df = frame().select("id", col("e").embedding.cosineSimilarity(query).alias("s"), col("e").embedding.distance(query, "cosine").alias("d"));
    for (const r of await df.toRows()) {
      const v = rows[r.id as number]!;
      if (v === null) {
        assert.equal(r.s, null);
        continue;
      }
      assert.ok(close(r.s as number, 1 - oracle("cosine", v, query)));
      assert.equal(r.s, Math.fround(1 - (r.d as number)));
    }
    assert.equal((await df.toRows())[5]!.s, 0);
  });

  it("takes a second column", async () => {
    const got = await frame().select("id", col("e").embedding.cosineSimilarity(col("o")).alias("s")).toRows();
    for (const r of got) {
      const a = rows[r.id as number]!;
      const b = other[r.id as number]!;
      if (a === null || b === null) assert.equal(r.s, null);
      else assert.ok(close(r.s as number, 1 - oracle("cosine", a, b)));
    }
  });
});

describe("errors when the plan is built", () => {
  it("a query vector of the wrong dimension", () => {
    assert.throws(
      () => frame().select(col("e").embedding.distance([1, 2, 3])),
      (e: unknown) => e instanceof InvalidArgumentError && /query vector has 3 dimensions but the embedding column has 6/.test(e.message),
    );
    assert.throws(() => frame().where(col("e").embedding.cosineSimilarity([1, 2]).gt(0.5)), /2 dimensions but the embedding column has 6/);
    assert.throws(() => frame().sort(col("e").embedding.distance(new Float32Array(7))), /7 dimensions/);
  });

  it("columns of different dimensions, or not embeddings", () => {
    const df = fromArrow(
      new A.Table({ a: A.vectorFromArray([[1, 2]], DataType.embedding(2)), b: A.vectorFromArray([[1, 2, 3]], DataType.embedding(3)), n: A.vectorFromArray([1], new A.Int32()) }),
    );
    assert.throws(() => df.select(col("a").embedding.distance(col("b"))), /embeddings have 2 and 3 dimensions/);
    assert.throws(() => df.select(col("n").embedding.distance([1])), /expects its column to be an embedding.*got int32/);
    assert.throws(() => df.select(col("a").embedding.distance(col("n"))), /expects its argument to be an embedding/);
  });

  it("an unknown metric or a query that is not finite", () => {
    assert.throws(() => col("e").embedding.distance(query, "manhattan" as Metric), /unknown distance metric "manhattan"/);
    assert.throws(() => col("e").embedding.distance([1, Number.NaN]), /NaN at position 1/);
    assert.throws(() => col("e").embedding.distance([]), /empty/);
  });
});
