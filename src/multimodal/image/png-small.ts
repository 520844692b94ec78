// A fast path for small PNGs (up to 128×128, e.g. MNIST-style 28×28): decoded in JS with node:zlib, because a
// sharp call has a fixed cost (thread hop, libvips pipeline) that dwarfs the work on a few hundred pixels.
// Only plain files qualify — 8-bit grey, grey+alpha, RGB or RGBA, not interlaced, no palette, transparency chunk or
// ICC profile — so the result is exactly what sharp gives; anything else returns undefined and goes to sharp.

import { inflateSync } from "node:zlib";
import type { Pixels } from "./types.js";

/** Most pixels decoded on the main thread (inflate is synchronous; bigger images go to sharp's threads). */
export const SMALL_PNG_PIXELS = 128 * 128;

const CHANNELS_OF_COLOUR_TYPE: Readonly<Record<number, Pixels["channels"]>> = { 0: 1, 4: 2, 2: 3, 6: 4 };
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The pixels of a small plain PNG, or undefined when it does not qualify. Corrupt compressed data throws (zlib's
 * checksum catches it), as sharp would.
 */
export function decodeSmallPng(b: Uint8Array): Pixels | undefined {
  if (b.length < 33 || !SIGNATURE.every((v, i) => b[i] === v)) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const channels = CHANNELS_OF_COLOUR_TYPE[b[25]!];
  const plain = b[24] === 8 && b[26] === 0 && b[27] === 0 && b[28] === 0; // depth 8, deflate, adaptive filters, no interlace
  if (channels === undefined || !plain || width * height > SMALL_PNG_PIXELS || width === 0 || height === 0) return undefined;
  const idat = collectIdat(b, view);
  if (idat === undefined) return undefined;
  const stride = width * channels;
  const raw = inflateSync(idat);
  if (raw.length < height * (stride + 1)) throw new Error(`PNG image data is short: ${raw.length} of ${height * (stride + 1)} bytes`);
  return { data: unfilter(raw, width, height, channels), width, height, channels };
}

/** The concatenated IDAT payloads, or undefined when a chunk would change the pixels (tRNS, iCCP) or is cut. */
function collectIdat(b: Uint8Array, view: DataView): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= b.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!);
    if (at + 12 + len > b.length) return undefined;
    if (type === "tRNS" || type === "iCCP") return undefined;
    if (type === "IDAT") parts.push(b.subarray(at + 8, at + 8 + len));
    if (type === "IEND") break;
    at += 12 + len;
  }
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** Undoes PNG's per-row filters (none, sub, up, average, Paeth) into packed pixels. */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const up = y > 0 ? out[prev + x]! : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp]! : 0;
      out[row + x] = (raw[src + x]! + predict(filter, a, up, c)) & 0xff;
    }
  }
  return out;
}

function predict(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4: {
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default:
      throw new Error(`PNG row filter ${filter} is not one of 0–4`);
  }
}
