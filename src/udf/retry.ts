// Retrying a failing async call with exponential backoff and jitter (network-bound UDFs: downloads, model servers).
// Only async calls are retried: a synchronous throw is deterministic and would only fail again after a sleep.

import { isContractError } from "./errors.js";

/** Delay before the first retry, doubled for each later one (with jitter of up to half), and its cap. */
const BASE_MS = 50;
const MAX_MS = 5000;

/**
 * The result of `first` (an attempt already started), or of up to `retries` further calls of `again`. Contract
 * errors (wrong return type, failed set-up) are not retried: they would fail the same way.
 * @example await withRetries(() => fetchIt(), 3, fetchIt())
 */
export async function withRetries<T>(again: () => Promise<T>, retries: number, first: Promise<T>): Promise<T> {
  let attempt = 0;
  let current = first;
  for (;;) {
    try {
      return await current;
    } catch (err) {
      if (attempt >= retries || isContractError(err)) throw err;
      const delay = Math.min(MAX_MS, BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
      await new Promise((r) => setTimeout(r, delay));
      attempt++;
      current = again();
    }
  }
}

/** Whether `v` is a promise-like (what an async function returns). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}
