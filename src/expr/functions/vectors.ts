// Shared plumbing of the str and list functions: arguments as flat Arrow buffers (one contiguous Data each,
// constants kept unbroadcast so they are prepared once), growable utf8 output, and the argument checks of returnType.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import {
  column,
  decodeDictionary,
  decoder,
  encoder,
  packBits,
  readColumn,
  readValidity,
  toData,
  type BigArray,
  type Col,
  type NumArray,
  type Values,
} from "../../../format/expr/columnar.js";
import { typeClass, typeName, type TypeClass } from "../../../format/expr/types.js";
import { concatRanges, makeGatherer, nullData } from "../../../format/file/gather.js";
import { ScalarArg, type ArgInfo, type ArgValue, type EvalInfo, type ScalarFunction } from "./registry.js";

export type StrValues = Extract<Values, { kind: "str" }>;

// ---- reading arguments ----

/** One contiguous Data holding a vector's rows; dictionaries are decoded (functions see their values). */
export function dataOf(v: A.Vector): A.Data {
  const chunks = v.type.typeId === A.Type.Dictionary ? v.data.map((d) => decodeDictionary(d)) : v.data;
  if (chunks.length === 1) return chunks[0]!;
  const type = chunks[0]?.type ?? (v.type.typeId === A.Type.Dictionary ? (v.type as A.Dictionary).dictionary : v.type);
  return concatRanges(type, chunks.map((d) => ({ data: d, start: 0, count: d.length })));
}

/** A constant as one row of Arrow data. */
export function scalarData(s: ScalarArg): A.Data {
  const t = s.type;
  // Arrow's builders keep 64-bit integers in BigInt64Arrays, which refuse plain numbers.
  const wide = t.typeId === A.Type.Int && (t as A.Int).bitWidth === 64;
  const value = wide && typeof s.value === "number" ? BigInt(s.value) : s.value;
  return dataOf(A.vectorFromArray([value], t as A.DataType));
}

/** Row 0 of `d`, `rows` times. */
export function repeatRow(d: A.Data, rows: number): A.Data {
  const g = makeGatherer(d.type, rows);
  for (let i = 0; i < rows; i++) g.appendRange(d, 0, 1);
  return g.finish();
}

/** The argument as `rows` rows of data: a vector as it is, a constant repeated. */
export function materialize(arg: ArgValue, rows: number): A.Data {
  return arg instanceof ScalarArg ? repeatRow(scalarData(arg), rows) : dataOf(arg);
}

/** A string argument as a column (offsets, bytes, validity). */
export function strCol(arg: ArgValue, rows: number): Col & { readonly values: StrValues } {
  const c = readColumn(materialize(arg, rows));
  if (c.values.kind === "str") return c as Col & { values: StrValues };
  // A null-typed argument (an untyped NULL): every row null.
  const values: StrValues = { kind: "str", offsets: new Int32Array(rows + 1), bytes: new Uint8Array(0) };
  return column(new A.Utf8(), rows, values, new Uint8Array(rows)) as Col & { values: StrValues };
}

/** A secondary string argument (pattern, separator): a constant prepared once, or one value per row. */
export type StrArg =
  | { readonly kind: "const"; readonly text: string | null; readonly bytes: Uint8Array }
  | { readonly kind: "col"; readonly col: Col & { readonly values: StrValues } };

export function strArg(arg: ArgValue, rows: number): StrArg {
  if (!(arg instanceof ScalarArg)) return { kind: "col", col: strCol(arg, rows) };
  const text = typeof arg.value === "string" ? arg.value : null;
  return { kind: "const", text, bytes: text === null ? new Uint8Array(0) : encoder.encode(text) };
}

/** [start, end) bytes of row `i` of a string argument, or undefined when it is null. */
export function strRange(a: StrArg, i: number): Uint8Array | undefined {
  if (a.kind === "const") return a.text === null ? undefined : a.bytes;
  const { values: v, valid } = a.col;
  return valid !== undefined && valid[i] === 0 ? undefined : v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!);
}

/**
 * The JS strings of a column's rows without one TextDecoder call per row: the bytes are decoded once and each row
 * is a substring at UTF-16 offsets found in one pass (a 4-byte UTF-8 sequence is two UTF-16 units). Should the
 * counts disagree (invalid bytes under a null row decode to U+FFFD each), rows are decoded one by one instead.
 */
export class StrRows {
  private readonly text: string;
  private readonly units: Float64Array;
  private readonly aligned: boolean;

