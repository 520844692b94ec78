// One http(s) GET for url.download: the global fetch with a per-attempt time limit, the body read under a byte cap,
// and errors sorted into retryable (network, timeout, 5xx, 408, 429) and final (other statuses, too large).

import { InvalidArgumentError, RetryableError, StorageError, TesseraError } from "../../../format/errors.js";
import { HttpRetryableError, HttpStatusError } from "./errors.js";

/** Limits of one attempt. */
export interface HttpLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** The run's abort signal: aborting it stops the request and is not retried. */
  readonly signal?: AbortSignal;
}

/** The body of `url`; one attempt (the caller retries RetryableErrors). */
export async function httpGet(url: string, limits: HttpLimits): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal === undefined ? timeout : AbortSignal.any([timeout, limits.signal]);
  try {
    const res = await fetch(url, { signal, redirect: "follow" });
    if (!res.ok) {
      // Drop the body so the connection goes back to the pool instead of staying half-read.
      await res.body?.cancel().catch(() => undefined);
      throw statusError(res);
    }
    return await readBody(res, limits.maxBytes);
  } catch (err) {
    throw attemptError(err, timeout, limits);
  }
}

function statusError(res: Response): TesseraError {
  const text = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
  if (res.status >= 500 || res.status === 408 || res.status === 429) return new HttpRetryableError(res.status, text);
  const hint = res.status === 401 || res.status === 403 ? "; the server refused access: check the URL's credentials or signature" : "";
  return new HttpStatusError(res.status, text + hint);
}

/** The body as one array, failing as soon as it grows past `maxBytes` (checked before reading when announced). */
async function readBody(res: Response, maxBytes: number): Promise<Uint8Array> {
  const announced = Number(res.headers.get("content-length") ?? Number.NaN);
  if (announced > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes, announced);
  }
  if (res.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** An object over the cap; `size` when the server announced it. */
export function tooLarge(maxBytes: number, size?: number): InvalidArgumentError {
  const has = size === undefined ? `more than ${maxBytes}` : `${size}`;
  return new InvalidArgumentError(`the object has ${has} bytes, over maxBytes (${maxBytes}); raise maxBytes to accept it`);
}

/**
 * Sorts what an attempt threw: our own errors as they are, the run's abort as it is, a timeout or a failure with a
 * system code (refused, reset, DNS) retryable; anything else (a port fetch forbids, say) would fail again.
 */
function attemptError(err: unknown, timeout: AbortSignal, limits: HttpLimits): unknown {
  if (err instanceof TesseraError) return err;
  if (limits.signal?.aborted === true) return limits.signal.reason ?? err;
  if (timeout.aborted) return new RetryableError(`timed out after ${limits.timeoutMs} ms (timeoutMs)`, { cause: err });
  // fetch reports refused connections, resets and DNS failures as a TypeError with the reason in `cause`.
  const reason = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof reason?.code === "string") return new RetryableError(`network error (${reason.code})`, { cause: err });
  const detail = typeof reason?.message === "string" ? reason.message : err instanceof Error ? err.message : String(err);
  return new StorageError(`request failed (${detail})`, { cause: err });
}
