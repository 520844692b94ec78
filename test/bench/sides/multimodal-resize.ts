// The two sides of the multimodal benchmark's resize case: encoded JPEG in, 224×224 JPEG out. Tessera through
// `fromArrow(...).select(col("image").image.resize(224, 224))` collected; raw sharp as a user would write it —
// one pipeline per image, all started at once with Promise.all, sharp's own thread pool doing the work.
//
// Like with like: image.resize on encoded bytes (src/multimodal/image/fn-geometry.ts) runs
// sharp(bytes).resize(w, h, { fit: "fill" }) and writes the row's own format with sharp's default options
// (JPEG quality 80), which is exactly the raw side's pipeline; checkResize proves it by comparing bytes.

import * as arrow from "apache-arrow";
import sharp from "sharp";
import { col, fromArrow } from "../../../src/index.js";

/** Output side of the resize case. */
export const RESIZE_TO = 224;

/** Tessera: the resized images of `table`'s "image" column, collected into an Arrow table ("small"). */
export async function tesseraResize(table: arrow.Table): Promise<arrow.Table> {
  return fromArrow(table).select(col("image").image.resize(RESIZE_TO, RESIZE_TO).alias("small")).collect();
}

/** Raw sharp: every image resized at once, in order. */
export async function rawResize(images: readonly Uint8Array[]): Promise<Buffer[]> {
  return Promise.all(images.map((b) => sharp(b).resize(RESIZE_TO, RESIZE_TO, { fit: "fill" }).jpeg().toBuffer()));
}

/** What the check found on a sample of rows. */
export interface ResizeCheck {
  rows: number;
  sampled: number;
  /** Width × height × channels and format of the sample, from sharp's metadata (every one must agree). */
  metadata: string;
  /** Sampled rows whose bytes are the same on both sides (every one must be). */
  identicalBytes: number;
  meanOutputBytes: number;
}

/**
 * Both sides returned every row; a sample's results are 224×224 JPEGs (sharp's metadata of Tessera's output) and
 * byte-for-byte the raw side's. Throws otherwise.
 */
export async function checkResize(engine: arrow.Table, raw: readonly Buffer[], sample: readonly number[]): Promise<ResizeCheck> {
  const small = engine.getChild("small");
  if (small === null || engine.numRows !== raw.length) {
    throw new Error(`resize: Tessera returned ${engine.numRows} rows${small === null ? " without a \"small\" column" : ""}, raw sharp ${raw.length}`);
  }
  let identical = 0;
  let metadata = "";
  for (const row of sample) {
    const bytes = small.get(row) as Uint8Array | null;
    if (bytes === null) throw new Error(`resize: Tessera returned null for row ${row}`);
    const m = await sharp(bytes).metadata();
    const got = `${m.width}×${m.height}×${m.channels} ${m.format}`;
    if (m.width !== RESIZE_TO || m.height !== RESIZE_TO || m.format !== "jpeg") throw new Error(`resize: row ${row} came back as ${got}`);
    metadata ||= got;
    if (Buffer.compare(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), raw[row]!) === 0) identical++;
  }
  if (identical !== sample.length) {
    throw new Error(`resize: only ${identical} of ${sample.length} sampled rows are byte-identical to raw sharp's; the sides no longer run the same pipeline`);
  }
  const total = raw.reduce((s, b) => s + b.byteLength, 0);
  return { rows: engine.numRows, sampled: sample.length, metadata, identicalBytes: identical, meanOutputBytes: total / raw.length };
}
