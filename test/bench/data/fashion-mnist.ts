// Loads Fashion-MNIST as an Arrow table (id, label, split, png, vector) for benchmarks: the real images when
// Debian's dataset-fashion-mnist is installed, otherwise a generated stand-in of the same shape. Either way the
// built table is cached as an Arrow IPC file under .bench-data/, because PNG-encoding 70k images takes a while.

import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as arrow from "apache-arrow";
import sharp from "sharp";
import { benchDataDir, type BenchSize } from "../harness.js";
import { PIXELS, SIDE, standInImages } from "./stand-in-images.js";

/** Where Debian's dataset-fashion-mnist package puts the idx-ubyte.gz files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** Rows per size; the real set has 60k train + 10k test, and small keeps the same 6:1 split. */
const ROWS: Record<BenchSize, number> = { small: 2000, full: 70000 };
/** Rows per record batch in the returned table: writers see a stream of batches, as they would in use. */
const BATCH_ROWS = 10_000;
/** Bump when the table's layout changes so stale caches are rebuilt. */
const CACHE_VERSION = 2;

export interface FashionMnistOptions {
  /** "full" is 70k rows, "small" 2k. Default "full". */
  size?: BenchSize;
  /** Use the generated stand-in even when the real data is installed (tests do, so they never depend on it). */
  standIn?: boolean;
}

export interface FashionMnist {
  table: arrow.Table;
  source: "fashion-mnist" | "stand-in";
}

/** The table's schema: explicit types, because inference would turn `split` into a dictionary. */
export const FASHION_MNIST_SCHEMA = new arrow.Schema([
  new arrow.Field("id", new arrow.Int32(), false),
  new arrow.Field("label", new arrow.Int8(), false),
  new arrow.Field("split", new arrow.Utf8(), false),
  new arrow.Field("png", new arrow.Binary(), false),
  new arrow.Field("vector", new arrow.FixedSizeList(PIXELS, new arrow.Field("item", new arrow.Float32(), true)), false),
]);

/** Loads (from cache when possible) Fashion-MNIST or its stand-in. */
export async function loadFashionMnist(options: FashionMnistOptions = {}): Promise<FashionMnist> {
  const size = options.size ?? "full";
  const source = !options.standIn && realDataInstalled() ? "fashion-mnist" : "stand-in";
  const cache = join(benchDataDir(), "cache", `${source}-${size}-v${CACHE_VERSION}.arrow`);
  if (existsSync(cache)) return { table: arrow.tableFromIPC(await readFile(cache)), source };

  const images = source === "fashion-mnist" ? readRealImages(ROWS[size]) : standInSplit(ROWS[size]);
  const table = await buildTable(images);
  await mkdir(join(benchDataDir(), "cache"), { recursive: true });
  const tmp = `${cache}.${process.pid}.tmp`; // per process: a test and a bench run may build it at once
  await writeFile(tmp, arrow.tableToIPC(table, "file"));
  await rename(tmp, cache); // a half-written cache must never be read as complete
  return { table, source };
}

/** True when all four idx files of Debian's dataset-fashion-mnist are present. */
export function realDataInstalled(): boolean {
  return ["train", "t10k"].every((p) =>
    ["images-idx3", "labels-idx1"].every((f) => existsSync(join(FASHION_MNIST_DIR, `${p}-${f}-ubyte.gz`))),
  );
}

interface Images {
  pixels: Uint8Array;
  labels: Uint8Array;
  trainRows: number;
}

/** First rows of train then test, in the 6:1 ratio of the real set. */
function readRealImages(rows: number): Images {
  const trainRows = Math.round((rows * 6) / 7);
  const testRows = rows - trainRows;
  const train = readIdxPair("train", trainRows);
  const test = readIdxPair("t10k", testRows);
  const pixels = new Uint8Array(rows * PIXELS);
  pixels.set(train.pixels, 0);
  pixels.set(test.pixels, trainRows * PIXELS);
  const labels = new Uint8Array(rows);
  labels.set(train.labels, 0);
  labels.set(test.labels, trainRows);
  return { pixels, labels, trainRows };
}

