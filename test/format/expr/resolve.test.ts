// resolveExpr: unknown names with suggestions, type errors naming both types, and the result-type rules.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { isTesseraError, type TesseraErrorCode } from "../../../format/errors.js";
import * as E from "../../../format/expr/ast.js";
import { parseExpr } from "../../../format/expr/parse.js";
import { referencedColumns, resolveExpr, resolvePredicate, resolveValue } from "../../../format/expr/resolve.js";
import { typeName } from "../../../format/expr/types.js";

const schema = new A.Schema([
  new A.Field("label", new A.Int8()),
  new A.Field("labels", new A.Int16()),
  new A.Field("score", new A.Float32()),
  new A.Field("weight", new A.Float64()),
  new A.Field("id", new A.Int64()),
  new A.Field("big", new A.Uint64()),
  new A.Field("count", new A.Uint32()),
  new A.Field("small", new A.Uint8()),
  new A.Field("n", new A.Int32()),
  new A.Field("name", new A.Utf8()),
  new A.Field("flag", new A.Bool()),
  new A.Field("day", new A.DateDay()),
  new A.Field("at", new A.TimestampMicrosecond()),
  new A.Field("blob", new A.Binary()),
  new A.Field("a.b", new A.Int32()),
  new A.Field("tags", new A.Dictionary(new A.Utf8(), new A.Int32())),
  new A.Field("meta", new A.Struct([new A.Field("width", new A.Int32()), new A.Field("height", new A.Int32())])),
]);

function typeOf(text: string): string {
  return typeName(resolveExpr(parseExpr(text), schema).type);
}

function failure(text: string, code: TesseraErrorCode = "INVALID_ARGUMENT"): string {
  try {
    resolveExpr(parseExpr(text), schema);
  } catch (err) {
    assert.ok(isTesseraError(err, code), `${text}: ${String(err)}`);
    return (err as Error).message;
  }
  assert.fail(`resolved: ${text}`);
}

describe("resolveExpr names", () => {
  it("suggests the nearest columns by edit distance", () => {
    assert.equal(failure("lable = 3"), 'no column "lable"; did you mean "label"?');
    assert.equal(failure("Label = 3"), 'no column "Label"; did you mean "label"?');
    assert.equal(failure("labelz = 3"), 'no column "labelz"; did you mean "label" or "labels"?');
    assert.equal(failure("scroe > 1"), 'no column "scroe"; did you mean "score"?');
  });

  it("lists the columns when nothing is near", () => {
    const msg = failure("zzzzzzzz = 1");
    assert.match(msg, /^no column "zzzzzzzz"; valid names are "label", "labels", .*, \.\.\.$/);
  });

  it("carries the column in the error context", () => {
    try {
      resolveExpr(parseExpr("lable = 3"), schema);
    } catch (err) {
      assert.equal((err as { context: { column?: string } }).context.column, "lable");
    }
  });

  it("resolves struct fields, suggests field names, and reads dotted top-level names", () => {
    assert.equal(typeOf("meta.width"), "int32");
    assert.equal(failure("meta.widht > 1"), 'no field "widht" in meta; did you mean "width"?');
    assert.match(failure("label.x"), /"x" is not a field: label is int8, not a struct/);
    assert.equal(typeOf("a.b + 1"), "int32");
    assert.equal(typeOf('"a.b"'), "int32");
  });

  it("treats dictionary columns as their values", () => {
    assert.equal(typeOf("tags"), "string");
    assert.equal(typeOf("tags = 'x'"), "boolean");
  });

  it("reports unknown functions from built trees, and wrong argument counts", () => {
    assert.match(failure("lower(name, name)"), /lower\(\) takes 1 argument, got 2 in lower\(name, name\)/);
    assert.match(failure("round()"), /round\(\) takes 1 or 2 arguments, got 0/);
    assert.throws(() => resolveExpr(E.call("lowr" as E.FunctionName, E.col("name")), schema), /^InvalidArgumentError: unknown function "lowr"; did you mean "lower"\?/);
  });
});

