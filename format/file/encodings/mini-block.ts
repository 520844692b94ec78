// Mini-block pages (docs/format/file.md §Mini-block): small values cut into chunks of a power-of-two row count,
// each chunk a checksummed segment, deflated when that saves enough. A random read fetches one chunk.

import type * as A from "apache-arrow";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { CorruptFileError } from "../../errors.js";
import { ByteSink, dataView } from "../byte-sink.js";
import { unitCrc } from "../checksum.js";
import { decodeSegment, encodeSegment } from "./segment.js";

export const CHUNK_HEADER_BYTES = 16;
const CODEC_NONE = 0;
const CODEC_DEFLATE = 1;
/** Raw bytes a chunk aims at: small enough that a random read stays cheap, big enough to compress. */
const TARGET_CHUNK_BYTES = 8 * 1024;
/** Keep the deflated form only when it is at most this fraction of the raw segment. */
const DEFLATE_KEEP_RATIO = 0.85;

export type ChunkCompression = "auto" | "none";

/** Rows per chunk for values averaging `avgBytes` each: a power of two between 8 and 65 536. */
export function chooseChunkRows(avgBytes: number): number {
  const rows = TARGET_CHUNK_BYTES / Math.max(avgBytes, 1 / 8);
  return 2 ** Math.min(16, Math.max(3, Math.floor(Math.log2(rows))));
}

/** Encodes a page of contiguous `data` as chunks; returns the page bytes and each chunk's length. */
export function encodeMiniBlockPage(
  data: A.Data,
  chunkRows: number,
  compression: ChunkCompression,
): { bytes: Uint8Array; chunkLengths: number[] } {
  const page = new ByteSink(64 * 1024);
  const chunkLengths: number[] = [];
  const seg = new ByteSink(TARGET_CHUNK_BYTES * 2);
  for (let start = 0, index = 0; start < data.length; start += chunkRows, index++) {
    seg.length = 0;
    encodeSegment(seg, data, start, Math.min(chunkRows, data.length - start));
    const raw = seg.finish();
    let stored = raw;
    let codec = CODEC_NONE;
    if (compression === "auto" && raw.byteLength >= 64) {
      const z = deflateRawSync(raw, { level: 1 });
      if (z.byteLength <= raw.byteLength * DEFLATE_KEEP_RATIO) {
        stored = new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
        codec = CODEC_DEFLATE;
      }
    }
    const at = page.length;
    page.u32(0); // CRC, filled below
    page.u8(codec);
    page.u8(0);
    page.u8(0);
    page.u8(0);
    page.u32(raw.byteLength);
    page.u32(stored.byteLength);
    page.bytes(stored);
    page.align(8);
    const chunk = page.finish().subarray(at);
    page.setU32(at, unitCrc(chunk.subarray(4), index));
    chunkLengths.push(chunk.byteLength);
  }
  return { bytes: page.finish(), chunkLengths };
}

/** Context for error messages. */
export interface ChunkContext {
  uri: string;
  column: string;
  page: number;
}

/** Checks and decodes chunk `index` (bytes exactly as stored) into `count` values of `type`. */
export function decodeChunk(type: A.DataType, chunk: Uint8Array, index: number, count: number, ctx: ChunkContext): A.Data {
  const where = `${ctx.uri}, column "${ctx.column}", page ${ctx.page}, chunk ${index}`;
  const corrupt = (what: string): CorruptFileError =>
    new CorruptFileError(`corrupt data in ${where}: ${what}`, { uri: ctx.uri, column: ctx.column, page: ctx.page });
  if (chunk.byteLength < CHUNK_HEADER_BYTES) throw corrupt("chunk is shorter than its header");
  const v = dataView(chunk);
  if (unitCrc(chunk.subarray(4), index) !== v.getUint32(0, true)) throw corrupt("checksum mismatch");
  const codec = chunk[4]!;
  const rawLength = v.getUint32(8, true);
  const storedLength = v.getUint32(12, true);
  if (CHUNK_HEADER_BYTES + storedLength > chunk.byteLength) throw corrupt("stored length exceeds the chunk");
  const stored = chunk.subarray(CHUNK_HEADER_BYTES, CHUNK_HEADER_BYTES + storedLength);
  let raw: Uint8Array;
  if (codec === CODEC_NONE) {
    raw = stored.byteOffset % 8 === 0 ? stored : stored.slice();
  } else if (codec === CODEC_DEFLATE) {
    const z = inflateRawSync(stored);
    raw = new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
    if (raw.byteOffset % 8 !== 0) raw = raw.slice();
  } else {
    throw corrupt(`unknown codec ${codec}`);
  }
  if (raw.byteLength !== rawLength) throw corrupt(`decoded ${raw.byteLength} bytes, expected ${rawLength}`);
  try {
    return decodeSegment(type, raw, { pos: 0 }, count);
  } catch (err) {
    if (err instanceof CorruptFileError) throw corrupt(err.message);
    throw err;
  }
}
