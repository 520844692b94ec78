// evaluate and filterIndices on hand-picked cases: NULL logic, NaN and -0, 64-bit edges, code point order, LIKE,
// dates and timestamps against strings and numbers, casts, functions, overflow, and the shapes of input data.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { isTesseraError } from "../../../format/errors.js";
import * as E from "../../../format/expr/ast.js";
import { evaluate, filterIndices } from "../../../format/expr/evaluate.js";
import { parseExpr } from "../../../format/expr/parse.js";
import { resolveExpr, resolvePredicate, resolveValue } from "../../../format/expr/resolve.js";
import type { OValue } from "./oracle.js";
import { columnData } from "./random-data.js";

type Columns = Record<string, [A.DataType, OValue[]]>;

function batchOf(cols: Columns): A.RecordBatch {
  const fields = Object.entries(cols).map(([n, [t]]) => new A.Field(n, t, true));
  const children = Object.values(cols).map(([t, v]) => columnData(t, v));
  const length = children[0]?.length ?? 0;
  return new A.RecordBatch(new A.Schema(fields), A.makeData({ type: new A.Struct(fields), length, children, nullCount: 0 }));
}

/** Values of `text` over the batch, NULL as null (dates and timestamps as Arrow JS shows them). */
function values(text: string, batch: A.RecordBatch | A.Table): unknown[] {
  const v = evaluate(resolveExpr(parseExpr(text), batch.schema), batch);
  return Array.from({ length: v.length }, (_, i) => (v.isValid(i) ? v.get(i) : null));
}

function rows(text: string, batch: A.RecordBatch | A.Table): number[] {
  return [...filterIndices(resolvePredicate(text, batch.schema), batch)];
}

const T = true;
const F = false;
const N = null;

describe("three-valued logic", () => {
  const b = batchOf({
    p: [new A.Bool(), [T, T, T, F, F, F, N, N, N]],
    q: [new A.Bool(), [T, F, N, T, F, N, T, F, N]],
  });
  it("AND, OR, NOT over every pair", () => {
    assert.deepEqual(values("p AND q", b), [T, F, N, F, F, F, N, F, N]);
    assert.deepEqual(values("p OR q", b), [T, T, T, T, F, N, T, N, N]);
    assert.deepEqual(values("NOT p", b), [F, F, F, T, T, T, N, N, N]);
    assert.deepEqual(values("p AND NULL", b), [N, N, N, F, F, F, N, N, N]);
    assert.deepEqual(values("p OR NULL", b), [T, T, T, N, N, N, N, N, N]);
    assert.deepEqual(values("p AND TRUE", b), values("p", b));
    assert.deepEqual(values("p OR TRUE", b), Array(9).fill(T));
  });
  it("IS [NOT] NULL is never NULL, and filters count NULL as false", () => {
    assert.deepEqual(values("q IS NULL", b), [F, F, T, F, F, T, F, F, T]);
    assert.deepEqual(values("q IS NOT NULL", b), [T, T, F, T, T, F, T, T, F]);
    assert.deepEqual(rows("p AND q", b), [0]);
    assert.deepEqual(rows("NOT (p AND q)", b), [1, 3, 4, 5, 7]);
  });
  it("comparisons with NULL are NULL; IN with a NULL in the list is NULL on a miss", () => {
    const x = batchOf({ x: [new A.Int32(), [1, 2, N]] });
    assert.deepEqual(values("x = NULL", x), [N, N, N]);
    assert.deepEqual(values("x IN (1, NULL)", x), [T, N, N]);
    assert.deepEqual(values("x NOT IN (1, NULL)", x), [F, N, N]);
    assert.deepEqual(values("x NOT IN (1, 3)", x), [F, T, N]);
  });
});

