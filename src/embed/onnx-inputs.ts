// Preparing ONNX model inputs from a batch of images or texts, and reading embeddings out of the model's output:
// images become normalised float tensors (NCHW or NHWC), texts token-id tensors with an attention mask; a
// per-token output ([batch, tokens, hidden]) is mean-pooled over the real tokens.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { mapImages } from "./pixels.js";
import type { Tokenizer } from "./tokenizer.js";

/** Image preprocessing, resolved (every field set). */
export interface ImagePrep {
  readonly kind: "image";
  readonly size: number;
  readonly mode: "L" | "RGB";
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly layout: "nchw" | "nhwc";
}

/** Text preprocessing, resolved. */
export interface TextPrep {
  readonly kind: "text";
  /** Path of a vocab.txt or tokenizer.json; absent: UTF-8 bytes. */
  readonly tokenizer?: string;
  readonly maxLength: number;
}

/** A typed array and shape for one model input (turned into an ort.Tensor by the caller). */
export interface InputArray {
  readonly type: "float32" | "int64" | "int32";
  readonly data: Float32Array | BigInt64Array | Int32Array;
  readonly dims: readonly number[];
}

/** Model inputs for the non-null rows of a batch, and which rows they are. */
export interface Prepared {
  readonly rows: readonly number[];
  readonly inputs: Record<string, InputArray>;
  /** Per row, tokens that are not padding (text), for pooling. */
  readonly mask?: Uint8Array;
  readonly length?: number;
}

/** The image tensor of `batch` (one entry per non-null image). */
export async function imageInputs(batch: A.Vector, prep: ImagePrep, input: string, who: string): Promise<Prepared> {
  const { size, mode, mean, std, layout } = prep;
  const c = mode === "L" ? 1 : 3;
  const plane = size * size;
  const decoded = await mapImages(batch, { width: size, height: size, mode }, who, (p) => p.data);
  const rows = decoded.flatMap((d, i) => (d === null ? [] : [i]));
  const data = new Float32Array(rows.length * c * plane);
  rows.forEach((row, n) => {
    const px = decoded[row]!;
    for (let i = 0; i < plane; i++) {
      for (let k = 0; k < c; k++) {
        const v = (px[i * c + k]! / 255 - mean[k]!) / std[k]!;
        data[layout === "nchw" ? n * c * plane + k * plane + i : (n * plane + i) * c + k] = v;
      }
    }
  });
  const dims = layout === "nchw" ? [rows.length, c, size, size] : [rows.length, size, size, c];
  return { rows, inputs: { [input]: { type: "float32", data, dims } } };
}

/** What a text model's inputs are called and typed, learned from the session. */
export interface TextInputNames {
  readonly ids: string;
  readonly idsType: "int64" | "int32";
  readonly mask?: string;
  readonly typeIds?: string;
  /** The model's fixed sequence length, if it has one. */
  readonly fixedLength?: number;
}

/** Token-id tensors of `batch` (one row per non-null text), padded to the longest (or the model's fixed length). */
export function textInputs(batch: A.Vector, prep: TextPrep, names: TextInputNames, tokenizer: Tokenizer, who: string): Prepared {
  const encoded: number[][] = [];
  const rows: number[] = [];
  const maxLength = names.fixedLength ?? prep.maxLength;
  for (let i = 0; i < batch.length; i++) {
    const v = batch.get(i) as unknown;
    if (v === null || v === undefined) continue;
    if (typeof v !== "string") throw new InvalidArgumentError(`${who} embeds text; row ${i} holds ${typeof v}`);
    rows.push(i);
    encoded.push(tokenizer.encode(v, maxLength));
  }
  const length = names.fixedLength ?? Math.max(1, ...encoded.map((e) => e.length));
  const n = rows.length;
  const mask = new Uint8Array(n * length);
  const ids = new Array<number>(n * length).fill(tokenizer.padId);
  encoded.forEach((e, r) => {
    for (let j = 0; j < e.length; j++) {
      ids[r * length + j] = e[j]!;
      mask[r * length + j] = 1;
    }
  });
  const array = (values: ArrayLike<number>): InputArray =>
    names.idsType === "int64"
      ? { type: "int64", data: BigInt64Array.from(Array.from(values, (x) => BigInt(x))), dims: [n, length] }
      : { type: "int32", data: Int32Array.from(values), dims: [n, length] };
  const inputs: Record<string, InputArray> = { [names.ids]: array(ids) };
  if (names.mask !== undefined) inputs[names.mask] = array(mask);
  if (names.typeIds !== undefined) inputs[names.typeIds] = array(new Uint8Array(n * length));
  return { rows, inputs, mask, length };
}

/**
 * One embedding per prepared row from the model's output (`dims[0]` rows): per-token outputs of a text model are
 * averaged over the real tokens, anything else is flattened per row.
 */
export function outputVectors(data: ArrayLike<number>, dims: readonly number[], prepared: Prepared): Float32Array[] {
  const n = prepared.rows.length;
  if (dims[0] !== n) throw new InvalidArgumentError(`the model returned ${dims[0]} rows for ${n} inputs`);
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  const out: Float32Array[] = [];
  if (prepared.mask !== undefined && dims.length === 3 && dims[1] === prepared.length) {
    const [, tokens, hidden] = dims as [number, number, number];
    for (let r = 0; r < n; r++) {
      const v = new Float32Array(hidden);
      let count = 0;
      for (let t = 0; t < tokens; t++) {
        if (prepared.mask[r * tokens + t] === 0) continue;
        count++;
        const base = (r * tokens + t) * hidden;
        for (let h = 0; h < hidden; h++) v[h]! += Number(data[base + h]);
      }
      if (count > 0) for (let h = 0; h < hidden; h++) v[h]! /= count;
      out.push(v);
    }
    return out;
  }
  for (let r = 0; r < n; r++) {
    const v = new Float32Array(per);
    for (let j = 0; j < per; j++) v[j] = Number(data[r * per + j]);
    out.push(v);
  }
  return out;
}
