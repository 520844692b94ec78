// Random tables (a nullable column of every kind: integer widths, floats with NaN, utf8 with multi-byte and
// astral characters, booleans, dates, timestamps) and random well-typed expressions, for the expression tests.

import * as A from "apache-arrow";
import fc from "fast-check";
import * as E from "../../../format/expr/ast.js";
import type { Expr } from "../../../format/expr/ast.js";
import type { OValue, Row } from "./oracle.js";

export const SCHEMA = new A.Schema([
  new A.Field("i8", new A.Int8(), true),
  new A.Field("i16", new A.Int16(), true),
  new A.Field("i32", new A.Int32(), true),
  new A.Field("i64", new A.Int64(), true),
  new A.Field("u8", new A.Uint8(), true),
  new A.Field("u16", new A.Uint16(), true),
  new A.Field("u32", new A.Uint32(), true),
  new A.Field("u64", new A.Uint64(), true),
  new A.Field("f32", new A.Float32(), true),
  new A.Field("f64", new A.Float64(), true),
  new A.Field("s", new A.Utf8(), true),
  new A.Field("t", new A.Utf8(), true),
  new A.Field("b", new A.Bool(), true),
  new A.Field("d", new A.DateDay(), true),
  new A.Field("dm", new A.DateMillisecond(), true),
  new A.Field("ts", new A.TimestampMillisecond(), true),
  new A.Field("tu", new A.TimestampMicrosecond("UTC"), true),
]);

export const NUM_COLS = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"];
export const STR_COLS = ["s", "t"];
export const TIME_COLS = ["d", "dm", "ts", "tu"];

const DAY_MS = 86_400_000;

/** Small values mostly (so comparisons hit and arithmetic rarely overflows), the extremes sometimes. */
function intValue(bits: number, signed: boolean): fc.Arbitrary<number | bigint> {
  const lo = signed ? -(2n ** BigInt(bits - 1)) : 0n;
  const hi = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
  const big = bits === 64;
  const wrap = (v: bigint): number | bigint => (big ? v : Number(v));
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: signed ? -20 : 0, max: 20 }).map((v) => wrap(BigInt(v))) },
    { weight: 1, arbitrary: fc.constantFrom(lo, hi, lo + 1n, hi - 1n).map(wrap) },
    { weight: 1, arbitrary: fc.bigInt(lo, hi).map(wrap) },
  );
}

const floatValue = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -20, max: 20 }).map((v) => v / 2) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 0) },
);

/** Characters that exercise LIKE wildcards, case mapping, multi-byte UTF-8 and code point vs UTF-16 order. */
const CHARS = ["a", "b", "A", "B", "é", "É", "%", "_", "'", "\uE000", "\u{10000}", "😀", " "];
export const textValue = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 5 });

const dayValue = fc.oneof(fc.integer({ min: -400, max: 400 }), fc.integer({ min: -100000, max: 100000 }));

function columnValue(type: A.DataType): fc.Arbitrary<OValue> {
  switch (type.typeId) {
    case A.Type.Int:
      return intValue((type as A.Int).bitWidth, (type as A.Int).isSigned);
    case A.Type.Float:
      return (type as A.Float).precision === A.Precision.SINGLE ? floatValue.map(Math.fround) : floatValue;
    case A.Type.Utf8:
      return textValue;
    case A.Type.Bool:
      return fc.boolean();
    case A.Type.Date:
      return (type as A.Date_).unit === A.DateUnit.DAY ? dayValue : dayValue.map((d) => BigInt(d * DAY_MS));
    default: {
      const perMs = (type as A.Timestamp).unit === A.TimeUnit.MICROSECOND ? 1000n : 1n;
      return fc.integer({ min: -1e11, max: 1e11 }).map((ms) => BigInt(ms) * perMs);
    }
  }
}

/** Random rows for SCHEMA, a quarter of the values NULL. */
export function arbRows(maxRows = 40): fc.Arbitrary<Row[]> {
  const cols = SCHEMA.fields.map((f) => fc.option(columnValue(f.type), { nil: null, freq: 4 }));
  return fc.array(fc.tuple(...cols), { maxLength: maxRows }).map((rows) =>
    rows.map((vals) => Object.fromEntries(SCHEMA.fields.map((f, i) => [f.name, vals[i] as OValue]))),
  );
}

