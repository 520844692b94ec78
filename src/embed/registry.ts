// Rebuilding embedders from their descriptors: each kind has a factory from its JSON options. Worker threads (and
// readers of an embedding column's metadata) call createEmbedder to get the very embedder that produced the column.

import { InvalidArgumentError } from "../../format/errors.js";
import type { Embedder, EmbedderDescriptor } from "./embedder.js";
import { ImageEmbedder } from "./image.js";
import { OnnxEmbedder } from "./onnx.js";
import { PhashEmbedder } from "./phash.js";
import { TextEmbedder } from "./text.js";

/** Builds an embedder of one kind from its descriptor's options. */
export type EmbedderFactory = (options: Readonly<Record<string, unknown>>) => Embedder;

const FACTORIES = new Map<string, EmbedderFactory>([
  ["image", ImageEmbedder.fromOptions],
  ["phash", PhashEmbedder.fromOptions],
  ["text", TextEmbedder.fromOptions],
  ["onnx", OnnxEmbedder.fromOptions],
]);

/**
 * Registers a kind of embedder so createEmbedder can rebuild it (in this thread only: worker threads know the
 * built-in kinds, so custom kinds run in-process).
 * @example registerEmbedder("my-model", (o) => new MyEmbedder(o))
 */
export function registerEmbedder(kind: string, factory: EmbedderFactory): void {
  if (FACTORIES.has(kind)) throw new InvalidArgumentError(`an embedder kind "${kind}" is already registered`);
  FACTORIES.set(kind, factory);
}

/**
 * The embedder a descriptor describes (an ONNX model is opened on its first batch).
 * @example const same = createEmbedder(embedders.text().descriptor)
 */
export function createEmbedder(descriptor: EmbedderDescriptor): Embedder {
  const factory = typeof descriptor?.kind === "string" ? FACTORIES.get(descriptor.kind) : undefined;
  if (factory === undefined) {
    throw new InvalidArgumentError(
      `unknown embedder kind ${JSON.stringify(descriptor?.kind)}; known kinds are ${[...FACTORIES.keys()].join(", ")} (register others with registerEmbedder)`,
    );
  }
  return factory(descriptor.options ?? {});
}
