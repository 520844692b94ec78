// The hashed text embedder: character n-grams and words of the lowercased text, each hashed to one of `dimension`
// buckets with a sign (the "hashing trick"), counted, then L2-normalised. No vocabulary and no model, so it runs
// anywhere, and texts sharing spellings and words land near each other (typos and word order cost little).

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import type { Embedder, EmbedderDescriptor } from "./embedder.js";
import { fnvCodePoint, fnvFinish, fnvStart, fnvString, HASH_NAME } from "./hash.js";
import { l2Normalize } from "./vectors.js";

/** Options of `embedders.text`. */
export interface TextEmbedderOptions {
  /** Buckets (values per embedding). More buckets, fewer collisions between features. Default 256. */
  dimension?: number;
  /** Character n-gram lengths, e.g. [2, 3, 4]. Default [3]. */
  ngrams?: readonly number[];
  /** Also hash whole words (runs of letters and digits). Default true. */
  words?: boolean;
}

const WORD = /[\p{L}\p{N}]+/gu;
const WORD_PREFIX = fnvString(fnvStart(), "w:");

/**
 * Hashed character n-grams and words.
 * @example col("caption").embed(embedders.text({ dimension: 256, ngrams: [3] }))
 */
export class TextEmbedder implements Embedder {
  readonly accepts = "text" as const;
  readonly name: string;
  readonly dimension: number;
  readonly descriptor: EmbedderDescriptor;
  private readonly ngrams: readonly number[];
  private readonly words: boolean;

  constructor(options: TextEmbedderOptions = {}) {
    const dimension = options.dimension ?? 256;
    const ngrams = [...new Set(options.ngrams ?? [3])].sort((a, b) => a - b);
    const words = options.words ?? true;
    if (!Number.isInteger(dimension) || dimension < 1) throw new InvalidArgumentError(`embedders.text: dimension must be a positive integer, got ${dimension}`);
    for (const n of ngrams) if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError(`embedders.text: n-gram lengths must be integers from 1 to 16, got ${n}`);
    if (ngrams.length === 0 && !words) throw new InvalidArgumentError("embedders.text: with no n-grams and words: false there is nothing to hash");
    this.dimension = dimension;
    this.ngrams = ngrams;
    this.words = words;
    this.name = `text-${dimension}${ngrams.length > 0 ? `-ng${ngrams.join(",")}` : ""}${words ? "-w" : ""}`;
    this.descriptor = Object.freeze({ kind: "text", options: Object.freeze({ dimension, ngrams: Object.freeze([...ngrams]), words, hash: HASH_NAME }) });
  }

  /** Rebuilds from descriptor options (see registry.ts). */
  static fromOptions(options: Readonly<Record<string, unknown>>): TextEmbedder {
    if (options.hash !== undefined && options.hash !== HASH_NAME) {
      throw new InvalidArgumentError(`a text embedder hashed with "${String(options.hash)}" cannot be rebuilt by this version (it hashes with ${HASH_NAME})`);
    }
    return new TextEmbedder({ dimension: options.dimension as number, ngrams: options.ngrams as number[], words: options.words as boolean });
  }

  async embed(batch: A.Vector): Promise<(Float32Array | null)[]> {
    const out: (Float32Array | null)[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const v = batch.get(i) as unknown;
      if (v === null || v === undefined) out[i] = null;
      else if (typeof v !== "string") throw new InvalidArgumentError(`embedder ${this.name} embeds text; row ${i} holds ${typeof v}`);
      else out[i] = this.embedOne(v);
    }
    return out;
  }

  /** The embedding of one text (an empty text gives the zero vector). */
  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dimension);
    const clean = text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
    const add = (h: number): void => {
      v[h % this.dimension]! += h & 0x80000000 ? -1 : 1;
    };
    if (clean.length > 0) {
      // Spaces around the text mark where it starts and ends, so "cat" and "concatenate" share fewer grams. Each
      // feature is hashed as the string `${n}:${gram}` (or `w:${word}`), built piece by piece without allocating.
      const cps = Array.from(` ${clean} `, (c) => {
        const cp = c.codePointAt(0)!;
        return cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp; // a lone surrogate, as TextEncoder would write it
      });
      for (const n of this.ngrams) {
        const prefix = fnvString(fnvStart(), `${n}:`);
        const grams = Math.max(1, cps.length - n + 1);
        for (let i = 0; i < grams; i++) {
          let h = prefix;
          for (let j = i; j < Math.min(cps.length, i + n); j++) h = fnvCodePoint(h, cps[j]!);
          add(fnvFinish(h));
        }
      }
      if (this.words) for (const w of clean.match(WORD) ?? []) add(fnvFinish(fnvString(WORD_PREFIX, w)));
    }
    return l2Normalize(v);
  }

  /** The embedder's name in explain() instead of its fields. */
  toJSON(): string {
    return this.name;
  }
}
