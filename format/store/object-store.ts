// The ObjectStore contract every backend (local disk, memory, S3) implements, and the options shared by all.
// Paths are relative keys inside the store's root ("data/0.tsf"), always with forward slashes.

/** Options for stores reached through a URI; see docs/api.md. Unset S3 fields fall back to the AWS_* variables. */
export interface StorageOptions {
  /** S3 endpoint, e.g. "http://127.0.0.1:9000" for an S3-compatible server. */
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Address buckets as endpoint/bucket instead of bucket.endpoint (needed by most S3-compatible servers). */
  forcePathStyle?: boolean;
  /** Most requests in flight at once per store. Default 16 (S3), 8 (local). */
  maxConcurrency?: number;
  /** Attempts after the first for retryable failures. Default 4. */
  retries?: number;
  /** Per-request time limit in milliseconds. Default 30 000. */
  timeoutMs?: number;
}

/** A half-open byte range [offset, offset + length). */
export interface ByteRange {
  offset: number;
  length: number;
}

/** What `head` knows of an object. */
export interface ObjectMeta {
  path: string;
  size: number;
  etag?: string;
  lastModified?: Date;
}

/** Options for `getRanges`. */
export interface GetRangesOptions {
  /** Ranges closer than this many bytes are fetched in one request. Default: the store's `coalesceGap`. */
  coalesceGap?: number;
}

/** A streaming upload: bytes go out as they are written; nothing is visible until `close()` succeeds. */
export interface ObjectWriter {
  write(bytes: Uint8Array): Promise<void>;
  /** Finishes the object and returns its size. */
  close(): Promise<number>;
  /** Gives up: no object is created. */
  abort(): Promise<void>;
}

/** Options for `openWriter`. */
export interface WriterOptions {
  /** Create only if absent (atomic); a lost race rejects with AlreadyExistsError at `close()`. */
  ifAbsent?: boolean;
}

/** Counters a store keeps of the requests it made; tests and benchmarks read them. */
export interface StoreStats {
  /** Requests sent to the backend (after coalescing). */
  requests: number;
  /** Ranges callers asked for (before coalescing). */
  rangesRequested: number;
  /** Bytes received from the backend. */
  bytesRead: number;
  /** Bytes sent to the backend. */
  bytesWritten: number;
}

/** The storage contract. Every method names the object in the errors it throws. */
export interface ObjectStore {
  /** The URI of the store's root, used in error messages. */
  readonly uri: string;
  /** Request counters since creation or the last `resetStats()`. */
  readonly stats: StoreStats;
  resetStats(): void;

  /** Reads a whole object. NotFoundError when missing. */
  get(path: string): Promise<Uint8Array>;
  /** Reads many ranges of one object; results are returned in the order asked, exactly the asked bytes. */
  getRanges(path: string, ranges: readonly ByteRange[], options?: GetRangesOptions): Promise<Uint8Array[]>;
  /** Size and etag. NotFoundError when missing. */
  head(path: string): Promise<ObjectMeta>;
  /** Creates or replaces an object. */
  put(path: string, bytes: Uint8Array): Promise<void>;
  /** Creates an object only if none exists; true when this call created it, false when another writer did. */
  putIfAbsent(path: string, bytes: Uint8Array): Promise<boolean>;
  /** A streaming writer for large objects. */
  openWriter(path: string, options?: WriterOptions): Promise<ObjectWriter>;
  /** Every object whose path starts with `prefix`, sorted by path. */
  list(prefix: string): Promise<ObjectMeta[]>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(path: string): Promise<void>;
  /** Releases open handles and connections. */
  close(): Promise<void>;
  /**
   * Removes leftovers of writes that never finished (a killed writer's temporary files) older than `before`;
   * returns how many. Backends without such leftovers do not implement it.
   */
  sweepUnfinished?(before: Date): Promise<number>;
}

/** A fresh zeroed stats record. */
export function emptyStats(): StoreStats {
  return { requests: 0, rangesRequested: 0, bytesRead: 0, bytesWritten: 0 };
}

/** Joins key segments with single slashes, dropping empty ones. */
export function joinPath(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split("/"))
    .filter((p) => p.length > 0)
    .join("/");
}
