// mayMatch: page pruning by statistics. Hand-picked cases, then soundness: whenever it says no row can match,
// the row-wise oracle finds none in data that has exactly those statistics (computed by format/file/stats.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { computeStats } from "../../../format/file/stats.js";
import * as E from "../../../format/expr/ast.js";
import type { Expr } from "../../../format/expr/ast.js";
import { parseExpr } from "../../../format/expr/parse.js";
import { mayMatch, type ColumnStats } from "../../../format/expr/prune.js";
import { resolvePredicate } from "../../../format/expr/resolve.js";
import { oracle, type Row } from "./oracle.js";
import {
  arbRows,
  boolExpr,
  cmpOp,
  columnData,
  likePattern,
  NUM_COLS,
  numLit,
  SCHEMA,
  STR_COLS,
  strLit,
  TIME_COLS,
  timeLit,
} from "./random-data.js";

const schema = new A.Schema([
  new A.Field("x", new A.Int32()),
  new A.Field("id", new A.Int64()),
  new A.Field("f", new A.Float64()),
  new A.Field("s", new A.Utf8()),
  new A.Field("flag", new A.Bool()),
  new A.Field("day", new A.DateDay()),
  new A.Field("y", new A.Int32()),
]);

/** Statistics as pages keep them (JSON form). */
const pages: Record<string, ColumnStats> = {
  x: { nullCount: 2, rows: 10, min: 10, max: 20 },
  id: { nullCount: 0, rows: 10, min: "9007199254740993", max: "9007199254740999" },
  f: { nullCount: 0, rows: 10, min: -1.5, max: "Infinity", hasNaN: true },
  s: { nullCount: 0, rows: 10, min: "apple", max: "banana" },
  flag: { nullCount: 0, rows: 10, min: true, max: true },
  day: { nullCount: 0, rows: 10, min: 19723, max: 19754 },
  y: { nullCount: 10, rows: 10 },
};

function may(text: string): boolean {
  return mayMatch(resolvePredicate(text, schema), (c) => pages[c]);
}

describe("mayMatch", () => {
  it("prunes column-op-literal comparisons outside min..max", () => {
    assert.equal(may("x = 5"), false);
    assert.equal(may("x = 15"), true);
    assert.equal(may("x < 10"), false);
    assert.equal(may("x <= 10"), true);
    assert.equal(may("x > 20"), false);
    assert.equal(may("21 <= x"), false);
    assert.equal(may("x != 15"), true);
    assert.equal(may("x = 20.5"), false);
    assert.equal(may("id > 9007199254740999"), false);
    assert.equal(may("id = 9007199254740994"), true);
    assert.equal(may("s < 'apple'"), false);
    assert.equal(may("s >= 'banana'"), true);
    assert.equal(may("s > 'c'"), false);
    assert.equal(may("day < '2024-01-01'"), false);
    assert.equal(may("day > '2024-02-01'"), false);
    assert.equal(may("day = '2024-01-15'"), true);
  });

  it("knows NaN sorts above all and only equals itself", () => {
    assert.equal(may("f > 1e308"), true);
    assert.equal(may("f < -2"), false);
    assert.equal(may("f = CAST('NaN' AS double)"), true);
    assert.equal(mayMatch(resolvePredicate("f > 1e308", schema), (c) => (c === "f" ? { ...pages.f!, max: 5, hasNaN: false } : undefined)), false);
  });

  it("handles BETWEEN, IN, IS NULL and boolean columns", () => {
    assert.equal(may("x BETWEEN 0 AND 9"), false);
    assert.equal(may("x BETWEEN 0 AND 10"), true);
    assert.equal(may("x NOT BETWEEN 0 AND 30"), false);
    assert.equal(may("x IN (1, 2, 30)"), false);
    assert.equal(may("x IN (1, 12)"), true);
    assert.equal(may("x NOT IN (1, NULL)"), false);
    assert.equal(may("x IS NULL"), true);
    assert.equal(may("s IS NULL"), false);
    assert.equal(may("s IS NOT NULL"), true);
    assert.equal(may("y IS NOT NULL"), false);
    assert.equal(may("y = 1"), false);
    assert.equal(may("flag"), true);
    assert.equal(may("NOT flag"), false);
    assert.equal(may("flag = FALSE"), false);
  });

  it("combines through AND, OR and NOT", () => {
    assert.equal(may("x = 15 AND s > 'c'"), false);
    assert.equal(may("x = 5 OR s = 'apricot'"), true);
    assert.equal(may("x = 5 OR s > 'c'"), false);
    assert.equal(may("NOT (x >= 10)"), false);
    assert.equal(may("NOT (x = 5)"), true);
    assert.equal(may("NOT (x = 5 OR y IS NULL)"), false);
  });

  it("prunes LIKE by its literal prefix", () => {
    assert.equal(may("s LIKE 'c%'"), false);
    assert.equal(may("s LIKE 'a%'"), true);
    assert.equal(may("s LIKE 'ap_le'"), true);
    assert.equal(may("s LIKE 'aa%'"), false);
    assert.equal(may("s LIKE '%z'"), true);
    assert.equal(may("s NOT LIKE 'c%'"), true);
  });

  it("answers 'maybe' when it cannot tell", () => {
    assert.equal(may("x + 1 = 5"), true);
    assert.equal(may("x = y"), true);
    assert.equal(mayMatch(resolvePredicate("x = 5", schema), () => undefined), true);
    assert.equal(mayMatch(resolvePredicate("x = 5", schema), () => ({ nullCount: 0, rows: 3 })), true);
    // A string bound with a character past U+D800 orders differently by UTF-16 unit: not trusted.
    const odd = { nullCount: 0, rows: 1, min: "\uE000", max: "\uE000" };
    assert.equal(mayMatch(resolvePredicate("s > '\u{10000}'", schema), () => odd), true);
    assert.equal(may("FALSE"), false);
    assert.equal(may("NULL"), false);
  });

  it("takes one column's statistics at a time, as a page-by-page scan would", () => {
    const r = resolvePredicate("x = 5 AND s = 'apple'", schema);
    assert.equal(mayMatch(r, (c) => (c === "x" ? pages.x : undefined)), false);
    assert.equal(mayMatch(r, (c) => (c === "s" ? pages.s : undefined)), true);
  });
});

