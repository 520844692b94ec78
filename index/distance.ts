// Distances between vectors: the metrics, scalar reference functions (the definition the kernels are tested
// against), and the batch kernels that do the real work (WebAssembly SIMD when available, plain JS otherwise).
//
// Smaller is nearer for every metric, as in LanceDB:
//   l2      squared Euclidean distance, Σ (aᵢ − bᵢ)²
//   cosine  1 − a·b / (|a| |b|); 1 when either vector has norm 0
//   dot     1 − a·b (meaningful as a ranking for normalised vectors; any real number otherwise)
//
// Kernels work on blocks: `kernel.load(vectors, dim)` copies vectors in once, then any number of `scoreOne` /
// `scoreMany` calls run against them (see kernels/kernel.ts). `batchDistances` is the one-shot convenience.

import { InvalidArgumentError } from "../format/errors.js";
import { JsKernel } from "./kernels/js-kernel.js";
import type { DistanceKernel } from "./kernels/kernel.js";
import { WasmKernel, wasmSimdSupported } from "./kernels/wasm-kernel.js";

export type { DistanceKernel, LoadOptions, VectorBlock } from "./kernels/kernel.js";
export { wasmSimdSupported } from "./kernels/wasm-kernel.js";

/** How distance is measured; smaller is nearer. */
export type Metric = "l2" | "cosine" | "dot";

/** Every metric, for validation and for tests that cover them all. */
export const METRICS: readonly Metric[] = ["l2", "cosine", "dot"];

/** Throws `InvalidArgumentError` unless `metric` names a metric (for values that come from user input). */
export function checkMetric(metric: unknown): asserts metric is Metric {
  if (!METRICS.includes(metric as Metric)) {
    throw new InvalidArgumentError(`unknown distance metric ${JSON.stringify(metric)}: use one of ${METRICS.join(", ")}`);
  }
}

function sumProducts(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Squared Euclidean distance (reference: plain float64 loop). @example l2Distance([0, 0], [3, 4]) // 25 */
export function l2Distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

/** 1 − cosine similarity; 1 when either vector is all zeros. @example cosineDistance([1, 0], [0, 2]) // 1 */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const den = Math.sqrt(sumProducts(a, a)) * Math.sqrt(sumProducts(b, b));
  return den === 0 ? 1 : 1 - sumProducts(a, b) / den;
}

/** 1 − dot product. @example dotDistance([0.6, 0.8], [0.6, 0.8]) // 0 (within rounding) */
export function dotDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return 1 - sumProducts(a, b);
}

const SCALAR: Record<Metric, (a: ArrayLike<number>, b: ArrayLike<number>) => number> = {
  l2: l2Distance,
  cosine: cosineDistance,
  dot: dotDistance,
};

/** The reference distance under `metric`. @example distance("l2", [1, 2], [1, 4]) // 4 */
export function distance(metric: Metric, a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkMetric(metric);
  if (a.length !== b.length) {
    throw new InvalidArgumentError(`vectors of ${a.length} and ${b.length} dimensions cannot be compared`);
  }
  return SCALAR[metric](a, b);
}

/** Options of `createKernel`. */
export interface KernelOptions {
  /** "auto" (default): WebAssembly SIMD when this runtime has it, else JS. "wasm" throws if it is missing. */
  backend?: "auto" | "wasm" | "js";
}

/**
 * A new distance kernel with its own memory (freed when the kernel is dropped or disposed).
 * @example
 * const kernel = createKernel();
 * const block = kernel.load(vectors, 784); // copy once
 * const d = kernel.scoreOne(query, block, "l2"); // view, valid until the next call
 */
export function createKernel(options: KernelOptions = {}): DistanceKernel {
  const backend = options.backend ?? "auto";
  if (backend === "js" || (backend === "auto" && !wasmSimdSupported())) return new JsKernel();
  return new WasmKernel();
}

let shared: DistanceKernel | undefined;

/**
 * The process-wide kernel used when a caller passes none (flatSearch, batchDistances). Its memory grows to the
 * largest chunk scored plus scratch and stays that size (a fresh WebAssembly memory costs page faults worth several
 * times a query); `resetSharedKernel()` lets it be collected.
 */
export function sharedKernel(): DistanceKernel {
  shared ??= createKernel();
  return shared;
}

/** Drops the shared kernel and its memory; the next `sharedKernel()` makes a new one. */
export function resetSharedKernel(): void {
  shared?.dispose();
  shared = undefined;
}

/**
 * Distances from `query` to each of the `vectors.length / dim` rows of `vectors`, copied into `out` (allocated
 * when absent). One-shot: the rows are copied into the kernel and released; load a block to reuse them.
 * @example const d = batchDistances("cosine", query, vectors, 784);
 */
export function batchDistances(
  metric: Metric,
  query: Float32Array,
  vectors: Float32Array,
  dim: number,
  out?: Float32Array,
  kernel: DistanceKernel = sharedKernel(),
): Float32Array {
  checkMetric(metric);
  const block = kernel.load(vectors, dim);
  try {
    const scores = kernel.scoreOne(query, block, metric);
    return copyOut(scores, out);
  } finally {
    block.dispose();
  }
}

/**
 * Distances from each of the `queries.length / dim` queries to each row of `vectors`, as a row-major
 * queries × rows block copied into `out`. The base is read once, in cache-sized tiles, for all queries.
 * @example const d = batchDistancesMany("l2", queries, vectors, 784); // d[i * rows + j]
 */
export function batchDistancesMany(
  metric: Metric,
  queries: Float32Array,
  vectors: Float32Array,
  dim: number,
  out?: Float32Array,
  kernel: DistanceKernel = sharedKernel(),
): Float32Array {
  checkMetric(metric);
  const qb = kernel.load(queries, dim);
  try {
    const block = kernel.load(vectors, dim);
    try {
      return copyOut(kernel.scoreMany(qb, block, metric), out);
    } finally {
      block.dispose();
    }
  } finally {
    qb.dispose();
  }
}

function copyOut(scores: Float32Array, out?: Float32Array): Float32Array {
  if (out === undefined) return scores.slice();
  if (out.length < scores.length) {
    throw new InvalidArgumentError(`output holds ${out.length} distances but ${scores.length} are needed`);
  }
  out.set(scores);
  return out;
}
