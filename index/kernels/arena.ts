// A first-fit allocator over one growable WebAssembly memory. Blocks come and go (a cache evicts, a scan loads one
// chunk after another), but a WebAssembly memory can only grow, so the arena reuses holes first, slides live
// allocations down when only the sum of the holes is large enough (their `offset` fields move, which is why callers
// read `offset` after their last `alloc`), and grows the memory last, by at least a quarter to amortise growth.

import { InvalidArgumentError } from "../../format/errors.js";

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB: the wasm32 limit
const ALIGN = 16; // v128 loads

/** The part of `WebAssembly.Memory` the arena uses (the project's TypeScript libs carry no WebAssembly types). */
export interface GrowableMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A live range of the memory; `offset` may change when the arena compacts. */
export interface Allocation {
  offset: number;
  readonly bytes: number;
  live: boolean;
}

/** First-fit allocations over a growable memory. @example const a = arena.alloc(1024); arena.free(a); */
export class Arena {
  /** Live allocations sorted by offset. */
  private readonly live: Allocation[] = [];
  private used = 0;

  constructor(private readonly memory: GrowableMemory) {}

  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  get usedBytes(): number {
    return this.used;
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /** Reserves `bytes` (rounded up to 16); the contents are whatever was there before. */
  alloc(bytes: number): Allocation {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let at = this.firstFit(size);
    if (at < 0) {
      if (this.holeBytes() > 0) this.compact();
      at = this.tailEnd();
      if (at + size > this.capacity) this.grow(at + size);
    }
    const a: Allocation = { offset: at, bytes: size, live: true };
    let i = this.live.length;
    while (i > 0 && this.live[i - 1]!.offset > at) i--;
    this.live.splice(i, 0, a);
    this.used += size;
    return a;
  }

  free(a: Allocation): void {
    if (!a.live) return;
    const i = this.live.indexOf(a);
    if (i >= 0) this.live.splice(i, 1);
    a.live = false;
    this.used -= a.bytes;
  }

  /** Slides every live allocation down to close the holes. */
  compact(): void {
    const bytes = new Uint8Array(this.memory.buffer);
    let at = 0;
    for (const a of this.live) {
      if (a.offset !== at) bytes.copyWithin(at, a.offset, a.offset + a.bytes);
      a.offset = at;
      at += a.bytes;
    }
  }

  private firstFit(size: number): number {
    let end = 0;
    for (const a of this.live) {
      if (a.offset - end >= size) return end;
      end = a.offset + a.bytes;
    }
    return this.capacity - end >= size ? end : -1;
  }

  private tailEnd(): number {
    const last = this.live[this.live.length - 1];
    return last === undefined ? 0 : last.offset + last.bytes;
  }

  private holeBytes(): number {
    return this.tailEnd() - this.used;
  }

  private grow(minBytes: number): void {
    const have = this.capacity / PAGE;
    const need = Math.ceil(minBytes / PAGE);
    const want = Math.min(MAX_PAGES, Math.max(need, Math.ceil(have * 1.25)));
    try {
      if (need > MAX_PAGES) throw new RangeError("beyond the 4 GiB wasm32 limit");
      try {
        this.memory.grow(want - have);
      } catch {
        this.memory.grow(need - have); // the headroom did not fit; the minimum may
      }
    } catch (cause) {
      throw new InvalidArgumentError(
        `distance kernel memory cannot grow to ${minBytes} bytes (WebAssembly memory holds at most 4 GiB): ` +
          "load smaller chunks, or lower the cache budget",
        { cause },
      );
    }
  }
}
