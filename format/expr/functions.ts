// The built-in functions: for each, how resolve checks its arguments and picks its result type, and how it
// runs over columns. Adding a function means adding its name in ast.ts and one entry here.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import type { FunctionName } from "./ast.js";
import { negateOrAbs, narrow, overflow } from "./arith.js";
import type { Bound } from "./bound.js";
import { fromValues } from "./cast.js";
import { adopt, castBound, isFlexible, type FlexLiteral } from "./coerce.js";
import { broadcast, column, encoder, scalar, valueAt, type Col, type NumArray, type Operand, type Scalar } from "./columnar.js";
import { changeCase, charLength, stringTest, stringTestConstHay, type StringTest } from "./strings.js";
import { commonType, floatResult, intRange, isNumericClass, smallestIntType, typeClass, typeName, type TypeClass } from "./types.js";

/** How one function is checked and run. */
export interface FunctionDef {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Checks argument types, casts arguments where needed, and picks the result type. */
  bind(args: readonly Bound[], text: string): { args: Bound[]; type: A.DataType };
  /** The result over `n` rows (a scalar when every argument is one). */
  run(args: readonly Operand[], type: A.DataType, n: number, text: string): Operand;
}

function expectClass(args: readonly Bound[], text: string, ok: (c: TypeClass) => boolean, what: string): void {
  for (const a of args) {
    const c = typeClass(a.type);
    if (c !== "null" && !ok(c)) {
      throw new InvalidArgumentError(`${text}: expected ${what}, got ${typeName(a.type)}`);
    }
  }
}

const isString = (c: TypeClass): boolean => c === "string";

/** Runs a column kernel on scalars too, by treating them as one-row columns. */
function lift(args: readonly Operand[], n: number, type: A.DataType, f: (cols: Col[], rows: number) => Col): Operand {
  if (args.some((a) => a.kind === "scalar" && a.value === null)) return scalar(type, null);
  if (args.every((a) => a.kind === "scalar")) return scalar(type, valueAt(f(args.map((a) => broadcast(a as Scalar, 1)), 1), 0));
  return f(args.map((a) => (a.kind === "scalar" ? broadcast(a, n) : a)), n);
}

function caseFn(upper: boolean): FunctionDef {
  return {
    minArgs: 1,
    maxArgs: 1,
    bind: (args, text) => (expectClass(args, text, isString, "a string"), { args: [...args], type: new A.Utf8() }),
    run: (args, type, n) => lift(args, n, type, ([c]) => changeCase(c!, upper)),
  };
}

function testFn(test: StringTest): FunctionDef {
  return {
    minArgs: 2,
    maxArgs: 2,
    bind: (args, text) => (expectClass(args, text, isString, "strings"), { args: [...args], type: new A.Bool() }),
    run: ([hay, needle], type, n) => {
      if (hay!.kind === "col" && needle!.kind === "scalar" && needle!.value !== null) {
        return stringTest(test, hay!, encoder.encode(needle!.value as string));
      }
      if (hay!.kind === "scalar" && hay!.value !== null && needle!.kind === "col") {
        return stringTestConstHay(test, encoder.encode(hay!.value as string), needle!);
      }
      return lift([hay!, needle!], n, type, ([h, t]) => stringTest(test, h!, t!));
    },
  };
}

/** Applies `f` to a float64-typed operand's values. */
function mapFloat(a: Operand, n: number, f: (x: number) => number): Operand {
  if (a.kind === "scalar") return scalar(new A.Float64(), a.value === null ? null : f(Number(a.value)));
  const src = (a.values as { data: NumArray }).data;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(src[i]!);
  return column(new A.Float64(), n, { kind: "num", data: out }, a.valid);
}

/** Numeric argument: integers keep their type (rounding them is the identity), floats compute as float64. */
function bindRounding(args: readonly Bound[], text: string): { args: Bound[]; type: A.DataType } {
  expectClass(args.slice(0, 1), text, isNumericClass, "a number");
  const digits = args[1];
  if (digits !== undefined && !(digits.kind === "literal" && Number.isSafeInteger(digits.value))) {
    throw new InvalidArgumentError(`${text}: the number of digits must be an integer literal`);
  }
  const c = typeClass(args[0]!.type);
  const type = c === "int" || c === "bigint" ? args[0]!.type : new A.Float64();
  return { args: [castBound(args[0]!, type), ...args.slice(1)], type };
}

/** Rounds half away from zero to `d` decimal places (negative `d` rounds to tens, hundreds, ...). */
export function roundHalfAway(x: number, d: number): number {
  if (!Number.isFinite(x)) return x;
  if (d < 0) {
    const f = 10 ** -d;
    return (Math.sign(x) * Math.round(Math.abs(x) / f)) * f;
  }
  const f = 10 ** d;
  const y = Math.abs(x) * f;
  return Number.isFinite(y) ? (Math.sign(x) * Math.round(y)) / f : x;
}

function roundBig(x: bigint, d: number): bigint {
  const f = 10n ** BigInt(-d);
  let q = x / f;
  const r = x % f;
  if ((r < 0n ? -r : r) * 2n >= f) q += x < 0n ? -1n : 1n;
  return q * f;
}

