// The ONNX embedder: runs a local .onnx model with onnxruntime-node on batches of images or texts. Nothing is ever
// downloaded: the model (and tokenizer) must be files on this machine. The session is created once per process or
// worker thread and shared by every embedder over the same file; onnxruntime is imported only when first needed.

import { existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { isMainThread } from "node:worker_threads";
import * as A from "apache-arrow";
import type * as Ort from "onnxruntime-node";
import { InvalidArgumentError, NotFoundError, NotSupportedError } from "../../format/errors.js";
import type { Embedder, EmbedderDescriptor } from "./embedder.js";
import { imageInputs, outputVectors, textInputs, type ImagePrep, type Prepared, type TextInputNames, type TextPrep } from "./onnx-inputs.js";
import { loadSharp } from "./pixels.js";
import { loadTokenizer, type Tokenizer } from "./tokenizer.js";
import { l2Normalize } from "./vectors.js";

/** Image preprocessing of `embedders.onnx`. */
export interface OnnxImagePreprocess {
  kind: "image";
  /** Side the image is resized to. Default: the model input's height when fixed, else required. */
  size?: number;
  /** "RGB" or "L". Default: from the model input's channel count when fixed, else "RGB". */
  mode?: "L" | "RGB";
  /** Per-channel mean subtracted from pixels scaled to 0..1. Default 0 (e.g. ImageNet: [0.485, 0.456, 0.406]). */
  mean?: readonly number[];
  /** Per-channel divisor after the mean. Default 1 (e.g. ImageNet: [0.229, 0.224, 0.225]). */
  std?: readonly number[];
  /** Tensor layout. Default "nchw". */
  layout?: "nchw" | "nhwc";
}

/** Text preprocessing of `embedders.onnx`. */
export interface OnnxTextPreprocess {
  kind: "text";
  /** A local vocab.txt or WordPiece tokenizer.json. Default: none (UTF-8 bytes as ids 1..256, 0 pads). */
  tokenizer?: string;
  /** Most tokens per text (including start/end tokens). Default 128, or the model's fixed length. */
  maxLength?: number;
}

/** Options of `embedders.onnx`. */
export interface OnnxEmbedderOptions {
  /** Path of a local .onnx file (URLs are refused: nothing is downloaded). */
  model: string;
  /** How inputs become tensors. */
  preprocess: OnnxImagePreprocess | OnnxTextPreprocess;
  /** Input name (the image tensor, or the token ids). Default: the model's first input. */
  input?: string;
  /** Output name. Default: the model's first output. */
  output?: string;
  /** Values per embedding; checked against the model's output shape. Default: read from the model. */
  dimension?: number;
  /** Inputs per model run: larger runs faster per input and needs more memory. Default 32. */
  batchSize?: number;
  /** Scale each embedding to unit length (cosine and L2 search then agree). Default true. */
  normalize?: boolean;
  /** onnxruntime intra-op threads. Default: onnxruntime's own on the main thread, 1 in a worker thread. */
  threads?: number;
}

/** Every option resolved; this is what the descriptor stores. */
interface Resolved {
  model: string;
  input: string;
  output: string;
  dimension: number;
  batchSize: number;
  normalize: boolean;
  threads?: number;
  preprocess: ImagePrep | TextPrep;
}

type Session = Ort.InferenceSession;
type OrtModule = typeof Ort;

let ortModule: Promise<OrtModule> | undefined;
const sessions = new Map<string, Promise<Session>>();

function ort(): Promise<OrtModule> {
  ortModule ??= import("onnxruntime-node").then((m) => (m.default ?? m) as OrtModule);
  return ortModule;
}

/** The process's (or worker's) session over `model`, created on first use. */
function session(model: string, threads: number | undefined): Promise<Session> {
  const intra = threads ?? (isMainThread ? undefined : 1);
  const key = `${model}|${intra ?? ""}`;
  let s = sessions.get(key);
  if (s === undefined) {
    s = ort().then((o) => o.InferenceSession.create(model, intra === undefined ? {} : { intraOpNumThreads: intra }));
    s.catch(() => sessions.delete(key));
    sessions.set(key, s);
  }
  return s;
}

function localModel(model: string): string {
  if (typeof model !== "string" || model.length === 0) throw new InvalidArgumentError("embedders.onnx needs { model: a path to a local .onnx file }");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(model) && !model.startsWith("file://")) {
    throw new NotSupportedError(`embedders.onnx: ${model} is a URL; models are never downloaded — save the .onnx file locally and pass its path`);
  }
  const path = model.startsWith("file://") ? new URL(model).pathname : resolvePath(model);
  if (!existsSync(path)) throw new NotFoundError(`embedders.onnx: no model file at ${path}`, { path });
  return path;
}

