// The trained part of an IVF-PQ index: coarse centroids and PQ codebooks, and how a vector becomes (partition, code).
// Cosine works on unit vectors (then squared L2 = 2 − 2·cos); dot assigns partitions by largest inner product.

import { kmeans } from "../kmeans.js";
import { ProductQuantizer, trainPq } from "../pq.js";
import { DOT_FORM, l2Form, nearestRows, squaredL2, type ScoreForm } from "./kernels.js";
import type { IvfMetric } from "./layout.js";

/** Centroids, codebooks and the metric they were trained for. */
export interface IvfPqModel {
  dim: number;
  metric: IvfMetric;
  partitions: number;
  /** partitions × dim, row-major. */
  centroids: Float32Array;
  pq: ProductQuantizer;
}

/** How the model is trained; the public options with their defaults filled in. */
export interface TrainSettings {
  partitions: number;
  subVectors: number;
  seed: number;
  /** Most k-means iterations for the IVF centroids. */
  iterations: number;
  /** Rows the IVF centroids are trained on. */
  ivfSample: number;
  /** Rows the PQ codebooks are trained on. */
  pqSample: number;
  pqIterations: number;
}

/** Copies `n` vectors, unit-normalised for cosine (zero vectors stay zero): the form the index works in. */
export function prepareRows(vectors: Float32Array, n: number, dim: number, metric: IvfMetric): Float32Array {
  const rows = vectors.slice(0, n * dim);
  if (metric === "cosine") normaliseRows(rows, n, dim);
  return rows;
}

function normaliseRows(rows: Float32Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += rows[o + j]! * rows[o + j]!;
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) rows[o + j] = rows[o + j]! * inv;
  }
}

/** How rows are scored against the coarse centroids. */
export function coarseForm(model: Pick<IvfPqModel, "metric" | "centroids" | "partitions" | "dim">): ScoreForm {
  return model.metric === "dot" ? DOT_FORM : l2Form(model.centroids, model.partitions, model.dim);
}

/**
 * Trains centroids on the first `ivfSample` rows of `sample` (prepared, in random order) and codebooks on the
 * residuals of the first `pqSample`.
 */
export function trainModel(sample: Float32Array, n: number, dim: number, metric: IvfMetric, s: TrainSettings): IvfPqModel {
  const ivfRows = Math.min(n, s.ivfSample);
  const km = kmeans(sample.subarray(0, ivfRows * dim), dim, s.partitions, {
    seed: s.seed,
    iterations: s.iterations,
    sampleSize: ivfRows,
    metric: metric === "dot" ? "dot" : "l2",
  });
  const order = chainOrder(km.centroids, s.partitions, dim);
  const centroids = new Float32Array(km.centroids.length);
  const rank = new Int32Array(s.partitions);
  order.forEach((c, p) => {
    centroids.set(km.centroids.subarray(c * dim, (c + 1) * dim), p * dim);
    rank[c] = p;
  });
  for (let i = 0; i < km.assignments.length; i++) km.assignments[i] = rank[km.assignments[i]!]!;
  const model = { dim, metric, partitions: s.partitions, centroids };
  const pqRows = Math.min(n, s.pqSample);
  const residuals = sample.slice(0, pqRows * dim);
  // The IVF sample's assignments are known; rows past it (when the PQ sample is the larger) are assigned here.
  const assign = new Int32Array(pqRows);
  assign.set(km.assignments.subarray(0, Math.min(pqRows, ivfRows)));
  if (pqRows > ivfRows) {
    const score = new Float64Array(pqRows - ivfRows);
    const rest = assign.subarray(ivfRows);
    nearestRows(residuals, pqRows - ivfRows, dim, ivfRows * dim, dim, centroids, s.partitions, coarseForm(model), rest, score);
  }
  subtractCentroids(residuals, pqRows, dim, centroids, assign);
  const pq = trainPq(residuals, dim, s.subVectors, { seed: s.seed + 1, iterations: s.pqIterations });
  return { ...model, pq };
}

/**
 * An order of the centroids in which neighbours tend to be adjacent (a greedy nearest-neighbour chain): partitions
 * are stored in this order, so the partitions one query probes often sit side by side in the file and the store
 * coalesces their reads.
 */
function chainOrder(centroids: Float32Array, k: number, dim: number): Int32Array {
  const order = new Int32Array(k);
  const used = new Uint8Array(k);
  let at = 0;
  used[0] = 1;
  for (let p = 1; p < k; p++) {
    let best = Infinity;
    let next = -1;
    for (let c = 0; c < k; c++) {
      if (used[c]) continue;
      const d = squaredL2(centroids, at * dim, centroids, c * dim, dim);
      if (d < best) {
        best = d;
        next = c;
      }
    }
    order[p] = next;
    used[next] = 1;
    at = next;
  }
  return order;
}

/** rows[i] −= centroids[assign[i]], in place. */
export function subtractCentroids(rows: Float32Array, n: number, dim: number, centroids: Float32Array, assign: Int32Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    const c = assign[i]! * dim;
    for (let j = 0; j < dim; j++) rows[o + j] = rows[o + j]! - centroids[c + j]!;
  }
}

/** Partition and PQ code of each of `n` prepared rows; the rows are turned into residuals in place. */
export function encodeRows(model: IvfPqModel, rows: Float32Array, n: number, form: ScoreForm): { assign: Int32Array; codes: Uint8Array } {
  const assign = new Int32Array(n);
  nearestRows(rows, n, model.dim, 0, model.dim, model.centroids, model.partitions, form, assign, new Float64Array(n));
  subtractCentroids(rows, n, model.dim, model.centroids, assign);
  const codes = new Uint8Array(n * model.pq.m);
  model.pq.encode(rows, n, codes);
  return { assign, codes };
}
