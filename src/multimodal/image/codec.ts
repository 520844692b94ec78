// Every sharp call of the image functions: opening a row (encoded bytes or raw pixels), getting 8-bit pixels in a
// mode, and writing bytes in a format. Grey images stay one band through sharp (it would otherwise widen to sRGB).
//
// Threads: sharp runs each call on libuv's thread pool (UV_THREADPOOL_SIZE, 4 by default), and libvips may use
// `sharp.concurrency()` threads inside one call (1 by default on this machine). The first image call raises the
// latter to the number of cores; to run more images at once than libuv's 4 threads, start node with e.g.
// UV_THREADPOOL_SIZE=8 (it must be set before the pool is first used, so only the environment can set it).

import os from "node:os";
import type { FormatEnum, Sharp, SharpOptions } from "sharp";
import { readHeader } from "./header.js";
import { convertMode } from "./pixels.js";
import { decodeSmallPng } from "./png-small.js";
import type { Decoded, ImageValue } from "./columns.js";
import { modeOf, WRITABLE_FORMATS, type ImageMode, type Pixels, type ResizeTo } from "./types.js";

/** Cores available to this process. */
export const CORES = os.availableParallelism();

type SharpFactory = (input?: Uint8Array, options?: SharpOptions) => Sharp;
let loading: Promise<SharpFactory> | undefined;

/** sharp, loaded on first use: its native library takes ~120 ms to load, which queries without images should not pay. */
function loadSharp(): Promise<SharpFactory> {
  loading ??= import("sharp").then(({ default: sharp }) => {
    if (sharp.concurrency() < CORES) sharp.concurrency(CORES);
    return sharp;
  });
  return loading;
}

/** Images in flight per batch: two per core keeps every libuv thread busy while results are copied out. */
export const IMAGES_IN_FLIGHT = CORES * 2;

/** Options of an encoded result. */
export interface WriteOptions {
  /** JPEG/WebP/AVIF quality 1–100. Default: sharp's (80 for JPEG and WebP). */
  readonly quality?: number;
}

/** A sharp pipeline reading one row. */
export async function open(v: ImageValue): Promise<Sharp> {
  const sharp = await loadSharp();
  if (v.kind === "encoded") return sharp(v.bytes);
  const { data, width, height, channels } = v.pixels;
  return sharp(data, { raw: { width, height, channels } });
}

/** What decoding needs to know of a row's source: whether it is grey, and whether it has alpha. */
export interface SourceInfo {
  readonly grey: boolean;
  readonly alpha: boolean;
}

/** A row's source layout: decoded rows by their channels, encoded ones by their header or, failing that, sharp. */
export async function sourceInfo(v: ImageValue): Promise<SourceInfo> {
  if (v.kind === "decoded") return { grey: v.pixels.channels <= 2, alpha: v.pixels.channels % 2 === 0 };
  const h = readHeader(v.bytes);
  // Alpha only matters for grey sources (it decides between one band and grey + alpha).
  if (h?.grey === false) return { grey: false, alpha: h.alpha ?? false };
  if (h?.grey === true && h.alpha !== undefined) return { grey: true, alpha: h.alpha };
  const meta = await (await open(v)).metadata();
  return { grey: meta.space === "b-w" || meta.space === "grey16", alpha: meta.hasAlpha === true };
}

/**
 * 8-bit pixels out of a pipeline: `oneBand` asks sharp for grey (it drops alpha there), otherwise sRGB with alpha
 * where the image has it.
 */
export async function rawPixels(s: Sharp, oneBand: boolean): Promise<Pixels> {
  const out = oneBand ? s.toColourspace("b-w") : s;
  const { data, info } = await out.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { data: bytes, width: info.width, height: info.height, channels: info.channels as Pixels["channels"] };
}

/**
 * Pixels of a pipeline in `mode`, or in the source's own mode (L, LA, RGB or RGBA) when `mode` is undefined.
 * Colour becomes grey in JS (PIL's luma) so values are reproducible; a grey source read as sRGB has equal samples,
 * which luma maps back exactly.
 */
export async function pixelsIn(s: Sharp, src: SourceInfo, mode: ImageMode | undefined): Promise<Decoded> {
  const oneBand = src.grey && (mode === "L" || (mode === undefined && !src.alpha));
  const p = await rawPixels(s, oneBand);
  const native: ImageMode = oneBand ? "L" : src.grey ? (p.channels === 4 ? "LA" : "L") : modeOf(p.channels);
  const target = mode ?? native;
  return { ...convertMode(p, target), mode: target };
}

/**
 * Decodes a row into `mode` (its own mode when undefined), resized to `resize` in the same sharp call when given
 * (JPEG and WebP then decode at a reduced scale: much faster than decoding, then resizing).
 */
export async function decodeRow(v: ImageValue, mode: ImageMode | undefined, resize?: ResizeTo): Promise<Decoded> {
  if (v.kind === "decoded") {
    const p = v.pixels;
    const sized = resize === undefined || (p.width === resize.width && p.height === resize.height) ? p : await pixelsLike(resized(await open(v), resize), p.channels);
    const target = mode ?? modeOf(sized.channels);
    return { ...convertMode(sized, target), mode: target };
  }
  const small = resize === undefined ? decodeSmallPng(v.bytes) : undefined;
  if (small !== undefined) {
    const target = mode ?? modeOf(small.channels);
    return { ...convertMode(small, target), mode: target };
  }
  const s = await open(v);
  return pixelsIn(resize === undefined ? s : resized(s, resize), await sourceInfo(v), mode);
}

function resized(s: Sharp, r: ResizeTo): Sharp {
  return s.resize(r.width, r.height, { fit: r.fit ?? "fill" });
}

/** Encodes a pipeline's output as `format`; grey sources are written as grey (with alpha where kept). */
export async function writeAs(s: Sharp, format: string, grey: boolean, options: WriteOptions = {}): Promise<Uint8Array> {
  const out = grey ? s.toColourspace("b-w") : s;
  const fmt = format as keyof FormatEnum;
  const buf = await out.toFormat(fmt, options.quality === undefined ? {} : { quality: options.quality }).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The format an operation on encoded bytes writes back: the row's own when sharp can write it, else PNG. */
export function outputFormat(bytes: Uint8Array): string {
  const f = readHeader(bytes)?.format;
  return f !== undefined && WRITABLE_FORMATS.has(f) ? f : "png";
}

/** Pixels out of a pipeline over a decoded row, keeping the row's channel count (sharp would widen grey to sRGB). */
export async function pixelsLike(s: Sharp, channels: Pixels["channels"]): Promise<Decoded> {
  const p = await rawPixels(s, channels === 1);
  const mode = modeOf(channels);
  return { ...convertMode(p, mode), mode };
}
