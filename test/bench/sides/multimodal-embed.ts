// The sides of the multimodal benchmark's embedding case: Tessera reads a table of PNGs, embeds them and merges the
// embedding column back by _rowid (`readTable(uri, { withRowId: true }).select("_rowid", col("png").embed(e))
// .writeTable(uri, { mode: "merge" })`); the anchor computes the same vectors with sharp in a plain loop and writes
// nothing. Each anchor repeats the embedder's own sharp pipeline and arithmetic (src/embed/pixels.ts, image.ts,
// phash.ts), so the vectors agree to the last bit and the ratio measures what the engine adds around the decoding.

import { cp, rm } from "node:fs/promises";
import * as arrow from "apache-arrow";
import sharp from "sharp";
import { col, embedders, perceptualHash, readTable, Table, type Embedder } from "../../../src/index.js";

/** An embedder of the benchmark and its plain-sharp twin. */
export interface EmbedCase {
  key: "image" | "phash";
  /** How the case is written in the report. */
  label: string;
  embedder: () => Embedder;
  /** One image's embedding, computed as a user would with sharp alone. */
  anchor: (png: Uint8Array) => Promise<Float32Array>;
}

/** embedders.image({ size: 16, mode: "L" }): sharp to 16×16 grey, bytes / 255, L2-normalised (256 values). */
const IMAGE_SIZE = 16;
/** embedders.phash(): sharp to 64×64 grey, a difference hash, its 64 bits as 0/1. */
const PHASH_DECODE = 64;

/** The embedders' decode step: flattened onto black, stretched to side × side, one grey band, raw bytes. */
async function greyPixels(png: Uint8Array, side: number): Promise<Buffer> {
  return sharp(png, { failOn: "error" })
    .flatten({ background: "#000000" })
    .resize(side, side, { fit: "fill" })
    .greyscale()
    .raw()
    .toBuffer();
}

async function imageAnchor(png: Uint8Array): Promise<Float32Array> {
  const data = await greyPixels(png, IMAGE_SIZE);
  const v = new Float32Array(data.length);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = data[i]! / 255;
    sum += v[i]! * v[i]!;
  }
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

async function phashAnchor(png: Uint8Array): Promise<Float32Array> {
  const data = await greyPixels(png, PHASH_DECODE);
  const hash = perceptualHash({ data, width: PHASH_DECODE, height: PHASH_DECODE, channels: 1 }, "difference");
  const bits = new Float32Array(64);
  for (let i = 0; i < 64; i++) bits[i] = (hash[i >> 3]! >> (7 - (i & 7))) & 1;
  return bits;
}

export const EMBED_CASES: Readonly<Record<EmbedCase["key"], EmbedCase>> = {
  image: {
    key: "image",
    label: `embedders.image({ size: ${IMAGE_SIZE}, mode: "L" })`,
    embedder: () => embedders.image({ size: IMAGE_SIZE, mode: "L" }),
    anchor: imageAnchor,
  },
  phash: { key: "phash", label: "embedders.phash()", embedder: () => embedders.phash(), anchor: phashAnchor },
};

/** Creates the table of images (id, label, png) at `uri`. */
export async function createImageTable(data: arrow.Table, uri: string): Promise<void> {
  const table = await Table.create(uri, data.select(["id", "label", "png"]));
  await table.store.close();
}

/** A copy of the table directory at `to` (replacing anything there). */
export async function copyTable(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}

/** Tessera: embed the png column and merge it back as "embedding" (the timed expression). */
export async function tesseraEmbedMerge(uri: string, embedder: Embedder): Promise<number> {
  const df = await readTable(uri, { withRowId: true });
  const written = await df.select("_rowid", col("png").embed(embedder).alias("embedding")).writeTable(uri, { mode: "merge" });
  return written.rows;
}

