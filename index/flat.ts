// Exact ("flat") vector search: every allowed row is scored, so the result is the true k nearest.
//
// One pass serves every query. Each chunk streams through the distance kernel in cache-sized tiles: a tile of its
// allowed rows is copied into kernel memory, scored against all queries, and each query's distances feed that
// query's top-k heap. The copy reads each vector once from RAM and the kernel then reads it from cache, so a
// streamed chunk costs what a resident one does (measured on 60 000 × 784: ~16 ms per query either way, against
// ~33 ms when a whole chunk is copied first and then scored). Only one chunk is held at a time, by the caller;
// kernel memory stays at about one tile plus the queries and their scores.
//
// `FlatCache` keeps decoded chunks (vectors and row ids) between searches under a byte budget, keyed by the caller,
// so repeated searches skip reading and decoding. It keeps them in ordinary memory, not kernel memory: streaming
// makes residency in the kernel no faster, and ordinary memory is returned when a chunk is evicted.

import { InvalidArgumentError } from "../format/errors.js";
import { checkMetric, sharedKernel, type DistanceKernel, type Metric, type VectorBlock } from "./distance.js";
import { sharedScanPool, type ScanJob } from "./kernels/scan-pool.js";
import { checkK, TopK, type SearchHit } from "./top-k.js";

export type { SearchHit } from "./top-k.js";

/** Vectors with their row ids: `vectors` holds `ids.length` rows of `dim` floats. */
export interface VectorChunk {
  vectors: Float32Array;
  ids: BigUint64Array;
  /** 0/1 per row: rows with 0 (deleted, filtered out) are never returned. Absent: every row may be. */
  allowed?: Uint8Array;
}

/** Options of `flatSearch`. */
export interface FlatSearchOptions {
  /** Hits per query (fewer come back when fewer rows are allowed). */
  k: number;
  metric: Metric;
  /** Dimensions of every query and vector. */
  dim: number;
  /** Kernel to score with. Default: `sharedKernel()` (WebAssembly SIMD when available). */
  kernel?: DistanceKernel;
  /**
   * Most bytes of distances computed per kernel call (queries × rows × 4). Default 8 MiB: large enough that call
   * overhead vanishes, small enough to stay in L3. Only lowers the tile for many queries.
   */
  scoreBytes?: number;
  /**
   * Threads one search may use (default 1). With more, a chunk whose vectors and ids live in SharedArrayBuffers
   * (as `FlatCache` stores them when given `threads`) and hold at least 1 Mi floats per thread is split across
   * worker threads and this one. On 2 idle cores this measured 1.7–1.9× faster for one query or many; when other
   * work keeps the cores busy it gains nothing, hence opt-in.
   */
  threads?: number;
}

const DEFAULT_SCORE_BYTES = 8 << 20;
/** Floats of vectors each thread must get before a chunk is split (~4 MB, ~0.4 ms for one query). */
const SPLIT_MIN_FLOATS = 1 << 20;
/** Bytes of vectors per tile: 1 MiB (half of L2 here; 0.5–2 MiB measured within 5%). */
const TILE_BYTES = 1 << 20;

/**
 * The k nearest rows to each query, nearest first (ties by smaller row id), in one pass over `chunks`.
 * @example
 * const [hits] = await flatSearch([query], chunks, { k: 10, metric: "cosine", dim: 784 });
 * hits[0]; // { id: 42n, distance: 0.031 }
 */
export async function flatSearch(
  queries: readonly Float32Array[],
  chunks: AsyncIterable<VectorChunk> | Iterable<VectorChunk>,
  options: FlatSearchOptions,
): Promise<SearchHit[][]> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError(`threads must be a positive integer, got ${threads}`);
  const scan = new Scan(queries, options, options.kernel ?? sharedKernel());
  try {
    if (queries.length === 0) return [];
    let index = 0;
    for await (const chunk of chunks) {
      checkChunk(chunk, options.dim, index++);
      const parts = Math.min(threads, Math.floor(chunk.vectors.length / SPLIT_MIN_FLOATS));
      if (parts > 1 && isShared(chunk.vectors) && isShared(chunk.ids)) await scan.addChunkSplit(chunk, parts, queries, options);
      else scan.addChunk(chunk);
    }
    return scan.results();
  } finally {
    scan.dispose();
  }
}

