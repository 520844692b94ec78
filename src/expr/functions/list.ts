// The `list` namespace: functions over List and FixedSizeList columns. They walk the list offsets and the child's
// flat buffers, so a FixedSizeList<float32> embedding column is summed straight off its Float32Array.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { column, readColumn } from "../../../format/expr/columnar.js";
import type { BigArray, Col, NumArray, Values } from "../../../format/expr/columnar.js";
import { compareBytes } from "../../../format/expr/strings.js";
import { typeClass, typeName, type TypeClass } from "../../../format/expr/types.js";
import { makeGatherer, takeIndices } from "../../../format/file/gather.js";
import { registerFunctions, ScalarArg, type ArgInfo, type ArgValue, type ScalarFunction } from "./registry.js";
import {
  boolVector,
  defineFunction,
  intArg,
  intAt,
  intParam,
  isListType,
  isNumber,
  isString,
  itemType,
  LIST,
  listVector,
  materialize,
  nullVector,
  readList,
  scalarData,
  strArg,
  stringParam,
  strRange,
  toVector,
  Utf8Builder,
  type ListCol,
  type Param,
} from "./vectors.js";

/** Options of `list.get`. */
export interface GetOptions {
  /** The result when the index is out of range (a value of the item type). Default null. */
  default?: unknown;
}

/** Options of `list.join`. */
export interface JoinOptions {
  /** Skip null items; when false a null item makes the result null. Default true. */
  ignoreNulls?: boolean;
}

const isValid = (valid: Uint8Array | undefined, i: number): boolean => valid === undefined || valid[i] === 1;

/** The argument's lists, or undefined when it is an untyped NULL (every row null). */
function lists(arg: ArgValue, rows: number): ListCol | undefined {
  const d = materialize(arg, rows);
  return d.typeId === A.Type.Null ? undefined : readList(d);
}

function listOf(what: string, ok: (c: TypeClass, t: A.DataType) => boolean): Param {
  return {
    what: `a list of ${what}`,
    ok: (t) => t.typeId === A.Type.Null || (isListType(t) && ok(typeClass(itemType(t)), itemType(t))),
  };
}

const NUMBERS = listOf("numbers", isNumber);
const ORDERED = listOf("numbers, strings, dates or timestamps", (c) => c !== "bool" && c !== "null" && c !== "other");
const STRINGS = listOf("strings", isString);

/** The item type of a list argument (null for an untyped NULL). */
function items(a: ArgInfo): A.DataType {
  return isListType(a.type) ? itemType(a.type) : new A.Null();
}

/** A function of one list column; untyped NULL input gives nulls without calling the kernel. */
function listFn<O>(
  name: string,
  params: readonly Param[],
  returnType: (args: readonly ArgInfo[], options: O) => A.DataType,
  kernel: (l: ListCol, args: readonly ArgValue[], options: O, type: A.DataType) => A.Vector,
): ScalarFunction<O> {
  return defineFunction<O>(name, params, returnType, (args, options, { rows, type }) => {
    const l = lists(args[0]!, rows);
    return l === undefined ? nullVector(type, rows) : kernel(l, args, options, type);
  });
}

// ---- length ----

const length = listFn("list.length", [LIST], () => new A.Int32(), (l) => {
  const out = new Int32Array(l.length);
  for (let i = 0; i < l.length; i++) out[i] = l.offsets[i + 1]! - l.offsets[i]!;
  return toVector(column(new A.Int32(), l.length, { kind: "num", data: out }, l.valid));
});

// ---- sum and mean ----

/** Sum and count of the non-null items of each row: number kinds in float64, 64-bit integers in bigint. */
function sums(l: ListCol): { sum: Float64Array | bigint[]; count: Int32Array } {
  const c = readColumn(l.items);
  const n = l.length;
  const count = new Int32Array(n);
  const iv = c.valid;
  if (c.values.kind === "big") {
    const data = c.values.data;
    const sum = new Array<bigint>(n).fill(0n);
    for (let i = 0; i < n; i++) {
      if (!isValid(l.valid, i)) continue;
      let s = 0n;
      let k = 0;
      for (let j = l.offsets[i]!; j < l.offsets[i + 1]!; j++) if (isValid(iv, j)) (s += data[j]!, k++);
      sum[i] = s;
      count[i] = k;
    }
    return { sum, count };
  }
  const data = c.values.kind === "num" ? c.values.data : new Float64Array(0);
  const sum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!isValid(l.valid, i)) continue;
    const start = l.offsets[i]!;
    const end = l.offsets[i + 1]!;
    let s = 0;
    if (iv === undefined) {
      // The hot loop for embedding columns: no validity to consult, the child's typed array read in place.
      for (let j = start; j < end; j++) s += data[j]!;
      count[i] = end - start;
    } else {
      let k = 0;
      for (let j = start; j < end; j++) if (iv[j] === 1) (s += data[j]!, k++);
      count[i] = k;
    }
    sum[i] = s;
  }
  return { sum, count };
}

