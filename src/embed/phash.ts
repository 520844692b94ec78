// The perceptual-hash embedder: a 64-bit perceptual hash (src/multimodal/image/phash.ts) as 64 values of 0 or 1,
// so the squared L2 distance between two embeddings is the Hamming distance between the hashes, and any vector
// index finds near-duplicates (resized, recompressed) of an image.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { perceptualHash } from "../multimodal/image/phash.js";
import type { Embedder, EmbedderDescriptor } from "./embedder.js";
import { mapImages } from "./pixels.js";

/** Options of `embedders.phash`. */
export interface PhashEmbedderOptions {
  /**
   * "difference" (default; each bit: is the cell to the right brighter — robust to overall brightness and contrast)
   * or "average" (each bit: is the cell brighter than the mean).
   */
  kind?: "average" | "difference";
  /**
   * Side of the grey image sharp decodes to before hashing (the hash then averages it down to 8 × 8). Larger keeps
   * more detail for the averaging; 64 is plenty for an 8 × 8 grid. Default 64.
   */
  decodeSize?: number;
}

/**
 * Perceptual-hash bits of encoded images as a 64-d 0/1 vector (L2² distance = Hamming distance).
 * @example col("image").embed(embedders.phash())
 */
export class PhashEmbedder implements Embedder {
  readonly accepts = "image" as const;
  readonly dimension = 64;
  readonly name: string;
  readonly descriptor: EmbedderDescriptor;
  private readonly kind: "average" | "difference";
  private readonly decodeSize: number;

  constructor(options: PhashEmbedderOptions = {}) {
    this.kind = options.kind ?? "difference";
    this.decodeSize = options.decodeSize ?? 64;
    if (this.kind !== "average" && this.kind !== "difference") {
      throw new InvalidArgumentError(`embedders.phash: kind must be "average" or "difference", got ${JSON.stringify(this.kind)}`);
    }
    if (!Number.isInteger(this.decodeSize) || this.decodeSize < 8 || this.decodeSize > 1024) {
      throw new InvalidArgumentError(`embedders.phash: decodeSize must be an integer from 8 to 1024, got ${this.decodeSize}`);
    }
    this.name = `phash-${this.kind}`;
    this.descriptor = Object.freeze({ kind: "phash", options: Object.freeze({ kind: this.kind, decodeSize: this.decodeSize }) });
  }

  /** Rebuilds from descriptor options (see registry.ts). */
  static fromOptions(options: Readonly<Record<string, unknown>>): PhashEmbedder {
    return new PhashEmbedder({ kind: options.kind as "average" | "difference", decodeSize: options.decodeSize as number });
  }

  embed(batch: A.Vector): Promise<(Float32Array | null)[]> {
    const size = this.decodeSize;
    return mapImages(batch, { width: size, height: size, mode: "L" }, `embedder ${this.name}`, (pixels) => hashBits(perceptualHash(pixels, this.kind)));
  }

  /** The embedder's name in explain() instead of its fields. */
  toJSON(): string {
    return this.name;
  }
}

/** The 64 bits of a packed hash, most significant bit of byte 0 first, as 0/1 floats. */
export function hashBits(hash: Uint8Array): Float32Array {
  const out = new Float32Array(hash.length * 8);
  for (let i = 0; i < out.length; i++) out[i] = (hash[i >> 3]! >> (7 - (i & 7))) & 1;
  return out;
}
