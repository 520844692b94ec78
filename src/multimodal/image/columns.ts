// Arrow columns in and out of image functions: encoded bytes and decoded structs read as per-row values without
// copying pixels, and results (bytes, decoded structs, integers, tensors) assembled into single Arrow Data.

import * as A from "apache-arrow";
import { readValidity } from "../../../format/expr/columnar.js";
import { ScalarArg, type ArgValue } from "../../expr/functions/registry.js";
import { materialize, validityProps } from "../../expr/functions/vectors.js";
import { modeOf, type ImageMode, type Pixels } from "./types.js";

/** One row of an image argument. */
export type ImageValue = { readonly kind: "encoded"; readonly bytes: Uint8Array } | { readonly kind: "decoded"; readonly pixels: Pixels };

/** A decoded image as a function result: pixels and the mode they are in. */
export interface Decoded extends Pixels {
  readonly mode: ImageMode;
}

/** The rows of an image argument (null where the value is null). */
export function readImageValues(arg: ArgValue, rows: number): (ImageValue | null)[] {
  const d = materialize(arg, rows);
  if (d.typeId === A.Type.Struct) return readDecoded(d);
  return readBytes(d).map((bytes) => (bytes === null ? null : { kind: "encoded", bytes }));
}

/** The byte strings of a Binary (or LargeBinary) column, as views into its buffer. */
export function readBytes(d: A.Data): (Uint8Array | null)[] {
  const valid = readValidity(d);
  const values = d.values as Uint8Array;
  const offsets = d.valueOffsets as Int32Array | BigInt64Array;
  const out: (Uint8Array | null)[] = new Array(d.length);
  for (let i = 0; i < d.length; i++) {
    out[i] = valid !== undefined && valid[i] === 0 ? null : values.subarray(Number(offsets[i]!), Number(offsets[i + 1]!));
  }
  return out;
}

function readDecoded(d: A.Data): (ImageValue | null)[] {
  const type = d.type as A.Struct;
  const child = (name: string): A.Data => d.children[type.children.findIndex((f) => f.name === name)]!;
  const valid = readValidity(d);
  const data = readBytes(child("data"));
  const width = numbers(child("width"));
  const height = numbers(child("height"));
  const channels = numbers(child("channels"));
  return data.map((bytes, i) => {
    if ((valid !== undefined && valid[i] === 0) || bytes === null) return null;
    const c = channels[i]!;
    const pixels = { data: bytes, width: width[i]!, height: height[i]!, channels: (c >= 1 && c <= 4 ? c : 3) as Pixels["channels"] };
    return { kind: "decoded", pixels };
  });
}

/** The values of an integer child as numbers (null rows read as 0: the struct's data is null there anyway). */
function numbers(d: A.Data): ArrayLike<number> {
  const v = d.values as ArrayLike<number>;
  return v.length === d.length ? v : (d.values as Uint32Array).subarray(0, d.length);
}

/** A 64-bit integer argument (hash) row by row, as unsigned bits; a literal is read once. */
export function readUint64(arg: ArgValue, rows: number): (i: number) => bigint | null {
  if (arg instanceof ScalarArg) {
    const v = arg.value;
    const value = typeof v === "bigint" || typeof v === "number" ? BigInt.asUintN(64, BigInt(v)) : null;
    return () => value;
  }
  const d = materialize(arg, rows);
  const valid = readValidity(d);
  const values = d.values as BigInt64Array | BigUint64Array;
  return (i) => (valid !== undefined && valid[i] === 0 ? null : BigInt.asUintN(64, values[i]!));
}

// ---- results ----

/** A Binary vector (with the exact `type` object the function declared) from per-row bytes. */
export function bytesVector(type: A.DataType, values: readonly (Uint8Array | null)[]): A.Vector {
  return A.makeVector(bytesData(type, values));
}

