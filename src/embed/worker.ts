// Runs inside udf worker threads (src/udf/worker-entry.ts loads this module's EmbedWorker class once per worker):
// rebuilds the embedder from its descriptor, so a model is opened once per thread, and embeds the batches it gets.

import type * as A from "apache-arrow";
import type { EmbedderDescriptor } from "./embedder.js";
import type { Embedder } from "./embedder.js";
import { createEmbedder } from "./registry.js";
import { toEmbeddingVector } from "./vectors.js";

/** A class UDF over one embedder: `new EmbedWorker(descriptor)` per worker, then `call(values)` per batch. */
export class EmbedWorker {
  private readonly embedder: Embedder;

  constructor(descriptor: EmbedderDescriptor) {
    this.embedder = createEmbedder(descriptor);
  }

  async call(values: A.Vector): Promise<A.Vector> {
    const e = this.embedder;
    return toEmbeddingVector(await e.embed(values), values.length, e.dimension, e.name);
  }
}
