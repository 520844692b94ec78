// Bounded concurrency for UDF calls: a sliding window over calls of one batch, and a counting semaphore shared by
// every user of one worker pool. A failure stops new calls but waits for those in flight, so none is left to reject
// unobserved after the query has already failed.

/**
 * Calls `start(i)` for i in [0, count), with at most `limit` of the returned promises pending at once. `start` may
 * return nothing for work it finished synchronously (no promise is made then). Rejects with the first failure.
 * @example await forEachBounded(urls.length, 8, (i) => fetch(urls[i]).then(...))
 */
export async function forEachBounded(count: number, limit: number, start: (i: number) => Promise<unknown> | void): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for (let i = 0; i < count && failure === undefined; i++) {
    let p: Promise<unknown> | void;
    try {
      p = start(i);
    } catch (error) {
      failure = { error };
      break;
    }
    if (p === undefined) continue;
    const tracked: Promise<void> = p.then(
      () => void inFlight.delete(tracked),
      (error: unknown) => {
        inFlight.delete(tracked);
        failure ??= { error };
      },
    );
    inFlight.add(tracked);
    if (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure.error;
}

/** The results of `fn` over `items` in order, at most `limit` running at once. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachBounded(items.length, limit, (i) => fn(items[i]!, i).then((r) => void (out[i] = r)));
  return out;
}

/** A counting semaphore: at most `limit` holders at once, served in arrival order. */
export class Slots {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Holders right now (for tests and progress). */
  get inUse(): number {
    return this.held;
  }

  /** Resolves when a slot is free; pair with `release()` in a finally. */
  acquire(): Promise<void> {
    if (this.held < this.limit) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `held` stays the same.
    if (next !== undefined) next();
    else this.held--;
  }

  /** `fn` run while holding a slot. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
