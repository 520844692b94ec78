// Reads Fashion-MNIST from the idx-ubyte.gz files Debian's dataset-fashion-mnist installs, as flat pixel and label
// arrays (the MNIST walkthrough then writes them as gzip NDJSON with mnist-ndjson.ts).

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { PIXELS } from "./mnist-features.js";

/** Where `apt-get install dataset-fashion-mnist` puts the files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** Class names of labels 0–9, from the dataset's README. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

/** The two halves of the dataset: `train` (60 000 images) and `t10k` (10 000, the held-out test set). */
export type FashionMnistPart = "train" | "t10k";

/** Images as one flat row-major buffer: image i is `pixels[i*784 .. (i+1)*784)`. */
export interface ImageSet {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly rows: number;
}

const gunzipAsync = promisify(gunzip);

/** True when all four idx files are present under `dir`. */
export function fashionMnistInstalled(dir = FASHION_MNIST_DIR): boolean {
  return (["train", "t10k"] as const).every((part) => existsSync(imagesPath(dir, part)) && existsSync(labelsPath(dir, part)));
}

function imagesPath(dir: string, part: FashionMnistPart): string {
  return join(dir, `${part}-images-idx3-ubyte.gz`);
}

function labelsPath(dir: string, part: FashionMnistPart): string {
  return join(dir, `${part}-labels-idx1-ubyte.gz`);
}

/**
 * The first `maxRows` images and labels of one part (all of them when `maxRows` is undefined). The idx format is a
 * big-endian header (magic 0x803 for images, 0x801 for labels; counts; 28, 28) followed by the bytes.
 * @example const test = await readFashionMnist("t10k", 1000);
 */
export async function readFashionMnist(part: FashionMnistPart, maxRows?: number, dir = FASHION_MNIST_DIR): Promise<ImageSet> {
  const [images, labels] = await Promise.all([imagesPath(dir, part), labelsPath(dir, part)].map(async (p) => gunzipAsync(await readFile(p))));
  const iv = new DataView(images!.buffer, images!.byteOffset, images!.byteLength);
  const lv = new DataView(labels!.buffer, labels!.byteOffset, labels!.byteLength);
  if (iv.getUint32(0) !== 0x803 || lv.getUint32(0) !== 0x801) throw new Error(`${dir}/${part}-*: not idx-ubyte image and label files`);
  if (iv.getUint32(8) !== 28 || iv.getUint32(12) !== 28) throw new Error(`${dir}/${part}-images: images are not 28×28`);
  const available = Math.min(iv.getUint32(4), lv.getUint32(4));
  const rows = Math.min(available, maxRows ?? available);
  return {
    pixels: images!.subarray(16, 16 + rows * PIXELS),
    labels: labels!.subarray(8, 8 + rows),
    rows,
  };
}
