// The Embedder contract: a serialisable description (so a worker thread, or later another machine, can rebuild the
// same model) and an `embed` that turns a batch of inputs into vectors of `dimension` float32 values.

import type * as A from "apache-arrow";

/** What rebuilds an embedder: a registered kind and its JSON options. Stored in embedding columns' metadata. */
export interface EmbedderDescriptor {
  readonly kind: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** Turns images (encoded bytes) or texts into embeddings. Set up once per process or worker, then reused. */
export interface Embedder {
  /** A short name for messages and explain(), e.g. "image-8x8-L". */
  readonly name: string;
  /** Values per embedding. */
  readonly dimension: number;
  /** What it embeds: encoded image bytes, text, or either. */
  readonly accepts: "image" | "text" | "any";
  /** How to rebuild it elsewhere (and what the column metadata records). */
  readonly descriptor: EmbedderDescriptor;
  /** One embedding per input value (null in, null out). */
  embed(batch: A.Vector): Promise<readonly (Float32Array | null)[] | A.Vector>;
}

/** The kinds createEmbedder knows in every thread (worker threads can rebuild only these). */
export const BUILT_IN_EMBEDDER_KINDS: readonly string[] = ["image", "phash", "text", "onnx"];

/** Whether `kind` is built in. */
export function isBuiltInKind(kind: string): boolean {
  return BUILT_IN_EMBEDDER_KINDS.includes(kind);
}
