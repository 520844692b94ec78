// Decoding encoded images (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG: whatever sharp reads) to small raw pixel grids,
// the common first step of the image, perceptual-hash and ONNX image embedders.

import type * as A from "apache-arrow";
import type Sharp from "sharp";
import { InvalidArgumentError } from "../../format/errors.js";

/** Raw 8-bit pixels, row-major, channels interleaved. */
export interface Pixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** How to decode: the output size and colour mode. */
export interface DecodeOptions {
  width: number;
  height: number;
  /** "L" (one grey channel) or "RGB". */
  mode: "L" | "RGB";
}

let sharpModule: Promise<typeof Sharp> | undefined;

/** sharp, imported on first use: its native library is not loaded by programs that never decode an image. */
export function loadSharp(): Promise<typeof Sharp> {
  sharpModule ??= import("sharp").then((m) => m.default);
  return sharpModule;
}

/** Images decoded at once per batch: sharp queues work on libuv's pool, and this bounds buffers held meanwhile. */
const IN_FLIGHT = 16;

/**
 * `bytes` decoded, flattened onto black (so transparent pixels do not keep arbitrary colours) and resized to exactly
 * width × height (aspect ratio not kept: a thumbnail embedding compares layouts, not shapes).
 */
export async function decodePixels(bytes: Uint8Array, options: DecodeOptions): Promise<Pixels> {
  const sharp = await loadSharp();
  let img = sharp(bytes, { failOn: "error" }).flatten({ background: "#000000" }).resize(options.width, options.height, { fit: "fill" });
  img = options.mode === "L" ? img.greyscale() : img.toColourspace("srgb");
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const channels = options.mode === "L" ? 1 : 3;
  if (info.channels !== channels) throw new InvalidArgumentError(`decoded ${info.channels} channels where ${channels} were expected`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels };
}

/**
 * `fn` of each decoded image of a batch of encoded images (null stays null); an undecodable image fails naming its
 * row and what `who` (the embedder) is.
 */
export async function mapImages<T>(
  batch: A.Vector,
  options: DecodeOptions,
  who: string,
  fn: (pixels: Pixels, row: number) => T,
): Promise<(T | null)[]> {
  const out: (T | null)[] = new Array(batch.length).fill(null);
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < batch.length) {
      const row = next++;
      const bytes = batch.get(row) as Uint8Array | null;
      if (bytes === null) continue;
      if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError(`${who} embeds encoded image bytes; row ${row} holds ${typeof bytes}`);
      let pixels: Pixels;
      try {
        pixels = await decodePixels(bytes, options);
      } catch (err) {
        throw new InvalidArgumentError(`${who}: the image at row ${row} (${bytes.byteLength} bytes) could not be decoded: ${(err as Error).message}`, {
          cause: err,
        });
      }
      out[row] = fn(pixels, row);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, batch.length) }, work));
  return out;
}
