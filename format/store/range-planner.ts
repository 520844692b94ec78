// Plans the requests behind a multi-range read: sort, merge ranges closer than a gap, split oversize requests,
// then cut the asked slices back out of the fetched bytes in the caller's order.

import { InvalidArgumentError } from "../errors.js";
import type { ByteRange } from "./object-store.js";

/** One request to the backend and the asked ranges it serves. */
export interface PlannedRequest {
  offset: number;
  length: number;
  /** Indexes into the caller's range list. */
  members: number[];
}

/** Options for `planRanges`. */
export interface PlanOptions {
  /** Merge ranges whose gap is at most this many bytes. */
  gap: number;
  /** Do not grow a merged request past this size (a single larger range is still one request). */
  maxRequestBytes?: number;
}

/** Validates ranges and groups them into as few requests as the gap allows. */
export function planRanges(ranges: readonly ByteRange[], options: PlanOptions): PlannedRequest[] {
  const maxBytes = options.maxRequestBytes ?? 64 * 1024 * 1024;
  const order = ranges.map((r, i) => {
    if (!Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.length) || r.offset < 0 || r.length < 0) {
      throw new InvalidArgumentError(`invalid byte range offset=${r.offset} length=${r.length}`);
    }
    return i;
  });
  order.sort((a, b) => ranges[a]!.offset - ranges[b]!.offset || ranges[a]!.length - ranges[b]!.length);

  const out: PlannedRequest[] = [];
  let cur: PlannedRequest | undefined;
  for (const i of order) {
    const r = ranges[i]!;
    const end = r.offset + r.length;
    if (cur !== undefined) {
      const curEnd = cur.offset + cur.length;
      const newEnd = Math.max(curEnd, end);
      if (r.offset <= curEnd + options.gap && newEnd - cur.offset <= maxBytes) {
        cur.length = newEnd - cur.offset;
        cur.members.push(i);
        continue;
      }
    }
    cur = { offset: r.offset, length: r.length, members: [i] };
    out.push(cur);
  }
  return out;
}

/** Cuts each asked range out of its request's bytes; views, not copies. */
export function sliceResults(
  ranges: readonly ByteRange[],
  plan: readonly PlannedRequest[],
  fetched: readonly Uint8Array[],
): Uint8Array[] {
  const out = new Array<Uint8Array>(ranges.length);
  plan.forEach((req, k) => {
    const buf = fetched[k]!;
    for (const i of req.members) {
      const r = ranges[i]!;
      const start = r.offset - req.offset;
      out[i] = buf.subarray(start, start + r.length);
    }
  });
  return out;
}

/** Runs `fn` over items with at most `limit` in flight, keeping result order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}
