// Seeded k-means (Lloyd's algorithm) over a row-major Float32Array: the coarse quantiser of IVF and the codebooks
// of PQ. Deterministic for a seed: the sample, the initial centroids and the repair of empty clusters all come from
// one seeded generator, and every sum runs in a fixed order.
//
// Training runs on a random sample (default 256 rows per centroid, the point past which more rows barely move the
// centroids) and stops early once almost no row changes cluster between iterations.

import { DOT_FORM, dots4, l2Form, nearestRows, rowNorms, scoreRows, squaredL2, type ScoreForm } from "./ivf/kernels.js";
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
  /** Assignment rule. Default "l2". */
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

const EMPTY_SPLIT = 1 / 1024;
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

/**
 * Lloyd's algorithm for squared L2 with Elkan's bounds: per row an upper bound on the distance to its centroid and
 * a lower bound on the distance to every other centroid. Bounds follow the centroids' movement; a centroid whose
 * lower bound exceeds the row's upper bound, or which is more than twice as far from the row's centroid as the row
 * is, cannot win, so its distance is not computed. Assignments are those of plain Lloyd (up to rounding in ties);
 * after the first iterations most distances are skipped, which is what lets training on 784-dimensional data take
 * seconds. (Hamerly's single lower bound was tried first: in high dimensions it skipped under a fifth of the rows.)
 */
class ElkanLloyd {
  readonly assign: Int32Array;
  private readonly upper: Float64Array;
  /**
   * rows × k lower bounds, each stored plus its centroid's drift (total movement so far) when it was set: the bound
   * now is `lower − drift`, so moving the centroids costs k additions instead of rows × k. Float32 halves the memory.
   */
  private readonly lower: Float32Array;
  private readonly drift: Float64Array;
  private readonly sizes: Uint32Array;

  constructor(
    private readonly sample: Float32Array,
    private readonly rows: number,
    private readonly dim: number,
    private readonly centroids: Float32Array,
    private readonly k: number,
  ) {
    this.assign = new Int32Array(rows);
    this.upper = new Float64Array(rows);
    this.lower = new Float32Array(rows * k);
    this.drift = new Float64Array(k);
    this.sizes = new Uint32Array(k);
    this.fullScan();
  }

  /** Exact distances from every row to every centroid, blocked four rows at a time. */
  private fullScan(): void {
    const { sample, rows, dim, centroids, k, lower } = this;
    const norms = rowNorms(sample, rows, dim, 0, dim);
    const scores = new Float64Array(k);
    const form = l2Form(centroids, k, dim);
    const block = new Float64Array(4 * k);
    for (let i = 0; i < rows; i += 4) {
      const r = Math.min(4, rows - i);
      const o = (t: number): number => Math.min(i + t, rows - 1) * dim;
      dots4(sample, o(0), o(1), o(2), o(3), dim, centroids, k, block);
      for (let t = 0; t < r; t++) {
        let best = Infinity;
        let arg = 0;
        for (let c = 0; c < k; c++) {
          const d = Math.sqrt(Math.max(0, norms[i + t]! + form.bias![c]! - 2 * block[t * k + c]!));
          scores[c] = d;
          if (d < best) {
            best = d;
            arg = c;
          }
        }
        lower.set(scores, (i + t) * k);
        this.assign[i + t] = arg;
        this.upper[i + t] = best;
      }
    }
  }

  /** Moves the centroids to their clusters' means, then reassigns; returns how many rows changed cluster. */
  step(): number {
    const { sample, rows, dim, centroids, k, assign, upper, lower } = this;
    const old = centroids.slice();
    updateCentroids(sample, rows, dim, assign, centroids, k, this.sizes);
    repairEmpty(centroids, this.sizes, k, dim);
    const move = movement(old, centroids, k, dim);
    for (let c = 0; c < k; c++) this.drift[c] += move[c]!;
    for (let i = 0; i < rows; i++) upper[i] += move[assign[i]!]!;
    const gaps = centroidGaps(centroids, k, dim);
    const near = sortNeighbours(gaps, k);
    const candidates = new Int32Array(k);
    let changed = 0;
    for (let i = 0; i < rows; i++) {
      const a = assign[i]!;
      let count = this.collect(i, upper[i]!, a, near, candidates);
      if (count === 0) continue;
      const u = Math.sqrt(squaredL2(sample, i * dim, centroids, a * dim, dim));
      upper[i] = u;
      lower[i * k + a] = u + this.drift[a]!;
      count = this.refilter(i, u, a, gaps, candidates, count);
      if (count > 0 && this.tryMove(i, a, candidates, count)) changed++;
    }
    return changed;
  }

