// Principal component analysis for embeddings: fits the top components of a sample of vectors (covariance, then
// block power iteration — deterministic, seeded, no native code) and projects vectors onto them. A fitted projection
// travels inside an embedder's descriptor as base64 float32, so workers and later runs rebuild it bit for bit.

import { InvalidArgumentError } from "../../format/errors.js";

/** A fitted projection: `dimension` components of `inputDimension`-value vectors. */
export interface PcaProjection {
  readonly inputDimension: number;
  readonly dimension: number;
  /** The sample mean (inputDimension values), subtracted before projecting. */
  readonly mean: Float32Array;
  /** Components, row-major: component i is `components[i * inputDimension ...]`, unit length, strongest first. */
  readonly components: Float32Array;
}

/** Options of `fitPca`. */
export interface FitPcaOptions {
  /** Most block power iterations; it stops earlier once the components settle. Default 100. */
  maxIterations?: number;
  /** Seed of the starting block (results are identical for the same vectors and seed). Default 1. */
  seed?: number;
}

/**
 * The top `dimension` principal components of `vectors` (all of one length).
 * @example const p = fitPca(samples, 32); const v = projectPca(p, samples[0]!);
 */
export function fitPca(vectors: readonly Float32Array[], dimension: number, options: FitPcaOptions = {}): PcaProjection {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  if (n < 2) throw new InvalidArgumentError(`PCA needs at least 2 sample vectors, got ${n}`);
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > Math.min(d, n)) {
    throw new InvalidArgumentError(`PCA dimension must be an integer from 1 to ${Math.min(d, n)} (the vectors' length and the sample size), got ${dimension}`);
  }
  for (const v of vectors) if (v.length !== d) throw new InvalidArgumentError(`PCA sample vectors differ in length (${d} and ${v.length})`);
  const mean = new Float64Array(d);
  for (const v of vectors) for (let j = 0; j < d; j++) mean[j]! += v[j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const cov = covariance(vectors, mean);
  const q = topEigenvectors(cov, d, dimension, options);
  return { inputDimension: d, dimension, mean: Float32Array.from(mean), components: Float32Array.from(q) };
}

/** The upper triangle accumulated (half the work), mirrored: C = Σ (x - μ)(x - μ)ᵀ / (n - 1). */
function covariance(vectors: readonly Float32Array[], mean: Float64Array): Float64Array {
  const d = mean.length;
  const c = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (const v of vectors) {
    for (let j = 0; j < d; j++) x[j] = v[j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const xa = x[a]!;
      if (xa === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) c[row + b]! += xa * x[b]!;
    }
  }
  const scale = 1 / (vectors.length - 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = c[a * d + b]! * scale;
      c[a * d + b] = v;
      c[b * d + a] = v;
    }
  }
  return c;
}

/** k unit eigenvectors of the symmetric d × d matrix `c` with the largest eigenvalues, row-major, signs fixed. */
function topEigenvectors(c: Float64Array, d: number, k: number, options: FitPcaOptions): Float64Array {
  let rand = (options.seed ?? 1) >>> 0 || 1;
  const random = (): number => {
    // xorshift32: a fixed sequence per seed, so fits are reproducible.
    rand ^= rand << 13;
    rand ^= rand >>> 17;
    rand ^= rand << 5;
    return (rand >>> 0) / 0x1_0000_0000 - 0.5;
  };
  let q: Float64Array = new Float64Array(k * d).map(random);
  orthonormalize(q, d, k);
  const maxIterations = options.maxIterations ?? 100;
  for (let it = 0; it < maxIterations; it++) {
    const z = multiply(c, q, d, k);
    orthonormalize(z, d, k);
    let change = 0;
    for (let i = 0; i < k; i++) change = Math.max(change, 1 - Math.abs(dot(q, z, i * d, i * d, d)));
    q = z;
    if (change < 1e-12) break;
  }
  // Order by eigenvalue (Rayleigh quotient) and make each vector's largest component positive: eigenvectors are
  // defined up to sign, and a fixed sign keeps projections comparable across fits of the same data.
  const cq = multiply(c, q, d, k);
  const order = Array.from({ length: k }, (_, i) => ({ i, value: dot(q, cq, i * d, i * d, d) })).sort((a, b) => b.value - a.value);
  const out = new Float64Array(k * d);
  order.forEach(({ i }, r) => {
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(q[i * d + j]!) > Math.abs(big)) big = q[i * d + j]!;
    const sign = big < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) out[r * d + j] = sign * q[i * d + j]!;
  });
  return out;
}