/** Scans rows `start..end` of one chunk: the work of a scan worker (kernels/scan-worker.ts); not for callers. */
export function scanPart(job: ScanJob): SearchHit[][] {
  const queries = Array.from({ length: job.queries.length / job.dim }, (_, i) => job.queries.subarray(i * job.dim, (i + 1) * job.dim));
  const scan = new Scan(queries, job, sharedKernel());
  try {
    const chunk = job.allowed === undefined ? { vectors: job.vectors, ids: job.ids } : { vectors: job.vectors, ids: job.ids, allowed: job.allowed };
    scan.addChunk(chunk, job.start, job.end);
    return scan.results();
  } finally {
    scan.dispose();
  }
}

function isShared(a: Float32Array | BigUint64Array): boolean {
  return typeof SharedArrayBuffer !== "undefined" && a.buffer instanceof SharedArrayBuffer;
}

/** One search in progress: the queries (loaded into the kernel once), a heap per query, and chunk streaming. */
class Scan {
  private readonly heaps: TopK[];
  private readonly metric: Metric;
  private readonly dim: number;
  private readonly scoreBytes: number;
  private readonly queries: VectorBlock | undefined;

  constructor(
    queryList: readonly Float32Array[],
    options: FlatSearchOptions,
    readonly kernel: DistanceKernel,
  ) {
    checkK(options.k);
    checkMetric(options.metric);
    checkDim(options.dim);
    queryList.forEach((q, i) => {
      if (q.length !== options.dim) {
        throw new InvalidArgumentError(
          `query ${i} has ${q.length} dimensions but the vectors have ${options.dim}: embed queries with the model that made the vectors`,
        );
      }
    });
    this.metric = options.metric;
    this.dim = options.dim;
    this.scoreBytes = Math.max(4, options.scoreBytes ?? DEFAULT_SCORE_BYTES);
    this.heaps = queryList.map(() => new TopK(options.k));
    if (queryList.length > 0) this.queries = kernel.load(concat(queryList, options.dim), options.dim);
  }

  /** Streams the allowed rows among `start..end` of a chunk through the kernel, tile by tile. */
  addChunk(chunk: VectorChunk, start = 0, end = chunk.ids.length): void {
    const rows = chunk.allowed === undefined ? undefined : allowedRows(chunk.allowed, start, end);
    const n = rows === undefined ? end - start : rows.length;
    const nq = this.heaps.length;
    const dim = this.dim;
    const tileRows = Math.max(1, Math.min(Math.floor(this.scoreBytes / (4 * nq)), Math.floor(TILE_BYTES / (4 * dim))));
    for (let t0 = 0; t0 < n; t0 += tileRows) {
      const t1 = Math.min(n, t0 + tileRows);
      const tile = rows === undefined
        ? this.kernel.load(chunk.vectors.subarray((start + t0) * dim, (start + t1) * dim), dim)
        : this.kernel.load(chunk.vectors, dim, { rows: rows.subarray(t0, t1) });
      try {
        const d = this.kernel.scoreMany(this.queries!, tile, this.metric);
        const count = t1 - t0;
        for (let i = 0; i < nq; i++) offer(this.heaps[i]!, d, i * count, count, start + t0, chunk.ids, rows, t0);
      } finally {
        tile.dispose();
      }
    }
  }

  /** Scans the first of `parts` row ranges here while worker threads scan the others, then merges their hits. */
  async addChunkSplit(chunk: VectorChunk, parts: number, queries: readonly Float32Array[], options: FlatSearchOptions): Promise<void> {
    const n = chunk.ids.length;
    const cut = (p: number): number => Math.round((n * p) / parts);
    const packed = concat(queries, this.dim);
    const jobs = Array.from({ length: parts - 1 }, (_, p): ScanJob => ({
      queries: packed,
      k: options.k,
      metric: options.metric,
      dim: this.dim,
      vectors: chunk.vectors,
      ids: chunk.ids,
      ...(chunk.allowed === undefined ? {} : { allowed: chunk.allowed }),
      start: cut(p + 1),
      end: cut(p + 2),
    }));
    const pending = sharedScanPool().run(jobs);
    let failed: { err: unknown } | undefined;
    try {
      this.addChunk(chunk, 0, cut(1));
    } catch (err) {
      failed = { err }; // still wait for the workers, so no rejection goes unhandled
    }
    const settled = await Promise.allSettled(pending);
    if (failed !== undefined) throw failed.err;
    for (const s of settled) {
      if (s.status === "rejected") throw s.reason;
      s.value.forEach((hits, i) => {
        for (const h of hits) this.heaps[i]!.push(h.distance, h.id);
      });
    }
  }

