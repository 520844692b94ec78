// Shared behaviour of all backends: counters, range planning and retries; a backend supplies the raw I/O.

import { StorageError } from "../errors.js";
import type {
  ByteRange,
  GetRangesOptions,
  ObjectMeta,
  ObjectStore,
  ObjectWriter,
  StoreStats,
  WriterOptions,
} from "./object-store.js";
import { emptyStats } from "./object-store.js";
import { mapConcurrent, planRanges, sliceResults } from "./range-planner.js";
import { withRetry } from "./retry.js";

/** Tuning every backend shares. */
export interface BaseStoreOptions {
  coalesceGap: number;
  maxConcurrency: number;
  retries: number;
}

/** A backend implements the raw operations; this class adds counting, coalescing and retries. */
export abstract class BaseStore implements ObjectStore {
  abstract readonly uri: string;
  readonly stats: StoreStats = emptyStats();

  constructor(protected readonly tuning: BaseStoreOptions) {}

  resetStats(): void {
    Object.assign(this.stats, emptyStats());
  }

  protected abstract rawGet(path: string): Promise<Uint8Array>;
  protected abstract rawGetRange(path: string, range: ByteRange): Promise<Uint8Array>;
  protected abstract rawHead(path: string): Promise<ObjectMeta>;
  protected abstract rawPut(path: string, bytes: Uint8Array, ifAbsent: boolean): Promise<boolean>;
  abstract openWriter(path: string, options?: WriterOptions): Promise<ObjectWriter>;
  protected abstract rawList(prefix: string): Promise<ObjectMeta[]>;
  protected abstract rawDelete(path: string): Promise<void>;
  abstract close(): Promise<void>;

  /** Full URI of one object, for messages. */
  describe(path: string): string {
    return this.uri.endsWith("/") ? this.uri + path : `${this.uri}/${path}`;
  }

  protected retry<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { retries: this.tuning.retries });
  }

  async get(path: string): Promise<Uint8Array> {
    const bytes = await this.retry(() => this.rawGet(path));
    this.stats.requests++;
    this.stats.rangesRequested++;
    this.stats.bytesRead += bytes.byteLength;
    return bytes;
  }

  async getRanges(path: string, ranges: readonly ByteRange[], options: GetRangesOptions = {}): Promise<Uint8Array[]> {
    if (ranges.length === 0) return [];
    const plan = planRanges(ranges, { gap: options.coalesceGap ?? this.tuning.coalesceGap });
    this.stats.rangesRequested += ranges.length;
    const fetched = await this.fetchPlanned(path, plan);
    return sliceResults(ranges, plan, fetched);
  }

  /** Fetches planned requests; backends with a cheaper way for small reads override it. */
  protected async fetchPlanned(path: string, plan: readonly ByteRange[]): Promise<Uint8Array[]> {
    return mapConcurrent(plan, this.tuning.maxConcurrency, async (req) => {
      const bytes = await this.retry(() => this.rawGetRange(path, req));
      this.checkLength(path, req, bytes);
      this.stats.requests++;
      this.stats.bytesRead += bytes.byteLength;
      return bytes;
    });
  }

  /** A short read means the object is shorter than the caller believes. */
  protected checkLength(path: string, req: ByteRange, bytes: Uint8Array): void {
    if (bytes.byteLength !== req.length) {
        // The object is shorter than the caller believes: a truncated object or offsets from a stale footer.
        throw new StorageError(
          `short read of ${this.describe(path)}: asked ${req.length} bytes at offset ${req.offset}, ` +
            `got ${bytes.byteLength}; the object is shorter than expected`,
          { uri: this.describe(path) },
        );
    }
  }

  async head(path: string): Promise<ObjectMeta> {
    const meta = await this.retry(() => this.rawHead(path));
    this.stats.requests++;
    return meta;
  }

  async put(path: string, bytes: Uint8Array): Promise<void> {
    await this.retry(() => this.rawPut(path, bytes, false));
    this.stats.requests++;
    this.stats.bytesWritten += bytes.byteLength;
  }

  async putIfAbsent(path: string, bytes: Uint8Array): Promise<boolean> {
    const won = await this.retry(() => this.rawPut(path, bytes, true));
    this.stats.requests++;
    if (won) this.stats.bytesWritten += bytes.byteLength;
    return won;
  }

  async list(prefix: string): Promise<ObjectMeta[]> {
    const items = await this.retry(() => this.rawList(prefix));
    this.stats.requests++;
    return items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<void> {
    await this.retry(() => this.rawDelete(path));
    this.stats.requests++;
  }
}
