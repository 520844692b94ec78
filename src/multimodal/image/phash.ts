// Perceptual hashes of raw pixels (pure JS, no sharp): 64 bits that change little when an image is resized or
// recompressed, so near-duplicates are a few bits apart (Hamming distance) while different images are ~32 apart.

import { InvalidArgumentError } from "../../../format/errors.js";

/** Raw pixels: row-major, channels interleaved, one byte per sample (what `image.decode` produces). */
export interface RawPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** 1 (L), 2 (LA), 3 (RGB) or 4 (RGBA); alpha is ignored. */
  readonly channels: number;
}

/** "average": each of 8×8 cells brighter than the mean; "difference": each of 8×8 cells darker than its right neighbour. */
export type HashKind = "average" | "difference";

/** Bytes of a 64-bit hash. */
export const HASH_BYTES = 8;

/**
 * A 64-bit perceptual hash of `pixels` as 8 packed bytes. The image is turned into luma (ITU-R 601 weights, as
 * PIL's `convert("L")`), shrunk to a grid by area averaging (8×8 for "average", 9×8 for "difference"), and each
 * bit says: "average" — the cell is brighter than the grid's mean; "difference" — the cell to its right is
 * brighter. Bits run over the grid row by row, most significant bit of byte 0 first.
 * @example
 * const h = perceptualHash({ data, width: 64, height: 64, channels: 3 }, "difference");
 */
export function perceptualHash(pixels: { data: Uint8Array; width: number; height: number; channels: number }, kind: "average" | "difference"): Uint8Array {
  checkPixels(pixels);
  if (kind !== "average" && kind !== "difference") {
    throw new InvalidArgumentError(`perceptualHash: kind must be "average" or "difference", got ${JSON.stringify(kind)}`);
  }
  const gw = kind === "average" ? 8 : 9;
  const cells = shrinkLuma(pixels, gw, 8);
  const bits = new Uint8Array(64);
  if (kind === "average") {
    let sum = 0;
    for (const c of cells) sum += c;
    const mean = sum / 64;
    // A small epsilon keeps a flat image (every cell equal to the mean up to rounding) at all-zero bits.
    for (let i = 0; i < 64; i++) bits[i] = cells[i]! > mean + 1e-9 ? 1 : 0;
  } else {
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) bits[y * 8 + x] = cells[y * 9 + x + 1]! > cells[y * 9 + x]! + 1e-9 ? 1 : 0;
    }
  }
  return packHash(bits);
}

/** Bits differing between two hashes of equal length. */
export function hammingDistance(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new InvalidArgumentError(`hammingDistance: hashes have ${a.length} and ${b.length} bytes; compare hashes of one kind`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POPCOUNT[a[i]! ^ b[i]!]!;
  return d;
}

/** The hash as an unsigned 64-bit integer, byte 0 most significant (how `image.hash` stores it). */
export function hashToBigInt(hash: Uint8Array): bigint {
  if (hash.length !== HASH_BYTES) throw new InvalidArgumentError(`a 64-bit hash has 8 bytes, got ${hash.length}`);
  return new DataView(hash.buffer, hash.byteOffset, 8).getBigUint64(0, false);
}

/** The 8 bytes of a 64-bit hash stored as an integer (negative int64 values are read as their bits). */
export function bigIntToHash(value: bigint): Uint8Array {
  const out = new Uint8Array(HASH_BYTES);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, value), false);
  return out;
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let v = i; v !== 0; v >>= 1) n += v & 1;
  return n;
});

function checkPixels(p: RawPixels): void {
  const { width, height, channels, data } = p;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidArgumentError(`perceptualHash: width and height must be positive integers, got ${width}×${height}`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 4) {
    throw new InvalidArgumentError(`perceptualHash: channels must be 1 to 4, got ${channels}`);
  }
  if (data.length < width * height * channels) {
    throw new InvalidArgumentError(`perceptualHash: ${width}×${height}×${channels} pixels need ${width * height * channels} bytes, got ${data.length}`);
  }
}

/** 64 bits (0/1 bytes) packed most significant first. */
function packHash(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < 64; i++) out[i >> 3]! |= bits[i]! << (7 - (i & 7));
  return out;
}

/** Luma of pixel `i` (PIL's fixed-point ITU-R 601 weights for colour; the first channel otherwise). */
function lumaAt(data: Uint8Array, i: number, channels: number): number {
  const k = i * channels;
  if (channels < 3) return data[k]!;
  return (data[k]! * 19595 + data[k + 1]! * 38470 + data[k + 2]! * 7471 + 32768) >> 16;
}

/**
 * The mean luma of each cell of a gw×gh grid laid over the image: every source pixel contributes to the cells it
 * overlaps in proportion to the overlap, so the result does not jump when the image is resized by a few pixels.
 * Done separably (columns, then rows) in one pass over the pixels.
 */
function shrinkLuma(p: RawPixels, gw: number, gh: number): Float64Array {
  const xs = coverage(p.width, gw);
  const ys = coverage(p.height, gh);
  const rowSums = new Float64Array(p.height * gw);
  for (let y = 0; y < p.height; y++) {
    const base = y * p.width;
    const out = y * gw;
    for (let x = 0; x < p.width; x++) {
      const l = lumaAt(p.data, base + x, p.channels);
      for (let k = xs.offsets[x]!; k < xs.offsets[x + 1]!; k++) rowSums[out + xs.cells[k]!]! += l * xs.weights[k]!;
    }
  }
  const cells = new Float64Array(gw * gh);
  for (let y = 0; y < p.height; y++) {
    for (let k = ys.offsets[y]!; k < ys.offsets[y + 1]!; k++) {
      const to = ys.cells[k]! * gw;
      const w = ys.weights[k]!;
      for (let x = 0; x < gw; x++) cells[to + x]! += rowSums[y * gw + x]! * w;
    }
  }
  // Each cell covers (width/gw)·(height/gh) source pixels.
  const area = (p.width / gw) * (p.height / gh);
  for (let i = 0; i < cells.length; i++) cells[i]! /= area;
  return cells;
}

/** Source pixel i of an axis overlaps cells[k] by weights[k] for k in [offsets[i], offsets[i + 1]). */
interface Coverage {
  readonly offsets: Int32Array;
  readonly cells: Int32Array;
  readonly weights: Float64Array;
}

/** Coverage tables by "n:m": a dataset's images mostly share a few sizes, and building one costs more than using it. */
const COVERAGE = new Map<string, Coverage>();

/** How the `m` equal cells along an axis of `n` source pixels overlap each pixel. */
function coverage(n: number, m: number): Coverage {
  const key = `${n}:${m}`;
  let table = COVERAGE.get(key);
  if (table === undefined) {
    if (COVERAGE.size >= 256) COVERAGE.clear();
    table = buildCoverage(n, m);
    COVERAGE.set(key, table);
  }
  return table;
}

function buildCoverage(n: number, m: number): Coverage {
  const step = n / m;
  const offsets = new Int32Array(n + 1);
  const cells: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = Math.floor(i / step); j < m && j * step < i + 1; j++) {
      const w = Math.min(i + 1, (j + 1) * step) - Math.max(i, j * step);
      if (w > 1e-12) {
        cells.push(j);
        weights.push(w);
      }
    }
    offsets[i + 1] = cells.length;
  }
  return { offsets, cells: Int32Array.from(cells), weights: Float64Array.from(weights) };
}
