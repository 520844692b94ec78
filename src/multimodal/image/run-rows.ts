// Runs one image function over the rows of a batch: at most IMAGES_IN_FLIGHT rows at once (sharp works on the
// libuv pool, so rows one at a time would leave cores idle), nulls passed through, failures raised, nulled or
// dead-lettered.

import { TesseraError } from "../../../format/errors.js";
import type { EvalInfo } from "../../expr/functions/registry.js";
import { forEachBounded } from "../../udf/bounded.js";
import { countFailure } from "../../udf/context.js";
import { IMAGES_IN_FLIGHT } from "./codec.js";
import type { ImageValue } from "./columns.js";
import { describeBytes, ImageDecodeError } from "./errors.js";

/**
 * What an image function does with a row it cannot process: fail the query (default), give null, or give null and
 * report the row with sharp's reason (`collectReport().deadLetters`, `RunOptions.onDeadLetter`).
 */
export type OnError = "raise" | "null" | "dead-letter";

/**
 * `work` over every non-null row, in row order. With "raise", no new row starts after a failure and the failure of
 * the lowest row among those that ran is thrown (so the error does not depend on timing); with "null" failing
 * rows become null; "dead-letter" also reports each with its input and reason. Errors that are not Tessera errors
 * (sharp's) become ImageDecodeErrors naming `fn` and the row.
 */
export async function mapRows<T, R>(
  fn: string,
  values: readonly (T | null)[],
  onError: OnError,
  info: Pick<EvalInfo, "context" | "firstRow"> | undefined,
  work: (value: T, row: number) => Promise<R> | R,
): Promise<(R | null)[]> {
  const out = new Array<R | null>(values.length).fill(null);
  const failures: { row: number; error: TesseraError }[] = [];
  // Rows are numbered within the run (as UDFs number them), not within the batch.
  const base = info?.firstRow ?? 0;
  await forEachBounded(values.length, IMAGES_IN_FLIGHT, (row) => {
    const v = values[row];
    if (v === null || v === undefined || (onError === "raise" && failures.length > 0)) return;
    return (async () => {
      try {
        out[row] = await work(v, row);
      } catch (err) {
        if (onError === "raise") failures.push({ row, error: asImageError(fn, base + row, v, err) });
        else if (info?.context !== undefined) {
          countFailure(info.context, fn);
          if (onError === "dead-letter") info.context.deadLetter?.({ udf: fn, row: base + row, input: letterInput(v), error: reason(v, err) });
        }
      }
    })();
  });
  if (failures.length > 0) throw failures.reduce((a, b) => (b.row < a.row ? b : a)).error;
  return out;
}

function asImageError(fn: string, row: number, value: unknown, err: unknown): TesseraError {
  if (err instanceof TesseraError) return err;
  const detail = `${describeValue(value)}: ${err instanceof Error ? err.message.trim() : String(err)}`;
  return new ImageDecodeError(fn, row, detail, { cause: err });
}

/** The dead letter's input: the bytes of an encoded image (so the file can be found or kept), else a description. */
function letterInput(v: unknown): unknown {
  const image = v as ImageValue;
  return image?.kind === "encoded" ? image.bytes : describeValue(v);
}

/** Why the row failed, without the advice a raised error adds: Tessera's message, or the input and sharp's own. */
function reason(v: unknown, err: unknown): string {
  if (err instanceof TesseraError) return err.message;
  return `${describeValue(v)}: ${err instanceof Error ? err.message.trim() : String(err)}`;
}

function describeValue(v: unknown): string {
  const image = v as ImageValue;
  if (image?.kind === "encoded") return describeBytes(image.bytes);
  if (image?.kind === "decoded") return `${image.pixels.width}×${image.pixels.height}×${image.pixels.channels} pixels`;
  return "value";
}
