// The plain-JS distance kernel: the fallback where WebAssembly SIMD is missing, and the second opinion the tests
// hold the WASM kernel to. Same contract and formulas as distance.wat, but sums run in float64 (JS numbers), so the
// two agree within float32 rounding, not bit for bit. Loops are unrolled 4 ways with independent sums.

import { InvalidArgumentError } from "../../format/errors.js";
import type { Metric } from "../distance.js";
import { checkBlockDim, checkRange, rowCount } from "./checks.js";
import type { DistanceKernel, LoadOptions, VectorBlock } from "./kernel.js";

/** Rows per tile in `scoreMany`: 64 rows of 784 floats is ~200 KiB, inside L2. */
const TILE_ROWS = 64;

class JsBlock implements VectorBlock {
  norms: Float32Array | undefined;
  live = true;

  constructor(
    readonly owner: JsKernel,
    readonly dim: number,
    readonly data: Float32Array,
    readonly copied: boolean,
  ) {}

  get n(): number {
    return this.data.length / this.dim;
  }

  get byteLength(): number {
    return (this.copied ? this.data.byteLength : 0) + (this.norms?.byteLength ?? 0);
  }

  get disposed(): boolean {
    return !this.live;
  }

  dispose(): void {
    if (!this.live) return;
    this.live = false;
    this.owner.release(this);
  }
}

/** Squared L2 distance between `a[ao..ao+dim)` and `b[bo..bo+dim)`. */
export function l2Raw(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 4 <= dim; k += 4) {
    const d0 = a[ao + k]! - b[bo + k]!;
    const d1 = a[ao + k + 1]! - b[bo + k + 1]!;
    const d2 = a[ao + k + 2]! - b[bo + k + 2]!;
    const d3 = a[ao + k + 3]! - b[bo + k + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; k < dim; k++) {
    const d = a[ao + k]! - b[bo + k]!;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

/** Dot product of `a[ao..ao+dim)` and `b[bo..bo+dim)`. */
export function dotRaw(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 4 <= dim; k += 4) {
    s0 += a[ao + k]! * b[bo + k]!;
    s1 += a[ao + k + 1]! * b[bo + k + 1]!;
    s2 += a[ao + k + 2]! * b[bo + k + 2]!;
    s3 += a[ao + k + 3]! * b[bo + k + 3]!;
  }
  for (; k < dim; k++) s0 += a[ao + k]! * b[bo + k]!;
  return s0 + s1 + s2 + s3;
}

/** Norm of every row of a block. */
function rowNorms(data: Float32Array, dim: number): Float32Array {
  const n = data.length / dim;
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) out[j] = Math.sqrt(dotRaw(data, j * dim, data, j * dim, dim));
  return out;
}

/** Scores of one query (at `q[qo..]`) against rows `start..end`, written to `out[oo..]`. */
type RowScorer = (q: Float32Array, qo: number, qNorm: number, b: JsBlock, start: number, end: number, out: Float32Array, oo: number) => void;

const SCORERS: Record<Metric, RowScorer> = {
  l2: (q, qo, _qn, b, start, end, out, oo) => {
    for (let j = start; j < end; j++) out[oo + j - start] = l2Raw(q, qo, b.data, j * b.dim, b.dim);
  },
  dot: (q, qo, _qn, b, start, end, out, oo) => {
    for (let j = start; j < end; j++) out[oo + j - start] = 1 - dotRaw(q, qo, b.data, j * b.dim, b.dim);
  },
  cosine: (q, qo, qn, b, start, end, out, oo) => {
    const norms = b.norms!;
    for (let j = start; j < end; j++) {
      const den = qn * norms[j]!;
      out[oo + j - start] = den === 0 ? 1 : 1 - dotRaw(q, qo, b.data, j * b.dim, b.dim) / den;
    }
  },
};

/** Distance kernel in plain JS. @example const k = new JsKernel(); const b = k.load(vectors, 784); */
export class JsKernel implements DistanceKernel {
  readonly kind = "js";
  private out = new Float32Array(0);
  private used = 0;
  private disposedFlag = false;

  get memoryBytes(): number {
    return this.used + this.out.byteLength;
  }

  get usedBytes(): number {
    return this.memoryBytes;
  }

  load(vectors: Float32Array, dim: number, options: LoadOptions = {}): VectorBlock {
    this.live();
    const n = rowCount(vectors, dim, options.rows);
    const rows = options.rows;
    if (rows === undefined) return new JsBlock(this, dim, vectors.subarray(0, n * dim), false);
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) data.set(vectors.subarray(rows[i]! * dim, (rows[i]! + 1) * dim), i * dim);
    this.used += data.byteLength;
    return new JsBlock(this, dim, data, true);
  }

  scoreOne(query: Float32Array, base: VectorBlock, metric: Metric, start = 0, end = base.n): Float32Array {
    const b = this.own(base);
    checkBlockDim(query.length, b.dim, "query");
    checkRange(start, end, b.n);
    let qn = 0;
    if (metric === "cosine") {
      this.norms(b);
      qn = Math.sqrt(dotRaw(query, 0, query, 0, b.dim));
    }
    const out = this.scratch(end - start);
    SCORERS[metric](query, 0, qn, b, start, end, out, 0);
    return out;
  }

  scoreMany(queries: VectorBlock, base: VectorBlock, metric: Metric, start = 0, end = base.n): Float32Array {
    const qb = this.own(queries);
    const b = this.own(base);
    checkBlockDim(qb.dim, b.dim, "query block");
    checkRange(start, end, b.n);
    const count = end - start;
    const out = this.scratch(qb.n * count);
    let qNorms: Float32Array | undefined;
    if (metric === "cosine") {
      this.norms(b);
      qNorms = this.norms(qb);
    }
    for (let t0 = start; t0 < end; t0 += TILE_ROWS) {
      const t1 = Math.min(end, t0 + TILE_ROWS);
      for (let i = 0; i < qb.n; i++) {
        SCORERS[metric](qb.data, i * qb.dim, qNorms?.[i] ?? 0, b, t0, t1, out, i * count + t0 - start);
      }
    }
    return out;
  }

  dispose(): void {
    this.disposedFlag = true;
    this.out = new Float32Array(0);
    this.used = 0;
  }

  /** Forgets a block's bytes (called by `VectorBlock.dispose`). */
  release(block: JsBlock): void {
    if (!this.disposedFlag) this.used -= block.byteLength;
  }

  private norms(b: JsBlock): Float32Array {
    if (b.norms === undefined) {
      b.norms = rowNorms(b.data, b.dim);
      this.used += b.norms.byteLength;
    }
    return b.norms;
  }

  private scratch(length: number): Float32Array {
    if (this.out.length < length) this.out = new Float32Array(Math.max(length, this.out.length * 2));
    return this.out.subarray(0, length);
  }

  private own(block: VectorBlock): JsBlock {
    this.live();
    if (!(block instanceof JsBlock) || block.owner !== this) {
      throw new InvalidArgumentError("this vector block belongs to another distance kernel: load it into this one");
    }
    if (block.disposed) throw new InvalidArgumentError("this vector block was disposed: load the vectors again");
    return block;
  }

  private live(): void {
    if (this.disposedFlag) throw new InvalidArgumentError("this distance kernel was disposed: create another");
  }
}
