// The contract every distance kernel keeps (WebAssembly SIMD in wasm-kernel.ts, plain JS in js-kernel.ts), so
// index/distance.ts and index/flat.ts never know which one runs.
//
// Why blocks: a WebAssembly kernel can only read its own memory, so vectors are copied in (`load`) and the copy can
// then serve any number of queries. Copying a whole 188 MB chunk costs as much as scoring it (memory-bound both);
// loading cache-sized tiles one after another (see index/flat.ts) makes the copy nearly free, because the kernel
// then reads the tile from cache. Scores come back as a view of kernel-owned scratch, so a scan allocates nothing.

import type { Metric } from "../distance.js";

/** Vectors loaded into a kernel: score queries against them until `dispose()`. */
export interface VectorBlock {
  /** Number of vectors (rows). */
  readonly n: number;
  /** Dimensions per vector. */
  readonly dim: number;
  /** Bytes of kernel memory held: the vectors, padded, plus their norms once a cosine search needed them. */
  readonly byteLength: number;
  /** True after `dispose()`; a disposed block cannot be scored. */
  readonly disposed: boolean;
  /** Returns the memory to the kernel. Idempotent. */
  dispose(): void;
}

/** Options of `DistanceKernel.load`. */
export interface LoadOptions {
  /**
   * Row indexes to copy, in the order given (default: every row). Used to skip rows a mask excludes while
   * copying, so excluded rows cost neither memory nor distance computations.
   */
  rows?: ArrayLike<number>;
}

/** A distance engine owning memory for vector blocks and scratch. */
export interface DistanceKernel {
  /** Which implementation runs. */
  readonly kind: "wasm-simd" | "js";
  /** Bytes of memory the kernel holds (blocks, scratch and free space); never shrinks until `dispose()`. */
  readonly memoryBytes: number;
  /** Bytes held by live blocks and scratch. */
  readonly usedBytes: number;
  /**
   * Copies `vectors` (rows of `dim` floats, `vectors.length / dim` of them, or `options.rows` of them) into the
   * kernel. The JS kernel may keep a reference instead of copying: do not mutate `vectors` while the block lives.
   */
  load(vectors: Float32Array, dim: number, options?: LoadOptions): VectorBlock;
  /**
   * Distances from `query` to rows `start` (default 0) until `end` (default `base.n`) of `base`. The result is a
   * view of kernel scratch, valid until the next call on this kernel: read or copy it before calling again.
   */
  scoreOne(query: Float32Array, base: VectorBlock, metric: Metric, start?: number, end?: number): Float32Array;
  /**
   * Distances from every query in `queries` to rows `start`..`end` of `base`, as a row-major
   * `queries.n × (end − start)` block (query i's distances start at `i * (end − start)`). The base is walked in
   * cache-sized tiles, each read once for all queries. Same lifetime rule as `scoreOne`.
   */
  scoreMany(queries: VectorBlock, base: VectorBlock, metric: Metric, start?: number, end?: number): Float32Array;
  /** Releases all memory; blocks of this kernel become unusable. */
  dispose(): void;
}
