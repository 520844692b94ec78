// The parser: precedence and associativity, every construct, errors with positions and carets, and the printer
// (formatExpr) reading back to the same tree.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { isTesseraError } from "../../../format/errors.js";
import * as E from "../../../format/expr/ast.js";
import { formatExpr } from "../../../format/expr/format-expr.js";
import { parseExpr } from "../../../format/expr/parse.js";

const { col, lit, binary } = E;
const f64 = (v: number): E.LiteralExpr => lit(v, new A.Float64());

/** The parse of `text`, printed fully parenthesized, to read precedence at a glance. */
function shape(text: string): string {
  const p = (e: E.Expr): string => {
    switch (e.kind) {
      case "binary":
        return `(${p(e.left)} ${e.op} ${p(e.right)})`;
      case "unary":
        return `(${e.op} ${p(e.operand)})`;
      case "in":
        return `(${p(e.operand)} ${e.negated ? "not in" : "in"} [${e.values.map(p).join(",")}])`;
      case "isNull":
        return `(${p(e.operand)} is ${e.negated ? "not null" : "null"})`;
      case "between":
        return `(${p(e.operand)} ${e.negated ? "not between" : "between"} ${p(e.low)} ${p(e.high)})`;
      case "like":
        return `(${p(e.operand)} ${e.negated ? "not " : ""}${e.caseInsensitive ? "ilike" : "like"} ${e.pattern})`;
      default:
        return formatExpr(e);
    }
  };
  return p(parseExpr(text));
}

function syntaxError(text: string): string {
  try {
    parseExpr(text);
  } catch (err) {
    assert.ok(isTesseraError(err, "INVALID_ARGUMENT"), String(err));
    return (err as Error).message;
  }
  assert.fail(`parsed: ${text}`);
}

describe("parseExpr precedence and associativity", () => {
  const cases: [string, string][] = [
    ["a OR b AND c", "(a or (b and c))"],
    ["a AND b OR c", "((a and b) or c)"],
    ["NOT a AND b", "((not a) and b)"],
    ["NOT a = 1", "(not (a = 1))"],
    ["NOT NOT a", "(not (not a))"],
    ["a = 1 + 2 * 3", "(a = (1 + (2 * 3)))"],
    ["a - b - c", "((a - b) - c)"],
    ["a / b * c % d", "(((a / b) * c) % d)"],
    ["-a * b", "((neg a) * b)"],
    ["- - a", "(neg (neg a))"],
    ["-2 * 3", "(-2 * 3)"],
    ["(a + b) * c", "((a + b) * c)"],
    ["a < b = TRUE", "((a < b) = TRUE)"],
    ["a + 1 IS NULL", "((a + 1) is null)"],
    ["a IS NOT NULL AND b", "((a is not null) and b)"],
    ["x BETWEEN 1 AND 2 AND y", "((x between 1 2) and y)"],
    ["x NOT BETWEEN a + 1 AND b * 2", "(x not between (a + 1) (b * 2))"],
    ["x + 1 IN (1, 2) OR y", "(((x + 1) in [1,2]) or y)"],
    ["NOT s LIKE 'a%'", "(not (s like a%))"],
    ["a <> b", "(a != b)"],
    ["a == b", "(a = b)"],
  ];
  for (const [text, want] of cases) it(text, () => assert.equal(shape(text), want));
});

