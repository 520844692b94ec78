// Arithmetic kernels over operands resolve has already typed. Integer overflow is an error, never a wrap;
// division yields float64, and dividing by zero (or x % 0) yields NULL.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import type { ArithmeticOp } from "./ast.js";
import {
  andValid,
  arrayTypeOf,
  column,
  scalar,
  withNulls,
  type BigArray,
  type Col,
  type NumArray,
  type Operand,
  type ScalarValue,
} from "./columnar.js";
import { intRange, typeName } from "./types.js";

type Num = (x: number, y: number) => number;
type Big = (x: bigint, y: bigint) => bigint;

const NUM_OPS: Record<ArithmeticOp, Num> = {
  "+": (x, y) => x + y,
  "-": (x, y) => x - y,
  "*": (x, y) => x * y,
  "/": (x, y) => x / y,
  "%": (x, y) => x % y,
};

const BIG_OPS: Record<ArithmeticOp, Big> = {
  "+": (x, y) => x + y,
  "-": (x, y) => x - y,
  "*": (x, y) => x * y,
  "/": (x, y) => x / y,
  "%": (x, y) => x % y,
};

/** Side of an operation: a column's array or one value for every row. */
type Side<T> = { col: ArrayLike<T>; value?: undefined } | { col?: undefined; value: T };

function side<T>(o: Operand): Side<T> {
  if (o.kind === "scalar") return { value: o.value as T };
  return { col: (o.values as unknown as { data: ArrayLike<T> }).data };
}

function isZero(v: number | bigint): boolean {
  return v === 0 || v === 0n;
}

/** `a op b` over `n` rows, typed `type`. `text` names the expression in overflow errors. */
export function arithmetic(op: ArithmeticOp, a: Operand, b: Operand, type: A.DataType, n: number, text: string): Operand {
  if (a.kind === "scalar" && b.kind === "scalar") return arithScalars(op, a.value, b.value, type, text);
  if ((a.kind === "scalar" && a.value === null) || (b.kind === "scalar" && b.value === null)) {
    return scalar(type, null);
  }
  const rows = n;
  const valid = andValid(a.kind === "col" ? a.valid : undefined, b.kind === "col" ? b.valid : undefined);
  const divides = op === "/" || op === "%";
  const zero = divides ? zeroMask(b, rows) : undefined;
  const outValid = withNulls(valid, zero);
  const big = (a.kind === "col" ? a.values.kind : typeof a.value === "bigint" ? "big" : "num") === "big";
  const result = big
    ? bigLoop(BIG_OPS[op], side<bigint>(a), side<bigint>(b), rows, outValid, type, text)
    : numLoop(NUM_OPS[op], side<number>(a), side<number>(b), rows, outValid, type, text);
  return column(type, rows, result, outValid);
}

/** Rows whose divisor is zero; undefined when there are none. */
function zeroMask(b: Operand, n: number): Uint8Array | undefined {
  if (b.kind === "scalar") return isZero(b.value as number | bigint) ? new Uint8Array(n).fill(1) : undefined;
  const d = (b.values as { data: ArrayLike<number | bigint> }).data;
  let mask: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    if (isZero(d[i]!)) (mask ??= new Uint8Array(n))[i] = 1;
  }
  return mask;
}

function numLoop(f: Num, a: Side<number>, b: Side<number>, n: number, valid: Uint8Array | undefined, type: A.DataType, text: string) {
  const out = new Float64Array(n);
  if (a.col !== undefined && b.col !== undefined) for (let i = 0; i < n; i++) out[i] = f(a.col[i]!, b.col[i]!);
  else if (a.col !== undefined) for (let i = 0; i < n; i++) out[i] = f(a.col[i]!, b.value!);
  else for (let i = 0; i < n; i++) out[i] = f(a.value!, b.col![i]!);
  return { kind: "num" as const, data: narrow(out, type, valid, text) };
}

function bigLoop(f: Big, a: Side<bigint>, b: Side<bigint>, n: number, valid: Uint8Array | undefined, type: A.DataType, text: string) {
  const T = arrayTypeOf(type) as new (n: number) => BigArray;
  const out = new T(n);
  const [lo, hi] = intRange(type as A.Int);
  for (let i = 0; i < n; i++) {
    if (valid !== undefined && valid[i] === 0) continue; // also skips divisors of zero
    const r = f(a.col !== undefined ? a.col[i]! : a.value!, b.col !== undefined ? b.col[i]! : b.value!);
    if (r < lo || r > hi) throw overflow(text, type, r);
    out[i] = r;
  }
  return { kind: "big" as const, data: out };
}

/** Float64 results stored as the result type: floats as they are, integers range-checked on valid rows. */
export function narrow(out: Float64Array, type: A.DataType, valid: Uint8Array | undefined, text: string): NumArray {
  const T = arrayTypeOf(type) as new (src: ArrayLike<number>) => NumArray;
  if (type.typeId !== A.Type.Int) return T === Float64Array ? out : new T(out);
  const [lo, hi] = intRange(type as A.Int).map(Number) as [number, number];
  for (let i = 0; i < out.length; i++) {
    const r = out[i]!;
    if ((r < lo || r > hi) && (valid === undefined || valid[i] === 1)) throw overflow(text, type, r);
  }
  return new T(out);
}

export function overflow(text: string, type: A.DataType, value: number | bigint): InvalidArgumentError {
  return new InvalidArgumentError(
    `integer overflow in ${text}: ${value} does not fit ${typeName(type)}; cast an operand to a wider type ` +
      `first, e.g. CAST(x AS int64) or CAST(x AS double)`,
  );
}

function arithScalars(op: ArithmeticOp, a: ScalarValue, b: ScalarValue, type: A.DataType, text: string): Operand {
  if (a === null || b === null) return scalar(type, null);
  const [x, y] = [a as number | bigint, b as number | bigint];
  if ((op === "/" || op === "%") && isZero(y)) return scalar(type, null);
  if (typeof x === "bigint") {
    const r = BIG_OPS[op](x, y as bigint);
    const [lo, hi] = intRange(type as A.Int);
    if (r < lo || r > hi) throw overflow(text, type, r);
    return scalar(type, r);
  }
  const r = narrow(Float64Array.of(NUM_OPS[op](x, y as number)), type, undefined, text)[0]!;
  return scalar(type, r);
}

/** Unary minus or abs of a column already in the result's representation. */
export function negateOrAbs(kind: "neg" | "abs", a: Operand, type: A.DataType, n: number, text: string): Operand {
  const fNum = kind === "neg" ? (x: number) => -x : Math.abs;
  const fBig = kind === "neg" ? (x: bigint) => -x : (x: bigint) => (x < 0n ? -x : x);
  if (a.kind === "scalar") {
    if (a.value === null) return scalar(type, null);
    if (typeof a.value === "bigint") return arithScalars("+", 0n, fBig(a.value), type, text);
    return scalar(type, narrow(Float64Array.of(fNum(a.value as number)), type, undefined, text)[0]!);
  }
  if (a.values.kind === "big") {
    const values = bigLoop((_, y) => fBig(y), { value: 0n }, { col: a.values.data }, n, a.valid, type, text);
    return column(type, n, values, a.valid);
  }
  const d = (a.values as { data: NumArray }).data;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = fNum(d[i]!);
  return column(type, n, { kind: "num", data: narrow(out, type, a.valid, text) }, a.valid);
}
