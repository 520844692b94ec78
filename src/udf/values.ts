// Turning what user functions return into Arrow vectors of the declared type, refusing values of another type
// instead of coercing them silently (Arrow's builders would turn "3" into 3, or wrap 3e9 around in an int32).

import * as A from "apache-arrow";
import { typeName } from "../../format/expr/types.js";
import { typesEqual } from "../../format/file/schema-json.js";
import { UdfReturnTypeError } from "./errors.js";

/** A typed array of numbers: one value per row (zero-copy when it is the return type's own array type). */
export type NumericArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** What a UDF may return for n rows: an Arrow vector, an array of n values, or a typed array of n numbers. */
export type UdfResult = A.Vector | readonly unknown[] | NumericArray;

type Check = (v: unknown, type: A.DataType) => string | undefined;

const isList = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

function checkInt(v: unknown, type: A.DataType): string | undefined {
  const t = type as A.Int;
  const bits = BigInt(t.bitWidth);
  const min = t.isSigned ? -(1n << (bits - 1n)) : 0n;
  const max = t.isSigned ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  let big: bigint;
  if (typeof v === "bigint") big = v;
  else if (typeof v === "number" && Number.isInteger(v) && (t.bitWidth < 64 || Number.isSafeInteger(v))) big = BigInt(v);
  else return describe(v);
  return big >= min && big <= max ? undefined : `${describe(v)} (out of range)`;
}

function checkItems(v: unknown, item: A.DataType): string | undefined {
  if (!isList(v)) return describe(v);
  // A float typed array holds only numbers, and a typed array of the item type's own kind (a Uint8Array for uint8)
  // only values in its range: nothing to check per item.
  if (ArrayBuffer.isView(v) && (item.typeId === A.Type.Float || v.constructor === ownArrayType(item))) return undefined;
  for (let i = 0; i < v.length; i++) {
    const why = mismatch(v[i], item);
    if (why !== undefined) return `a list holding ${why} at [${i}]`;
  }
  return undefined;
}

/** One check per Arrow type id (types without one accept any value and leave it to Arrow's builders). */
const CHECKS: Partial<Record<A.Type, Check>> = {
  [A.Type.Int]: checkInt,
  [A.Type.Float]: (v) => (typeof v === "number" ? undefined : describe(v)),
  [A.Type.Utf8]: (v) => (typeof v === "string" ? undefined : describe(v)),
  [A.Type.LargeUtf8]: (v) => (typeof v === "string" ? undefined : describe(v)),
  [A.Type.Bool]: (v) => (typeof v === "boolean" ? undefined : describe(v)),
  [A.Type.Binary]: (v) => (v instanceof Uint8Array ? undefined : describe(v)),
  [A.Type.LargeBinary]: (v) => (v instanceof Uint8Array ? undefined : describe(v)),
  [A.Type.Date]: (v) => (v instanceof Date || typeof v === "number" ? undefined : describe(v)),
  [A.Type.Timestamp]: (v) => (v instanceof Date || typeof v === "number" ? undefined : describe(v)),
  [A.Type.List]: (v, t) => checkItems(v, (t as A.List).children[0]!.type),
  [A.Type.FixedSizeList]: (v, t) => {
    const n = (t as A.FixedSizeList).listSize;
    if (isList(v) && v.length !== n) return `a list of ${v.length} values (expected ${n})`;
    return checkItems(v, (t as A.FixedSizeList).children[0]!.type);
  },
  [A.Type.Struct]: (v, t) => {
    if (typeof v !== "object" || v === null || isList(v) || v instanceof Date) return describe(v);
    for (const f of (t as A.Struct).children) {
      const why = mismatch((v as Record<string, unknown>)[f.name], f.type);
      if (why !== undefined) return `an object whose "${f.name}" is ${why}`;
    }
    return undefined;
  },
};

/** Why `v` cannot be stored as `type`, or undefined when it can. null and undefined always can. */
export function mismatch(v: unknown, type: A.DataType): string | undefined {
  if (v === null || v === undefined) return undefined;
  return CHECKS[type.typeId]?.(v, type);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v instanceof Uint8Array) return "bytes";
  if (ArrayBuffer.isView(v)) return `a typed array (${v.constructor.name})`;
  if (v instanceof A.Vector) return `an Arrow vector of ${typeName(v.type)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${preview(v)}`;
}

/** A short text of a value for messages. */
export function preview(v: unknown): string {
  let s: string | undefined;
  try {
    s = typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? `<${v.byteLength} bytes>` : JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x));
  } catch {
    s = undefined;
  }
  if (s === undefined) s = String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** JS values as they go into an Arrow builder: numbers to bigint for 64-bit ints, typed arrays to arrays. */
function normalise(v: unknown, type: A.DataType): unknown {
  if (v === undefined || v === null) return null;
  if (type.typeId === A.Type.Int && (type as A.Int).bitWidth === 64) return typeof v === "number" ? BigInt(v) : v;
  if (type.typeId === A.Type.List || type.typeId === A.Type.FixedSizeList) {
    const item = (type as A.List).children[0]!.type;
    return Array.from(v as ArrayLike<unknown>, (x) => normalise(x, item));
  }
  if (type.typeId === A.Type.Struct) {
    const o = v as Record<string, unknown>;
    return Object.fromEntries((type as A.Struct).children.map((f) => [f.name, normalise(o[f.name], f.type)]));
  }
  return v;
}

/** The typed-array class Arrow stores a numeric type's values in (Uint8Array for uint8), or undefined. */
function ownArrayType(type: A.DataType): unknown {
  if (type.typeId !== A.Type.Int && type.typeId !== A.Type.Float) return undefined;
  return (type as A.Int).ArrayType;
}

