// Scalar distance kernels for k-means, product quantisation and IVF search, in plain typed-array loops.
// They stand in for index/distance.ts (written in parallel) and are the one place to swap in faster kernels. The
// hot paths go through `nearestRows` (argmin over centroids: IVF assignment, PQ encoding, k-means), `dotsToMany`
// (a query against centroids or codebooks) and `dots4`/`scoreRows` (Elkan's first pass, centroid gaps), which take
// whole blocks so a SIMD kernel can replace them without touching the callers; `squaredL2` serves Elkan's
// per-candidate distances.
//
// Why the blocking: V8 keeps numbers in registers but re-reads typed arrays on every access, so a plain dot-product
// loop spends most of its time loading. Computing 4 rows × 4 centroids at once reuses each loaded value four times
// (measured here on 784 dims: 0.6 → 2.1 G multiply-adds per second).
//
// Scores are "smaller is nearer": bias[c] + scale · (x · c). For squared L2, bias = ‖c‖² and scale = −2 (adding
// ‖x‖² gives the distance); for inner product, bias = 0 and scale = −1.

/** How rows are scored against centroids: see the file comment. */
export interface ScoreForm {
  /** Per-centroid constant (‖c‖² for L2); null for none. */
  bias: Float64Array | null;
  scale: number;
}

