// Errors of image functions: each names the function, the row (within the batch the function was handed) and
// what to do, and keeps sharp's own message as the cause.

import { CorruptFileError, InvalidArgumentError, type ErrorContext } from "../../../format/errors.js";

/** Bytes that are not a readable image (unknown format, truncated, corrupt). */
export class ImageDecodeError extends CorruptFileError {
  constructor(
    readonly fn: string,
    readonly row: number,
    detail: string,
    context: ErrorContext = {},
  ) {
    super(`${fn}: row ${row} of the batch is not a readable image (${detail}); pass { onError: "null" } to get null for such rows, or "dead-letter" to also list them`, context);
  }
}

/** A row an image function cannot handle as asked (a crop outside the image, a tensor of the wrong size). */
export class ImageRowError extends InvalidArgumentError {
  constructor(
    readonly fn: string,
    readonly row: number,
    message: string,
    context: ErrorContext = {},
  ) {
    super(`${fn}: row ${row} of the batch ${message}`, context);
  }
}

/** A short description of bytes that failed to decode: their size and first bytes. */
export function describeBytes(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 8)).toString("hex").replace(/(..)(?!$)/g, "$1 ");
  return `${bytes.length} bytes starting ${head || "(empty)"}`;
}