/** Binary (or Utf8) Data of per-row bytes, copied into one buffer. */
export function bytesData(type: A.DataType, values: readonly (Uint8Array | null)[]): A.Data {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const valid = new Uint8Array(n);
  let total = 0;
  values.forEach((v, i) => {
    total += v?.length ?? 0;
    offsets[i + 1] = total;
    valid[i] = v === null ? 0 : 1;
  });
  const data = new Uint8Array(total);
  values.forEach((v, i) => v !== null && data.set(v, offsets[i]!));
  return A.makeData({ type: type as A.Binary, length: n, valueOffsets: offsets, data, ...validityProps(valid, n) });
}

/** A decoded-image struct vector (fields as in decodedStruct()). */
export function decodedVector(type: A.DataType, values: readonly (Decoded | null)[]): A.Vector {
  const struct = type as A.Struct;
  const n = values.length;
  const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
  const make: Record<string, () => A.Data> = {
    data: () => bytesData(new A.Binary(), values.map((v) => v?.data ?? null)),
    width: () => fixedData(new A.Uint32(), Uint32Array.from(values, (v) => v?.width ?? 0), valid),
    height: () => fixedData(new A.Uint32(), Uint32Array.from(values, (v) => v?.height ?? 0), valid),
    channels: () => fixedData(new A.Uint8(), Uint8Array.from(values, (v) => v?.channels ?? 0), valid),
    mode: () => utf8Data(values.map((v) => v?.mode ?? null)),
  };
  const children = struct.children.map((f) => make[f.name]!());
  return A.makeVector(A.makeData({ type: struct, length: n, children, ...validityProps(valid, n) }));
}

type FixedType = A.Uint8 | A.Uint32 | A.Int32 | A.Uint64;

function fixedData<T extends FixedType>(type: T, data: T["TArray"], valid: Uint8Array | undefined): A.Data<T> {
  // makeData's overloads are per concrete type; the props are the same for every fixed-width integer.
  return A.makeData({ type: type as A.Int, length: data.length, data, ...validityProps(valid, data.length) }) as unknown as A.Data<T>;
}

function utf8Data(values: readonly (string | null)[]): A.Data {
  return bytesData(new A.Utf8(), values.map((s) => (s === null ? null : Buffer.from(s, "utf8"))));
}

/** An unsigned 32-bit vector from per-row numbers. */
export function uint32Vector(values: readonly (number | null)[]): A.Vector {
  const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
  return A.makeVector(fixedData(new A.Uint32(), Uint32Array.from(values, (v) => v ?? 0), valid));
}

/** A signed 32-bit vector from per-row numbers. */
export function int32Vector(values: readonly (number | null)[]): A.Vector {
  const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
  return A.makeVector(fixedData(new A.Int32(), Int32Array.from(values, (v) => v ?? 0), valid));
}

/** An unsigned 64-bit vector from per-row bigints. */
export function uint64Vector(values: readonly (bigint | null)[]): A.Vector {
  const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
  return A.makeVector(fixedData(new A.Uint64(), BigUint64Array.from(values, (v) => v ?? 0n), valid));
}

/**
 * A tensor vector: `type` is the FixedSizeList the function declared (DataType.tensor), `values` the row-major
 * items of each row (`listSize` of them), null for null rows (their slots stay zero).
 */
export function tensorVector(type: A.DataType, values: readonly (Uint8Array | Float32Array | null)[]): A.Vector {
  const list = type as A.FixedSizeList;
  const size = list.listSize;
  const n = values.length;
  const item = list.children[0]!.type;
  const items = item.typeId === A.Type.Float ? new Float32Array(n * size) : new Uint8Array(n * size);
  values.forEach((v, i) => v !== null && items.set(v, i * size));
  const child = items instanceof Float32Array ? A.makeData({ type: new A.Float32(), length: n * size, data: items }) : A.makeData({ type: new A.Uint8(), length: n * size, data: items });
  const valid = Uint8Array.from(values, (v) => (v === null ? 0 : 1));
  return A.makeVector(A.makeData({ type: list, length: n, child, ...validityProps(valid, n) }));
}

/** The mode of decoded pixels (from their channel count). */
export function decodedOf(p: Pixels): Decoded {
  return { ...p, mode: modeOf(p.channels) };
}