function validity(values: readonly OValue[]): { nullBitmap?: Uint8Array; nullCount: number } {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  let nulls = 0;
  values.forEach((v, i) => (v === null ? nulls++ : (bits[i >> 3]! |= 1 << (i & 7))));
  return nulls === 0 ? { nullCount: 0 } : { nullBitmap: bits, nullCount: nulls };
}

/** Arrow Data of one column, built directly (typed arrays and a validity bitmap) for the fixed-width kinds. */
export function columnData(type: A.DataType, values: readonly OValue[]): A.Data {
  if (type.typeId === A.Type.Utf8 || type.typeId === A.Type.Bool) return A.vectorFromArray(values as never[], type).data[0]!;
  const T = (type as unknown as { ArrayType: new (n: number) => ArrayLike<unknown> & Record<number, unknown> }).ArrayType;
  const data = new T(values.length);
  const big = data instanceof BigInt64Array || data instanceof BigUint64Array;
  values.forEach((v, i) => (data[i] = v === null ? (big ? 0n : 0) : big ? BigInt(v as number) : v));
  return A.makeData({ type: type as A.Int, length: values.length, data: data as Int32Array, ...validity(values) });
}

/** One record batch of `rows` (SCHEMA unless another is given). */
export function toBatch(rows: readonly Row[], schema: A.Schema = SCHEMA): A.RecordBatch {
  const children = schema.fields.map((f) => columnData(f.type, rows.map((r) => r[f.name] ?? null)));
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: rows.length, children, nullCount: 0 }));
}

// ---- expressions

const col = (names: string[]): fc.Arbitrary<Expr> => fc.constantFrom(...names).map((n) => E.col(n));

const intLit = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map((v) => E.lit(v)),
  fc.constantFrom(127, 128, 255, 32767, 2 ** 31, 2 ** 40).map((v) => E.lit(v)),
  fc.constantFrom(2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n)).map((v) => E.lit(v)),
);
const floatLit = floatValue.map((v) => E.lit(v, new A.Float64()));
export const numLit: fc.Arbitrary<Expr> = fc.oneof({ weight: 3, arbitrary: intLit }, { weight: 1, arbitrary: floatLit });
export const strLit: fc.Arbitrary<Expr> = textValue.map((s) => E.lit(s));

function isoDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

/** Date or timestamp literal text, or epoch milliseconds. */
export const timeLit: fc.Arbitrary<Expr> = fc.oneof(
  dayValue.map((d) => E.lit(isoDate(d))),
  fc.tuple(dayValue, fc.integer({ min: 0, max: DAY_MS - 1 })).map(([d, ms]) =>
    E.lit(new Date(d * DAY_MS + ms).toISOString().replace("T", " ").replace("Z", "")),
  ),
  fc.integer({ min: -1e11, max: 1e11 }).map((ms) => E.lit(ms)),
);

const CMP: E.ComparisonOp[] = ["=", "!=", "<", "<=", ">", ">="];
export const cmpOp = fc.constantFrom(...CMP);

export function numExpr(depth: number): fc.Arbitrary<Expr> {
  const leaf = fc.oneof({ weight: 3, arbitrary: col(NUM_COLS) }, { weight: 1, arbitrary: numLit });
  if (depth <= 0) return leaf;
  const sub = (): fc.Arbitrary<Expr> => numExpr(depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom("+", "-", "*", "/", "%") as fc.Arbitrary<E.ArithmeticOp>, sub(), sub()).map(([op, a, b]) => E.binary(op, a, b)) },
    { weight: 1, arbitrary: sub().map((a) => E.unary("neg", a)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("abs", "floor", "ceil", "sqrt", "round") as fc.Arbitrary<E.FunctionName>, sub()).map(([f, a]) => E.call(f, a)) },
    { weight: 1, arbitrary: fc.tuple(sub(), fc.integer({ min: 0, max: 3 })).map(([a, d]) => E.call("round", a, E.lit(d))) },
    { weight: 1, arbitrary: strExpr(depth - 1).map((s) => E.call("length", s)) },
    { weight: 1, arbitrary: fc.tuple(sub(), fc.constantFrom("int64", "float64", "float32", "int32", "int8") as fc.Arbitrary<E.CastTypeName>).map(([a, t]) => E.cast(a, t)) },
    { weight: 1, arbitrary: boolExpr(depth - 1).map((b) => E.cast(b, "int32")) },
    { weight: 1, arbitrary: fc.tuple(sub(), sub()).map(([a, b]) => E.call("coalesce", a, b)) },
  );
}