  results(): SearchHit[][] {
    return this.heaps.map((h) => h.sorted());
  }

  dispose(): void {
    this.queries?.dispose();
  }
}

/**
 * Feeds `count` distances from `d[at..]` to a heap. The j-th is chunk row `first + j`, or, with a mask, chunk row
 * `rows[r0 + j]`. One comparison per rejected row; a row id is read only for a candidate.
 */
function offer(heap: TopK, d: Float32Array, at: number, count: number, first: number, ids: BigUint64Array, rows: Uint32Array | undefined, r0: number): void {
  let bound = heap.bound;
  for (let j = 0; j < count; j++) {
    const x = d[at + j]!;
    if (!(x <= bound)) continue;
    heap.push(x, ids[rows === undefined ? first + j : rows[r0 + j]!]!);
    bound = heap.bound;
  }
}

/** Indexes of the rows among `start..end` a mask allows, or undefined when it allows them all. */
function allowedRows(allowed: Uint8Array, start: number, end: number): Uint32Array | undefined {
  let count = 0;
  for (let i = start; i < end; i++) if (allowed[i] !== 0) count++;
  if (count === end - start) return undefined;
  const rows = new Uint32Array(count);
  for (let i = start, o = 0; i < end; i++) if (allowed[i] !== 0) rows[o++] = i;
  return rows;
}

function concat(list: readonly Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(list.length * dim);
  list.forEach((q, i) => out.set(q, i * dim));
  return out;
}

function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim < 1) throw new InvalidArgumentError(`dim must be a positive integer, got ${dim}`);
}

/** Checks that a chunk's arrays agree with each other and with `dim`; returns it. */
function checkChunk<T extends { vectors: Float32Array; ids: BigUint64Array; allowed?: Uint8Array }>(chunk: T, dim: number, index: number | string): T {
  const n = chunk.ids.length;
  if (chunk.vectors.length !== n * dim) {
    const theirs = n > 0 && chunk.vectors.length % n === 0 ? `vectors of ${chunk.vectors.length / n} dimensions` : `${chunk.vectors.length} floats`;
    throw new InvalidArgumentError(
      `chunk ${index} holds ${theirs} for ${n} row ids, but the search has ${dim} dimensions: expected ${n} × ${dim} floats`,
    );
  }
  if (chunk.allowed !== undefined && chunk.allowed.length !== n) {
    throw new InvalidArgumentError(`chunk ${index} has an allowed mask of ${chunk.allowed.length} rows for ${n} row ids`);
  }
  return chunk;
}

// ------------------------------------------------------------------------------------------------ chunk cache

/** Options of `FlatCache`. */
export interface FlatCacheOptions {
  /** Most bytes of vectors and row ids kept. Default 256 MiB. Chunks larger than this are searched, never kept. */
  budgetBytes?: number;
  /**
   * Threads a search over cached chunks may use (default 1; see `FlatSearchOptions.threads`). Above 1, chunks are
   * kept in SharedArrayBuffers so worker threads can read them in place.
   */
  threads?: number;
}

/** Vectors and row ids, as a `CachedChunkSource` loads them. */
export type ChunkData = Omit<VectorChunk, "allowed">;

/** A chunk a `FlatCache` search serves from memory by `key`, or reads with `load()`. */
export interface CachedChunkSource {
  /** Names the vectors, e.g. `${fragmentId}/${dataFilePath}/${column}`; must change whenever they change. */
  key: string;
  /** Reads the vectors and row ids (only when they are not cached). */
  load(): ChunkData | Promise<ChunkData>;
  /** Rows this search may return (deletions, prefilter). Masks change between searches, so they are not cached. */
  allowed?: Uint8Array;
}