function roundInts(a: Operand, type: A.DataType, n: number, d: number, text: string): Operand {
  if (d >= 0) return a;
  if (a.kind === "scalar") {
    if (a.value === null) return a;
    if (typeof a.value === "bigint") return scalar(type, roundBigChecked([a.value], type, d, text)[0]!);
    return scalar(type, narrow(Float64Array.of(roundHalfAway(a.value as number, d)), type, undefined, text)[0]!);
  }
  if (a.values.kind === "big") {
    const vals = Array.from(a.values.data, (x, i) => (a.valid === undefined || a.valid[i] === 1 ? x : 0n));
    return column(type, n, fromValues(type, roundBigChecked(vals, type, d, text)), a.valid);
  }
  const src = (a.values as { data: NumArray }).data;
  const out = Float64Array.from(src, (x) => roundHalfAway(x, d));
  return column(type, n, { kind: "num", data: narrow(out, type, a.valid, text) }, a.valid);
}

function roundBigChecked(vals: bigint[], type: A.DataType, d: number, text: string): bigint[] {
  const [lo, hi] = intRange(type as A.Int);
  return vals.map((x) => {
    const r = roundBig(x, d);
    if (r < lo || r > hi) throw overflow(text, type, r);
    return r;
  });
}

function floatFn(f: (x: number) => number): FunctionDef {
  return {
    minArgs: 1,
    maxArgs: 1,
    bind: bindRounding,
    run: ([a], type, n) => (typeClass(type) === "float" ? mapFloat(a!, n, f) : a!),
  };
}

/** The common type of coalesce's arguments: flexible literals adopt it when they can. */
function bindCoalesce(args: readonly Bound[], text: string): { args: Bound[]; type: A.DataType } {
  const fixed = args.filter((a) => !isFlexible(a));
  let type: A.DataType | undefined = fixed[0]?.type ?? args[0]!.type;
  for (const a of fixed) type = type && commonType(type, a.type);
  for (const a of args.filter(isFlexible)) {
    if (type === undefined || adopt(a as FlexLiteral, type) !== undefined) continue;
    // An integer literal that does not fit widens the type only as far as it needs.
    const v = a.value;
    const own = typeof v === "number" || typeof v === "bigint" ? (smallestIntType(v) ?? a.type) : a.type;
    type = commonType(type, own);
  }
  if (type === undefined) {
    throw new InvalidArgumentError(`${text}: arguments have no common type (${args.map((a) => typeName(a.type)).join(", ")})`);
  }
  const t = type;
  return { args: args.map((a) => (isFlexible(a) ? (adopt(a, t) ?? castBound(a, t)) : castBound(a, t))), type: t };
}

/** First non-null argument per row. */
function runCoalesce(args: readonly Operand[], type: A.DataType, n: number): Operand {
  const first = args[0]!;
  if (first.kind === "scalar" ? first.value !== null : first.valid === undefined) return first;
  if (args.every((a) => a.kind === "scalar")) return args.find((a) => (a as { value: unknown }).value !== null) ?? first;
  const cols = args.map((a) => (a.kind === "scalar" ? broadcast(a, n) : a));
  const vals = new Array<Exclude<ReturnType<typeof valueAt>, null> | undefined>(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of cols) {
      const v = valueAt(c, i);
      if (v !== null) {
        vals[i] = v;
        valid[i] = 1;
        break;
      }
    }
  }
  return column(type, n, fromValues(type, vals), valid);
}

export const FUNCTIONS: Record<FunctionName, FunctionDef> = {
  lower: caseFn(false),
  upper: caseFn(true),
  length: {
    minArgs: 1,
    maxArgs: 1,
    bind: (args, text) => (expectClass(args, text, isString, "a string"), { args: [...args], type: new A.Int32() }),
    run: (args, type, n) => lift(args, n, type, ([c]) => charLength(c!)),
  },
  abs: {
    minArgs: 1,
    maxArgs: 1,
    bind: (args, text) => {
      expectClass(args, text, isNumericClass, "a number");
      const t = args[0]!.type;
      const c = typeClass(t);
      const promoted = c === "int" && (t as A.Int).isSigned && (t as A.Int).bitWidth < 32;
      const type = c === "null" || promoted ? new A.Int32() : c === "float" ? floatResult(t) : t;
      return { args: [...args], type };
    },
    run: ([a], type, n, text) => negateOrAbs("abs", a!, type, n, text),
  },
  coalesce: { minArgs: 1, maxArgs: Infinity, bind: bindCoalesce, run: runCoalesce },
  starts_with: testFn("starts_with"),
  ends_with: testFn("ends_with"),
  contains: testFn("contains"),
  round: {
    minArgs: 1,
    maxArgs: 2,
    bind: bindRounding,
    run: ([a, digits], type, n, text) => {
      const d = digits === undefined ? 0 : Number((digits as { value: number }).value);
      return typeClass(type) === "float" ? mapFloat(a!, n, (x) => roundHalfAway(x, d)) : roundInts(a!, type, n, d, text);
    },
  },
  floor: floatFn(Math.floor),
  ceil: floatFn(Math.ceil),
  sqrt: {
    minArgs: 1,
    maxArgs: 1,
    bind: (args, text) => {
      expectClass(args, text, isNumericClass, "a number");
      return { args: [castBound(args[0]!, new A.Float64())], type: new A.Float64() };
    },
    run: ([a], _type, n) => mapFloat(a!, n, Math.sqrt),
  },
};