  constructor(
    private readonly values: StrValues,
    rows: number,
  ) {
    const base = values.offsets[0] ?? 0;
    const end = values.offsets[rows] ?? base;
    this.text = decoder.decode(values.bytes.subarray(base, end));
    this.units = new Float64Array(rows + 1);
    let units = 0;
    let k = base;
    for (let i = 0; i < rows; i++) {
      const stop = values.offsets[i + 1]!;
      for (; k < stop; k++) {
        const b = values.bytes[k]!;
        if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
      }
      this.units[i + 1] = units;
    }
    this.aligned = units === this.text.length;
  }

  at(i: number): string {
    if (this.aligned) return this.text.substring(this.units[i]!, this.units[i + 1]!);
    return decoder.decode(this.values.bytes.subarray(this.values.offsets[i]!, this.values.offsets[i + 1]!));
  }
}

/** An integer argument (an index, a start or a length): a constant, or one value per row. */
export type IntArg =
  | { readonly kind: "const"; readonly value: number | null }
  | { readonly kind: "col"; readonly data: NumArray | BigArray; readonly valid: Uint8Array | undefined };

export function intArg(arg: ArgValue, rows: number): IntArg {
  if (arg instanceof ScalarArg) {
    const v = arg.value;
    return { kind: "const", value: typeof v === "number" || typeof v === "bigint" ? Number(v) : null };
  }
  const c = readColumn(materialize(arg, rows));
  if (c.values.kind !== "num" && c.values.kind !== "big") return { kind: "const", value: null };
  return { kind: "col", data: c.values.data, valid: c.valid };
}

export function intAt(a: IntArg, i: number): number | null {
  if (a.kind === "const") return a.value;
  return a.valid !== undefined && a.valid[i] === 0 ? null : Number(a.data[i]!);
}

/** A list column: row i holds items [offsets[i], offsets[i+1]) of `items` (fixed-size lists get computed offsets). */
export interface ListCol {
  readonly length: number;
  readonly offsets: Int32Array;
  readonly items: A.Data;
  readonly valid: Uint8Array | undefined;
}

export function readList(d: A.Data): ListCol {
  const n = d.length;
  const valid = readValidity(d);
  const items = d.children[0]!;
  if (d.typeId === A.Type.FixedSizeList) {
    const size = (d.type as A.FixedSizeList).listSize;
    // Arrow JS builders may leave the child short under trailing null rows: clamp rather than read past it.
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = Math.min(i * size, items.length);
    return { length: n, offsets, items, valid };
  }
  return { length: n, offsets: (d.valueOffsets as Int32Array).subarray(0, n + 1), items, valid };
}

// ---- building results ----

export function toVector(c: Col): A.Vector {
  return A.makeVector(toData(c));
}

export function nullVector(type: A.DataType, rows: number): A.Vector {
  return A.makeVector(nullData(type, rows));
}

export function boolVector(data: Uint8Array, valid: Uint8Array | undefined): A.Vector {
  return toVector(column(new A.Bool(), data.length, { kind: "bool", data }, valid));
}

/** A list vector from offsets (n + 1) into `child` and validity bytes. */
export function listVector(type: A.List, offsets: Int32Array, child: A.Data, valid: Uint8Array | undefined): A.Vector {
  const length = offsets.length - 1;
  return A.makeVector(A.makeData({ type, length, valueOffsets: offsets, child, ...validityProps(valid, length) }));
}

export type ValidityProps = { nullBitmap?: Uint8Array; nullCount: number };

/** Validity bytes packed for makeData, omitted when every row is valid. */
export function validityProps(valid: Uint8Array | undefined, n: number): ValidityProps {
  if (valid === undefined) return { nullCount: 0 };
  let nulls = 0;
  for (let i = 0; i < n; i++) nulls += 1 - valid[i]!;
  return nulls === 0 ? { nullCount: 0 } : { nullBitmap: packBits(valid, n), nullCount: nulls };
}

/** A utf8 column written row by row: bytes go to the open row, which end() or endNull() closes. */
export class Utf8Builder {
  private bytes: Uint8Array;
  private offsets: Int32Array;
  private valid: Uint8Array;
  private pos = 0;
  private rows = 0;
  private nulls = 0;

  constructor(rowHint = 16, byteHint = 64) {
    this.bytes = new Uint8Array(Math.max(16, byteHint));
    this.offsets = new Int32Array(Math.max(16, rowHint) + 1);
    this.valid = new Uint8Array(Math.max(16, rowHint));
  }

  get length(): number {
    return this.rows;
  }