/** Rows with at least one non-null item (an empty or all-null list sums to null, as in Daft). */
function counted(count: Int32Array): Uint8Array {
  return Uint8Array.from(count, (k) => (k > 0 ? 1 : 0));
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function sumInts(sum: Float64Array | bigint[], count: Int32Array): BigInt64Array {
  const out = new BigInt64Array(count.length);
  for (let i = 0; i < count.length; i++) {
    if (count[i] === 0) continue;
    const s = typeof sum[i] === "bigint" ? (sum[i] as bigint) : BigInt(sum[i] as number);
    if (s < INT64_MIN || s > INT64_MAX || (typeof sum[i] === "number" && !Number.isSafeInteger(sum[i]))) {
      throw new InvalidArgumentError(
        `integer overflow in list.sum: ${s} does not fit int64; cast the items to float64 first`,
      );
    }
    out[i] = s;
  }
  return out;
}

const sum = listFn(
  "list.sum",
  [NUMBERS],
  ([a]) => (typeClass(items(a!)) === "float" ? new A.Float64() : new A.Int64()),
  (l, _args, _o, type) => {
    const { sum: s, count } = sums(l);
    const valid = counted(count);
    const values: Values =
      type.typeId === A.Type.Float ? { kind: "num", data: s as Float64Array } : { kind: "big", data: sumInts(s, count) };
    return toVector(column(type, l.length, values, valid));
  },
);

const mean = listFn("list.mean", [NUMBERS], () => new A.Float64(), (l) => {
  const { sum: s, count } = sums(l);
  const out = new Float64Array(l.length);
  for (let i = 0; i < l.length; i++) if (count[i]! > 0) out[i] = Number(s[i]!) / count[i]!;
  return toVector(column(new A.Float64(), l.length, { kind: "num", data: out }, counted(count)));
});

// ---- min and max ----

/**
 * Smallest (sign 1) or largest (sign -1) non-null item per row. NaN wins over every number, as Math.min/max
 * do; strings compare by code point.
 */
function extreme(l: ListCol, type: A.DataType, sign: 1 | -1): A.Vector {
  const c = readColumn(l.items);
  const n = l.length;
  const best = new Int32Array(n).fill(-1);
  const cmp = comparator(c, sign);
  for (let i = 0; i < n; i++) {
    if (!isValid(l.valid, i)) continue;
    let b = -1;
    for (let j = l.offsets[i]!; j < l.offsets[i + 1]!; j++) if (isValid(c.valid, j) && (b < 0 || cmp(j, b))) b = j;
    best[i] = b;
  }
  return pick(c, best, type);
}

/** True when item j beats item b; for floats a NaN beats everything, so it propagates. */
function comparator(c: Col, sign: 1 | -1): (j: number, b: number) => boolean {
  const v = c.values;
  if (v.kind === "str") {
    const { bytes, offsets: o } = v;
    return (j, b) => sign * compareBytes(bytes, o[j]!, o[j + 1]!, bytes, o[b]!, o[b + 1]!) < 0;
  }
  if (v.kind === "num" || v.kind === "big") {
    const d = v.data;
    return (j, b) => d[b] !== d[b] ? false : d[j] !== d[j] || (sign > 0 ? d[j]! < d[b]! : d[j]! > d[b]!);
  }
  return () => false;
}

/** Item best[i] per row (-1: null) as a column of the result type. */
function pick(c: Col, best: Int32Array, type: A.DataType): A.Vector {
  const n = best.length;
  const valid = Uint8Array.from(best, (b) => (b < 0 ? 0 : 1));
  const v = c.values;
  if (v.kind === "str") {
    const out = new Utf8Builder(n);
    for (let i = 0; i < n; i++) {
      if (best[i]! < 0) out.endNull();
      else (out.append(v.bytes, v.offsets[best[i]!]!, v.offsets[best[i]! + 1]!), out.end());
    }
    return A.makeVector(out.finish());
  }
  if (v.kind === "big") {
    const data = new (v.data.constructor as new (n: number) => BigArray)(n);
    for (let i = 0; i < n; i++) if (best[i]! >= 0) data[i] = v.data[best[i]!]!;
    return toVector(column(type, n, { kind: "big", data }, valid));
  }
  if (v.kind !== "num") return nullVector(type, n);
  // float16 items are read as float64; they go back to half-precision bits here.
  const half = type.typeId === A.Type.Float && (type as A.Float).precision === A.Precision.HALF;
  const data = new (half ? Uint16Array : (v.data.constructor as new (n: number) => NumArray))(n);
  for (let i = 0; i < n; i++) {
    const b = best[i]!;
    if (b >= 0) data[i] = half ? A.util.float64ToUint16(v.data[b]!) : v.data[b]!;
  }
  return toVector(column(type, n, { kind: "num", data }, valid));
}

/** min/max keep the item type; string items give utf8. */
function extremeType([a]: readonly ArgInfo[]): A.DataType {
  const t = items(a!);
  return typeClass(t) === "string" ? new A.Utf8() : t.typeId === A.Type.Dictionary ? (t as A.Dictionary).dictionary : t;
}

const min = listFn("list.min", [ORDERED], extremeType, (l, _a, _o, type) => extreme(l, type, 1));
const max = listFn("list.max", [ORDERED], extremeType, (l, _a, _o, type) => extreme(l, type, -1));

// ---- get and slice ----

/** Throws unless `value` can stand as an item of `type`. */
function checkDefault(value: unknown, type: A.DataType): void {
  const c = typeClass(type);
  const ok =
    c === "string" ? typeof value === "string"
    : c === "bool" ? typeof value === "boolean"
    : c === "float" ? typeof value === "number"
    : c === "int" || c === "bigint" ? typeof value === "bigint" || Number.isInteger(value)
    : true;
  if (!ok) {
    throw new InvalidArgumentError(
      `list.get: the default ${String(value)} is not a value of the item type ${typeName(type)}`,
    );
  }
}

const get = listFn<GetOptions>(
  "list.get",
  [LIST, intParam("index")],
  ([a], o) => {
    const t = items(a!);
    if (o.default !== undefined && o.default !== null) checkDefault(o.default, t);
    return t;
  },
  (l, [, index], o, type) => {
    const rows = l.length;
    const idx = intArg(index!, rows);
    // Child row per result row; -1 for null, -2 for the default.
    const at = new Int32Array(rows);
    const miss = o.default === undefined || o.default === null ? -1 : -2;
    let holes = false;
    for (let i = 0; i < rows; i++) {
      let k = intAt(idx, i);
      const len = l.offsets[i + 1]! - l.offsets[i]!;
      if (k !== null && k < 0) k += len;
      at[i] = !isValid(l.valid, i) || k === null ? -1 : k >= 0 && k < len ? l.offsets[i]! + k : miss;
      holes ||= at[i]! < 0;
    }
    if (!holes) return A.makeVector(takeIndices(l.items, new Uint32Array(at.buffer, at.byteOffset, rows)));
    const fallback = miss === -2 ? scalarData(new ScalarArg(o.default, type)) : undefined;
    const g = makeGatherer(type, rows);
    for (let i = 0; i < rows; i++) {
      const j = at[i]!;
      if (j >= 0) g.appendRange(l.items, j, 1);
      else if (j === -2) g.appendRange(fallback!, 0, 1);
      else g.appendNulls(1);
    }
    return A.makeVector(g.finish());
  },
);

/** A Python-style bound: negative counts from the end; clamped to [0, len]. */
function bound(k: number, len: number): number {
  return k < 0 ? Math.max(len + k, 0) : Math.min(k, len);
}

const slice = listFn(
  "list.slice",
  [LIST, intParam("start"), intParam("end", true)],
  ([a]) => (a!.type.typeId === A.Type.List ? a!.type : new A.List((a!.type as A.FixedSizeList).children[0]!)),
  (l, [, start, end], _o, type) => {
    const rows = l.length;
    const starts = intArg(start!, rows);
    const ends = end === undefined ? undefined : intArg(end, rows);
    const g = makeGatherer(l.items.type, l.offsets[rows]! - l.offsets[0]!);
    const offsets = new Int32Array(rows + 1);
    const valid = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const len = l.offsets[i + 1]! - l.offsets[i]!;
      const s = intAt(starts, i);
      const e = ends === undefined ? len : intAt(ends, i);
      if (isValid(l.valid, i) && s !== null && e !== null) {
        valid[i] = 1;
        const from = bound(s, len);
        const count = bound(e, len) - from;
        if (count > 0) g.appendRange(l.items, l.offsets[i]! + from, count);
      }
      offsets[i + 1] = g.length;
    }
    const child = g.finish();
    return listVector(type as A.List, offsets, child, valid);
  },
);