function tensorMeta(list: readonly Ort.InferenceSession.ValueMetadata[], name: string, what: string): Ort.InferenceSession.TensorValueMetadata {
  const m = list.find((x) => x.name === name);
  if (m === undefined) throw new InvalidArgumentError(`the model has no ${what} "${name}"; its ${what}s are ${list.map((x) => x.name).join(", ")}`);
  if (!m.isTensor) throw new NotSupportedError(`the model's ${what} "${name}" is not a tensor`);
  return m;
}

/**
 * A local ONNX model as an embedder: opens the model once (to learn its inputs and output size) and resolves every
 * default, so the returned embedder's descriptor rebuilds it exactly.
 * @example const e = await embedders.onnx({ model: "./clip-visual.onnx", preprocess: { kind: "image", size: 224 } })
 */
export async function createOnnxEmbedder(options: OnnxEmbedderOptions): Promise<OnnxEmbedder> {
  const model = localModel(options.model);
  const s = await session(model, options.threads);
  const input = options.input ?? s.inputNames[0]!;
  const output = options.output ?? s.outputNames[0]!;
  const inMeta = tensorMeta(s.inputMetadata, input, "input");
  tensorMeta(s.outputMetadata, output, "output");
  const pre = options.preprocess;
  let preprocess: ImagePrep | TextPrep;
  if (pre?.kind === "image") preprocess = imagePrep(pre, inMeta.shape);
  else if (pre?.kind === "text") preprocess = { kind: "text", maxLength: pre.maxLength ?? 128, ...(pre.tokenizer !== undefined ? { tokenizer: resolvePath(pre.tokenizer) } : {}) };
  else throw new InvalidArgumentError('embedders.onnx needs preprocess: { kind: "image", ... } or { kind: "text", ... }');
  const probe = new OnnxEmbedder({ model, input, output, dimension: 0, batchSize: 1, normalize: false, preprocess, ...(options.threads ? { threads: options.threads } : {}) });
  const dimension = await probe.outputDimension();
  if (options.dimension !== undefined && options.dimension !== dimension) {
    throw new InvalidArgumentError(`embedders.onnx: the model's output "${output}" has ${dimension} values per input, not ${options.dimension}`);
  }
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`embedders.onnx: batchSize must be a positive integer, got ${batchSize}`);
  return new OnnxEmbedder({ ...probe.options, dimension, batchSize, normalize: options.normalize ?? true });
}

function imagePrep(pre: OnnxImagePreprocess, shape: readonly (number | string)[]): ImagePrep {
  const layout = pre.layout ?? "nchw";
  if (layout !== "nchw" && layout !== "nhwc") throw new InvalidArgumentError(`embedders.onnx: layout must be "nchw" or "nhwc", got ${JSON.stringify(layout)}`);
  const fixed = (i: number): number | undefined => (typeof shape[i] === "number" && (shape[i] as number) > 0 ? (shape[i] as number) : undefined);
  const channels = layout === "nchw" ? fixed(1) : fixed(3);
  const size = pre.size ?? fixed(layout === "nchw" ? 2 : 1);
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError("embedders.onnx: the model's input has no fixed height; pass preprocess.size");
  }
  const mode = pre.mode ?? (channels === 1 ? "L" : "RGB");
  const c = mode === "L" ? 1 : 3;
  if (channels !== undefined && channels !== c) throw new InvalidArgumentError(`embedders.onnx: the model takes ${channels} channels, mode "${mode}" gives ${c}`);
  const perChannel = (v: readonly number[] | undefined, fill: number, name: string): number[] => {
    const out = v === undefined ? new Array<number>(c).fill(fill) : v.length === 1 ? new Array<number>(c).fill(v[0]!) : [...v];
    if (out.length !== c || out.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
      throw new InvalidArgumentError(`embedders.onnx: preprocess.${name} needs ${c} numbers (one per channel), got ${JSON.stringify(v)}`);
    }
    return out;
  };
  const std = perChannel(pre.std, 1, "std");
  if (std.some((x) => x === 0)) throw new InvalidArgumentError("embedders.onnx: preprocess.std may not hold 0");
  return { kind: "image", size, mode, mean: perChannel(pre.mean, 0, "mean"), std, layout };
}

/**
 * Embeddings from a local ONNX model (build it with `embedders.onnx`, which resolves its options).
 * @example col("image").embed(await embedders.onnx({ model, preprocess: { kind: "image", size: 8 } }))
 */
export class OnnxEmbedder implements Embedder {
  readonly name: string;
  readonly dimension: number;
  readonly accepts: "image" | "text";
  readonly descriptor: EmbedderDescriptor;
  private tokenizer: Promise<Tokenizer> | undefined;

