// Generated photographs for the multimodal benchmark: distinct 512×512 RGB JPEGs (quality 85) drawn from a seed —
// colour gradients, a separable wave texture, a few soft discs (edges for the resampler) and grain — so their
// sizes land near real photos' (tens of KB) rather than flat fills' or pure noise's. Encoded with sharp on both
// cores, untimed, and cached as an Arrow IPC file under .bench-data/cache/ (2 000 images take ~10 s to make).

import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import sharp from "sharp";
import { benchDataDir } from "../harness.js";
import { seededRandom } from "../random.js";

/** Side of every generated image, in pixels. */
export const JPEG_SIDE = 512;
/** JPEG quality of the generated images. */
export const JPEG_QUALITY = 85;
/** Bump when the drawing changes so stale caches are rebuilt. */
const CACHE_VERSION = 1;
/** Images encoded at once: keeps libuv's pool busy without holding every raw image in memory. */
const ENCODE_BATCH = 32;

/** The schema of the generated table: one encoded image per row. */
export const JPEG_SCHEMA = new arrow.Schema([new arrow.Field("image", new arrow.Binary(), false)]);

/** `count` distinct generated JPEGs as a one-column Arrow table ("image"), from the cache when it holds them. */
export async function generatedJpegs(count: number, seed = 11): Promise<arrow.Table> {
  const cache = join(benchDataDir(), "cache", `jpeg-${JPEG_SIDE}-q${JPEG_QUALITY}-${count}-s${seed}-v${CACHE_VERSION}.arrow`);
  if (existsSync(cache)) return arrow.tableFromIPC(await readFile(cache));
  const next = seededRandom(seed);
  const images: Uint8Array[] = [];
  for (let start = 0; start < count; start += ENCODE_BATCH) {
    const jobs: Promise<Buffer>[] = [];
    for (let i = start; i < Math.min(count, start + ENCODE_BATCH); i++) {
      const raw = drawPhoto(next);
      jobs.push(sharp(raw, { raw: { width: JPEG_SIDE, height: JPEG_SIDE, channels: 3 } }).jpeg({ quality: JPEG_QUALITY }).toBuffer());
    }
    for (const jpeg of await Promise.all(jobs)) images.push(new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength));
  }
  const table = new arrow.Table(JPEG_SCHEMA, [batchOf(images)]);
  await mkdir(join(benchDataDir(), "cache"), { recursive: true });
  const tmp = `${cache}.${process.pid}.tmp`;
  await writeFile(tmp, arrow.tableToIPC(table, "file"));
  await rename(tmp, cache); // a half-written cache must never be read as complete
  return table;
}

/** The images of a table's "image" column, as views into its buffers. */
export function imagesOf(table: arrow.Table, column = "image"): Uint8Array[] {
  const v = table.getChild(column);
  if (v === null) throw new Error(`no column "${column}"`);
  return Array.from({ length: v.length }, (_, i) => v.get(i) as Uint8Array);
}

function batchOf(images: readonly Uint8Array[]): arrow.RecordBatch {
  const offsets = new Int32Array(images.length + 1);
  images.forEach((b, i) => (offsets[i + 1] = offsets[i]! + b.length));
  const data = new Uint8Array(offsets[images.length]!);
  images.forEach((b, i) => data.set(b, offsets[i]!));
  const column = arrow.makeData({ type: new arrow.Binary(), length: images.length, valueOffsets: offsets, data });
  const struct = arrow.makeData({ type: new arrow.Struct(JPEG_SCHEMA.fields), length: images.length, children: [column] });
  return new arrow.RecordBatch(JPEG_SCHEMA, struct);
}

interface Disc {
  cx: number;
  cy: number;
  r2: number;
  rgb: [number, number, number];
}

/** One image's raw RGB pixels; every parameter comes from `next`, so a seed gives the same images everywhere. */
function drawPhoto(next: () => number): Uint8Array {
  const n = JPEG_SIDE;
  const channel = (): { base: number; dx: number; dy: number; wx: Float32Array; wy: Float32Array } => {
    const wave = (): Float32Array => {
      const amp = 10 + 30 * next();
      const freq = (2 + 14 * next()) * ((2 * Math.PI) / n);
      const phase = next() * 2 * Math.PI;
      return Float32Array.from({ length: n }, (_, k) => amp * Math.sin(freq * k + phase));
    };
    return { base: 40 + 150 * next(), dx: (next() - 0.5) * 0.25, dy: (next() - 0.5) * 0.25, wx: wave(), wy: wave() };
  };
  const ch = [channel(), channel(), channel()];
  const discs: Disc[] = Array.from({ length: 3 + Math.floor(next() * 4) }, () => {
    const r = 30 + 120 * next();
    return { cx: next() * n, cy: next() * n, r2: r * r, rgb: [next() * 255, next() * 255, next() * 255] };
  });
  const grain = 8 + 16 * next();
  let s = (Math.floor(next() * 0xffffffff) | 1) >>> 0; // xorshift32 state for the grain: per pixel, so inline
  const out = new Uint8Array(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let disc: Disc | undefined;
      for (const d of discs) if ((x - d.cx) * (x - d.cx) + (y - d.cy) * (y - d.cy) < d.r2) disc = d;
      for (let c = 0; c < 3; c++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        const p = ch[c]!;
        const background = p.base + p.dx * x + p.dy * y + p.wx[x]! + p.wy[y]!;
        const v = (disc === undefined ? background : 0.7 * disc.rgb[c]! + 0.3 * background) + (((s >>> 0) / 4294967296) - 0.5) * grain;
        out[(y * n + x) * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return out;
}
