// A least-recently-used cache bounded by bytes: probed partitions and their distance tables stay in memory across
// queries up to a budget, so repeated searches over a hot index do no I/O.

/** LRU by insertion order of a Map: a hit is moved to the end; the front is evicted first. */
export class ByteBudgetCache<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private used = 0;

  constructor(readonly budget: number) {}

  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  /** Stores a value unless it alone exceeds the budget; evicts the least recently used to make room. */
  set(key: K, value: V, bytes: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.used -= old.bytes;
      this.entries.delete(key);
    }
    if (bytes > this.budget) return;
    for (const [k, e] of this.entries) {
      if (this.used + bytes <= this.budget) break;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
    this.entries.set(key, { value, bytes });
    this.used += bytes;
  }

  /** Bytes held. */
  get size(): number {
    return this.used;
  }
}
