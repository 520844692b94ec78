// Product quantisation: a vector is cut into m sub-vectors and each is replaced by the index of the nearest of 256
// centroids trained for its slice, so a vector costs m bytes. Distances to a query are then m table lookups
// (asymmetric distance computation, ADC): per query, one m × 256 table of sub-distances, summed over a code's bytes.
//
// When dim is not a multiple of m the first (dim mod m) sub-vectors are one value longer; nothing is padded. The
// split is a pure function of (dim, m), so it is not stored.

import { kmeans } from "./kmeans.js";
import { dotsToMany, l2Form, nearestRows, type ScoreForm } from "./ivf/kernels.js";

/** Centroids per sub-vector: codes are one byte. */
export const PQ_CODES = 256;

/** Options of `trainPq`. */
export interface PqTrainOptions {
  /** Seed of the k-means runs (sub-vector j uses seed + j). Default 42. */
  seed?: number;
  /** Most k-means iterations per sub-vector. Default 15. */
  iterations?: number;
  /** Rows trained on per sub-vector. Default all given. */
  sampleSize?: number;
}

/**
 * A trained product quantiser: `m` sub-vectors of `dim` values; sub-vector j covers [starts[j], starts[j + 1]) and
 * its 256 centroids of len_j values sit at codebooks[256·starts[j] ...], one after another.
 */
export class ProductQuantizer {
  readonly starts: Uint32Array;
  private forms: ScoreForm[] | undefined;
  private norms: Float32Array | undefined;

  constructor(
    readonly dim: number,
    readonly m: number,
    readonly codebooks: Float32Array,
  ) {
    if (codebooks.length !== PQ_CODES * dim) throw new RangeError(`codebooks need ${PQ_CODES * dim} floats, got ${codebooks.length}`);
    this.starts = subVectorStarts(dim, m);
  }

  /** The 256 centroids of sub-vector j (256 × len_j floats). */
  codebook(j: number): Float32Array {
    return this.codebooks.subarray(PQ_CODES * this.starts[j]!, PQ_CODES * this.starts[j + 1]!);
  }

  /** Codes of `n` rows of `dim` floats (at data[offset + i·dim]) into out[i·m + j]. */
  encode(data: Float32Array, n: number, out: Uint8Array, offset = 0): void {
    const { m, dim, starts } = this;
    const index = new Int32Array(n);
    const score = new Float64Array(n);
    const forms = this.scoreForms();
    for (let j = 0; j < m; j++) {
      const len = starts[j + 1]! - starts[j]!;
      nearestRows(data, n, dim, offset + starts[j]!, len, this.codebook(j), PQ_CODES, forms[j]!, index, score);
      for (let i = 0; i < n; i++) out[i * m + j] = index[i]!;
    }
  }

  /** The vector a code stands for, written to out[outOffset ...]. */
  decode(codes: Uint8Array, codeOffset: number, out: Float32Array, outOffset = 0): void {
    const { m, starts, codebooks } = this;
    for (let j = 0; j < m; j++) {
      const start = starts[j]!;
      const len = starts[j + 1]! - start;
      const from = PQ_CODES * start + codes[codeOffset + j]! * len;
      for (let t = 0; t < len; t++) out[outOffset + start + t] = codebooks[from + t]!;
    }
  }

  /** out[j·256 + c] = v_j · centroid c of sub-vector j: the building block of every ADC table. */
  innerProducts(v: Float32Array, vo: number, out: Float32Array): void {
    const { m, starts } = this;
    const dots = new Float64Array(PQ_CODES);
    for (let j = 0; j < m; j++) {
      dotsToMany(v, vo + starts[j]!, starts[j + 1]! - starts[j]!, this.codebook(j), PQ_CODES, dots);
      out.set(dots, j * PQ_CODES);
    }
  }

  /** out[j·256 + c] = ‖q_j − centroid c of sub-vector j‖²: the L2 ADC table of one query. */
  l2Table(q: Float32Array, qo: number, out: Float32Array): void {
    this.innerProducts(q, qo, out);
    const norms = this.centroidNorms();
    for (let j = 0; j < this.m; j++) {
      let qn = 0;
      for (let t = this.starts[j]!; t < this.starts[j + 1]!; t++) qn += q[qo + t]! * q[qo + t]!;
      const o = j * PQ_CODES;
      for (let c = 0; c < PQ_CODES; c++) out[o + c] = qn + norms[o + c]! - 2 * out[o + c]!;
    }
  }

  /** ‖centroid c of sub-vector j‖² at [j·256 + c]. */
  centroidNorms(): Float32Array {
    if (this.norms === undefined) {
      const norms = new Float32Array(this.m * PQ_CODES);
      this.scoreForms().forEach((f, j) => norms.set(f.bias!, j * PQ_CODES));
      this.norms = norms;
    }
    return this.norms;
  }

  private scoreForms(): ScoreForm[] {
    this.forms ??= Array.from({ length: this.m }, (_, j) =>
      l2Form(this.codebook(j), PQ_CODES, this.starts[j + 1]! - this.starts[j]!),
    );
    return this.forms;
  }
}

/** Sum of table lookups over one code: the ADC distance of the row whose code starts at codes[offset]. */
export function adcDistance(table: Float32Array, codes: Uint8Array, offset: number, m: number): number {
  let d = 0;
  for (let j = 0; j < m; j++) d += table[j * PQ_CODES + codes[offset + j]!]!;
  return d;
}

/** Where each sub-vector starts (m + 1 entries, the last = dim): the first dim mod m are one value longer. */
export function subVectorStarts(dim: number, m: number): Uint32Array {
  if (!Number.isInteger(m) || m < 1 || m > dim) throw new RangeError(`sub-vectors must be in [1, ${dim}], got ${m}`);
  const starts = new Uint32Array(m + 1);
  const base = Math.floor(dim / m);
  const extra = dim % m;
  for (let j = 0; j < m; j++) starts[j + 1] = starts[j]! + base + (j < extra ? 1 : 0);
  return starts;
}

/**
 * Trains the codebooks on `n` rows of `dim` floats (for IVF-PQ, residuals: vector − its IVF centroid).
 *
 * @example
 * const pq = trainPq(residuals, 64, 8, { seed: 1 });
 * const codes = new Uint8Array(rows * 8);
 * pq.encode(residuals, rows, codes);
 */
export function trainPq(data: Float32Array, dim: number, m: number, options: PqTrainOptions = {}): ProductQuantizer {
  const starts = subVectorStarts(dim, m);
  const n = Math.min(Math.floor(data.length / dim), options.sampleSize ?? Infinity);
  if (n === 0) throw new RangeError("product quantisation needs at least one training row");
  const codebooks = new Float32Array(PQ_CODES * dim);
  for (let j = 0; j < m; j++) {
    const start = starts[j]!;
    const len = starts[j + 1]! - start;
    const slice = new Float32Array(n * len);
    for (let i = 0; i < n; i++) slice.set(data.subarray(i * dim + start, i * dim + start + len), i * len);
    const { centroids } = kmeans(slice, len, PQ_CODES, {
      seed: (options.seed ?? 42) + j,
      iterations: options.iterations ?? 15,
      sampleSize: n,
    });
    codebooks.set(centroids, PQ_CODES * start);
  }
  return new ProductQuantizer(dim, m, codebooks);
}