/** Squared norms of `n` rows of `len` values starting at `offset`, `stride` apart. */
export function rowNorms(data: Float32Array, n: number, stride: number, offset: number, len: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * stride + offset;
    let s = 0;
    for (let j = 0; j < len; j++) {
      const v = data[o + j]!;
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/** The score form for squared L2 against `centroids` (k × len, contiguous). */
export function l2Form(centroids: Float32Array, k: number, len: number): ScoreForm {
  return { bias: rowNorms(centroids, k, len, 0, len), scale: -2 };
}

/** The score form for inner product (larger product = nearer). */
export const DOT_FORM: ScoreForm = { bias: null, scale: -1 };

/**
 * For each of `n` rows (`len` values at `offset + i·stride`), the index of the best of `k` centroids (k × len,
 * contiguous) and its score, written to `outIndex[i]` and `outScore[i]`.
 */
export function nearestRows(
  data: Float32Array,
  n: number,
  stride: number,
  offset: number,
  len: number,
  centroids: Float32Array,
  k: number,
  form: ScoreForm,
  outIndex: Int32Array | Uint8Array,
  outScore: Float64Array,
): void {
  const bias = form.bias ?? new Float64Array(k);
  const best = new Float64Array(4);
  const arg = new Int32Array(4);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i * stride + offset;
    nearest4(data, o, o + stride, o + 2 * stride, o + 3 * stride, len, centroids, k, bias, form.scale, best, arg);
    for (let r = 0; r < 4; r++) {
      outIndex[i + r] = arg[r]!;
      outScore[i + r] = best[r]!;
    }
  }
  for (; i < n; i++) {
    // The tail repeats its row four times: simpler than a one-row kernel, and at most three rows per call.
    const o = i * stride + offset;
    nearest4(data, o, o, o, o, len, centroids, k, bias, form.scale, best, arg);
    outIndex[i] = arg[0]!;
    outScore[i] = best[0]!;
  }
}

/**
 * The best centroid of each of 4 rows, fused with the dot products (4 rows × 4 centroids at a time), so no
 * row × k score matrix is written and read back: for 16-value PQ sub-vectors that round trip cost as much as the
 * arithmetic.
 */
function nearest4(
  data: Float32Array,
  xa: number,
  xb: number,
  xc: number,
  xd: number,
  len: number,
  centroids: Float32Array,
  k: number,
  bias: Float64Array,
  scale: number,
  best: Float64Array,
  arg: Int32Array,
): void {
  let ba = Infinity, bb = Infinity, bc = Infinity, bd = Infinity;
  let ia = 0, ib = 0, ic = 0, id = 0;
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const o0 = c * len;
    const o1 = o0 + len;
    const o2 = o1 + len;
    const o3 = o2 + len;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
    let f0 = 0, f1 = 0, f2 = 0, f3 = 0;
    for (let j = 0; j < len; j++) {
      const x = data[xa + j]!;
      const y = data[xb + j]!;
      const z = data[xc + j]!;
      const w = data[xd + j]!;
      const c0 = centroids[o0 + j]!;
      const c1 = centroids[o1 + j]!;
      const c2 = centroids[o2 + j]!;
      const c3 = centroids[o3 + j]!;
      a0 += x * c0; a1 += x * c1; a2 += x * c2; a3 += x * c3;
      b0 += y * c0; b1 += y * c1; b2 += y * c2; b3 += y * c3;
      e0 += z * c0; e1 += z * c1; e2 += z * c2; e3 += z * c3;
      f0 += w * c0; f1 += w * c1; f2 += w * c2; f3 += w * c3;
    }
    const q0 = bias[c]!, q1 = bias[c + 1]!, q2 = bias[c + 2]!, q3 = bias[c + 3]!;
    let s = q0 + scale * a0; if (s < ba) { ba = s; ia = c; }
    s = q1 + scale * a1; if (s < ba) { ba = s; ia = c + 1; }
    s = q2 + scale * a2; if (s < ba) { ba = s; ia = c + 2; }
    s = q3 + scale * a3; if (s < ba) { ba = s; ia = c + 3; }
    s = q0 + scale * b0; if (s < bb) { bb = s; ib = c; }
    s = q1 + scale * b1; if (s < bb) { bb = s; ib = c + 1; }
    s = q2 + scale * b2; if (s < bb) { bb = s; ib = c + 2; }
    s = q3 + scale * b3; if (s < bb) { bb = s; ib = c + 3; }
    s = q0 + scale * e0; if (s < bc) { bc = s; ic = c; }
    s = q1 + scale * e1; if (s < bc) { bc = s; ic = c + 1; }
    s = q2 + scale * e2; if (s < bc) { bc = s; ic = c + 2; }
    s = q3 + scale * e3; if (s < bc) { bc = s; ic = c + 3; }
    s = q0 + scale * f0; if (s < bd) { bd = s; id = c; }
    s = q1 + scale * f1; if (s < bd) { bd = s; id = c + 1; }
    s = q2 + scale * f2; if (s < bd) { bd = s; id = c + 2; }
    s = q3 + scale * f3; if (s < bd) { bd = s; id = c + 3; }
  }
  for (; c < k; c++) {
    const o = c * len;
    let a = 0, b = 0, e = 0, f = 0;
    for (let j = 0; j < len; j++) {
      const cv = centroids[o + j]!;
      a += data[xa + j]! * cv;
      b += data[xb + j]! * cv;
      e += data[xc + j]! * cv;
      f += data[xd + j]! * cv;
    }
    const q = bias[c]!;
    if (q + scale * a < ba) { ba = q + scale * a; ia = c; }
    if (q + scale * b < bb) { bb = q + scale * b; ib = c; }
    if (q + scale * e < bc) { bc = q + scale * e; ic = c; }
    if (q + scale * f < bd) { bd = q + scale * f; id = c; }
  }
  best[0] = ba; best[1] = bb; best[2] = bc; best[3] = bd;
  arg[0] = ia; arg[1] = ib; arg[2] = ic; arg[3] = id;
}

/** Scores of every row against every centroid: out[i·k + c], with the form applied. */
export function scoreRows(
  data: Float32Array,
  n: number,
  stride: number,
  offset: number,
  len: number,
  centroids: Float32Array,
  k: number,
  form: ScoreForm,
  out: Float64Array,
): void {
  const dots = new Float64Array(4 * k);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = i * stride + offset;
    dots4(data, o, o + stride, o + 2 * stride, o + 3 * stride, len, centroids, k, dots);
    for (let r = 0; r < 4; r++) applyForm(dots, r * k, k, form, out, (i + r) * k);
  }
  for (; i < n; i++) {
    dotsToMany(data, i * stride + offset, len, centroids, k, dots);
    applyForm(dots, 0, k, form, out, i * k);
  }
}