  /**
   * Centroids other than `a` that row i's bounds, with upper bound `u`, do not rule out. Only the neighbours of `a`
   * closer than 2u can win, and they come first in `near`, so the scan stops there: in 16 dimensions that is a
   * handful of the 256 centroids, and checking all of them cost more than the distances it saved.
   */
  private collect(i: number, u: number, a: number, near: Neighbours, out: Int32Array): number {
    const { k, lower, drift } = this;
    const o = i * k;
    const from = a * (k - 1);
    // Gaps are rounded to float32: the margin keeps every neighbour whose exact gap is under 2u.
    const limit = 2 * u * (1 + 1e-6);
    let count = 0;
    for (let t = from; t < from + k - 1; t++) {
      if (near.gap[t]! > limit) break;
      const c = near.order[t]!;
      if (u > lower[o + c]! - drift[c]!) out[count++] = c;
    }
    return count;
  }

  /** Keeps the first `count` candidates that the tightened bound `u` still does not rule out. */
  private refilter(i: number, u: number, a: number, gaps: Float64Array, candidates: Int32Array, count: number): number {
    const { k, lower, drift } = this;
    let kept = 0;
    for (let t = 0; t < count; t++) {
      const c = candidates[t]!;
      if (u > lower[i * k + c]! - drift[c]! && 2 * u > gaps[a * k + c]!) candidates[kept++] = c;
    }
    return kept;
  }

  /** Computes the distances to the candidates, tightening their bounds; moves the row if one is nearer. */
  private tryMove(i: number, a: number, candidates: Int32Array, count: number): boolean {
    const { sample, dim, centroids, k, lower } = this;
    let best = this.upper[i]!;
    let arg = a;
    for (let t = 0; t < count; t++) {
      const c = candidates[t]!;
      const d = Math.sqrt(squaredL2(sample, i * dim, centroids, c * dim, dim));
      lower[i * k + c] = d + this.drift[c]!;
      if (d < best) {
        best = d;
        arg = c;
      }
    }
    if (arg === a) return false;
    this.assign[i] = arg;
    this.upper[i] = best;
    return true;
  }
}

/** Plain Lloyd, every row against every centroid: the inner-product rule, and L2 when bounds would not fit in memory. */
class PlainLloyd {
  readonly assign: Int32Array;
  private readonly sizes: Uint32Array;
  private readonly scores: Float64Array;

  constructor(
    private readonly sample: Float32Array,
    private readonly rows: number,
    private readonly dim: number,
    private readonly centroids: Float32Array,
    private readonly k: number,
    private readonly metric: KMeansMetric,
  ) {
    this.assign = new Int32Array(rows);
    this.sizes = new Uint32Array(k);
    this.scores = new Float64Array(rows);
    nearestRows(sample, rows, dim, 0, dim, centroids, k, this.form(), this.assign, this.scores);
  }

  private form(): ScoreForm {
    return this.metric === "dot" ? DOT_FORM : l2Form(this.centroids, this.k, this.dim);
  }

  step(): number {
    const { sample, rows, dim, centroids, k } = this;
    updateCentroids(sample, rows, dim, this.assign, centroids, k, this.sizes);
    repairEmpty(centroids, this.sizes, k, dim);
    const next = new Int32Array(rows);
    nearestRows(sample, rows, dim, 0, dim, centroids, k, this.form(), next, this.scores);
    let changed = 0;
    for (let i = 0; i < rows; i++) if (next[i] !== this.assign[i]) changed++;
    this.assign.set(next);
    return changed;
  }
}