/** Options of `FlatCache.search`: those of `flatSearch`. */
export type CachedSearchOptions = FlatSearchOptions;

interface Entry extends ChunkData {
  dim: number;
  bytes: number;
}

/**
 * Keeps decoded chunks between searches, least recently used evicted first, so repeated searches over a table skip
 * reading and decoding its vectors.
 * @example
 * const cache = new FlatCache({ budgetBytes: 512 << 20 });
 * const sources = fragments.map((f) => ({ key: `${f.id}/${f.path}`, load: () => readVectors(f), allowed: live(f) }));
 * const [hits] = await cache.search([query], sources, { k: 10, metric: "l2", dim: 784 });
 * cache.evictWhere((key) => key.startsWith(`${deletedFragment}/`));
 */
export class FlatCache {
  readonly budgetBytes: number;
  readonly threads: number;
  private readonly entries = new Map<string, Entry>(); // insertion order = least recently used first
  private held = 0;

  constructor(options: FlatCacheOptions = {}) {
    this.budgetBytes = options.budgetBytes ?? 256 << 20;
    this.threads = options.threads ?? 1;
    if (!(this.budgetBytes >= 0)) throw new InvalidArgumentError(`budgetBytes must be ≥ 0, got ${this.budgetBytes}`);
  }

  /** Bytes of vectors and row ids held. */
  get heldBytes(): number {
    return this.held;
  }

  /** Number of chunks held. */
  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Keys of the chunks held, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Drops one chunk; returns whether it was held. */
  evict(key: string): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    this.entries.delete(key);
    this.held -= e.bytes;
    return true;
  }

  /** Drops every chunk whose key matches (e.g. all of a fragment's files); returns how many. */
  evictWhere(matches: (key: string) => boolean): number {
    let n = 0;
    for (const key of this.keys()) if (matches(key) && this.evict(key)) n++;
    return n;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }

  /** `flatSearch` over `sources`, serving cached chunks from memory and keeping the others that fit. */
  search(
    queries: readonly Float32Array[],
    sources: AsyncIterable<CachedChunkSource> | Iterable<CachedChunkSource>,
    options: CachedSearchOptions,
  ): Promise<SearchHit[][]> {
    return flatSearch(queries, this.chunks(sources, options.dim), { threads: this.threads, ...options });
  }

  private async *chunks(sources: AsyncIterable<CachedChunkSource> | Iterable<CachedChunkSource>, dim: number): AsyncGenerator<VectorChunk> {
    for await (const source of sources) {
      let data: ChunkData | undefined = this.lookup(source.key, dim);
      if (data === undefined) {
        data = checkChunk(await source.load(), dim, source.key);
        this.admit(source.key, data, dim);
      }
      yield source.allowed === undefined ? data : { vectors: data.vectors, ids: data.ids, allowed: source.allowed };
    }
  }

  /** The chunk held for `key`, marked most recently used; one held with another dimension is dropped. */
  private lookup(key: string, dim: number): ChunkData | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.evict(key);
    if (e.dim !== dim) return undefined;
    this.entries.set(key, e);
    this.held += e.bytes;
    return e;
  }

  /** Keeps a chunk, evicting the least recently used to fit, unless it alone exceeds the budget. */
  private admit(key: string, data: ChunkData, dim: number): void {
    const bytes = data.vectors.byteLength + data.ids.byteLength;
    if (bytes > this.budgetBytes) return;
    this.evict(key); // a concurrent search may have loaded it meanwhile
    for (const old of this.entries.keys()) {
      if (this.held + bytes <= this.budgetBytes) break;
      this.evict(old);
    }
    const keep = this.threads > 1 ? toShared : owned;
    this.entries.set(key, { vectors: keep(data.vectors), ids: keep(data.ids), dim, bytes });
    this.held += bytes;
  }
}

/** `a` itself when it spans its whole buffer, else a copy: a view of a larger buffer would keep all of it alive. */
function owned<T extends Float32Array | BigUint64Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T);
}

/** A copy of `a` in a SharedArrayBuffer (which worker threads can read in place). */
function toShared<T extends Float32Array | BigUint64Array>(a: T): T {
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  (copy as Float32Array).set(a as Float32Array);
  return copy;
}