describe("numbers", () => {
  it("NaN equals NaN and sorts above everything; -0 equals 0", () => {
    const b = batchOf({ f: [new A.Float64(), [NaN, Infinity, -0, 0, 1, N]] });
    assert.deepEqual(values("f = CAST('NaN' AS double)", b), [T, F, F, F, F, N]);
    assert.deepEqual(values("f > 1000", b), [T, T, F, F, F, N]);
    assert.deepEqual(values("f < CAST('inf' AS double)", b), [F, F, T, T, T, N]);
    assert.deepEqual(values("f = 0", b), [F, F, T, T, F, N]);
    const nanIn = E.isIn(E.col("f"), [E.lit(0), E.lit(NaN, new A.Float64())]);
    const v = evaluate(resolveExpr(nanIn, b.schema), b);
    assert.deepEqual([...v].map((x, i) => (v.isValid(i) ? x : null)), [T, F, T, T, F, N]);
    assert.deepEqual(rows("f >= 1", b), [0, 1, 4]);
  });
  it("compares 64-bit integers exactly, against numbers and out-of-range literals", () => {
    const b = batchOf({
      i: [new A.Int64(), [-(2n ** 63n), -1n, 0n, 2n ** 53n + 1n, 2n ** 63n - 1n]],
      u: [new A.Uint64(), [0n, 1n, 2n ** 63n, 2n ** 64n - 1n, N]],
    });
    assert.deepEqual(values("i = 9007199254740993", b), [F, F, F, T, F]);
    assert.deepEqual(values("i > 9007199254740992.0", b), [F, F, F, T, T]);
    assert.deepEqual(values("i < -0.5", b), [T, T, F, F, F]);
    assert.deepEqual(values("i >= -9223372036854775808", b), [T, T, T, T, T]);
    assert.deepEqual(values("u > 9223372036854775807", b), [F, F, T, T, N]);
    assert.deepEqual(values("u < -1", b), [F, F, F, F, N]);
    assert.deepEqual(values("u = 18446744073709551615", b), [F, F, F, T, N]);
    assert.deepEqual(values("i < u", b), [T, T, T, T, N]);
    assert.deepEqual(values("u - 1", b.slice(1, 3)), [0n, 2n ** 63n - 1n]);
    assert.throws(() => values("u + 1", b), /integer overflow in u \+ 1: 18446744073709551616 does not fit uint64/);
  });
  it("promotes small integers, keeps int64 exact, divides into float64, and yields NULL for x/0 and x%0", () => {
    const b = batchOf({ a: [new A.Int8(), [127, -128, 7, N]], z: [new A.Int8(), [0, 2, 0, 1]], big: [new A.Int64(), [2n ** 60n, 3n, -7n, 1n]] });
    assert.deepEqual(values("a + a", b), [254, -256, 14, N]);
    assert.deepEqual(values("a / z", b), [N, -64, N, N]);
    assert.deepEqual(values("a % z", b), [N, 0, N, N]);
    assert.deepEqual(values("big * 4 + 1", b), [2n ** 62n + 1n, 13n, -27n, 5n]);
    assert.deepEqual(values("big % 2", b), [0n, 1n, -1n, 1n]);
    assert.deepEqual(values("-a", b), [-127, 128, -7, N]);
  });
  it("fails on integer overflow with a hint, but not in NULL rows", () => {
    const b = batchOf({ a: [new A.Int32(), [2 ** 30, N]], s: [new A.Int64(), [2n ** 62n, 2n ** 62n]], m: [new A.Int32(), [1, N]] });
    assert.throws(() => values("a * 4", b), /^InvalidArgumentError: integer overflow in a \* 4: 4294967296 does not fit int32; cast an operand to a wider type first/);
    assert.throws(() => values("s * m * 2", b), /integer overflow in s \* m \* 2: 9223372036854775808 does not fit int64/);
    assert.deepEqual(values("CAST(a AS bigint) * 4", b), [2n ** 32n, N]);
    assert.deepEqual(values("s * m", b), [2n ** 62n, N]);
  });
  it("rounds half away from zero; floor, ceil, sqrt, abs", () => {
    const b = batchOf({ f: [new A.Float64(), [2.5, -2.5, 1.25, -0.4, N]], i: [new A.Int32(), [15, -25, 149, 0, N]] });
    assert.deepEqual(values("round(f)", b), [3, -3, 1, -0, N]);
    assert.deepEqual(values("round(f, 1)", b), [2.5, -2.5, 1.3, -0.4, N]);
    assert.deepEqual(values("round(i, -1)", b), [20, -30, 150, 0, N]);
    assert.deepEqual(values("floor(f)", b), [2, -3, 1, -1, N]);
    assert.deepEqual(values("ceil(f)", b), [3, -2, 2, -0, N]);
    assert.deepEqual(values("abs(i)", b), [15, 25, 149, 0, N]);
    assert.deepEqual(values("sqrt(i)", b).slice(0, 2), [Math.sqrt(15), NaN]);
  });
});