describe("parseExpr constructs", () => {
  it("reads numbers: integers, bigints past 2^53, decimals and exponents as float64", () => {
    assert.deepEqual(parseExpr("42"), lit(42));
    assert.deepEqual(parseExpr("9007199254740993"), lit(9007199254740993n));
    assert.deepEqual(parseExpr("-9223372036854775808"), lit(-9223372036854775808n));
    assert.deepEqual(parseExpr("-9007199254740991"), lit(-9007199254740991));
    assert.deepEqual(parseExpr("2.5"), f64(2.5));
    assert.deepEqual(parseExpr("1.0"), f64(1));
    assert.deepEqual(parseExpr("1e3"), f64(1000));
    assert.deepEqual(parseExpr("-1.5E-2"), f64(-0.015));
  });

  it("reads strings with '' escapes, TRUE/FALSE/NULL in any case", () => {
    assert.deepEqual(parseExpr("'it''s'"), lit("it's"));
    assert.deepEqual(parseExpr("''"), lit(""));
    assert.deepEqual(parseExpr("true"), lit(true));
    assert.deepEqual(parseExpr("False"), lit(false));
    assert.deepEqual(parseExpr("NULL"), lit(null));
  });

  it("reads identifiers, quoted identifiers and field paths", () => {
    assert.deepEqual(parseExpr("label_2"), col("label_2"));
    assert.deepEqual(parseExpr('"my col"'), col("my col"));
    assert.deepEqual(parseExpr("`select`"), col("select"));
    assert.deepEqual(parseExpr('"a""b"'), col('a"b'));
    assert.deepEqual(parseExpr("meta.size.width"), col("meta", "size", "width"));
    assert.deepEqual(parseExpr('meta."the size"'), col("meta", "the size"));
    assert.deepEqual(parseExpr("überwert"), col("überwert"));
    assert.deepEqual(parseExpr("date"), col("date"));
  });

  it("reads IN, IS NULL, LIKE/ILIKE with ESCAPE, BETWEEN, negated forms", () => {
    assert.deepEqual(parseExpr("a in (1, 'x', NULL, -2)"), E.isIn(col("a"), [lit(1), lit("x"), lit(null), lit(-2)]));
    assert.deepEqual(parseExpr("a NOT IN (1)"), E.isIn(col("a"), [lit(1)], true));
    assert.deepEqual(parseExpr("a is null"), E.isNull(col("a")));
    assert.deepEqual(parseExpr("a IS NOT NULL"), E.isNull(col("a"), true));
    assert.deepEqual(parseExpr("s LIKE 'a%'"), E.like(col("s"), "a%"));
    assert.deepEqual(parseExpr("s not ilike 'A_'"), E.like(col("s"), "A_", { caseInsensitive: true, negated: true }));
    assert.deepEqual(parseExpr("s LIKE '5!%' ESCAPE '!'"), E.like(col("s"), "5!%", { escape: "!" }));
    assert.deepEqual(parseExpr("x BETWEEN 1 AND 5"), E.between(col("x"), lit(1), lit(5)));
    assert.deepEqual(parseExpr("x NOT BETWEEN 1 AND 5"), E.between(col("x"), lit(1), lit(5), true));
  });

  it("reads CAST with every type spelling, typed DATE/TIMESTAMP literals and function calls", () => {
    const spellings: [string, E.CastTypeName][] = [
      ["tinyint", "int8"], ["SMALLINT", "int16"], ["int", "int32"], ["integer", "int32"], ["bigint", "int64"],
      ["uint8", "uint8"], ["uint64", "uint64"], ["float", "float32"], ["real", "float32"], ["double", "float64"],
      ["float64", "float64"], ["varchar", "string"], ["utf8", "string"], ["text", "string"], ["boolean", "boolean"],
      ["bool", "boolean"], ["date", "date"], ["timestamp", "timestamp"],
    ];
    for (const [spelling, name] of spellings) assert.deepEqual(parseExpr(`CAST(x AS ${spelling})`), E.cast(col("x"), name));
    assert.deepEqual(parseExpr("DATE '2024-01-31'"), lit("2024-01-31", new A.DateDay()));
    assert.deepEqual(parseExpr("timestamp '2024-01-31 10:00'"), lit("2024-01-31 10:00", new A.TimestampMillisecond()));
    assert.deepEqual(parseExpr("LOWER(name)"), E.call("lower", col("name")));
    assert.deepEqual(parseExpr("coalesce(a, b, 0)"), E.call("coalesce", col("a"), col("b"), lit(0)));
    assert.deepEqual(parseExpr("round(x, 2)"), E.call("round", col("x"), lit(2)));
  });

  it("builds frozen trees", () => {
    const e = parseExpr("a + 1 = b") as E.BinaryExpr;
    assert.ok(Object.isFrozen(e) && Object.isFrozen(e.left));
  });
});