// ---- soundness

const col = (names: string[]): fc.Arbitrary<Expr> => fc.constantFrom(...names).map((n) => E.col(n));

/** Predicates mayMatch understands (and a few it does not), combined with AND, OR, NOT. */
function prunable(depth: number): fc.Arbitrary<Expr> {
  const atom = fc.oneof(
    fc.tuple(cmpOp, col(NUM_COLS), numLit).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(cmpOp, numLit, col(NUM_COLS)).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(cmpOp, col(STR_COLS), strLit).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(cmpOp, col(TIME_COLS), timeLit).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(cmpOp, fc.boolean()).map(([op, v]) => E.binary(op, E.col("b"), E.lit(v))),
    fc.tuple(col(NUM_COLS), numLit, numLit, fc.boolean()).map(([a, lo, hi, n]) => E.between(a, lo, hi, n)),
    fc.tuple(col(NUM_COLS), fc.array(fc.oneof(numLit, fc.constant(E.lit(null))), { minLength: 1, maxLength: 3 }), fc.boolean()).map(([a, v, n]) => E.isIn(a, v as E.LiteralExpr[], n)),
    fc.tuple(col(STR_COLS), fc.array(strLit, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([a, v, n]) => E.isIn(a, v as E.LiteralExpr[], n)),
    fc.tuple(fc.constantFrom(...SCHEMA.fields.map((f) => f.name)), fc.boolean()).map(([c, n]) => E.isNull(E.col(c), n)),
    fc.tuple(col(STR_COLS), likePattern, fc.boolean()).map(([a, p, n]) => E.like(a, p, { negated: n })),
    fc.constant(E.col("b")),
    boolExpr(1),
  );
  if (depth <= 0) return atom;
  return fc.oneof(
    { weight: 2, arbitrary: atom },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom<"and" | "or">("and", "or"), prunable(depth - 1), prunable(depth - 1)).map(([op, a, b]) => E.binary(op, a, b)) },
    { weight: 1, arbitrary: prunable(depth - 1).map(E.not) },
  );
}

/** The statistics format/file/stats.ts keeps for each column of `rows`. */
function statsOf(rows: Row[]): Record<string, ColumnStats> {
  return Object.fromEntries(
    SCHEMA.fields.map((f) => [f.name, { ...computeStats(columnData(f.type, rows.map((r) => r[f.name] ?? null))), rows: rows.length }]),
  );
}

describe("mayMatch soundness", () => {
  it("never rules out a page that holds a matching row", () => {
    let pruned = 0;
    fc.assert(
      fc.property(arbRows(8), prunable(2), (rows, e) => {
        let r;
        try {
          r = resolvePredicate(e, SCHEMA);
        } catch {
          return; // ill-typed random predicate
        }
        const stats = statsOf(rows);
        if (mayMatch(r, (c) => stats[c])) return;
        pruned++;
        const hits = oracle(e, SCHEMA, rows).flatMap((v, i) => (v === true ? [i] : []));
        assert.deepEqual(hits, [], `mayMatch ruled out ${JSON.stringify(rows[hits[0]!], (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`);
      }),
      { seed: Number(process.env.SEED ?? 99), numRuns: Number(process.env.RUNS ?? 3000) },
    );
    assert.ok(pruned > 300, `only ${pruned} pages were pruned: the property barely ran`);
  });

  it("stays sound where UTF-16 order (of the statistics) and code point order (of filters) disagree", () => {
    const one = new A.Schema([new A.Field("s", new A.Utf8(), true)]);
    const text = fc.string({ unit: fc.constantFrom("a", "\uE000", "\u{10000}", "\uFFFF"), maxLength: 2 });
    fc.assert(
      fc.property(fc.array(fc.option(text, { nil: null }), { maxLength: 5 }), cmpOp, text, (vals, op, lit) => {
        const e = E.binary(op, E.col("s"), E.lit(lit));
        const stats = { ...computeStats(columnData(new A.Utf8(), vals)), rows: vals.length };
        if (mayMatch(resolvePredicate(e, one), () => stats)) return;
        assert.ok(!oracle(e, one, vals.map((s) => ({ s }))).includes(true), `pruned a match in ${JSON.stringify(vals)}`);
      }),
      { seed: 5, numRuns: 2000 },
    );
  });

  it("prunes a page whose values all miss a simple filter", () => {
    const rows = [10, 11, 12].map((x) => ({ ...Object.fromEntries(SCHEMA.fields.map((f) => [f.name, null])), i32: x }));
    const stats = statsOf(rows as Row[]);
    assert.equal(mayMatch(resolvePredicate(parseExpr("i32 = 3"), SCHEMA), (c) => stats[c]), false);
    assert.equal(mayMatch(resolvePredicate(parseExpr("i32 = 11"), SCHEMA), (c) => stats[c]), true);
  });
});