describe("resolveExpr type errors name both types", () => {
  const cases: [string, RegExp, TesseraErrorCode?][] = [
    ["name < 3", /^cannot compare string with int32 in name < 3/],
    ["label = 'x'", /^cannot compare int8 with string in label = 'x'/],
    ["flag = 1", /^cannot compare boolean with int32/],
    ["day = 'not a date'", /^'not a date' is not a date in day = 'not a date'/],
    ["day < at + 1", /cannot apply \+ to timestamp\[us\] and int32/, "NOT_SUPPORTED"],
    ["name + 1", /^cannot apply \+ to string and int32 in name \+ 1/],
    ["-name", /^cannot negate string in -name/],
    ["NOT label", /^NOT needs a condition, but label is int8/],
    ["label AND flag", /^AND needs a condition, but label is int8/],
    ["label LIKE 'a%'", /^LIKE needs a string, but label is int8; use CAST\(label AS string\)/],
    ["name IN (1, 2)", /^cannot compare string with int32 in name IN \(1, 2\)/],
    ["lower(label)", /^lower\(label\): expected a string, got int8/],
    ["abs(name)", /^abs\(name\): expected a number, got string/],
    ["coalesce(name, 1)", /arguments have no common type \(string, int32\)/],
    ["round(weight, label)", /the number of digits must be an integer literal/],
    ["CAST(day AS int32)", /^cannot cast date to int32/, "NOT_SUPPORTED"],
    ["CAST(blob AS string)", /^cannot cast binary to string/, "NOT_SUPPORTED"],
    ["blob = blob", /^cannot compare binary with binary/],
    ["CAST(300 AS int8)", /^cannot cast 300 to int8: out of range/],
    ["CAST('abc' AS int32)", /^cannot cast 'abc' to int32/],
    ["CAST(9223372036854775807 AS bigint) + 1", /^integer overflow in CAST\(9223372036854775807 AS int64\) \+ 1: 9223372036854775808 does not fit int64/],
  ];
  for (const [text, re, code] of cases) it(text, () => assert.match(failure(text, code), re));

  it("rejects filters that are not conditions, suggesting a comparison", () => {
    assert.throws(() => resolvePredicate("label + 1", schema), /a filter must be a condition, but label \+ 1 is int32/);
    assert.equal(resolvePredicate("label = 3", schema).type.typeId, A.Type.Bool);
    assert.equal(resolvePredicate(E.lit(null), schema).type.typeId, A.Type.Null);
  });
});