export function strExpr(depth: number): fc.Arbitrary<Expr> {
  const leaf = fc.oneof({ weight: 3, arbitrary: col(STR_COLS) }, { weight: 1, arbitrary: strLit });
  if (depth <= 0) return leaf;
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom("lower", "upper") as fc.Arbitrary<E.FunctionName>, strExpr(depth - 1)).map(([f, a]) => E.call(f, a)) },
    { weight: 1, arbitrary: numExpr(depth - 1).map((a) => E.cast(a, "string")) },
    { weight: 1, arbitrary: fc.tuple(strExpr(depth - 1), strLit).map(([a, b]) => E.call("coalesce", a, b)) },
  );
}

export const likePattern = fc.string({ unit: fc.constantFrom("a", "b", "é", "😀", "%", "_", "A"), maxLength: 5 });

export function boolExpr(depth: number): fc.Arbitrary<Expr> {
  const d = Math.max(0, depth - 1);
  const atoms: fc.Arbitrary<Expr>[] = [
    fc.tuple(cmpOp, numExpr(d), numExpr(d)).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(cmpOp, col(NUM_COLS), numLit).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(cmpOp, strExpr(d), strExpr(d)).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(cmpOp, col(TIME_COLS), timeLit).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(cmpOp, col(TIME_COLS), col(TIME_COLS)).map(([op, a, b]) => E.binary(op, a, b)),
    fc.tuple(fc.constantFrom(...SCHEMA.fields.map((f) => f.name)), fc.boolean()).map(([c, n]) => E.isNull(E.col(c), n)),
    fc.tuple(col(NUM_COLS), fc.array(fc.oneof(numLit, fc.constant(E.lit(null))), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([a, vs, n]) => E.isIn(a, vs as E.LiteralExpr[], n)),
    fc.tuple(col(STR_COLS), fc.array(strLit, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([a, vs, n]) => E.isIn(a, vs as E.LiteralExpr[], n)),
    fc.tuple(strExpr(d), likePattern, fc.boolean(), fc.boolean()).map(([a, p, ci, n]) => E.like(a, p, { caseInsensitive: ci, negated: n })),
    fc.tuple(numExpr(d), numLit, numLit, fc.boolean()).map(([a, lo, hi, n]) => E.between(a, lo, hi, n)),
    fc.tuple(fc.constantFrom("starts_with", "ends_with", "contains") as fc.Arbitrary<E.FunctionName>, strExpr(d), strExpr(d)).map(([f, a, b]) => E.call(f, a, b)),
    fc.constant(E.col("b")),
    fc.constantFrom(E.lit(true), E.lit(false), E.lit(null)),
  ];
  const atom = fc.oneof(...atoms);
  if (depth <= 0) return atom;
  return fc.oneof(
    { weight: 3, arbitrary: atom },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom("and", "or") as fc.Arbitrary<"and" | "or">, boolExpr(depth - 1), boolExpr(depth - 1)).map(([op, a, b]) => E.binary(op, a, b)) },
    { weight: 1, arbitrary: boolExpr(depth - 1).map((a) => E.not(a)) },
  );
}

/** Any expression: predicates most, numbers and strings too. */
export function anyExpr(depth: number): fc.Arbitrary<Expr> {
  return fc.oneof({ weight: 3, arbitrary: boolExpr(depth) }, { weight: 2, arbitrary: numExpr(depth) }, { weight: 1, arbitrary: strExpr(depth) });
}
