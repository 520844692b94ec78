// Reads an image's format, size and colour layout from its first bytes (PNG, JPEG, GIF, WebP) without decoding:
// width()/height() and readImages' format sniffing need no sharp call, and decode() learns whether a file is grey.

import type { KnownFormat } from "./types.js";

/** What the header says. `grey`/`alpha` are undefined where the header does not tell (ask sharp then). */
export interface ImageHeader {
  readonly format: KnownFormat;
  readonly width?: number;
  readonly height?: number;
  readonly grey?: boolean;
  readonly alpha?: boolean;
}

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, at: number, len: number): string => String.fromCharCode(...b.subarray(at, at + len));
const be16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const be32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const le16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const le24 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);

/** The format the magic bytes announce, if one we know. */
export function sniffFormat(b: Uint8Array): KnownFormat | undefined {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(b, [0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return "gif";
  if (ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP") return "webp";
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return "tiff";
  if (ascii(b, 4, 4) === "ftyp") {
    const brand = ascii(b, 8, 4);
    return brand === "avif" || brand === "avis" ? "avif" : "heif";
  }
  if (startsWith(b, [0x42, 0x4d])) return "bmp";
  const head = ascii(b, 0, Math.min(b.length, 256)).trimStart();
  if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.includes("<svg"))) return "svg";
  return undefined;
}

/** The header of `b`, or undefined when the format is unknown. Truncated headers leave the size unset. */
export function readHeader(b: Uint8Array): ImageHeader | undefined {
  const format = sniffFormat(b);
  if (format === undefined) return undefined;
  const read = READERS[format];
  return read === undefined ? { format } : { format, ...read(b) };
}

type Fields = Omit<ImageHeader, "format">;

const READERS: Partial<Record<KnownFormat, (b: Uint8Array) => Fields>> = {
  png: readPng,
  jpeg: readJpeg,
  gif: (b) => (b.length >= 10 ? { width: le16(b, 6), height: le16(b, 8), grey: false } : {}),
  webp: readWebp,
};

/** IHDR holds the size and colour type; a tRNS chunk before IDAT adds alpha (sharp decodes it as an alpha band). */
function readPng(b: Uint8Array): Fields {
  if (b.length < 29 || ascii(b, 12, 4) !== "IHDR") return {};
  const colourType = b[25]!;
  let alpha = colourType === 4 || colourType === 6;
  for (let at = 8; at + 8 <= b.length; ) {
    const type = ascii(b, at + 4, 4);
    if (type === "IDAT" || type === "IEND") break;
    if (type === "tRNS") alpha = true;
    at += 12 + be32(b, at);
  }
  return { width: be32(b, 16), height: be32(b, 20), grey: colourType === 0 || colourType === 4, alpha };
}

/** The first start-of-frame segment holds the size and component count (1 grey, 3 YCbCr, 4 CMYK). */
function readJpeg(b: Uint8Array): Fields {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return {};
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (at + 10 > b.length) return {};
      return { height: be16(b, at + 5), width: be16(b, at + 7), grey: b[at + 9] === 1, alpha: false };
    }
    at += 2 + be16(b, at + 2);
  }
  return {};
}

/** Lossy (VP8), lossless (VP8L) and extended (VP8X) files each keep the size in their first chunk. */
function readWebp(b: Uint8Array): Fields {
  if (b.length < 30) return {};
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8 ") return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff, grey: false, alpha: false };
  if (chunk === "VP8L") {
    const bits = (b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, grey: false, alpha: ((bits >>> 28) & 1) === 1 };
  }
  if (chunk === "VP8X") return { width: le24(b, 24) + 1, height: le24(b, 27) + 1, grey: false, alpha: (b[20]! & 0x10) !== 0 };
  return {};
}
