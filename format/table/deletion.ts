// Deletion vectors (docs/format/table.md §Deletions): the sorted offsets of a fragment's deleted rows, in a small
// checksummed file beside the data. Deleting rows never rewrites data files.

import { randomUUID } from "node:crypto";
import { CorruptFileError } from "../errors.js";
import { plainCrc } from "../file/checksum.js";
import type { ObjectStore } from "../store/object-store.js";

const MAGIC = "TSRD";

/** The deleted row offsets of one fragment: sorted, distinct. */
export class DeletionVector {
  private constructor(readonly offsets: Uint32Array) {}

  static empty(): DeletionVector {
    return new DeletionVector(new Uint32Array(0));
  }

  /** From any offsets (sorted and de-duplicated here). */
  static of(offsets: Iterable<number>): DeletionVector {
    const sorted = Uint32Array.from(new Set(offsets)).sort();
    return new DeletionVector(sorted);
  }

  get count(): number {
    return this.offsets.length;
  }

  has(offset: number): boolean {
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.offsets[mid]!;
      if (v === offset) return true;
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  union(other: DeletionVector): DeletionVector {
    if (other.count === 0) return this;
    if (this.count === 0) return other;
    return DeletionVector.of([...this.offsets, ...other.offsets]);
  }

  /** A byte per physical row: 1 where the row is live. */
  liveMask(physicalRows: number): Uint8Array {
    const mask = new Uint8Array(physicalRows).fill(1);
    for (const o of this.offsets) if (o < physicalRows) mask[o] = 0;
    return mask;
  }

  /**
   * Physical offsets of live rows numbered `logical` (ascending input not required). Deleted rows are skipped:
   * the k-th live row is at k + (number of deleted offsets ≤ it), found by walking the sorted offsets.
   */
  physicalOf(logical: readonly number[]): number[] {
    if (this.count === 0) return [...logical];
    return logical.map((k) => {
      // Binary search the smallest p with p - deletedUpTo(p) = k and p live.
      let lo = k;
      let hi = k + this.count;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (mid - this.deletedUpTo(mid) < k) lo = mid + 1;
        else hi = mid;
      }
      while (this.has(lo)) lo++;
      return lo;
    });
  }

  /** Deleted offsets ≤ p. */
  private deletedUpTo(p: number): number {
    let lo = 0;
    let hi = this.offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid]! <= p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  encode(): Uint8Array {
    const payload = new Uint8Array(4 + this.offsets.length * 4);
    const v = new DataView(payload.buffer);
    v.setUint32(0, this.offsets.length, true);
    this.offsets.forEach((o, i) => v.setUint32(4 + i * 4, o, true));
    const out = new Uint8Array(8 + payload.byteLength);
    out.set(new TextEncoder().encode(MAGIC), 0);
    new DataView(out.buffer).setUint32(4, plainCrc(payload), true);
    out.set(payload, 8);
    return out;
  }

  static decode(bytes: Uint8Array, uri: string): DeletionVector {
    const bad = (what: string): CorruptFileError => new CorruptFileError(`deletion file ${uri} ${what}; the table may be damaged`, { uri });
    if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw bad("is truncated or not a deletion file");
    const payload = bytes.subarray(8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (plainCrc(payload) !== view.getUint32(4, true)) throw bad("fails its checksum");
    const n = view.getUint32(8, true);
    if (payload.byteLength !== 4 + n * 4) throw bad("has the wrong length");
    const offsets = new Uint32Array(n);
    for (let i = 0; i < n; i++) offsets[i] = view.getUint32(12 + i * 4, true);
    for (let i = 1; i < n; i++) if (offsets[i]! <= offsets[i - 1]!) throw bad("is not sorted");
    return new DeletionVector(offsets);
  }
}

/** Writes a deletion vector for a fragment; returns its path. */
export async function writeDeletion(store: ObjectStore, fragmentId: number, dv: DeletionVector): Promise<string> {
  const path = `_deletions/${fragmentId}-${randomUUID()}.del`;
  await store.put(path, dv.encode());
  return path;
}

/** Reads a deletion vector. */
export async function readDeletion(store: ObjectStore, path: string, uri: string): Promise<DeletionVector> {
  return DeletionVector.decode(await store.get(path), uri);
}
