// The embedders users import (`embedders.image()`, `.phash()`, `.text()`, `.onnx()`), the registry that rebuilds
// them from descriptors, and `embedOnWorkers` for embedding on a pool of worker threads.

import { InvalidArgumentError } from "../../format/errors.js";
import { col } from "../expr/builders.js";
import type { Expr } from "../expr/expr.js";
import { fnExpr } from "../expr/namespaces/fn.js";
import type { Embedder } from "./embedder.js";
import { ImageEmbedder, type ImageEmbedderOptions } from "./image.js";
import { createOnnxEmbedder, type OnnxEmbedder, type OnnxEmbedderOptions } from "./onnx.js";
import { PhashEmbedder, type PhashEmbedderOptions } from "./phash.js";
import { TextEmbedder, type TextEmbedderOptions } from "./text.js";
import "./embed-function.js";

export type { Embedder, EmbedderDescriptor } from "./embedder.js";
export { ImageEmbedder, type ImageEmbedderOptions, type ImageFitInput, type ImageFitOptions } from "./image.js";
export { PhashEmbedder, type PhashEmbedderOptions } from "./phash.js";
export { TextEmbedder, type TextEmbedderOptions } from "./text.js";
export { OnnxEmbedder, type OnnxEmbedderOptions, type OnnxImagePreprocess, type OnnxTextPreprocess } from "./onnx.js";
export { createEmbedder, registerEmbedder, type EmbedderFactory } from "./registry.js";
export { fitPca, projectPca, type PcaProjection, type FitPcaOptions } from "./pca.js";
export { EMBEDDING_EXTENSION, type EmbedOptions } from "./embed-function.js";

/** The built-in embedders. */
export interface Embedders {
  /**
   * Normalised size × size thumbnail pixels ("L" or "RGB"), optionally reduced by PCA fitted with `fit(data)`.
   * @example col("image").embed(embedders.image({ size: 16, mode: "L" }))
   */
  image(options?: ImageEmbedderOptions): ImageEmbedder;
  /**
   * A 64-bit perceptual hash as 64 values of 0/1 (L2² distance = Hamming distance): finds near-duplicates.
   * @example col("image").embed(embedders.phash())
   */
  phash(options?: PhashEmbedderOptions): PhashEmbedder;
  /**
   * Hashed character n-grams and words, L2-normalised: similar spellings and shared words land close.
   * @example col("caption").embed(embedders.text({ dimension: 256 }))
   */
  text(options?: TextEmbedderOptions): TextEmbedder;
  /**
   * A local .onnx model run with onnxruntime-node (opened once to resolve its inputs and dimension).
   * @example col("image").embed(await embedders.onnx({ model: "./enc.onnx", preprocess: { kind: "image", size: 224 } }))
   */
  onnx(options: OnnxEmbedderOptions): Promise<OnnxEmbedder>;
}

/** The built-in embedders (see Embedders). */
export const embedders: Embedders = Object.freeze({
  image: (options: ImageEmbedderOptions = {}) => new ImageEmbedder(options),
  phash: (options: PhashEmbedderOptions = {}) => new PhashEmbedder(options),
  text: (options: TextEmbedderOptions = {}) => new TextEmbedder(options),
  onnx: (options: OnnxEmbedderOptions) => createOnnxEmbedder(options),
});

/** Options of `embedOnWorkers`. */
export interface EmbedOnWorkersOptions {
  /** Worker threads; each rebuilds the embedder from its descriptor once. */
  workers: number;
  /** Rows per worker task. Default: each batch split evenly over the workers. */
  batchSize?: number;
}

/**
 * `embed` computed on a pool of worker threads (for built-in embedders: workers rebuild them from descriptors).
 * Equal to `col(x).embed(embedder)`, value for value.
 * @example df.withColumn("embedding", embedOnWorkers(embedders.image(), { workers: 2 })("image"))
 */
export function embedOnWorkers(embedder: Embedder, options: EmbedOnWorkersOptions): (input: Expr | string) => Expr {
  if (!Number.isInteger(options?.workers) || options.workers < 1) {
    throw new InvalidArgumentError(`embedOnWorkers: workers must be a positive integer, got ${options?.workers}`);
  }
  return (input) => fnExpr("embed", typeof input === "string" ? col(input) : input, [], { embedder, workers: options.workers, batchSize: options.batchSize });
}
