// The errors of url.download and url.upload: one per failed row, naming the function, the row and the URL, and
// keeping the code of what went wrong underneath (NOT_FOUND for a 404, INVALID_ARGUMENT for a refused local path).

import { InvalidArgumentError, RetryableError, StorageError, TesseraError, type ErrorContext } from "../../../format/errors.js";

/** Which url function failed. */
export type UrlFunctionName = "url.download" | "url.upload";

/** Where a url function failed: the row (among the rows the expression saw in its run), the URL, the HTTP status. */
export interface UrlFailure {
  readonly fn: UrlFunctionName;
  readonly row: number;
  readonly url: string;
  readonly status?: number;
}

/**
 * A url function failed on one row (with onError "raise"). `code` is that of the underlying failure.
 * @example try { await df.collect() } catch (e) { if (e instanceof UrlError) console.log(e.row, e.url, e.status) }
 */
export class UrlError extends TesseraError {
  readonly fn: UrlFunctionName;
  readonly row: number;
  readonly url: string;
  /** The HTTP status of the last attempt, when an HTTP server answered. */
  readonly status: number | undefined;

  constructor(failure: UrlFailure, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    // A missing object is NOT_FOUND whichever backend said so (HTTP 404/410, ENOENT, S3 NoSuchKey).
    const gone = failure.status === 404 || failure.status === 410;
    const code = gone ? "NOT_FOUND" : cause instanceof TesseraError ? cause.code : "STORAGE";
    super(code, `${failure.fn} failed on row ${failure.row} (${failure.url}): ${detail}`, { uri: failure.url, cause });
    this.fn = failure.fn;
    this.row = failure.row;
    this.url = failure.url;
    this.status = failure.status;
  }
}

/** A local path a dataset named that the options do not allow reading (off by default, or outside `root`). */
export class LocalFileAccessError extends InvalidArgumentError {}

/** The options cannot work for any row (a root that does not exist): fails the query whatever onError says. */
export class UrlSetupError extends InvalidArgumentError {}

/** An HTTP answer that will not get better by asking again (4xx other than 408 and 429). */
export class HttpStatusError extends StorageError {
  constructor(
    readonly status: number,
    message: string,
    context: ErrorContext = {},
  ) {
    super(message, context);
  }
}

/** A 5xx, 408 or 429 answer: retried with backoff until the retries run out. */
export class HttpRetryableError extends RetryableError {
  constructor(
    readonly status: number,
    message: string,
    context: ErrorContext = {},
  ) {
    super(message, context);
  }
}

/** The HTTP status carried by an attempt's error, if a server answered. */
export function statusOf(err: unknown): number | undefined {
  return err instanceof HttpStatusError || err instanceof HttpRetryableError ? err.status : undefined;
}
