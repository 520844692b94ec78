// What hash-aggregate's accumulators share: the per-batch group ids they are handed, growable typed-array state
// indexed by group id, and turning that state back into Arrow data of an aggregate's output type.

import * as A from "apache-arrow";
import { NotSupportedError } from "../../format/errors.js";
import { type Col, packBits } from "../../format/expr/columnar.js";
import { typeName } from "../../format/expr/types.js";
import { grown } from "../typed-arrays.js";

export { grown };

/** The groups of one input batch, as every accumulator sees them. */
export interface BatchGroups {
  /** Group of each row; valid only during `add` (the array is reused for the next batch: copy it to keep it). */
  readonly gids: Int32Array;
  /** No grouping keys: every row is in group 0, so reductions can skip `gids`. */
  readonly global: boolean;
  readonly n: number;
  /** Groups known after this batch. */
  readonly groups: number;
  /** First row of each group that is new in this batch, in group order. */
  readonly newRows: Int32Array;
}

/** Takes batches: an accumulator, or state several aggregates over the same input share. */
export interface BatchSink {
  /** Adds a batch's values (undefined for countAll). */
  add(values: A.Data | undefined, g: BatchGroups): void;
}

/** Gives one aggregate's output column. */
export interface AggOutput {
  /** One value per group, of the aggregate's output type. */
  finish(groups: number): A.Data;
}

/** An aggregate with state of its own: it takes its batches and gives its column. */
export interface Accumulator extends BatchSink, AggOutput {}

/** Validity (makeData props) from one byte per group. */
export function validityOf(has: Uint8Array, n: number): { nullBitmap?: Uint8Array; nullCount: number } {
  let nulls = 0;
  for (let i = 0; i < n; i++) nulls += has[i] === 0 ? 1 : 0;
  return nulls === 0 ? { nullCount: 0 } : { nullBitmap: packBits(has.subarray(0, n), n), nullCount: nulls };
}

export function float64Data(values: Float64Array, has: Uint8Array | undefined, n: number): A.Data {
  const validity = has === undefined ? { nullCount: 0 } : validityOf(has, n);
  return A.makeData({ type: new A.Float64(), length: n, data: values.slice(0, n), ...validity });
}

/** Numbers held as doubles, back in `type` (ints, floats incl. float16, day dates, bools). */
export function numericData(type: A.DataType, values: Float64Array, has: Uint8Array, n: number): A.Data {
  const validity = validityOf(has, n);
  if (type.typeId === A.Type.Bool) {
    const bytes = Uint8Array.from(values.subarray(0, n), (v) => (v !== 0 ? 1 : 0));
    return A.makeData({ type: type as A.Bool, length: n, data: packBits(bytes, n), ...validity });
  }
  if (type.typeId === A.Type.Float && (type as A.Float).precision === A.Precision.HALF) {
    const half = Uint16Array.from(values.subarray(0, n), A.util.float64ToUint16);
    return A.makeData({ type: type as A.Float16, length: n, data: half, ...validity });
  }
  const T = (type as A.DataType & { ArrayType: new (n: number) => Float64Array }).ArrayType;
  const data = new T(n);
  data.set(values.subarray(0, n));
  return A.makeData({ type: type as A.Float64, length: n, data, ...validity });
}

/** Counts held as doubles, as int64 data. */
export function countData(counts: Float64Array, groups: number): A.Data {
  const out = new BigInt64Array(groups);
  for (let i = 0; i < groups; i++) out[i] = BigInt(counts[i]!);
  return A.makeData({ type: new A.Int64(), length: groups, data: out });
}

/** The values of a column as doubles row by row (bigints converted), for the float-valued aggregates. */
export function doublesOf(c: Col): ArrayLike<number> {
  const v = c.values;
  if (v.kind === "num" || v.kind === "bool") return v.data;
  if (v.kind === "big") return Float64Array.from(v.data, Number);
  if (v.kind === "null") return new Float64Array(c.length);
  throw new NotSupportedError(`aggregating ${typeName(c.type)} values as numbers is not supported; cast the column to a number type first`);
}

export function plainType(t: A.DataType): A.DataType {
  return t.typeId === A.Type.Dictionary ? (t as A.Dictionary).dictionary : t;
}