/** How far each centroid moved (Euclidean). */
function movement(old: Float32Array, now: Float32Array, k: number, dim: number): Float64Array {
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) out[c] = Math.sqrt(squaredL2(old, c * dim, now, c * dim, dim));
  return out;
}

/** Largest value, where it is, and the second largest. */
function topTwo(values: Float64Array): [number, number, number] {
  let first = 0;
  let at = -1;
  let second = 0;
  for (let c = 0; c < values.length; c++) {
    const v = values[c]!;
    if (v > first) {
      second = first;
      first = v;
      at = c;
    } else if (v > second) second = v;
  }
  return [first, at, second];
}

/** For each centroid a, the others by increasing distance: order[a·(k − 1) + t], with that distance in gap[...]. */
interface Neighbours {
  order: Int32Array;
  gap: Float32Array;
}

/**
 * Sorts each centroid's neighbours natively: a (float32 distance, index) pair packed as the high and low words of a
 * float64 sorts like the pair, because non-negative IEEE floats order like their bit patterns.
 */
function sortNeighbours(gaps: Float64Array, k: number): Neighbours {
  const w = k - 1;
  const order = new Int32Array(k * w);
  const gap = new Float32Array(k * w);
  const keys = new Float64Array(w);
  const words = new Uint32Array(keys.buffer);
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  for (let a = 0; a < k; a++) {
    let t = 0;
    for (let c = 0; c < k; c++) {
      if (c === a) continue;
      f[0] = gaps[a * k + c]!;
      words[2 * t] = c;
      words[2 * t + 1] = bits[0]!;
      t++;
    }
    keys.sort();
    for (t = 0; t < w; t++) {
      order[a * w + t] = words[2 * t]!;
      bits[0] = words[2 * t + 1]!;
      gap[a * w + t] = f[0]!;
    }
  }
  return { order, gap };
}

/** Euclidean distances between every pair of centroids, k × k. */
function centroidGaps(centroids: Float32Array, k: number, dim: number): Float64Array {
  const form = l2Form(centroids, k, dim);
  const out = new Float64Array(k * k);
  scoreRows(centroids, k, dim, 0, dim, centroids, k, form, out);
  for (let c = 0; c < k; c++) {
    for (let o = 0; o < k; o++) out[c * k + o] = Math.sqrt(Math.max(0, out[c * k + o]! + form.bias![c]!));
  }
  return out;
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

/** Each centroid becomes the mean of its rows (sums in float64, in row order). Empty clusters keep their centroid. */
function updateCentroids(
  sample: Float32Array,
  rows: number,
  dim: number,
  assign: Int32Array,
  centroids: Float32Array,
  k: number,
  sizes: Uint32Array,
): void {
  const sums = new Float64Array(k * dim);
  sizes.fill(0);
  for (let i = 0; i < rows; i++) {
    const c = assign[i]!;
    sizes[c]!++;
    const so = c * dim;
    const xo = i * dim;
    for (let j = 0; j < dim; j++) sums[so + j] += sample[xo + j]!;
  }
  for (let c = 0; c < k; c++) {
    const size = sizes[c]!;
    if (size === 0) continue;
    const inv = 1 / size;
    for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j]! * inv;
  }
}

/**
 * Gives every empty cluster half of the largest one: both centroids move a tiny step apart in opposite directions
 * (as Faiss does), so the next assignment splits the big cluster between them.
 */
function repairEmpty(centroids: Float32Array, sizes: Uint32Array, k: number, dim: number): void {
  for (let c = 0; c < k; c++) {
    if (sizes[c] !== 0) continue;
    let big = 0;
    for (let j = 1; j < k; j++) if (sizes[j]! > sizes[big]!) big = j;
    if (sizes[big]! < 2) return;
    for (let j = 0; j < dim; j++) {
      const v = centroids[big * dim + j]!;
      const step = (j % 2 === 0 ? EMPTY_SPLIT : -EMPTY_SPLIT) * (Math.abs(v) + EMPTY_SPLIT);
      centroids[c * dim + j] = v + step;
      centroids[big * dim + j] = v - step;
    }
    sizes[c] = sizes[big]! >>> 1;
    sizes[big] = sizes[big]! - sizes[c]!;
  }
}
