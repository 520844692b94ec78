// Limit and offset, streaming: skips `offset` rows, passes at most `limit`, and stops pulling its input as soon
// as the limit is reached (returning ends the upstream generators, so their `finally` blocks run).

import { InvalidArgumentError } from "../../format/errors.js";
import { sliceBatch } from "./gather.js";
import type { BatchStream } from "./types.js";

/** Rows to skip and to pass. */
export interface LimitOptions {
  /** Rows to pass at most. Default: all the rest. */
  readonly limit?: number;
  /** Rows to skip first. */
  readonly offset: number;
}

/**
 * Rows `offset` .. `offset + limit` of the input, zero-copy slices of its batches.
 * @example limitStream(scan, { limit: 10, offset: 0 })
 */
export async function* limitStream(input: BatchStream, options: LimitOptions): BatchStream {
  const { limit, offset } = options;
  if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError(`offset must be a non-negative integer, got ${offset}`);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new InvalidArgumentError(`limit must be a non-negative integer, got ${limit}`);
  let skip = offset;
  let left = limit ?? Infinity;
  if (left === 0) return;
  for await (const batch of input) {
    const n = batch.numRows;
    const start = Math.min(skip, n);
    skip -= start;
    const count = Math.min(n - start, left);
    if (count > 0) {
      yield sliceBatch(batch, start, count);
      left -= count;
    }
    if (left === 0) return;
  }
}
