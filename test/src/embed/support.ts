// Test images drawn in code (sharp encodes them), and small vector helpers shared by the embedder tests.

import * as A from "apache-arrow";
import sharp from "sharp";

/** A picture as a function of position in [0, 1)²: RGB 0..255. */
export type Picture = (x: number, y: number) => [number, number, number];

/** A bright disc on a dark gradient. */
export const disc: Picture = (x, y) => {
  const inside = (x - 0.35) ** 2 + (y - 0.4) ** 2 < 0.06;
  return inside ? [240, 200, 60] : [Math.round(40 + 120 * x), 30, Math.round(90 * y)];
};

/** Diagonal stripes. */
export const stripes: Picture = (x, y) => (Math.floor((x + y) * 6) % 2 === 0 ? [20, 20, 220] : [230, 230, 230]);

/** A vertical split, dark left and light right. */
export const split: Picture = (x) => (x < 0.5 ? [10, 60, 10] : [200, 240, 200]);

/** `picture` drawn at width × height and encoded (PNG by default). */
export async function drawImage(picture: Picture, width: number, height = width, format: "png" | "jpeg" = "png"): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = picture((x + 0.5) / width, (y + 0.5) / height);
      raw.set([r, g, b], (y * width + x) * 3);
    }
  }
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  return new Uint8Array(format === "png" ? await img.png().toBuffer() : await img.jpeg({ quality: 90 }).toBuffer());
}

export function binaries(values: (Uint8Array | null)[]): A.Vector {
  return A.vectorFromArray(values, new A.Binary());
}

export function strings(values: (string | null)[]): A.Vector {
  return A.vectorFromArray(values, new A.Utf8());
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** Squared Euclidean distance. */
export function l2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/** The rows of an embedding result as plain Float32Arrays (null stays null). */
export function rowsOf(result: readonly (Float32Array | null)[] | A.Vector): (Float32Array | null)[] {
  if (!(result instanceof A.Vector)) return [...result];
  return Array.from({ length: result.length }, (_, i) => {
    const v = result.get(i) as A.Vector | null;
    return v === null ? null : Float32Array.from(v.toArray() as Float32Array);
  });
}
