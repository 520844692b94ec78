// Generated image fixtures for the image tests (made with sharp from known pixels) and helpers to run image
// expressions over a column of bytes.

import * as A from "apache-arrow";
import sharp from "sharp";
import type { Expr } from "../../../../src/expr/expr.js";
import { fromArrow } from "../../../../src/read.js";
import { DataType, typeMetadata } from "../../../../src/expr/data-type.js";
import type { DataFrame } from "../../../../src/dataframe.js";

/** Raw pixels of a known image. */
export interface Known {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
}

/** width×height pixels whose sample k of pixel (x, y) is f(x, y, k). */
export function pixels(width: number, height: number, channels: Known["channels"], f: (x: number, y: number, k: number) => number): Known {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let k = 0; k < channels; k++) data[(y * width + x) * channels + k] = f(x, y, k);
  return { data, width, height, channels };
}

/** The four modes' test images: 4×3, every pixel different, alpha varying. */
export const KNOWN: Readonly<Record<"L" | "LA" | "RGB" | "RGBA", Known>> = {
  L: pixels(4, 3, 1, (x, y) => 10 + x * 20 + y * 60),
  LA: pixels(4, 3, 2, (x, y, k) => (k === 0 ? 10 + x * 20 + y * 60 : 255 - x * 30)),
  RGB: pixels(4, 3, 3, (x, y, k) => [x * 60, y * 100, 200 - x * 10 - y * 20][k]!),
  RGBA: pixels(4, 3, 4, (x, y, k) => [x * 60, y * 100, 200 - x * 10 - y * 20, 100 + x * 40][k]!),
};

/** Encodes known pixels (grey ones as grey files) in a format. */
export async function encode(p: Known, format: "png" | "jpeg" | "webp", options: { quality?: number } = {}): Promise<Uint8Array> {
  let s = sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels } });
  if (p.channels <= 2) s = s.toColourspace("b-w");
  const buf = await s.toFormat(format, options.quality === undefined ? {} : { quality: options.quality }).toBuffer();
  return new Uint8Array(buf);
}

/** A smooth test picture (diagonal gradients and a disc) at any size, so resized copies look alike; seed 1 mirrors it. */
export function picture(size: number, seed = 0): Known {
  return pixels(size, size, 3, (x, y, k) => {
    const u = seed === 0 ? x / size : 1 - x / size;
    const v = seed === 0 ? y / size : 1 - y / size;
    const disc = (u - 0.3) ** 2 + (v - 0.6) ** 2 < 0.05 ? 120 : 0;
    const base = [u * 200, v * 200, (1 - u) * 150][k]!;
    return Math.min(255, Math.round(base + disc));
  });
}

/** A picture unlike `picture`: vertical stripes and checkers. */
export function otherPicture(size: number): Known {
  return pixels(size, size, 3, (x, y) => ((Math.floor((x * 8) / size) + Math.floor((y * 3) / size)) % 2 === 0 ? 230 : 20));
}

/** A one-column DataFrame of encoded images (null stays null). */
export function imageFrame(images: readonly (Uint8Array | null)[], name = "image"): DataFrame {
  const vector = A.vectorFromArray(images as (Uint8Array | null)[], new A.Binary());
  const field = new A.Field(name, new A.Binary(), true, new Map(imageMeta()));
  const schema = new A.Schema([field]);
  const batch = new A.RecordBatch(schema, A.makeData({ type: new A.Struct([field]), length: vector.length, children: [vector.data[0]!] }));
  return fromArrow(new A.Table([batch]));
}

function imageMeta(): Map<string, string> {
  return new Map(typeMetadata(DataType.image()));
}

/** Values of one expression over a DataFrame of images, as JS values. */
export async function run(df: DataFrame, e: Expr): Promise<unknown[]> {
  const t = await df.select(e.alias("out")).collect();
  return [...t.getChild("out")!].map((v) => (v instanceof A.StructRow ? (v.toJSON() as unknown) : v));
}

/** A decoded struct row as plain values. */
export interface DecodedRow {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
  mode: string;
}