describe("strings", () => {
  const b = batchOf({ s: [new A.Utf8(), ["abc", "ABC", "aé😀", "\uE000", "\u{10000}", "a.c", "50%", "", N]] });
  it("compare by code point, not by UTF-16 unit", () => {
    assert.deepEqual(values("s > '\uE000'", b).slice(3, 5), [F, T]);
    assert.deepEqual(rows("s < 'a'", b), [1, 6, 7]);
  });
  it("LIKE: % and _ over characters, everything else literal, ILIKE, ESCAPE", () => {
    assert.deepEqual(rows("s LIKE 'a_c'", b), [0, 5]);
    assert.deepEqual(rows("s LIKE 'a.c'", b), [5]);
    assert.deepEqual(rows("s LIKE 'a__'", b), [0, 2, 5]);
    assert.deepEqual(rows("s LIKE '%😀'", b), [2]);
    assert.deepEqual(rows("s LIKE '_'", b), [3, 4]);
    assert.deepEqual(rows("s LIKE ''", b), [7]);
    assert.deepEqual(rows("s LIKE '%'", b), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(rows("s ILIKE 'abc'", b), [0, 1]);
    assert.deepEqual(rows("s NOT LIKE 'a%'", b), [1, 3, 4, 6, 7]);
    assert.deepEqual(rows("s LIKE '50!%' ESCAPE '!'", b), [6]);
    assert.deepEqual(rows("s LIKE '%(%'", b), []);
  });
  it("lower, upper, length, starts_with, ends_with, contains, coalesce", () => {
    assert.deepEqual(values("upper(s)", b).slice(0, 3), ["ABC", "ABC", "AÉ😀"]);
    assert.deepEqual(values("lower(s)", b).slice(0, 3), ["abc", "abc", "aé😀"]);
    assert.deepEqual(values("length(s)", b), [3, 3, 3, 1, 1, 3, 3, 0, N]);
    assert.deepEqual(rows("starts_with(s, 'a')", b), [0, 2, 5]);
    assert.deepEqual(rows("ends_with(s, 'c')", b), [0, 5]);
    assert.deepEqual(rows("contains(s, 'é')", b), [2]);
    assert.deepEqual(rows("contains('xabcx', s)", b), [0, 7]);
    assert.deepEqual(values("coalesce(s, 'none')", b).slice(7), ["", "none"]);
    assert.deepEqual(values("s IN ('abc', '')", b), [T, F, F, F, F, F, F, T, N]);
  });
});

describe("dates and timestamps", () => {
  const day = (s: string): number => Date.parse(`${s}T00:00:00Z`) / 86_400_000;
  const b = batchOf({
    d: [new A.DateDay(), [day("2023-12-31"), day("2024-01-01"), day("2024-01-02"), N]],
    t: [new A.TimestampMicrosecond(), [1_704_067_200_000_000n, 1_704_067_200_500_000n, 1_704_153_600_000_000n, N]],
  });
  it("compare with date and timestamp strings in the column's units", () => {
    assert.deepEqual(rows("d >= '2024-01-01'", b), [1, 2]);
    assert.deepEqual(rows("d > '2024-01-01 00:00:01'", b), [2]);
    assert.deepEqual(rows("d = '2024-01-01 12:00'", b), []);
    assert.deepEqual(rows("t = '2024-01-01 00:00:00.5'", b), [1]);
    assert.deepEqual(rows("t > '2024-01-01'", b), [1, 2]);
    assert.deepEqual(rows("t < '2024-01-01T03:00:00+02:00'", b), [0, 1]);
    assert.deepEqual(rows("t < '2024-01-01T01:00:00+02:00'", b), []);
    assert.deepEqual(rows("d BETWEEN DATE '2024-01-01' AND '2024-01-02'", b), [1, 2]);
    assert.deepEqual(rows("d IN ('2024-01-02', '1999-01-01')", b), [2]);
  });
  it("compare with numbers as epoch milliseconds, and with each other across units", () => {
    assert.deepEqual(rows(`d < ${Date.parse("2024-01-01T00:00:00Z")}`, b), [0]);
    assert.deepEqual(rows(`t >= ${Date.parse("2024-01-01T00:00:00.400Z")}`, b), [1, 2]);
    assert.deepEqual(rows("t > d", b), [0, 1]);
    assert.deepEqual(rows("t = d", b), [2]);
  });
  it("cast to and from strings", () => {
    assert.deepEqual(values("CAST(d AS string)", b), ["2023-12-31", "2024-01-01", "2024-01-02", N]);
    assert.deepEqual(values("CAST(t AS string)", b), ["2024-01-01 00:00:00", "2024-01-01 00:00:00.5", "2024-01-02 00:00:00", N]);
    assert.deepEqual(values("CAST(t AS date)", b), [day("2024-01-01") * 86_400_000, day("2024-01-01") * 86_400_000, day("2024-01-02") * 86_400_000, N]);
    assert.deepEqual(values("CAST('2024-02-29 23:59:59.999' AS timestamp) > CAST('2024-02-29' AS timestamp)", b), [T, T, T, T]);
    assert.throws(() => values("CAST('2023-02-29' AS date)", b), /cannot cast '2023-02-29' to date: expected a date like '2024-01-31'/);
  });
});

describe("casts", () => {
  const b = batchOf({
    f: [new A.Float64(), [2.9, -2.9, 1e10, NaN]],
    s: [new A.Utf8(), [" 42 ", "-7", "x", N]],
    i: [new A.Int32(), [0, 1, -5, N]],
  });
  it("truncate floats toward zero and reject what does not fit or parse", () => {
    assert.deepEqual(values("CAST(f AS int32)", batchOf({ f: [new A.Float64(), [2.9, -2.9, N]] })), [2, -2, N]);
    assert.throws(() => values("CAST(f AS int32)", b), /^InvalidArgumentError: cannot cast 10000000000 to int32: out of range$/);
    assert.throws(() => values("CAST(f AS int64)", b), /cannot cast NaN to int64/);
    assert.throws(() => values("CAST(s AS int32)", b), /cannot cast 'x' to int32/);
  });
  it("convert between numbers, booleans and strings", () => {
    const ok = batchOf({ s: [new A.Utf8(), [" 42 ", "-7", "1e3", N]], i: [new A.Int32(), [0, 1, -5, N]] });
    assert.deepEqual(values("CAST(s AS double)", ok), [42, -7, 1000, N]);
    assert.deepEqual(values("CAST(CAST(s AS double) AS bigint)", ok), [42n, -7n, 1000n, N]);
    assert.deepEqual(values("CAST(i AS boolean)", ok), [F, T, T, N]);
    assert.deepEqual(values("CAST(i AS string)", ok), ["0", "1", "-5", N]);
    assert.deepEqual(values("CAST(i > 0 AS int8)", ok), [0, 1, 0, N]);
    assert.deepEqual(values("CAST('yes' AS boolean) AND CAST('F' AS bool) = FALSE", ok), [T, T, T, T]);
    assert.deepEqual(values("CAST(0.1 AS float)", ok)[0], Math.fround(0.1));
  });
});

describe("input shapes", () => {
  it("returns a bare column's own data, uncopied, and broadcasts constants", () => {
    const b = batchOf({ x: [new A.Int16(), [1, 2, 3]] });
    const v = evaluate(resolveExpr(parseExpr("x"), b.schema), b);
    assert.equal(v.data[0], b.getChild("x")!.data[0]);
    assert.deepEqual(values("1 + 2", b), [3, 3, 3]);
    assert.deepEqual(values("NULL", b), [N, N, N]);
    assert.deepEqual(rows("TRUE", b), [0, 1, 2]);
    assert.deepEqual(rows("NULL", b), []);
    assert.deepEqual(rows("x > 5", batchOf({ x: [new A.Int16(), []] })), []);
  });
  it("reads struct fields as NULL under a NULL parent", () => {
    const type = new A.Struct([new A.Field("w", new A.Int32(), true), new A.Field("tag", new A.Utf8(), true)]);
    const meta = A.vectorFromArray([{ w: 1, tag: "a" }, null, { w: null, tag: "c" }, { w: 4, tag: "d" }], type);
    const b = new A.RecordBatch({ meta: meta.data[0]! });
    assert.deepEqual(values("meta.w", b), [1, N, N, 4]);
    assert.deepEqual(values("meta.tag", b), ["a", N, "c", "d"]);
    assert.deepEqual(rows("meta.w > 0", b), [0, 3]);
    assert.deepEqual(rows("meta.tag IS NULL", b), [1]);
    assert.deepEqual(values("meta.w", b.slice(1, 4)), [N, N, 4]);
  });
  it("reads dictionary, large utf8 and float16 columns", () => {
    const dict = A.vectorFromArray(["x", "y", null, "x"], new A.Dictionary(new A.Utf8(), new A.Int32()));
    const large = A.vectorFromArray(["é", "bb", null, "a"], new A.LargeUtf8());
    const half = A.vectorFromArray([0.5, -1, null, 2], new A.Float16());
    const b = new A.RecordBatch({ dict: dict.data[0]!, large: large.data[0]!, half: half.data[0]! });
    assert.deepEqual(rows("dict = 'x'", b), [0, 3]);
    assert.deepEqual(values("dict", b), ["x", "y", N, "x"]);
    assert.deepEqual(rows("large > 'b'", b), [0, 1]);
    assert.deepEqual(values("upper(large)", b), ["É", "BB", N, "A"]);
    assert.deepEqual(rows("half > 0", b), [0, 3]);
    assert.deepEqual(values("half * 2", b), [1, -2, N, 4]);
  });
  it("handles sliced batches (offsets not on a byte boundary) and tables of several batches", () => {
    const b = batchOf({ flag: [new A.Bool(), [T, F, N, T, T, F, N, T, F, T, T]], n: [new A.Int32(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] });
    const s = b.slice(3, 10);
    assert.deepEqual(rows("flag AND n > 3", s), [1, 4, 6]);
    assert.deepEqual(values("NOT flag", s), [F, F, T, N, F, T, F]);
    const t = new A.Table([b.slice(0, 4), b.slice(4, 11)]);
    assert.deepEqual(rows("flag AND n > 3", t), [4, 7, 9, 10]);
    assert.deepEqual(values("n * 2", t), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  });
  it("says which column a batch is missing", () => {
    const r = resolveExpr(parseExpr("x > 1"), new A.Schema([new A.Field("x", new A.Int32())]));
    try {
      evaluate(r, batchOf({ y: [new A.Int32(), [1]] }));
      assert.fail("evaluated");
    } catch (err) {
      assert.ok(isTesseraError(err, "INVALID_ARGUMENT"));
      assert.match((err as Error).message, /column "x" is missing from the batch/);
    }
  });
});

describe("values to store", () => {
  it("evaluate to the target type, failing on a value that does not fit", () => {
    const b = batchOf({ x: [new A.Int32(), [1, 200, N]] });
    const r = resolveValue("x + 1", b.schema, { target: new A.Int16() });
    const v = evaluate(r, b);
    assert.equal(v.type.typeId, A.Type.Int);
    assert.equal((v.type as A.Int).bitWidth, 16);
    assert.deepEqual([...v], [2, 201, null]);
    assert.throws(() => evaluate(resolveValue("x", b.schema, { target: new A.Int8() }), b), /cannot cast 200 to int8: out of range/);
  });
});
