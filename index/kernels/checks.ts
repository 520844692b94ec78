// Argument checks shared by the kernels: cheap (no per-float work), and run before any memory is touched, so a bad
// call fails with a message instead of scoring garbage.

import { InvalidArgumentError } from "../../format/errors.js";

/** Row stride in floats: `dim` rounded up to whole 4-float lanes. */
export function paddedStride(dim: number): number {
  return Math.ceil(dim / 4) * 4;
}

/** Number of rows `load` will copy; checks `dim`, the length of `vectors` and every row index. */
export function rowCount(vectors: Float32Array, dim: number, rows?: ArrayLike<number>): number {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new InvalidArgumentError(`vector dimension must be a positive integer, got ${dim}`);
  }
  if (vectors.length % dim !== 0) {
    throw new InvalidArgumentError(
      `${vectors.length} floats are not whole vectors of ${dim} dimensions: pass rows × ${dim} floats`,
    );
  }
  const total = vectors.length / dim;
  if (rows === undefined) return total;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= total) {
      throw new InvalidArgumentError(`row index ${r} is outside the ${total} vectors given`);
    }
  }
  return rows.length;
}

/** Throws unless a query (or query block) has the dimension of the vectors it is scored against. */
export function checkBlockDim(got: number, want: number, what: string): void {
  if (got !== want) {
    throw new InvalidArgumentError(`${what} has ${got} dimensions but the vectors have ${want}: they must match`);
  }
}

/** Throws unless `start..end` is a row range of a block of `n` rows. */
export function checkRange(start: number, end: number, n: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > n) {
    throw new InvalidArgumentError(`row range ${start}..${end} is not within the block's ${n} rows`);
  }
}
