// Bounded read-ahead between stages: the producer runs at most `capacity` batches ahead of its consumer, so a slow
// stage (a UDF, a download) overlaps with reading without letting the reader fill memory.

/**
 * `source`, pulled up to `capacity` items ahead of the consumer. Stopping early (break/return) stops the source.
 * @example for await (const b of readAhead(scan(), 2)) await slowUdf(b);
 */
export async function* readAhead<T>(source: AsyncIterable<T>, capacity: number): AsyncGenerator<T> {
  if (capacity <= 0) {
    yield* source;
    return;
  }
  const it = source[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  let ended = false;
  const fill = (): void => {
    while (!ended && queue.length < capacity) {
      const next = it.next();
      queue.push(next);
      // Stop scheduling after the end (or an error): later next() calls on a finished generator are wasted.
      next.then(
        (r) => {
          if (r.done) ended = true;
        },
        () => {
          ended = true;
        },
      );
    }
  };
  try {
    for (;;) {
      fill();
      const r = await queue.shift()!;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await Promise.allSettled(queue);
    await it.return?.();
  }
}
