// Keeping the k nearest of a stream of (distance, row id) candidates: a bounded max-heap whose root is the worst
// hit held, so a candidate is rejected with one comparison against `bound` once k are held — the common case when
// scanning millions of rows for a few neighbours.
//
// Ordering is total and deterministic: nearer first, and at equal distance the smaller row id first, so two scans
// of the same data in a different chunk order return the same hits. NaN distances never enter (every comparison
// with NaN is false), so a vector holding NaN is never returned.

import { InvalidArgumentError } from "../format/errors.js";

/** One search result: a row id and its distance to the query (smaller is nearer). */
export interface SearchHit {
  id: bigint;
  distance: number;
}

/** Orders hits nearest first, ties by smaller id. @example hits.sort(compareHits) */
export function compareHits(a: SearchHit, b: SearchHit): number {
  if (a.distance !== b.distance) return a.distance < b.distance ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Throws unless `k` is a positive integer. */
export function checkK(k: number): void {
  if (!Number.isSafeInteger(k) || k < 1) throw new InvalidArgumentError(`k must be a positive integer, got ${k}`);
}

/**
 * The k nearest candidates seen so far.
 * @example
 * const top = new TopK(3);
 * for (let j = 0; j < d.length; j++) if (d[j] <= top.bound) top.push(d[j], ids[j]);
 * top.sorted(); // [{ id, distance }, ...] nearest first
 */
export class TopK {
  readonly k: number;
  private dist: Float64Array;
  private ids: BigUint64Array;
  private n = 0;

  constructor(k: number) {
    checkK(k);
    this.k = k;
    const slots = Math.min(k, 1024); // grows on demand: a large k over few rows allocates little
    this.dist = new Float64Array(slots);
    this.ids = new BigUint64Array(slots);
  }

  /** Hits held (at most k). */
  get size(): number {
    return this.n;
  }

  /**
   * A candidate farther than this cannot enter: +Infinity until k hits are held, then the worst held distance
   * (a candidate at exactly `bound` enters only with a smaller id than the worst hit's).
   */
  get bound(): number {
    return this.n < this.k ? Infinity : this.dist[0]!;
  }

  /** Offers a candidate; returns true when it was kept. */
  push(distance: number, id: bigint): boolean {
    if (!(distance <= this.bound)) return false;
    if (this.n < this.k) {
      if (this.n === this.dist.length) this.growSlots();
      this.siftUp(this.n++, distance, id);
      return true;
    }
    if (distance === this.dist[0] && id >= this.ids[0]!) return false;
    this.siftDown(distance, id);
    return true;
  }

  /** The hits held, nearest first (the heap is left as it is). */
  sorted(): SearchHit[] {
    const out: SearchHit[] = new Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = { id: this.ids[i]!, distance: this.dist[i]! };
    return out.sort(compareHits);
  }

  /** True when (da, ia) is farther than (db, ib) in the total order. */
  private static worse(da: number, ia: bigint, db: number, ib: bigint): boolean {
    return da > db || (da === db && ia > ib);
  }

  private siftUp(at: number, d: number, id: bigint): void {
    let i = at;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!TopK.worse(d, id, this.dist[p]!, this.ids[p]!)) break;
      this.dist[i] = this.dist[p]!;
      this.ids[i] = this.ids[p]!;
      i = p;
    }
    this.dist[i] = d;
    this.ids[i] = id;
  }

  /** Replaces the root (the worst hit) with (d, id) and restores the heap. */
  private siftDown(d: number, id: bigint): void {
    const n = this.n;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && TopK.worse(this.dist[c + 1]!, this.ids[c + 1]!, this.dist[c]!, this.ids[c]!)) c++;
      if (!TopK.worse(this.dist[c]!, this.ids[c]!, d, id)) break;
      this.dist[i] = this.dist[c]!;
      this.ids[i] = this.ids[c]!;
      i = c;
    }
    this.dist[i] = d;
    this.ids[i] = id;
  }

  private growSlots(): void {
    const slots = Math.min(this.k, this.dist.length * 2);
    const dist = new Float64Array(slots);
    const ids = new BigUint64Array(slots);
    dist.set(this.dist);
    ids.set(this.ids);
    this.dist = dist;
    this.ids = ids;
  }
}

/**
 * The k nearest of several top-k lists (per chunk, per partition, per index), nearest first. A row id present in
 * several lists is kept once, at its smallest distance.
 * @example mergeTopK([fromIndex, fromUnindexed], 10)
 */
export function mergeTopK(lists: readonly (readonly SearchHit[])[], k: number): SearchHit[] {
  checkK(k);
  const best = new Map<bigint, number>();
  for (const list of lists) {
    for (const h of list) {
      if (Number.isNaN(h.distance)) continue;
      const seen = best.get(h.id);
      if (seen === undefined || h.distance < seen) best.set(h.id, h.distance);
    }
  }
  const top = new TopK(k);
  for (const [id, distance] of best) top.push(distance, id);
  return top.sorted();
}
