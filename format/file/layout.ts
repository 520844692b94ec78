// The data file's fixed parts: header, trailer and the footer metadata shape (docs/format/file.md §Layout).

import { CorruptFileError, NotSupportedError } from "../errors.js";
import { dataView, readU64 } from "./byte-sink.js";
import { plainCrc } from "./checksum.js";
import type { SchemaJson } from "./schema-json.js";

export const MAGIC = "TSRF";
export const MAJOR_VERSION = 1;
export const MINOR_VERSION = 0;
export const HEADER_BYTES = 8;
export const TRAILER_BYTES = 24;

/** Reader features this build understands; a file naming any other is refused. */
export const KNOWN_FEATURES: readonly string[] = [];

/** Per-page statistics; min/max are JSON-safe (bigints and non-finite floats as strings). */
export interface PageStats {
  nullCount: number;
  min?: number | string | boolean;
  max?: number | string | boolean;
  /** True when a float page holds NaN (excluded from min/max). */
  hasNaN?: boolean;
}

interface PageBase {
  /** First row of the page within the file. */
  rowStart: number;
  rows: number;
  /** Byte range of the whole page in the file. */
  offset: number;
  length: number;
  stats: PageStats;
}

/** Small values: rows cut into chunks of `chunkRows`, each checksummed and stored plain, bit-packed, as a dictionary or deflated. */
export interface MiniBlockPage extends PageBase {
  layout: "mini-block";
  chunkRows: number;
  /** Byte length of each chunk, in order; chunk i starts at offset + sum of the lengths before it. */
  chunkLengths: number[];
}

/** Large fixed-width values (vectors): one record of `stride` bytes per row. */
export interface FixedPage extends PageBase {
  layout: "fixed";
  stride: number;
}

/** Large variable-width values (images, documents, nested values): an offset table, then one record per row. */
export interface VariablePage extends PageBase {
  layout: "variable";
  /** Where the records start, relative to the page offset. */
  dataStart: number;
  /** Unit CRC (index 0) of the offset table. */
  offsetsCrc: number;
}

export type PageMeta = MiniBlockPage | FixedPage | VariablePage;

export interface ColumnMeta {
  name: string;
  pages: PageMeta[];
}

/** The footer metadata object (stored as UTF-8 JSON). */
export interface FileMetadata {
  formatVersion: [number, number];
  features: string[];
  numRows: number;
  schema: SchemaJson;
  columns: ColumnMeta[];
  writer: string;
}

/** The 8-byte file header. */
export function encodeHeader(): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const v = dataView(out);
  v.setUint16(4, MAJOR_VERSION, true);
  v.setUint16(6, MINOR_VERSION, true);
  return out;
}

/** The 24-byte trailer: metadata offset (u64), length (u32), CRC (u32), major, minor (u16 each), magic. */
export function encodeTrailer(metaOffset: number, meta: Uint8Array): Uint8Array {
  const out = new Uint8Array(TRAILER_BYTES);
  const v = dataView(out);
  v.setUint32(0, metaOffset % 0x1_0000_0000, true);
  v.setUint32(4, Math.floor(metaOffset / 0x1_0000_0000), true);
  v.setUint32(8, meta.byteLength, true);
  v.setUint32(12, plainCrc(meta), true);
  v.setUint16(16, MAJOR_VERSION, true);
  v.setUint16(18, MINOR_VERSION, true);
  out.set(new TextEncoder().encode(MAGIC), 20);
  return out;
}

export interface Trailer {
  metaOffset: number;
  metaLength: number;
  metaCrc: number;
  major: number;
  minor: number;
}

