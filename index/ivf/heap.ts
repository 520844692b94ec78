// A bounded max-heap of (distance, a, b) in typed arrays: keeps the `capacity` smallest entries seen, with two
// integer payloads (which block, which row) so nothing is allocated per candidate. Entries are ordered by distance,
// then a, then b: a total order, so the kept set does not depend on the capacity or the order of pushes (equal
// PQ codes give equal distances, and a search for 20 candidates must return a prefix of one for 30).

export class TopHeap {
  readonly dist: Float64Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.dist = new Float64Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
  }

  /** The distance a newcomer must beat: the largest kept, or Infinity while not full. */
  get bound(): number {
    return this.size < this.capacity ? Infinity : this.dist[0]!;
  }

  /**
   * Adds an entry; the caller has checked `d < bound`. (An entry with d = bound arriving later in (a, b) order, as
   * scans push, would rank after every kept one and is rightly refused.)
   */
  push(d: number, a: number, b: number): void {
    if (this.size < this.capacity) {
      this.siftUp(this.size++, d, a, b);
    } else {
      this.siftDown(0, d, a, b);
    }
  }

  /** Entry positions in ascending distance order (ties by a, then b, so results are deterministic). */
  sorted(): number[] {
    const order = Array.from({ length: this.size }, (_, i) => i);
    const { dist, a, b } = this;
    return order.sort((x, y) => dist[x]! - dist[y]! || a[x]! - a[y]! || b[x]! - b[y]!);
  }

  /** True when entry i ranks after (d, a, b). */
  private after(i: number, d: number, a: number, b: number): boolean {
    const di = this.dist[i]!;
    if (di !== d) return di > d;
    const ai = this.a[i]!;
    return ai !== a ? ai > a : this.b[i]! > b;
  }

  private siftUp(i: number, d: number, a: number, b: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.after(parent, d, a, b)) break;
      this.move(parent, i);
      i = parent;
    }
    this.put(i, d, a, b);
  }

  private siftDown(i: number, d: number, a: number, b: number): void {
    const { size } = this;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && this.after(r, this.dist[l]!, this.a[l]!, this.b[l]!) ? r : l;
      if (!this.after(c, d, a, b)) break;
      this.move(c, i);
      i = c;
    }
    this.put(i, d, a, b);
  }

  private move(from: number, to: number): void {
    this.dist[to] = this.dist[from]!;
    this.a[to] = this.a[from]!;
    this.b[to] = this.b[from]!;
  }

  private put(i: number, d: number, a: number, b: number): void {
    this.dist[i] = d;
    this.a[i] = a;
    this.b[i] = b;
  }
}