/** The anchor: every image's embedding at once (Promise.all over sharp pipelines), nothing written. */
export function anchorEmbed(images: readonly Uint8Array[], c: EmbedCase): Promise<Float32Array[]> {
  return Promise.all(images.map((png) => c.anchor(png)));
}

/** A data file of the current version: its path, size and which fields it holds. */
export interface DataFileInfo {
  path: string;
  size: number;
  fieldIds: number[];
}

/** The data files the table's current manifest lists. */
export async function dataFiles(uri: string): Promise<DataFileInfo[]> {
  const table = await Table.open(uri);
  try {
    return table.currentManifest.fragments.flatMap((f) => f.files.map((x) => ({ path: x.path, size: x.size, fieldIds: [...x.fieldIds] })));
  } finally {
    await table.store.close();
  }
}

/** What a merge wrote, from the manifests before and after. */
export interface MergeBytes {
  /** Sum of the data files listed before (the table's size). */
  tableBytesBefore: number;
  /** Sum of the data files listed after but not before. */
  newDataFileBytes: number;
  newDataFiles: number;
  /** Files listed before that the merge dropped or changed (must be none: the old columns stay as they were). */
  changedOldFiles: number;
  /** The fields the new files hold (must be only the embedding column). */
  newFieldIds: number[];
}

export function mergeBytes(before: readonly DataFileInfo[], after: readonly DataFileInfo[]): MergeBytes {
  const old = new Map(before.map((f) => [f.path, f.size]));
  const kept = new Map(after.map((f) => [f.path, f.size]));
  const added = after.filter((f) => !old.has(f.path));
  return {
    tableBytesBefore: before.reduce((s, f) => s + f.size, 0),
    newDataFileBytes: added.reduce((s, f) => s + f.size, 0),
    newDataFiles: added.length,
    changedOldFiles: before.filter((f) => kept.get(f.path) !== f.size).length,
    newFieldIds: [...new Set(added.flatMap((f) => f.fieldIds))].sort((a, b) => a - b),
  };
}

/** What the check compared. */
export interface EmbedCheck {
  sampled: number;
  dim: number;
  /** Largest |Tessera − anchor| over every value of the sampled rows. */
  maxAbsDiff: number;
}

/** Largest difference allowed between Tessera's stored embedding and the anchor's. */
export const EMBED_TOLERANCE = 1e-6;

/**
 * The merged table's embeddings of sampled rows (by offset; `id` is the row's position in `expected`) equal the
 * anchor's within EMBED_TOLERANCE, and the table has exactly one new column. Throws otherwise.
 */
export async function checkMerged(uri: string, expected: readonly Float32Array[], sample: readonly number[], dim: number): Promise<EmbedCheck> {
  const table = await Table.open(uri);
  try {
    const names = table.schema.fields.map((f) => f.name);
    if (names.join(",") !== "id,label,png,embedding") throw new Error(`embed: the merged table has columns ${names.join(", ")}`);
    const got = await table.take(sample, { columns: ["id", "embedding"] });
    const ids = got.getChild("id")!;
    const vectors = got.getChild("embedding")!;
    let maxAbsDiff = 0;
    for (let i = 0; i < sample.length; i++) {
      const id = ids.get(i) as number;
      const v = vectors.get(i) as arrow.Vector | null;
      const want = expected[id];
      if (v === null || want === undefined || v.length !== dim || want.length !== dim) {
        throw new Error(`embed: row ${sample[i]} (id ${id}) has ${v === null ? "no" : `a ${v.length}-value`} embedding; the anchor's has ${want?.length}`);
      }
      const values = v.toArray() as Float32Array;
      for (let j = 0; j < dim; j++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(values[j]! - want[j]!));
    }
    if (!(maxAbsDiff <= EMBED_TOLERANCE)) throw new Error(`embed: Tessera's embeddings differ from the anchor's by up to ${maxAbsDiff}`);
    return { sampled: sample.length, dim, maxAbsDiff };
  } finally {
    await table.store.close();
  }
}