/**
 * Fixed-size lists returned as typed arrays (embeddings as Float32Arrays, tensors as Uint8Arrays: the common case)
 * go into one buffer without a builder: any typed array for float items, the item type's own kind for integers.
 */
function typedListsFast(values: readonly unknown[], type: A.DataType): A.Vector | undefined {
  if (type.typeId !== A.Type.FixedSizeList) return undefined;
  const item = (type as A.FixedSizeList).children[0]!.type;
  const isFloat = item.typeId === A.Type.Float && (item as A.Float).precision !== A.Precision.HALF;
  const Ctor = ownArrayType(item) as (new (n: number) => A.Int["TArray"] | A.Float["TArray"]) | undefined;
  if (Ctor === undefined || (!isFloat && item.typeId !== A.Type.Int)) return undefined;
  const n = (type as A.FixedSizeList).listSize;
  const flat = new Ctor(values.length * n);
  const valid = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      nulls++;
      continue;
    }
    if (!ArrayBuffer.isView(v) || (v as unknown as ArrayLike<number>).length !== n || (!isFloat && v.constructor !== Ctor)) return undefined;
    (flat as Float32Array).set(v as unknown as ArrayLike<number>, i * n);
    valid[i >> 3]! |= 1 << (i & 7);
  }
  const child = A.makeData({ type: item as A.Float, length: flat.length, data: flat as Float32Array });
  return A.makeVector(A.makeData({ type: type as A.FixedSizeList, length: values.length, nullCount: nulls, nullBitmap: nulls > 0 ? valid : null, child }));
}

/**
 * Arrow vector of `type` from JS values; a value of the wrong type fails naming `what`, the row and both types
 * (`checked`: the caller has checked every value with `mismatch` already).
 * @example valuesToVector([1, null, 3], new Int32(), "udf double")
 */
export function valuesToVector(values: readonly unknown[], type: A.DataType, what: string, options: { checked?: boolean } = {}): A.Vector {
  for (let i = 0; i < values.length && options.checked !== true; i++) {
    const why = mismatch(values[i], type);
    if (why !== undefined) {
      throw new UdfReturnTypeError(
        `${what} returned ${why} for row ${i}, but its return type is ${typeName(type)}: return values of that type, or change returnType`,
      );
    }
  }
  return typedListsFast(values, type) ?? A.vectorFromArray(values.map((v) => normalise(v, type)), type);
}

/** Same physical layout: field names and nullability of list items may differ, struct field names may not. */
function compatible(got: A.DataType, want: A.DataType): boolean {
  if (got.typeId !== want.typeId) return false;
  const gc = got.children ?? [];
  const wc = want.children ?? [];
  if (gc.length === 0 && wc.length === 0) return typesEqual(got, want);
  if (gc.length !== wc.length) return false;
  if (got.typeId === A.Type.FixedSizeList && (got as A.FixedSizeList).listSize !== (want as A.FixedSizeList).listSize) return false;
  const named = got.typeId === A.Type.Struct;
  return gc.every((f, i) => (!named || f.name === wc[i]!.name) && compatible(f.type, wc[i]!.type));
}

/**
 * What a UDF returned for `rows` rows as a vector of `type`: a vector of that type (relabelled when only child field
 * names differ), or an array whose every value fits the type.
 */
export function resultToVector(result: unknown, rows: number, type: A.DataType, what: string): A.Vector {
  if (result instanceof A.Vector) {
    if (result.length !== rows) throw new UdfReturnTypeError(`${what} returned ${result.length} values for ${rows} rows: return one value per input row`);
    if (result.type === type || typesEqual(result.type, type)) return result;
    if (!compatible(result.type, type)) {
      throw new UdfReturnTypeError(
        `${what} returned ${typeName(result.type)} values, but its return type is ${typeName(type)}: return a vector of that type, or change returnType`,
      );
    }
    return new A.Vector(result.data.map((d) => d.clone(type)));
  }
  if (ArrayBuffer.isView(result) && !(result instanceof DataView)) return typedToVector(result, rows, type, what);
  if (!Array.isArray(result)) {
    throw new UdfReturnTypeError(`${what} must return an Arrow vector or an array of ${rows} values, got ${describe(result)}`);
  }
  if (result.length !== rows) throw new UdfReturnTypeError(`${what} returned ${result.length} values for ${rows} rows: return one value per input row`);
  return valuesToVector(result, type, what);
}

/** A typed array as a vector: zero-copy when it is the type's own array type (Int32Array for int32), else checked. */
function typedToVector(result: ArrayBufferView, rows: number, type: A.DataType, what: string): A.Vector {
  const arr = result as unknown as ArrayLike<unknown> & ArrayBufferView;
  if (arr.length !== rows) throw new UdfReturnTypeError(`${what} returned ${arr.length} values for ${rows} rows: return one value per input row`);
  const numeric = type.typeId === A.Type.Int || type.typeId === A.Type.Float;
  if (numeric && (type as A.Int).ArrayType === result.constructor) {
    return A.makeVector(A.makeData({ type: type as A.Int, length: rows, data: result as A.Int["TArray"] }));
  }
  return valuesToVector(Array.from(arr), type, what);
}

/** An empty vector of `type` (a UDF is not called for an empty batch). */
export function emptyVector(type: A.DataType): A.Vector {
  return A.vectorFromArray([], type);
}

/** One vector of the pieces' values (pieces of one type). */
export function joinVectors(parts: readonly A.Vector[], type: A.DataType): A.Vector {
  if (parts.length === 1) return parts[0]!;
  return new A.Vector(parts.flatMap((p) => p.data.map((d) => (d.type === type ? d : d.clone(type)))));
}