// ---- contains ----

/** A value in the form the items are held in; undefined when it can equal none of them (1.5 among integers). */
type Key = number | bigint | Uint8Array | undefined;

function keyOf(items: Values, v: unknown): Key {
  switch (items.kind) {
    case "num":
      return typeof v === "number" || typeof v === "bigint" ? Number(v) : undefined;
    case "big":
      return typeof v === "bigint" ? v : Number.isInteger(v) ? BigInt(v as number) : undefined;
    case "bool":
      return typeof v === "boolean" ? Number(v) : undefined;
    case "str":
      return v instanceof Uint8Array ? v : undefined;
    default:
      return undefined;
  }
}

/** True when a non-null item in [start, end) equals `key` (NaN equals nothing). */
function find(c: Col, start: number, end: number, key: Key): boolean {
  const v = c.values;
  const iv = c.valid;
  if (key === undefined) return false;
  if (v.kind === "str") {
    const k = key as Uint8Array;
    for (let j = start; j < end; j++) {
      if (isValid(iv, j) && compareBytes(v.bytes, v.offsets[j]!, v.offsets[j + 1]!, k, 0, k.length) === 0) return true;
    }
    return false;
  }
  if (v.kind === "num" || v.kind === "big" || v.kind === "bool") {
    const d = v.data;
    for (let j = start; j < end; j++) if (d[j] === key && isValid(iv, j)) return true;
  }
  return false;
}