describe("resolveExpr result types", () => {
  const cases: [string, string][] = [
    ["label + label", "int32"],
    ["label + 1", "int32"],
    ["label * 1000000", "int32"],
    ["label + 3000000000", "int64"],
    ["n + n", "int32"],
    ["n + count", "int64"],
    ["count + 1", "uint32"],
    ["count + -1", "int64"],
    ["small + small", "int32"],
    ["big + 1", "uint64"],
    ["big + small", "uint64"],
    ["big + label", "int64"],
    ["id + label", "int64"],
    ["id + 1", "int64"],
    ["label + score", "float64"],
    ["score * 2", "float64"],
    ["label / 2", "float64"],
    ["id / id", "float64"],
    ["id % 3", "int64"],
    ["label % 2", "int32"],
    ["weight % 2", "float64"],
    ["-label", "int32"],
    ["-count", "int64"],
    ["-big", "int64"],
    ["-score", "float32"],
    ["abs(score)", "float32"],
    ["abs(label)", "int32"],
    ["abs(big)", "uint64"],
    ["round(score)", "float64"],
    ["round(n, 2)", "int32"],
    ["floor(id)", "int64"],
    ["sqrt(label)", "float64"],
    ["length(name)", "int32"],
    ["upper(name)", "string"],
    ["coalesce(label, 0)", "int8"],
    ["coalesce(label, 1000)", "int16"],
    ["coalesce(label, n)", "int32"],
    ["coalesce(score, 1)", "float32"],
    ["coalesce(score, weight)", "float64"],
    ["coalesce(score, 2.5)", "float64"],
    ["coalesce(day, '2024-01-01')", "date"],
    ["coalesce(name, 'x')", "string"],
    ["label = 3", "boolean"],
    ["name LIKE 'a%'", "boolean"],
    ["day > '2024-01-01'", "boolean"],
    ["at BETWEEN '2024-01-01' AND '2024-02-01 12:00:00.123456'", "boolean"],
    ["CAST(label AS string)", "string"],
    ["CAST(name AS date)", "date"],
    ["CAST(day AS timestamp)", "timestamp"],
    ["3", "int32"],
    ["9007199254740993", "int64"],
    ["18446744073709551615", "uint64"],
    ["2.5", "float64"],
    ["'x'", "string"],
    ["NULL", "null"],
    ["label + NULL", "int32"],
    ["blob", "binary"],
    ["meta", "struct<width: int32, height: int32>"],
  ];
  for (const [text, want] of cases) it(`${text} : ${want}`, () => assert.equal(typeOf(text), want));

  it("folds constant subexpressions into literals", () => {
    const r = resolveExpr(parseExpr("label > 1 + 2 * 3"), schema);
    assert.equal(r.bound.kind, "compare");
    assert.deepEqual((r.bound as { right: unknown }).right, { kind: "literal", value: 7, type: new A.Int32() });
    const d = resolveExpr(parseExpr("day >= CAST('2024-01-02' AS date)"), schema).bound as { right: { value: unknown } };
    assert.equal(d.right.value, 19724);
  });

  it("converts date and timestamp literals to the column's stored units", () => {
    const day = resolveExpr(parseExpr("day = '2024-01-02'"), schema).bound as { right: { value: unknown } };
    assert.equal(day.right.value, 19724);
    const at = resolveExpr(parseExpr("at < '1970-01-01 00:00:01.5'"), schema).bound as { right: { value: unknown } };
    assert.equal(at.right.value, 1_500_000n);
    const ms = resolveExpr(parseExpr("day < 86400000"), schema).bound as { right: { value: unknown } };
    assert.equal(ms.right.value, 1);
    // Between two days, a literal sorts exactly like the instant it names.
    const noon = resolveExpr(parseExpr("day < '1970-01-02 12:00'"), schema).bound as { right: { value: unknown } };
    assert.equal(noon.right.value, 1.5);
  });
});

describe("referencedColumns", () => {
  it("lists top-level columns in order of first use, once each", () => {
    const e = parseExpr("meta.width > label AND label < 3 OR lower(name) = 'x'");
    assert.deepEqual(referencedColumns(e), ["meta", "label", "name"]);
    assert.deepEqual(referencedColumns(resolveExpr(e, schema)), ["meta", "label", "name"]);
  });

  it("knows dotted top-level names once resolved", () => {
    const e = parseExpr("a.b = 1");
    assert.deepEqual(referencedColumns(e), ["a"]);
    assert.deepEqual(referencedColumns(resolveExpr(e, schema)), ["a.b"]);
  });
});

describe("resolveValue", () => {
  it("casts a value to the column it is stored in, or names both types", () => {
    assert.equal(typeName(resolveValue("label + 1", schema, { target: new A.Int8() }).type), "int8");
    assert.equal(typeName(resolveValue("1", schema, { target: new A.Float32() }).type), "float32");
    assert.deepEqual(resolveValue("1", schema, { target: new A.Int64() }).bound, { kind: "literal", value: 1n, type: new A.Int64() });
    assert.equal(typeName(resolveValue("'2024-01-01'", schema, { target: new A.DateDay() }).type), "date");
    assert.equal(typeName(resolveValue(E.lit(3), schema).type), "int32");
    assert.throws(
      () => resolveValue("day", schema, { target: new A.Int32(), column: "n" }),
      /^InvalidArgumentError: cannot store day \(date\) in int32 column "n"/,
    );
    assert.throws(() => resolveValue("300", schema, { target: new A.Int8() }), /cannot cast 300 to int8: out of range/);
  });
});