/** Reads `rows` images and labels from one idx-ubyte.gz pair (big-endian headers: magic, count, dims...). */
function readIdxPair(prefix: string, rows: number): { pixels: Uint8Array; labels: Uint8Array } {
  // Synchronous reads: each file is read once, and gunzipSync wants the whole buffer anyway.
  const images = gunzipSync(readFileSync(join(FASHION_MNIST_DIR, `${prefix}-images-idx3-ubyte.gz`)));
  const labels = gunzipSync(readFileSync(join(FASHION_MNIST_DIR, `${prefix}-labels-idx1-ubyte.gz`)));
  const iv = new DataView(images.buffer, images.byteOffset, images.byteLength);
  const lv = new DataView(labels.buffer, labels.byteOffset, labels.byteLength);
  if (iv.getUint32(0) !== 0x803 || lv.getUint32(0) !== 0x801) throw new Error(`${prefix}: not idx-ubyte files`);
  if (iv.getUint32(8) !== SIDE || iv.getUint32(12) !== SIDE) throw new Error(`${prefix}: images are not 28×28`);
  const count = Math.min(rows, iv.getUint32(4), lv.getUint32(4));
  return { pixels: images.subarray(16, 16 + count * PIXELS), labels: labels.subarray(8, 8 + count) };
}

function standInSplit(rows: number): Images {
  return { ...standInImages(rows), trainRows: Math.round((rows * 6) / 7) };
}

/** Builds the Arrow table, PNG-encoding images with sharp on both cores. */
async function buildTable({ pixels, labels, trainRows }: Images): Promise<arrow.Table> {
  const rows = labels.length;
  const pngs = await encodePngs(pixels, rows);
  const vector = new Float32Array(rows * PIXELS);
  for (let i = 0; i < vector.length; i++) vector[i] = pixels[i]! / 255;
  const splits = Array.from({ length: rows }, (_, i) => (i < trainRows ? "train" : "test"));
  const columns: arrow.Data[] = [
    arrow.makeData({ type: new arrow.Int32(), length: rows, data: Int32Array.from({ length: rows }, (_, i) => i) }),
    arrow.makeData({ type: new arrow.Int8(), length: rows, data: new Int8Array(labels.buffer, labels.byteOffset, rows) }),
    arrow.vectorFromArray(splits, new arrow.Utf8()).data[0]!,
    binaryData(pngs),
    arrow.makeData({
      type: FASHION_MNIST_SCHEMA.fields[4]!.type as arrow.FixedSizeList<arrow.Float32>,
      length: rows,
      child: arrow.makeData({ type: new arrow.Float32(), length: vector.length, data: vector }),
    }),
  ];
  const batches: arrow.RecordBatch[] = [];
  for (let start = 0; start < rows; start += BATCH_ROWS) {
    const length = Math.min(BATCH_ROWS, rows - start);
    const children = columns.map((c) => c.slice(start, length));
    const struct = arrow.makeData({ type: new arrow.Struct(FASHION_MNIST_SCHEMA.fields), length, children });
    batches.push(new arrow.RecordBatch(FASHION_MNIST_SCHEMA, struct));
  }
  return new arrow.Table(FASHION_MNIST_SCHEMA, batches);
}

/** One Binary column from many byte arrays: a single values buffer plus int32 offsets. */
function binaryData(values: readonly Uint8Array[]): arrow.Data<arrow.Binary> {
  const offsets = new Int32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) offsets[i + 1] = offsets[i]! + values[i]!.length;
  const data = new Uint8Array(offsets[values.length]!);
  values.forEach((v, i) => data.set(v, offsets[i]!));
  return arrow.makeData({ type: new arrow.Binary(), length: values.length, valueOffsets: offsets, data });
}

/** Encodes each 28×28 image as a grayscale PNG; batches of promises keep libuv's pool busy on both cores. */
async function encodePngs(pixels: Uint8Array, rows: number): Promise<Uint8Array[]> {
  sharp.concurrency(2);
  const out: Uint8Array[] = new Array(rows);
  const batch = 256;
  for (let start = 0; start < rows; start += batch) {
    const end = Math.min(rows, start + batch);
    const jobs = [];
    for (let i = start; i < end; i++) {
      const raw = Buffer.from(pixels.buffer, pixels.byteOffset + i * PIXELS, PIXELS);
      const image = sharp(raw, { raw: { width: SIDE, height: SIDE, channels: 1 } });
      jobs.push(image.toColourspace("b-w").png().toBuffer()); // b-w: sharp writes RGB otherwise (2.5× larger)
    }
    (await Promise.all(jobs)).forEach((png, k) => (out[start + k] = new Uint8Array(png)));
  }
  return out;
}
