// Arrow in and out for the url functions: the rows of an argument as JS values (per-row cost is nothing next to a
// network request) and results built straight into one Binary or Utf8 Data.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { ScalarArg, type ArgValue } from "../../expr/functions/registry.js";
import { validityProps } from "../../expr/functions/vectors.js";

/** The value of every row of `arg` (a constant repeated), null where the row is null. */
export function rowValues<T>(arg: ArgValue, rows: number): (T | null)[] {
  if (arg instanceof ScalarArg) return new Array<T | null>(rows).fill((arg.value ?? null) as T | null);
  const out = new Array<T | null>(rows);
  for (let i = 0; i < rows; i++) out[i] = (arg.get(i) ?? null) as T | null;
  return out;
}

/** Binary offsets are 32-bit: one batch holds at most this many bytes. */
const MAX_BATCH_BYTES = 2 ** 31 - 1;

/** A Binary vector of `values` (null rows null). */
export function binaryVector(values: readonly (Uint8Array | null)[]): A.Vector<A.Binary> {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const valid = new Uint8Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v != null) {
      valid[i] = 1;
      size += v.byteLength;
      if (size > MAX_BATCH_BYTES) {
        throw new InvalidArgumentError(
          `url.download: one batch downloaded more than 2 GiB; run with a smaller batchSize (RunOptions.batchSize)`,
        );
      }
    }
    offsets[i + 1] = size;
  }
  const data = new Uint8Array(size);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v != null) data.set(v, offsets[i]!);
  }
  return A.makeVector(A.makeData({ type: new A.Binary(), length: n, valueOffsets: offsets, data, ...validityProps(valid, n) }));
}

/** A Utf8 vector of `values`. */
export function utf8Vector(values: readonly (string | null)[]): A.Vector<A.Utf8> {
  return A.vectorFromArray(values as (string | null)[], new A.Utf8());
}