/** Rows of `q` (k vectors of d) times the symmetric matrix `c`. */
function multiply(c: Float64Array, q: Float64Array, d: number, k: number): Float64Array {
  const z = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    const qi = i * d;
    for (let a = 0; a < d; a++) {
      let s = 0;
      const row = a * d;
      for (let b = 0; b < d; b++) s += c[row + b]! * q[qi + b]!;
      z[qi + a] = s;
    }
  }
  return z;
}

/** Modified Gram-Schmidt over the k rows, in place; a row that collapses is replaced by a fresh basis vector. */
function orthonormalize(q: Float64Array, d: number, k: number): void {
  for (let i = 0; i < k; i++) {
    for (let p = 0; p < i; p++) {
      const s = dot(q, q, i * d, p * d, d);
      for (let j = 0; j < d; j++) q[i * d + j]! -= s * q[p * d + j]!;
    }
    let norm = Math.sqrt(dot(q, q, i * d, i * d, d));
    if (norm < 1e-300) {
      // A rank-deficient sample: any unit vector orthogonal to the earlier ones will do.
      q.fill(0, i * d, (i + 1) * d);
      q[i * d + (i % d)] = 1;
      for (let p = 0; p < i; p++) {
        const s = dot(q, q, i * d, p * d, d);
        for (let j = 0; j < d; j++) q[i * d + j]! -= s * q[p * d + j]!;
      }
      norm = Math.sqrt(dot(q, q, i * d, i * d, d)) || 1;
    }
    for (let j = 0; j < d; j++) q[i * d + j]! /= norm;
  }
}

function dot(a: Float64Array, b: Float64Array, ao: number, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[ao + j]! * b[bo + j]!;
  return s;
}

/** `v` (inputDimension values) centred and projected onto the components. */
export function projectPca(p: PcaProjection, v: Float32Array): Float32Array {
  const d = p.inputDimension;
  if (v.length !== d) throw new InvalidArgumentError(`PCA expects vectors of ${d} values, got ${v.length}`);
  const out = new Float32Array(p.dimension);
  for (let i = 0; i < p.dimension; i++) {
    let s = 0;
    const row = i * d;
    for (let j = 0; j < d; j++) s += (v[j]! - p.mean[j]!) * p.components[row + j]!;
    out[i] = s;
  }
  return out;
}

/** A projection as JSON-safe data (float32 arrays as little-endian base64, exact). */
export interface PcaJson {
  readonly inputDimension: number;
  readonly dimension: number;
  readonly mean: string;
  readonly components: string;
}

export function pcaToJson(p: PcaProjection): PcaJson {
  return { inputDimension: p.inputDimension, dimension: p.dimension, mean: floatsToBase64(p.mean), components: floatsToBase64(p.components) };
}

export function pcaFromJson(j: PcaJson): PcaProjection {
  const mean = base64ToFloats(j.mean);
  const components = base64ToFloats(j.components);
  if (mean.length !== j.inputDimension || components.length !== j.dimension * j.inputDimension) {
    throw new InvalidArgumentError(`a stored PCA projection is inconsistent: ${mean.length} mean values and ${components.length} component values for ${j.dimension} × ${j.inputDimension}`);
  }
  return { inputDimension: j.inputDimension, dimension: j.dimension, mean, components };
}

// Float32 bytes are little-endian on every platform Node runs on, so the bytes are written as they are in memory.
function floatsToBase64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

function base64ToFloats(s: string): Float32Array {
  const bytes = Buffer.from(s, "base64");
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.byteLength));
  return out;
}
