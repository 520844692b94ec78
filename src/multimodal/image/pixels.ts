// Pixel work done in JS rather than sharp, where the rule must be exact and documented: mode conversion (grey is
// PIL's ITU-R 601 luma, so values match PIL and perceptualHash), cropping decoded pixels, tensors from pixels.

import { CHANNELS, type ImageMode, type Pixels } from "./types.js";

/** Grey value of an RGB sample (PIL's fixed-point 299/587/114 weights, rounded). */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16;
}

/**
 * `p` in `mode`: colour to grey by luma, grey to colour by repeating it, alpha dropped or added as 255 (opaque).
 * Alpha is never blended in, as PIL's `convert` does. Returns `p` itself when it is already in that mode.
 */
export function convertMode(p: Pixels, mode: ImageMode): Pixels {
  const to = CHANNELS[mode];
  const from = p.channels;
  if (from === to) return p;
  const n = p.width * p.height;
  const src = p.data;
  const out = new Uint8Array(n * to);
  const fromGrey = from <= 2;
  const toGrey = to <= 2;
  const fromAlpha = from === 2 || from === 4;
  const toAlpha = to === 2 || to === 4;
  for (let i = 0, s = 0, d = 0; i < n; i++, s += from, d += to) {
    if (toGrey) out[d] = fromGrey ? src[s]! : luma(src[s]!, src[s + 1]!, src[s + 2]!);
    else if (fromGrey) out[d] = out[d + 1] = out[d + 2] = src[s]!;
    else {
      out[d] = src[s]!;
      out[d + 1] = src[s + 1]!;
      out[d + 2] = src[s + 2]!;
    }
    if (toAlpha) out[d + to - 1] = fromAlpha ? src[s + from - 1]! : 255;
  }
  return { data: out, width: p.width, height: p.height, channels: to };
}

/** The rectangle (left, top, width, height) of `p`; the caller has checked it lies inside. */
export function cropPixels(p: Pixels, left: number, top: number, width: number, height: number): Pixels {
  const c = p.channels;
  const out = new Uint8Array(width * height * c);
  const rowBytes = width * c;
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * p.width + left) * c;
    out.set(p.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { data: out, width, height, channels: c };
}

/** Whether the rectangle lies inside a width×height image (and is not empty). */
export function rectInside(imageWidth: number, imageHeight: number, left: number, top: number, width: number, height: number): boolean {
  return left >= 0 && top >= 0 && width > 0 && height > 0 && left + width <= imageWidth && top + height <= imageHeight;
}

/** Pixels as float32 in [0, 1] (each byte / 255), the usual input of vision models. */
export function toUnitFloats(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! / 255;
  return out;
}