describe("parseExpr errors", () => {
  it("names the token, its position and shows a caret under it", () => {
    const msg = syntaxError("label = 3 AND )");
    assert.equal(msg.split("\n")[0], "unexpected token ')' at 14: label = 3 AND )");
    const caretLine = msg.split("\n")[1]!;
    assert.equal(caretLine.indexOf("^"), msg.indexOf("label") + 14);
  });

  it("reports the end of input, unterminated strings, bad characters and missing parts", () => {
    assert.match(syntaxError("a ="), /^unexpected end of input at 3: a =/);
    assert.match(syntaxError("a = 'abc"), /^unterminated string at 4/);
    assert.match(syntaxError('"abc'), /^unterminated quoted identifier at 0/);
    assert.match(syntaxError("a # b"), /^unexpected character '#' at 2/);
    assert.match(syntaxError("a = 3x"), /^unexpected character 'x' after a number at 5/);
    assert.match(syntaxError("(a + 1"), /^unexpected end of input \(expected '\)'\) at 6/);
    assert.match(syntaxError("a b"), /^unexpected token 'b' at 2/);
    assert.match(syntaxError(""), /^empty expression at 0/);
    assert.match(syntaxError("x IN (a)"), /^IN takes a list of literals at 6/);
    assert.match(syntaxError("x LIKE y"), /LIKE takes a 'pattern' string/);
    assert.match(syntaxError("x BETWEEN 1 OR 2"), /expected AND/);
    assert.match(syntaxError("a AND AND b"), /^unexpected token 'AND' at 6/);
    assert.match(syntaxError("1e"), /^malformed number at 0/);
  });

  it("suggests near names for unknown functions and cast types", () => {
    assert.match(syntaxError("lowr(x)"), /^unknown function "lowr" at 0: lowr\(x\)\n *\^\ndid you mean lower\(\)\?$/);
    assert.match(syntaxError("CAST(x AS integr)"), /^unknown type "integr" at 10: .*\n *\^\ndid you mean integer\?$/);
  });

  it("cuts long inputs around the error", () => {
    const text = `${"a + ".repeat(100)})`;
    const first = syntaxError(text).split("\n")[0]!;
    assert.ok(first.length < 200, first);
    assert.match(first, /^unexpected token '\)' at 400: …/);
  });
});

// ---- printer round trip

const name = fc.oneof(
  fc.constantFrom("a", "b", "label", "x_1"),
  fc.constantFrom("my col", "and", "select", 'q"t', "Ünï", "1st"),
);
const literal: fc.Arbitrary<E.LiteralExpr> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map((v) => lit(v)),
  fc.bigInt({ min: 2n ** 60n, max: 2n ** 64n }).map((v) => lit(v)),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => f64(v)),
  fc.string({ maxLength: 6 }).map((v) => lit(v)),
  fc.constantFrom(lit(true), lit(false), lit(null)),
  fc.constantFrom(lit("2024-02-29", new A.DateDay()), lit("2024-02-29 10:00:00", new A.TimestampMillisecond())),
);

const exprArb: fc.Arbitrary<E.Expr> = fc.letrec<{ e: E.Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.array(name, { minLength: 1, maxLength: 3 }).map((p) => col(...p)),
    literal,
    fc.tuple(fc.constantFrom<E.UnaryOp>("not", "neg"), tie("e")).map(([op, a]) => E.unary(op, a)),
    fc
      .tuple(fc.constantFrom<E.BinaryOp>("+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "and", "or"), tie("e"), tie("e"))
      .map(([op, a, b]) => binary(op, a, b)),
    fc.tuple(tie("e"), fc.array(literal, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([a, v, n]) => E.isIn(a, v, n)),
    fc.tuple(tie("e"), fc.boolean()).map(([a, n]) => E.isNull(a, n)),
    fc
      .tuple(tie("e"), fc.string({ maxLength: 5 }), fc.boolean(), fc.boolean(), fc.option(fc.constantFrom("!", "\\"), { nil: undefined }))
      .map(([a, p, ci, n, esc]) => E.like(a, p, { caseInsensitive: ci, negated: n, escape: esc })),
    fc.tuple(tie("e"), tie("e"), tie("e"), fc.boolean()).map(([a, l, h, n]) => E.between(a, l, h, n)),
    fc.tuple(tie("e"), fc.constantFrom(...(Object.keys(E.CAST_TYPES) as E.CastTypeName[]))).map(([a, t]) => E.cast(a, t)),
    fc.tuple(fc.constantFrom(...E.FUNCTION_NAMES), fc.array(tie("e"), { maxLength: 3 })).map(([f, args]) => E.call(f, ...args)),
  ),
})).e;

describe("formatExpr", () => {
  it("prints minimal parentheses", () => {
    assert.equal(formatExpr(parseExpr("(a + b) * c - (d - e)")), "(a + b) * c - (d - e)");
    assert.equal(formatExpr(parseExpr("NOT (a AND b) OR c")), "NOT (a AND b) OR c");
    assert.equal(formatExpr(parseExpr('"my col" = \'it\'\'s\'')), `"my col" = 'it''s'`);
    assert.equal(formatExpr(parseExpr("x BETWEEN -1 AND 2.0")), "x BETWEEN -1 AND 2.0");
    assert.equal(formatExpr(E.unary("neg", lit(5))), "-(5)");
    assert.equal(formatExpr(binary("-", col("a"), lit(-1))), "a - -1");
  });

  it("reads back as the same tree", () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const text = formatExpr(e);
        assert.deepEqual(parseExpr(text), e, text);
      }),
      { seed: 424242, numRuns: 2000 },
    );
  });
});