function applyForm(dots: Float64Array, from: number, k: number, form: ScoreForm, out: Float64Array, to: number): void {
  const { bias, scale } = form;
  for (let c = 0; c < k; c++) out[to + c] = (bias === null ? 0 : bias[c]!) + scale * dots[from + c]!;
}

/** Dot products of one vector (`len` values at `qo`) with each of `k` centroids into out[0..k). */
export function dotsToMany(q: Float32Array, qo: number, len: number, centroids: Float32Array, k: number, out: Float64Array): void {
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const o0 = c * len;
    const o1 = o0 + len;
    const o2 = o1 + len;
    const o3 = o2 + len;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < len; j++) {
      const x = q[qo + j]!;
      s0 += x * centroids[o0 + j]!;
      s1 += x * centroids[o1 + j]!;
      s2 += x * centroids[o2 + j]!;
      s3 += x * centroids[o3 + j]!;
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < k; c++) {
    const o = c * len;
    let s = 0;
    for (let j = 0; j < len; j++) s += q[qo + j]! * centroids[o + j]!;
    out[c] = s;
  }
}

/** Dot products of the 4 rows of `len` values at xa, xb, xc, xd with every centroid: out[r·k + c]. */
export function dots4(
  data: Float32Array,
  xa: number,
  xb: number,
  xc: number,
  xd: number,
  len: number,
  centroids: Float32Array,
  k: number,
  out: Float64Array,
): void {
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const o0 = c * len;
    const o1 = o0 + len;
    const o2 = o1 + len;
    const o3 = o2 + len;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
    let f0 = 0, f1 = 0, f2 = 0, f3 = 0;
    for (let j = 0; j < len; j++) {
      const x = data[xa + j]!;
      const y = data[xb + j]!;
      const z = data[xc + j]!;
      const w = data[xd + j]!;
      const c0 = centroids[o0 + j]!;
      const c1 = centroids[o1 + j]!;
      const c2 = centroids[o2 + j]!;
      const c3 = centroids[o3 + j]!;
      a0 += x * c0; a1 += x * c1; a2 += x * c2; a3 += x * c3;
      b0 += y * c0; b1 += y * c1; b2 += y * c2; b3 += y * c3;
      e0 += z * c0; e1 += z * c1; e2 += z * c2; e3 += z * c3;
      f0 += w * c0; f1 += w * c1; f2 += w * c2; f3 += w * c3;
    }
    out[c] = a0; out[c + 1] = a1; out[c + 2] = a2; out[c + 3] = a3;
    out[k + c] = b0; out[k + c + 1] = b1; out[k + c + 2] = b2; out[k + c + 3] = b3;
    out[2 * k + c] = e0; out[2 * k + c + 1] = e1; out[2 * k + c + 2] = e2; out[2 * k + c + 3] = e3;
    out[3 * k + c] = f0; out[3 * k + c + 1] = f1; out[3 * k + c + 2] = f2; out[3 * k + c + 3] = f3;
  }
  for (; c < k; c++) {
    const o = c * len;
    let a = 0;
    let b = 0;
    let e = 0;
    let f = 0;
    for (let j = 0; j < len; j++) {
      const cv = centroids[o + j]!;
      a += data[xa + j]! * cv;
      b += data[xb + j]! * cv;
      e += data[xc + j]! * cv;
      f += data[xd + j]! * cv;
    }
    out[c] = a;
    out[k + c] = b;
    out[2 * k + c] = e;
    out[3 * k + c] = f;
  }
}

/** Squared Euclidean distance between `len` values of `a` at `ao` and of `b` at `bo`. */
export function squaredL2(a: Float32Array, ao: number, b: Float32Array, bo: number, len: number): number {
  // Four accumulators break the add chain; one alone runs at a third of the speed.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 4 <= len; j += 4) {
    const d0 = a[ao + j]! - b[bo + j]!;
    const d1 = a[ao + j + 1]! - b[bo + j + 1]!;
    const d2 = a[ao + j + 2]! - b[bo + j + 2]!;
    const d3 = a[ao + j + 3]! - b[bo + j + 3]!;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; j < len; j++) {
    const d = a[ao + j]! - b[bo + j]!;
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}