  append(src: Uint8Array, start = 0, end = src.length): void {
    this.reserve(end - start);
    this.bytes.set(src.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  appendText(s: string): void {
    this.reserve(s.length * 3);
    this.pos += encoder.encodeInto(s, this.bytes.subarray(this.pos)).written;
  }

  end(): void {
    this.close(1);
  }

  /** Closes the open row as null, dropping what was appended to it. */
  endNull(): void {
    this.pos = this.offsets[this.rows]!;
    this.nulls++;
    this.close(0);
  }

  finish(): A.Data<A.Utf8> {
    return A.makeData({
      type: new A.Utf8(),
      length: this.rows,
      valueOffsets: this.offsets.slice(0, this.rows + 1),
      data: this.bytes.slice(0, this.pos),
      ...validityProps(this.nulls === 0 ? undefined : this.valid, this.rows),
    });
  }

  private close(valid: number): void {
    if (this.rows === this.valid.length) {
      this.valid = grow(this.valid, this.rows * 2);
      this.offsets = grow(this.offsets, this.rows * 2 + 1);
    }
    this.valid[this.rows++] = valid;
    this.offsets[this.rows] = this.pos;
  }

  private reserve(extra: number): void {
    const need = this.pos + extra;
    if (need > this.bytes.length) this.bytes = grow(this.bytes, Math.max(this.bytes.length * 2, need));
  }
}

function grow<T extends Uint8Array | Int32Array>(a: T, size: number): T {
  const next = new (a.constructor as new (n: number) => T)(size);
  next.set(a);
  return next;
}

// ---- argument checks (returnType) ----

export const isString = (c: TypeClass): boolean => c === "string" || c === "null";
export const isInteger = (c: TypeClass): boolean => c === "int" || c === "bigint" || c === "null";
export const isNumber = (c: TypeClass): boolean => c === "int" || c === "bigint" || c === "float";

export function isListType(t: A.DataType): t is A.List | A.FixedSizeList {
  return t.typeId === A.Type.List || t.typeId === A.Type.FixedSizeList;
}

export function itemType(t: A.List | A.FixedSizeList): A.DataType {
  return t.children[0]!.type;
}

/** One parameter of a function: what it must be (for the message) and the type classes it takes. */
export interface Param {
  readonly what: string;
  readonly ok: (type: A.DataType) => boolean;
  readonly optional?: boolean;
  /** Takes any number of further arguments like it. */
  readonly variadic?: boolean;
}

export const STRING: Param = { what: "a string", ok: (t) => isString(typeClass(t)) };
export const LIST: Param = { what: "a list", ok: (t) => isListType(t) || t.typeId === A.Type.Null };

export function stringParam(role: string, optional = false): Param {
  return { what: `a string ${role}`, ok: STRING.ok, optional };
}

export function intParam(role: string, optional = false): Param {
  return { what: `an integer ${role}`, ok: (t) => isInteger(typeClass(t)), optional };
}

/** Throws unless the arguments fit `params`: `str.lower expects a string, got int32`. */
export function checkArgs(name: string, args: readonly ArgInfo[], params: readonly Param[]): void {
  const required = params.filter((p) => !p.optional && !p.variadic).length;
  const variadic = params.at(-1)?.variadic === true;
  if (args.length < required || (!variadic && args.length > params.length)) {
    const range =
      variadic ? `at least ${required}`
      : required === params.length ? `${required}`
      : `${required} to ${params.length}`;
    throw new InvalidArgumentError(`${name} takes ${range} argument${range === "1" ? "" : "s"}, got ${args.length}`);
  }
  args.forEach((a, i) => {
    const p = params[Math.min(i, params.length - 1)]!;
    if (!p.ok(a.type)) throw new InvalidArgumentError(`${name} expects ${p.what}, got ${typeName(a.type)}`);
  });
}

/** The literal value of an argument known when the plan is built, if it is one. */
export function literalOf(a: ArgInfo | undefined): unknown {
  return a?.literal?.value;
}

// ---- evaluation wrapper ----

type Run<O> = (args: readonly ArgValue[], options: O, info: EvalInfo) => A.Vector;

/**
 * A function from its parameters, result type and kernel. When every argument is a constant the kernel runs on
 * one row and the result is repeated, so kernels only ever see a vector first argument.
 */
export function defineFunction<O>(
  name: string,
  params: readonly Param[],
  returnType: (args: readonly ArgInfo[], options: O) => A.DataType,
  run: Run<O>,
): ScalarFunction<O> {
  return {
    name,
    returnType(args, options) {
      checkArgs(name, args, params);
      return returnType(args, options ?? ({} as O));
    },
    evaluate(args, options, info) {
      const opts = options ?? ({} as O);
      if (args.length > 0 && args.every((a) => a instanceof ScalarArg)) {
        const one = args.map((a) => A.makeVector(scalarData(a as ScalarArg)));
        const r = run(one, opts, { rows: 1, type: info.type });
        return A.makeVector(repeatRow(dataOf(r), info.rows));
      }
      return run(args, opts, info);
    },
  };
}