/** The value to look for in row i (raw: a JS value or the UTF-8 bytes), or null. */
function valueReader(arg: ArgValue, rows: number): (i: number) => unknown {
  if (arg instanceof ScalarArg) {
    const v = typeof arg.value === "string" ? strRange(strArg(arg, rows), 0) : arg.value;
    return () => v ?? null;
  }
  const c = readColumn(materialize(arg, rows));
  const v = c.values;
  if (v.kind === "str") return (i) => (isValid(c.valid, i) ? v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!) : null);
  if (v.kind === "bool") return (i) => (isValid(c.valid, i) ? v.data[i] === 1 : null);
  if (v.kind === "num" || v.kind === "big") return (i) => (isValid(c.valid, i) ? v.data[i]! : null);
  return () => null;
}

/** Items and values compare when both are numbers, both strings or both booleans. */
function comparable(item: TypeClass, value: TypeClass): boolean {
  if (value === "null" || item === "null") return true;
  if (isNumber(item)) return isNumber(value);
  return (item === "string" || item === "bool") && item === value;
}

const contains = listFn(
  "list.contains",
  [LIST, { what: "a value", ok: () => true }],
  ([a, v]) => {
    const t = items(a!);
    if (!comparable(typeClass(t), typeClass(v!.type))) {
      throw new InvalidArgumentError(
        `list.contains expects a value comparable to ${typeName(t)} items, got ${typeName(v!.type)}`,
      );
    }
    return new A.Bool();
  },
  (l, [, value], _o) => {
    const rows = l.length;
    const c = readColumn(l.items);
    const read = valueReader(value!, rows);
    const out = new Uint8Array(rows);
    const valid = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = isValid(l.valid, i) ? read(i) : null;
      if (v === null) continue;
      valid[i] = 1;
      out[i] = find(c, l.offsets[i]!, l.offsets[i + 1]!, keyOf(c.values, v)) ? 1 : 0;
    }
    return boolVector(out, valid);
  },
);

// ---- join ----

const join = listFn<JoinOptions>(
  "list.join",
  [STRINGS, stringParam("separator")],
  () => new A.Utf8(),
  (l, [, separator], o) => {
    const rows = l.length;
    const c = readColumn(l.items);
    const v = c.values.kind === "str" ? c.values : undefined;
    const sep = strArg(separator!, rows);
    const skipNulls = o.ignoreNulls !== false;
    const out = new Utf8Builder(rows, v === undefined ? 0 : v.offsets[c.length]! - v.offsets[0]!);
    for (let i = 0; i < rows; i++) {
      const s = isValid(l.valid, i) ? strRange(sep, i) : undefined;
      let ok = s !== undefined;
      let first = true;
      for (let j = l.offsets[i]!; ok && j < l.offsets[i + 1]!; j++) {
        if (v === undefined || !isValid(c.valid, j)) {
          ok = skipNulls;
          continue;
        }
        if (!first) out.append(s!);
        out.append(v.bytes, v.offsets[j]!, v.offsets[j + 1]!);
        first = false;
      }
      if (ok) out.end();
      else out.endNull();
    }
    return A.makeVector(out.finish());
  },
);

const FUNCTIONS: ScalarFunction<never>[] = [length, get, slice, sum, mean, min, max, contains, join];

/** Names of the `list` functions, for docs and error hints. */
export const LIST_FUNCTIONS: readonly string[] = Object.freeze(FUNCTIONS.map((f) => f.name));

registerFunctions(...FUNCTIONS);
