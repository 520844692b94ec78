// The pipeline benchmark's hand-written side: the MNIST walkthrough's phases 1–4 as one plain Node loop — a node:zlib
// gunzip stream, line splitting, JSON.parse, the same per-image arithmetic as the example's UDFs, and a Map of
// per-label statistics joined back in a second pass — into growable typed arrays.

import { createReadStream } from "node:fs";
import type { TransformOptions } from "node:stream";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { GUNZIP_BUFFER_BYTES, GUNZIP_CHUNK_BYTES } from "../../../src/io/byte-stream.js";
import { FEATURE_DIM, imageFeatures, PIXELS, pixelStats } from "../../../examples/support/mnist-features.js";

/** The loop's output: one entry per row, in file order (what the engine's joined table holds, column by column). */
export interface LoopResult {
  rows: number;
  ids: Float64Array;
  splits: string[];
  labels: Int32Array;
  /** 1 where the image had 784 values; the other arrays hold zeros there (the engine's nulls). */
  valid: Uint8Array;
  images: Uint8Array;
  pixelMean: Float32Array;
  pixelStd: Float32Array;
  features: Float32Array;
  labelCount: Int32Array;
  labelPixelMean: Float64Array;
}

interface Group {
  count: number;
  sum: number;
  n: number;
}

/** Columns that grow by doubling, so appending a row never allocates per value. */
class Columns {
  capacity = 1024;
  ids = new Float64Array(this.capacity);
  labels = new Int32Array(this.capacity);
  valid = new Uint8Array(this.capacity);
  images = new Uint8Array(this.capacity * PIXELS);
  pixelMean = new Float32Array(this.capacity);
  pixelStd = new Float32Array(this.capacity);
  features = new Float32Array(this.capacity * FEATURE_DIM);

  ensure(rows: number): void {
    if (rows < this.capacity) return;
    this.capacity *= 2;
    const grow = <T extends Float64Array | Float32Array | Int32Array | Uint8Array>(a: T, width: number): T => {
      const next = new (a.constructor as new (n: number) => T)(this.capacity * width);
      next.set(a);
      return next;
    };
    this.ids = grow(this.ids, 1);
    this.labels = grow(this.labels, 1);
    this.valid = grow(this.valid, 1);
    this.images = grow(this.images, PIXELS);
    this.pixelMean = grow(this.pixelMean, 1);
    this.pixelStd = grow(this.pixelStd, 1);
    this.features = grow(this.features, FEATURE_DIM);
  }
}

interface Row {
  id: number;
  split: string;
  label: number;
  image: number[];
}

/** Runs phases 1–4 over the gzip NDJSON file at `path`. */
export async function runLoop(path: string): Promise<LoopResult> {
  const c = new Columns();
  const splits: string[] = [];
  const groups = new Map<number, Group>();
  let rows = 0;
  let rest = "";
  // The same gunzip chunk sizes as the engine's reader, so the two sides differ only in what they do with the text.
  const gunzip: ZlibOptions & TransformOptions = { chunkSize: GUNZIP_CHUNK_BYTES, readableHighWaterMark: GUNZIP_BUFFER_BYTES };
  const text = createReadStream(path).pipe(createGunzip(gunzip));
  text.setEncoding("utf8");
  const add = (line: string): void => {
    const row = JSON.parse(line) as Row;
    c.ensure(rows);
    c.ids[rows] = row.id;
    c.labels[rows] = row.label;
    splits.push(row.split);
    let g = groups.get(row.label);
    if (g === undefined) groups.set(row.label, (g = { count: 0, sum: 0, n: 0 }));
    g.count++;
    if (row.image.length === PIXELS) {
      const at = rows * PIXELS;
      for (let j = 0; j < PIXELS; j++) {
        const v = row.image[j]!;
        if (!(Number.isInteger(v) && v >= 0 && v <= 255)) throw new Error(`row ${rows}: pixel ${v} is not a byte`);
        c.images[at + j] = v;
      }
      c.valid[rows] = 1;
      const { mean, std } = pixelStats(c.images, at);
      c.pixelMean[rows] = mean;
      c.pixelStd[rows] = std;
      imageFeatures(c.images, at, c.features, rows * FEATURE_DIM);
      g.sum += c.pixelMean[rows]!;
      g.n++;
    }
    rows++;
  };
  for await (const chunk of text as AsyncIterable<string>) {
    const s = rest + chunk;
    let start = 0;
    let nl: number;
    while ((nl = s.indexOf("\n", start)) >= 0) {
      if (nl > start) add(s.slice(start, nl));
      start = nl + 1;
    }
    rest = s.slice(start);
  }
  if (rest.trim().length > 0) add(rest);
  // The join: every row gets its label's count and mean pixel_mean.
  const labelCount = new Int32Array(rows);
  const labelPixelMean = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const g = groups.get(c.labels[i]!)!;
    labelCount[i] = g.count;
    labelPixelMean[i] = g.n === 0 ? NaN : g.sum / g.n;
  }
  return {
    rows,
    ids: c.ids.subarray(0, rows),
    splits,
    labels: c.labels.subarray(0, rows),
    valid: c.valid.subarray(0, rows),
    images: c.images.subarray(0, rows * PIXELS),
    pixelMean: c.pixelMean.subarray(0, rows),
    pixelStd: c.pixelStd.subarray(0, rows),
    features: c.features.subarray(0, rows * FEATURE_DIM),
    labelCount,
    labelPixelMean,
  };
}