/** Parses and checks the trailer of a file of `size` bytes. */
export function decodeTrailer(bytes: Uint8Array, size: number, uri: string): Trailer {
  if (bytes.byteLength !== TRAILER_BYTES || size < HEADER_BYTES + TRAILER_BYTES) {
    throw new CorruptFileError(`${uri} is too small (${size} bytes) to be a Tessera data file; it may be truncated`, { uri });
  }
  const magic = new TextDecoder().decode(bytes.subarray(20, 24));
  if (magic !== MAGIC) {
    throw new CorruptFileError(
      `${uri} does not end with the Tessera data file magic "${MAGIC}" (found ${JSON.stringify(magic)}); ` +
        "the file is truncated or not a Tessera data file",
      { uri },
    );
  }
  const v = dataView(bytes);
  const t: Trailer = {
    metaOffset: readU64(v, 0),
    metaLength: v.getUint32(8, true),
    metaCrc: v.getUint32(12, true),
    major: v.getUint16(16, true),
    minor: v.getUint16(18, true),
  };
  if (t.major !== MAJOR_VERSION) {
    const advice = t.major > MAJOR_VERSION ? "upgrade Tessera" : "rewrite it with the Tessera version that made it";
    throw new NotSupportedError(
      `${uri} is data file format version ${t.major}.${t.minor}; this build reads ${MAJOR_VERSION}.x — ${advice}`,
      { uri },
    );
  }
  if (t.metaOffset < HEADER_BYTES || t.metaOffset + t.metaLength + TRAILER_BYTES !== size) {
    throw new CorruptFileError(
      `${uri}: footer position ${t.metaOffset}+${t.metaLength} does not fit the file size ${size}; the file is truncated or corrupt`,
      { uri },
    );
  }
  return t;
}

const LAYOUT_FIELDS: Record<string, string[]> = {
  "mini-block": ["chunkRows", "chunkLengths"],
  fixed: ["stride"],
  variable: ["dataStart", "offsetsCrc"],
};

/** Refuses footers that are not shaped like FileMetadata (a damaged or foreign file). */
function checkShape(meta: FileMetadata, uri: string): void {
  const bad = (what: string): CorruptFileError => new CorruptFileError(`${uri}: footer ${what}; the file is corrupt`, { uri });
  const isNum = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  if (typeof meta !== "object" || meta === null) throw bad("is not an object");
  if (!Array.isArray(meta.formatVersion) || !Array.isArray(meta.features) || !isNum(meta.numRows)) {
    throw bad("lacks formatVersion, features or numRows");
  }
  if (typeof meta.schema !== "object" || meta.schema === null || !Array.isArray(meta.schema.fields)) throw bad("lacks a schema");
  if (!Array.isArray(meta.columns)) throw bad("lacks columns");
  meta.columns.forEach((c, i) => {
    if (typeof c?.name !== "string" || !Array.isArray(c.pages)) throw bad(`column ${i} is malformed`);
    c.pages.forEach((p, j) => {
      const fields = LAYOUT_FIELDS[p?.layout as string];
      if (fields === undefined) throw bad(`column "${c.name}" page ${j} has unknown layout ${JSON.stringify(p?.layout)}`);
      const nums = ["rowStart", "rows", "offset", "length", ...fields.filter((f) => f !== "chunkLengths")];
      const rec = p as unknown as Record<string, unknown>;
      if (!nums.every((f) => isNum(rec[f])) || typeof p.stats !== "object" || p.stats === null) {
        throw bad(`column "${c.name}" page ${j} is malformed`);
      }
      if (p.layout === "mini-block" && !(Array.isArray(p.chunkLengths) && p.chunkLengths.every(isNum))) {
        throw bad(`column "${c.name}" page ${j} has malformed chunk lengths`);
      }
    });
  });
}

/** Parses and checks the footer metadata. */
export function decodeMetadata(bytes: Uint8Array, trailer: Trailer, uri: string): FileMetadata {
  if (plainCrc(bytes) !== trailer.metaCrc) {
    throw new CorruptFileError(`${uri}: footer checksum mismatch; the file is corrupt`, { uri });
  }
  let meta: FileMetadata;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes)) as FileMetadata;
  } catch (err) {
    throw new CorruptFileError(`${uri}: footer is not valid JSON`, { uri, cause: err });
  }
  checkShape(meta, uri);
  if (meta.formatVersion[0] !== trailer.major || meta.formatVersion[1] !== trailer.minor) {
    throw new CorruptFileError(`${uri}: footer and trailer disagree on the format version`, { uri });
  }
  const unknown = meta.features.filter((f) => !KNOWN_FEATURES.includes(f));
  if (unknown.length > 0) {
    throw new NotSupportedError(
      `${uri} needs reader features this build does not have: ${unknown.join(", ")}; upgrade Tessera`,
      { uri },
    );
  }
  return meta;
}
