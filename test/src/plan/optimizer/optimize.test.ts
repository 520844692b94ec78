// The rule batches together (rules.ts): golden plans for whole pipelines, and a seeded property test that random
// pipelines over random data and sources with random capabilities give the same rows optimized and not.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { col, lit } from "../../../../src/expr/builders.js";
import type { Expr } from "../../../../src/expr/expr.js";
import type { DataFrame } from "../../../../src/dataframe.js";
import { optimize } from "../../../../src/plan/optimizer/optimize.js";
import { RULE_BATCHES } from "../../../../src/plan/optimizer/rules.js";
import { frame, memorySource, people, plus100, runPlan, show, slow } from "../helpers.js";

const SEED = Number(process.env.SEED ?? 20240611);
const RUNS = Number(process.env.RUNS ?? 150);

const df = frame(people());

describe("optimize", () => {
  it("isolates the UDF, pushes the other filter into the scan, folds constants and prunes columns", async () => {
    const q = df
      .withColumn("p", plus100(col("id")))
      .where(col("p").gt(102).and(col("score").gt(lit(0).add(1))).and(lit(1).eq(1)))
      .select(col("name"), col("p").mul(2).alias("p2"))
      .limit(2);
    const after = optimize(q.plan);
    assert.equal(
      show(after),
      `Project: name, p * 2 AS p2
  └─ Limit: 2
    └─ Filter: p > 102
      └─ UdfProject: name, apply[plus100: int32](id) AS p
        └─ Scan Memory: mem columns=[id, name] filter=score > CAST(1 AS int32)`,
    );
    assert.deepEqual(await runPlan(after), await runPlan(q.plan));
  });

  it("computes an expensive function's argument below it and sorts its output with a TopN", async () => {
    const q = df.where(col("grp").neq("c")).select(col("id"), col("grp"), slow(col("id").add(1)).alias("d")).sort("d", { desc: true }).limit(3);
    const after = optimize(q.plan);
    assert.equal(
      show(after),
      `TopN 3: d DESC
  └─ UdfProject: id, grp, test.slow(_arg0) AS d
    └─ Project: id, grp, id + 1 AS _arg0
      └─ Scan Memory: mem columns=[id, grp] filter=grp != 'c'`,
    );
    assert.deepEqual(await runPlan(after), await runPlan(q.plan));
  });

  it("pushes join filters into both scans and narrows what flows into the aggregate", async () => {
    const grades = frame(memorySource({ id: [[1, 2, 3, 9], new A.Int32()], grade: [[10, 20, 30, 90], new A.Int32()] }, { description: "grades" }));
    const q = df.join(grades, { on: "id" }).where(col("grade").gt(10).and(col("score").gt(1))).groupBy("grp").agg(col("grade").sum().alias("g")).sort("grp");
    const after = optimize(q.plan);
    assert.equal(
      show(after),
      `Sort: grp ASC
  └─ Aggregate: sum(grade) AS g by grp
    └─ Project: grp, grade
      └─ Join inner: id = id
        └─ Scan Memory: mem columns=[id, grp] filter=score > 1
        └─ Scan Memory: grades filter=grade > 10`,
    );
    assert.deepEqual(await runPlan(after), await runPlan(q.plan));
  });

  it("gives the same rows as the unoptimized plan for random pipelines (property)", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase(), async (c) => {
        const q = c.build();
        // The rewrite batch settles before its pass limit: one more round of its rules changes nothing.
        const settled = optimize(q.plan, RULE_BATCHES.slice(0, 2));
        assert.equal(RULE_BATCHES[1]!.rules.reduce((p, r) => r.rule(p), settled), settled, show(q));
        const before = await runPlan(q.plan);
        const after = await runPlan(optimize(q.plan));
        if (c.sorted) assert.deepEqual(after, before, show(q));
        else assert.deepEqual(multiset(after), multiset(before), show(q));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

// ---- the property's generators ----

type Kind = "int" | "float" | "str" | "bool";

/** A pipeline step, chosen with plain numbers and applied to whatever columns the frame has at that point. */
type Step = { op: "where" | "withColumn" | "select" | "limit" | "sort" | "offset"; picks: number[] };

interface Case {
  readonly build: () => DataFrame;
  readonly sorted: boolean;
}

const ROW = fc.record({
  a: fc.option(fc.integer({ min: -5, max: 5 })),
  b: fc.option(fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true })),
  s: fc.option(fc.constantFrom("x", "y", "z")),
  f: fc.option(fc.boolean()),
});

const SUPPORTS = fc.record({
  projection: fc.boolean(),
  filter: fc.constantFrom("exact" as const, "prune" as const, "none" as const),
  limit: fc.boolean(),
});

const STEP: fc.Arbitrary<Step> = fc.record({
  op: fc.constantFrom("where", "where", "withColumn", "withColumn", "select", "limit", "sort", "offset"),
  picks: fc.array(fc.nat(1000), { minLength: 6, maxLength: 6 }),
});

function arbCase(): fc.Arbitrary<Case> {
  const parts = { rows: fc.array(ROW, { maxLength: 24 }), supports: SUPPORTS, batchRows: fc.integer({ min: 1, max: 7 }), steps: fc.array(STEP, { minLength: 1, maxLength: 6 }) };
  return fc.record(parts).map((r) => {
    const build = (): DataFrame => {
      const n = r.rows.length;
      const src = memorySource(
        {
          id: [Array.from({ length: n }, (_, i) => i), new A.Int32()],
          a: [r.rows.map((x) => x.a), new A.Int32()],
          b: [r.rows.map((x) => x.b), new A.Float64()],
          s: [r.rows.map((x) => x.s), new A.Utf8()],
          f: [r.rows.map((x) => x.f), new A.Bool()],
        },
        { supports: r.supports, batchRows: r.batchRows },
      );
      return r.steps.reduce(apply, frame(src));
    };
    // A counterexample prints as its plan and data rather than as a closure.
    const text = (): string => `${show(build())}\nsupports=${JSON.stringify(r.supports)} batchRows=${r.batchRows}\nrows=${JSON.stringify(r.rows)}`;
    return { sorted: r.steps.some((s) => s.op === "sort"), build, [fc.toStringMethod]: text };
  });
}

function kindOf(t: A.DataType): Kind {
  if (A.DataType.isInt(t)) return "int";
  if (A.DataType.isFloat(t)) return "float";
  if (A.DataType.isBool(t)) return "bool";
  return "str";
}

function columns(q: DataFrame, kind?: Kind): string[] {
  return q.schema.fields.filter((f) => kind === undefined || kindOf(f.type) === kind).map((f) => f.name);
}

function pick<T>(xs: readonly T[], n: number): T {
  return xs[n % xs.length]!;
}

/** A predicate over the frame's columns; `id` is always there, so some column of each kind may be missing. */
function predicate(q: DataFrame, p: number[]): Expr {
  const ints = columns(q, "int");
  const floats = columns(q, "float");
  const strs = columns(q, "str");
  const bools = columns(q, "bool");
  const atoms: (() => Expr)[] = [
    () => col(pick(ints, p[1]!)).gt((p[2]! % 11) - 5),
    () => col(pick(ints, p[1]!)).add(p[2]! % 3).lte(col(pick(ints, p[3]!))),
    () => col(pick(ints, p[1]!)).isNull(),
    () => plus100(col(pick(ints, p[1]!))).gt(100 + (p[2]! % 5)),
  ];
  if (floats.length) atoms.push(() => col(pick(floats, p[1]!)).lt((p[2]! % 20) - 10));
  if (strs.length) atoms.push(() => col(pick(strs, p[1]!)).eq(pick(["x", "y", "z"], p[2]!)));
  if (bools.length) atoms.push(() => col(pick(bools, p[1]!)));
  atoms.push(() => lit(p[2]! % 2 === 0).and(col(pick(ints, p[1]!)).neq(0)));
  const first = pick(atoms, p[0]!)();
  const second = pick(atoms, p[4]!)();
  return pick([first, first.and(second), first.or(second), first.not()], p[5]!);
}

/** A new or replacing column: arithmetic, a constant expression, or a UDF (never replacing `id`). */
function computed(q: DataFrame, p: number[]): [string, Expr] {
  const ints = columns(q, "int");
  const name = pick(["c0", "c1", "a", "b", ...columns(q).filter((n) => n !== "id")], p[0]!);
  const exprs: (() => Expr)[] = [
    () => col(pick(ints, p[1]!)).add(p[2]! % 7),
    () => plus100(col(pick(ints, p[1]!))),
    () => lit(2).mul(3).add(col(pick(ints, p[1]!))),
    () => slow(col(pick(ints, p[1]!))),
  ];
  const floats = columns(q, "float");
  if (floats.length) exprs.push(() => col(pick(floats, p[1]!)).mul(2));
  return [name, pick(exprs, p[3]!)()];
}

function apply(q: DataFrame, step: Step): DataFrame {
  const p = step.picks;
  switch (step.op) {
    case "where":
      return q.where(predicate(q, p));
    case "withColumn": {
      const [name, e] = computed(q, p);
      return q.withColumn(name, e);
    }
    case "select": {
      const others = columns(q).filter((n, i) => n !== "id" && (p[i % p.length]! & 1) === 1);
      return q.select("id", ...others);
    }
    case "limit":
      return q.limit(p[0]! % 12);
    case "offset":
      return q.offset(p[0]! % 5);
    case "sort": {
      // `id` breaks ties, so a sort (and a TopN) has one right answer.
      const key = pick(columns(q), p[0]!);
      return q.sort(key === "id" ? ["id"] : [key, "id"], { desc: [p[1]! % 2 === 0, false] });
    }
  }
}

function multiset(rows: readonly Record<string, unknown>[]): string[] {
  return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))).sort();
}
