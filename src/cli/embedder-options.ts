// Embedders from command-line options (`embed --embedder …`, `search --image … --embedder …`): the built-in
// image, phash and text embedders and local ONNX models, with their options checked before any work starts.

import { existsSync } from "node:fs";
import { NotFoundError } from "../../format/errors.js";
import { embedders, type Embedder } from "../embed/index.js";
import { UsageError } from "./errors.js";

/** The embedder kinds the command line offers. */
export const EMBEDDER_KINDS = ["image", "phash", "text", "onnx"] as const;
export type EmbedderKind = (typeof EMBEDDER_KINDS)[number];

/** Embedder options as parsed from the command line. */
export interface EmbedderFlags {
  embedder?: EmbedderKind;
  /** image: thumbnail side (default 16); onnx image: the side images are resized to. */
  size?: number;
  /** image / onnx image: "L" or "RGB". */
  mode?: "L" | "RGB";
  /** text: buckets (default 256). */
  dimension?: number;
  /** onnx: a local .onnx file. */
  model?: string;
  /** onnx: "image" or "text" preprocessing; default from what the source column holds. */
  preprocess?: "image" | "text";
  mean?: number[];
  std?: number[];
  layout?: "nchw" | "nhwc";
  tokenizer?: string;
  maxLength?: number;
  input?: string;
  output?: string;
  batchSize?: number;
}

/** Builds the embedder the flags describe; `holds` is what the column stores, for the ONNX default preprocessing. */
export async function embedderFrom(f: EmbedderFlags, holds: "image" | "text"): Promise<Embedder> {
  const kind = f.embedder;
  if (kind === undefined) throw new UsageError(`--embedder is required: one of ${EMBEDDER_KINDS.join(", ")}`);
  if (kind !== "onnx" && f.model !== undefined) throw new UsageError(`--model is for --embedder onnx, not ${kind}`);
  switch (kind) {
    case "image":
      return embedders.image({ ...(f.size !== undefined ? { size: f.size } : {}), ...(f.mode !== undefined ? { mode: f.mode } : {}) });
    case "phash":
      return embedders.phash();
    case "text":
      return embedders.text(f.dimension !== undefined ? { dimension: f.dimension } : {});
    case "onnx":
      return onnxEmbedder(f, holds);
  }
}

async function onnxEmbedder(f: EmbedderFlags, holds: "image" | "text"): Promise<Embedder> {
  if (f.model === undefined) throw new UsageError("--embedder onnx needs --model <file.onnx> (a local model file; nothing is downloaded)");
  if (!existsSync(f.model)) throw new NotFoundError(`ONNX model ${f.model} does not exist; pass the path of a local .onnx file to --model`, { path: f.model });
  const kind = f.preprocess ?? holds;
  const preprocess =
    kind === "image"
      ? {
          kind: "image" as const,
          ...(f.size !== undefined ? { size: f.size } : {}),
          ...(f.mode !== undefined ? { mode: f.mode } : {}),
          ...(f.mean !== undefined ? { mean: f.mean } : {}),
          ...(f.std !== undefined ? { std: f.std } : {}),
          ...(f.layout !== undefined ? { layout: f.layout } : {}),
        }
      : {
          kind: "text" as const,
          ...(f.tokenizer !== undefined ? { tokenizer: f.tokenizer } : {}),
          ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
        };
  return embedders.onnx({
    model: f.model,
    preprocess,
    ...(f.input !== undefined ? { input: f.input } : {}),
    ...(f.output !== undefined ? { output: f.output } : {}),
    ...(f.batchSize !== undefined ? { batchSize: f.batchSize } : {}),
  });
}

/**
 * `inner` with every `embed` call counted by `onRows`: the wrapper keeps the inner embedder's name, dimension and
 * descriptor (through the prototype), so the column metadata records the real embedder.
 */
export function countingEmbedder(inner: Embedder, onRows: (n: number) => void): Embedder {
  const wrapped = Object.create(inner) as Embedder;
  Object.defineProperty(wrapped, "embed", {
    value: async (input: Parameters<Embedder["embed"]>[0]) => {
      const out = await inner.embed(input);
      onRows(input.length);
      return out;
    },
  });
  return wrapped;
}
