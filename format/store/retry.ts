// Retries with exponential backoff and jitter, for RetryableError only; and a per-attempt time limit.

import { RetryableError } from "../errors.js";

/** Options for `withRetry`. */
export interface RetryOptions {
  /** Attempts after the first. Default 4. */
  retries?: number;
  /** First backoff in ms; doubles each attempt, with full jitter. Default 50. */
  baseDelayMs?: number;
  /** Longest single backoff. Default 2 000. */
  maxDelayMs?: number;
}

/** Calls `fn` until it succeeds, throws a non-retryable error, or the retries run out. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 4;
  const base = options.baseDelayMs ?? 50;
  const max = options.maxDelayMs ?? 2000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof RetryableError) || attempt >= retries) throw err;
      const delay = Math.random() * Math.min(max, base * 2 ** attempt);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Rejects with RetryableError if `promise` has not settled within `ms`; `onTimeout` may abort the work. */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new RetryableError(`${what} timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