  constructor(readonly options: Readonly<Resolved>) {
    this.dimension = options.dimension;
    this.accepts = options.preprocess.kind;
    this.name = `onnx-${options.model.split(/[\\/]/).at(-1)!.replace(/\.onnx$/, "")}`;
    this.descriptor = Object.freeze({ kind: "onnx", options: Object.freeze(JSON.parse(JSON.stringify(options)) as Record<string, unknown>) });
  }

  /** Rebuilds from descriptor options (see registry.ts); the model is opened on the first batch. */
  static fromOptions(options: Readonly<Record<string, unknown>>): OnnxEmbedder {
    const o = options as unknown as Resolved;
    if (typeof o.model !== "string" || typeof o.dimension !== "number" || typeof o.preprocess !== "object") {
      throw new InvalidArgumentError("an onnx embedder descriptor needs model, dimension and preprocess");
    }
    return new OnnxEmbedder(o);
  }

  async embed(batch: A.Vector): Promise<(Float32Array | null)[]> {
    const out: (Float32Array | null)[] = new Array(batch.length).fill(null);
    const step = this.options.batchSize;
    for (let at = 0; at < batch.length; at += step) {
      const part = batch.slice(at, Math.min(batch.length, at + step));
      const prepared = await this.prepare(part);
      if (prepared.rows.length === 0) continue;
      const vectors = await this.run(prepared);
      prepared.rows.forEach((row, i) => (out[at + row] = this.options.normalize ? l2Normalize(vectors[i]!) : vectors[i]!));
    }
    return out;
  }

  /** Values per input the model's output gives (one probe run on a blank input). */
  async outputDimension(): Promise<number> {
    const blank = this.options.preprocess.kind === "image" ? await this.blankImage() : await this.prepareText(["a"]);
    return (await this.run(blank))[0]!.length;
  }

  private async blankImage(): Promise<Prepared> {
    const sharp = await loadSharp();
    const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: "#000000" } }).png().toBuffer();
    return this.prepare(A.vectorFromArray([new Uint8Array(png)], new A.Binary()));
  }

  private prepareText(texts: string[]): Promise<Prepared> {
    return this.prepare(A.vectorFromArray(texts, new A.Utf8()));
  }

  private async prepare(part: A.Vector): Promise<Prepared> {
    const p = this.options.preprocess;
    if (p.kind === "image") return imageInputs(part, p, this.options.input, `embedder ${this.name}`);
    this.tokenizer ??= loadTokenizer(p.tokenizer);
    const tokenizer = await this.tokenizer.catch((err: unknown) => {
      this.tokenizer = undefined;
      throw err;
    });
    return textInputs(part, p, await this.textNames(), tokenizer, `embedder ${this.name}`);
  }

  /** Which inputs a text model has: ids (named by the options), and an attention mask and token types if present. */
  private async textNames(): Promise<TextInputNames> {
    const s = await session(this.options.model, this.options.threads);
    const ids = tensorMeta(s.inputMetadata, this.options.input, "input");
    if (ids.type !== "int64" && ids.type !== "int32") throw new NotSupportedError(`text model input "${ids.name}" is ${ids.type}; token ids must be int64 or int32`);
    const others = s.inputNames.filter((n) => n !== this.options.input);
    const mask = others.find((n) => /mask/i.test(n));
    const typeIds = others.find((n) => /type/i.test(n));
    const unknown = others.filter((n) => n !== mask && n !== typeIds);
    if (unknown.length > 0) throw new NotSupportedError(`text model inputs ${unknown.join(", ")} cannot be filled from text (known: ids, attention mask, token types)`);
    const len = ids.shape[1];
    return {
      ids: ids.name,
      idsType: ids.type,
      ...(mask !== undefined ? { mask } : {}),
      ...(typeIds !== undefined ? { typeIds } : {}),
      ...(typeof len === "number" && len > 0 ? { fixedLength: len } : {}),
    };
  }

  private async run(prepared: Prepared): Promise<Float32Array[]> {
    const o = await ort();
    const s = await session(this.options.model, this.options.threads);
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, a] of Object.entries(prepared.inputs)) feeds[name] = new o.Tensor(a.type, a.data, [...a.dims]);
    const result = await s.run(feeds, [this.options.output]);
    const t = result[this.options.output]!;
    if (typeof t.data === "string" || (Array.isArray(t.data) && typeof t.data[0] === "string")) {
      throw new NotSupportedError(`the model's output "${this.options.output}" holds strings, not numbers`);
    }
    return outputVectors(t.data as ArrayLike<number>, t.dims, prepared);
  }

  /** The embedder's name in explain() instead of its fields. */
  toJSON(): string {
    return this.name;
  }
}
