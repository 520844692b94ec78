// Random row samples, seeded so a plan gives the same rows on every run: a fraction (Bernoulli per row,
// streaming) or a fixed size (reservoir sampling, holding only the sampled rows), output in input order.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { OUTPUT_BATCH_ROWS, chunkBatch, concatBatches, takeRows } from "./gather.js";
import type { BatchStream } from "./types.js";
import { seededRandom } from "../../index/ivf/random.js";

/** One of `fraction` or `size`, and the seed of the random generator. */
export interface SampleOptions {
  /** Each row is kept with this probability, in [0, 1]. */
  readonly fraction?: number;
  /** Exactly min(size, rows) rows, uniformly chosen. */
  readonly size?: number;
  readonly seed: number;
}

/**
 * A seeded random sample of the input's rows, in input order. The same seed over the same rows gives the same
 * sample whatever the batch sizes.
 * @example sample(scan, { fraction: 0.1, seed: 42 })
 */
export function sample(input: BatchStream, options: SampleOptions): BatchStream {
  const { fraction, size, seed } = options;
  if ((fraction === undefined) === (size === undefined)) throw new InvalidArgumentError("sample takes either a fraction or a size, exactly one of them");
  if (!Number.isFinite(seed)) throw new InvalidArgumentError(`sample seed must be a number, got ${seed}`);
  if (fraction !== undefined) {
    if (!(fraction >= 0 && fraction <= 1)) throw new InvalidArgumentError(`sample fraction must be in [0, 1], got ${fraction}`);
    return bernoulli(input, fraction, seededRandom(seed));
  }
  if (!Number.isInteger(size) || size! < 0) throw new InvalidArgumentError(`sample size must be a non-negative integer, got ${size}`);
  return reservoir(input, size!, seededRandom(seed));
}

async function* bernoulli(input: BatchStream, fraction: number, random: () => number): BatchStream {
  for await (const batch of input) {
    const n = batch.numRows;
    const keep = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < fraction) keep[k++] = i;
    if (k === n && n > 0) yield batch;
    else if (k > 0) yield takeRows(batch, keep.subarray(0, k));
  }
}

/**
 * Algorithm R: row t (from 0) replaces a random slot with probability size/(t+1). Slots point into the batches
 * still held; when those exceed twice the sample, the sampled rows are gathered into one batch.
 */
async function* reservoir(input: BatchStream, size: number, random: () => number): BatchStream {
  if (size === 0) return;
  const slotRow = new Float64Array(size); // input row number, for output order
  const slotAt = new Int32Array(size); // row in the concatenation of `held`
  let held: A.RecordBatch[] = [];
  let heldRows = 0;
  let seen = 0;
  let schema: A.Schema | undefined;
  for await (const batch of input) {
    const n = batch.numRows;
    if (n === 0) continue;
    schema ??= batch.schema;
    let used = false;
    for (let i = 0; i < n; i++, seen++) {
      const j = seen < size ? seen : Math.floor(random() * (seen + 1));
      if (j >= size) continue;
      slotRow[j] = seen;
      slotAt[j] = heldRows + i;
      used = true;
    }
    if (used) {
      held.push(batch);
      heldRows += n;
    }
    if (heldRows > 2 * size + OUTPUT_BATCH_ROWS) {
      held = [gather(schema, held, slotRow, slotAt, Math.min(seen, size))];
      heldRows = held[0]!.numRows;
    }
  }
  if (schema === undefined) return;
  yield* chunkBatch(gather(schema, held, slotRow, slotAt, Math.min(seen, size)));
}

/** The `filled` sampled rows as one batch in input order; slots are repointed at it. */
function gather(schema: A.Schema, held: A.RecordBatch[], slotRow: Float64Array, slotAt: Int32Array, filled: number): A.RecordBatch {
  const slots = Array.from({ length: filled }, (_, j) => j).sort((a, b) => slotRow[a]! - slotRow[b]!);
  const indices = Int32Array.from(slots, (j) => slotAt[j]!);
  slots.forEach((j, k) => (slotAt[j] = k));
  return takeRows(concatBatches(schema, held), indices);
}
