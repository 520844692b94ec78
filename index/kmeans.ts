// Seeded k-means (Lloyd's algorithm) over a row-major Float32Array: the coarse quantiser of IVF and the codebooks
// of PQ. Deterministic for a seed: the sample, the initial centroids and the repair of empty clusters all come from
// one seeded generator, and every sum runs in a fixed order.
//
// Training runs on a random sample (default 256 rows per centroid, the point past which more rows barely move the
// centroids) and stops early once almost no row changes cluster between iterations.

import { squaredL2 } from "./ivf/kernels.js";
import { ElkanLloyd, PlainLloyd } from "./ivf/lloyd.js";
import { sampleIndices, seededRandom } from "./ivf/random.js";

/** How rows are assigned to centroids: nearest by squared Euclidean distance, or largest inner product. */
export type KMeansMetric = "l2" | "dot";

/** Options of `kmeans`; every field has a default. */
export interface KMeansOptions {
  /** Seed of the generator that picks the sample and the initial centroids. Default 42. */
  seed?: number;
  /** Most Lloyd iterations. Default 25. */
  iterations?: number;
  /** Rows trained on, drawn without replacement. Default min(rows, 256·k). */
  sampleSize?: number;
  /** "random": k distinct sample rows (cheap, the default); "kmeans++": D²-weighted picks (better, costs one pass per centroid). */
  init?: "random" | "kmeans++";
  /** Assignment rule. Default "l2". "dot" runs spherical k-means: centroids are kept at unit length. */
  metric?: KMeansMetric;
  /** Stop once fewer than this fraction of the sample changes cluster in an iteration. Default 0.002. */
  tolerance?: number;
}

/** What `kmeans` found. */
export interface KMeansResult {
  /** k × dim, row-major. */
  centroids: Float32Array;
  k: number;
  dim: number;
  /** Lloyd iterations run (≤ the cap). */
  iterations: number;
  /** Trained rows in each cluster. */
  sizes: Uint32Array;
  /** Which rows of `data` were trained on, ascending; null when all were. */
  sample: Uint32Array | null;
  /** The centroid of each trained row (aligned with `sample`), against the returned centroids. */
  assignments: Int32Array;
}

/**
 * Elkan's bounds pay off from about this many dimensions; below, a distance costs little more than checking its
 * bounds (measured on 16-value PQ residual slices: plain Lloyd 180 ms, bounded 220 ms).
 */
const ELKAN_MIN_DIM = 32;
/** Most rows × centroids lower bounds kept for Elkan's pruning (4 bytes each); past it, plain Lloyd. */
const MAX_BOUNDS = 64 * 1024 * 1024;

/**
 * Clusters the rows of `data` (n × dim, row-major) into `k` centroids.
 *
 * @example
 * const { centroids } = kmeans(vectors, 64, 16, { seed: 7 }); // 16 × 64 floats
 */
export function kmeans(data: Float32Array, dim: number, k: number, options: KMeansOptions = {}): KMeansResult {
  const n = Math.floor(data.length / dim);
  if (!(k >= 1) || !Number.isInteger(k)) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (n === 0) throw new RangeError("k-means needs at least one row");
  const random = seededRandom(options.seed ?? 42);
  const size = Math.min(n, Math.max(1, options.sampleSize ?? 256 * k));
  const sampleRows = size >= n ? null : sampleIndices(n, size, random);
  const sample = sampleRows === null ? data.subarray(0, n * dim) : gather(data, dim, sampleRows);
  if (size <= k) return fromFewRows(sample, size, dim, k, sampleRows);

  const init = options.init === "kmeans++" ? plusPlusInit : randomInit;
  const centroids = init(sample, size, dim, k, random);
  const metric = options.metric ?? "l2";
  const lloyd =
    metric === "l2" && dim >= ELKAN_MIN_DIM && size * k <= MAX_BOUNDS
      ? new ElkanLloyd(sample, size, dim, centroids, k)
      : new PlainLloyd(sample, size, dim, centroids, k, metric);
  const maxIterations = Math.max(1, options.iterations ?? 25);
  const tolerance = options.tolerance ?? 0.002;
  let iterations = 1;
  for (; ; iterations++) {
    const changed = lloyd.step();
    if (changed <= tolerance * size || iterations >= maxIterations) break;
  }
  const sizes = new Uint32Array(k);
  for (const c of lloyd.assign) sizes[c]!++;
  return { centroids, k, dim, iterations, sizes, sample: sampleRows, assignments: lloyd.assign };
}

function gather(data: Float32Array, dim: number, rows: Uint32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i]! * dim, (rows[i]! + 1) * dim), i * dim);
  return out;
}

/** With no more rows than centroids, every row is a centroid and the rest repeat them. */
function fromFewRows(sample: Float32Array, rows: number, dim: number, k: number, sampleRows: Uint32Array | null): KMeansResult {
  const centroids = new Float32Array(k * dim);
  const sizes = new Uint32Array(k);
  for (let c = 0; c < k; c++) {
    centroids.set(sample.subarray((c % rows) * dim, ((c % rows) + 1) * dim), c * dim);
    if (c < rows) sizes[c] = 1;
  }
  const assignments = Int32Array.from({ length: rows }, (_, i) => i);
  return { centroids, k, dim, iterations: 0, sizes, sample: sampleRows, assignments };
}

function randomInit(sample: Float32Array, rows: number, dim: number, k: number, random: () => number): Float32Array {
  const picked = sampleIndices(rows, k, random);
  const centroids = new Float32Array(k * dim);
  for (let c = 0; c < k; c++) centroids.set(sample.subarray(picked[c]! * dim, (picked[c]! + 1) * dim), c * dim);
  return centroids;
}

/** k-means++: each next centroid is a row drawn with probability proportional to its squared distance to the chosen. */
function plusPlusInit(sample: Float32Array, rows: number, dim: number, k: number, random: () => number): Float32Array {
  const centroids = new Float32Array(k * dim);
  const nearest = new Float64Array(rows).fill(Infinity);
  let pick = Math.floor(random() * rows);
  for (let c = 0; c < k; c++) {
    centroids.set(sample.subarray(pick * dim, (pick + 1) * dim), c * dim);
    let total = 0;
    for (let i = 0; i < rows; i++) {
      const d = squaredL2(sample, i * dim, centroids, c * dim, dim);
      if (d < nearest[i]!) nearest[i] = d;
      total += nearest[i]!;
    }
    let target = random() * total;
    pick = rows - 1;
    for (let i = 0; i < rows; i++) {
      target -= nearest[i]!;
      if (target < 0) {
        pick = i;
        break;
      }
    }
  }
  return centroids;
}
