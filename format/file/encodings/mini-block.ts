// Mini-block pages (docs/format/file.md §Mini-block): small values cut into chunks of a power-of-two row count,
// each chunk checksummed and stored plain, bit-packed, dictionary-encoded or deflated, whichever pays.
// A random read fetches one chunk.

import type * as A from "apache-arrow";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { CorruptFileError } from "../../errors.js";
import { ByteSink, dataView } from "../byte-sink.js";
import { unitCrc } from "../checksum.js";
import { makeGatherer } from "../gather.js";
import { decodeBitpacked, decodeBitpackedRows, encodeBitpacked, isIntegerLike } from "./bitpack.js";
import { decodeDictionary, decodeDictionaryRows, encodeDictionary, isDictionaryCandidate } from "./dictionary.js";
import { decodeSegment, encodeSegment } from "./segment.js";

export const CHUNK_HEADER_BYTES = 16;
const CODEC_NONE = 0;
const CODEC_DEFLATE = 1;
const CODEC_BITPACK = 2;
const CODEC_DICTIONARY = 3;
/** Raw bytes a chunk aims at: small enough that a random read stays cheap, big enough to compress. */
const TARGET_CHUNK_BYTES = 8 * 1024;
/** Keep the deflated form only when it is at most this fraction of the plain segment. */
const DEFLATE_KEEP_RATIO = 0.85;
/** Keep a lightweight encoding (bit-packing, dictionary) when it is at most this fraction of the plain segment. */
const LIGHT_KEEP_RATIO = 0.9;
/**
 * Deflate must beat a chosen lightweight encoding by this factor to replace it: lightweight chunks decode
 * several times faster, which is what random reads pay for.
 */
const DEFLATE_OVER_LIGHT_RATIO = 0.5;

export type ChunkCompression = "auto" | "none";

/** Rows per chunk for values averaging `avgBytes` each: a power of two between 8 and 65 536. */
export function chooseChunkRows(avgBytes: number): number {
  const rows = TARGET_CHUNK_BYTES / Math.max(avgBytes, 1 / 8);
  return 2 ** Math.min(16, Math.max(3, Math.floor(Math.log2(rows))));
}

/**
 * Rows per chunk for a page of `data`. Bit-packed and dictionary chunks decode value by value, so they are sized by
 * their encoded bytes (measured on a sample chunk): a 1-bit "train"/"test" column then needs two chunks for 70 000
 * rows instead of 137, and a random read still fetches about 8 KiB.
 */
export function chunkRowsFor(data: A.Data, avgBytes: number): number {
  const rows = chooseChunkRows(avgBytes);
  const light = lightEncoder(data.type);
  if (light === undefined || data.length <= rows) return rows;
  const plain = new ByteSink(TARGET_CHUNK_BYTES * 2);
  encodeSegment(plain, data, 0, rows);
  const packed = new ByteSink(TARGET_CHUNK_BYTES);
  if (light(packed, data, 0, rows) === undefined || packed.length > plain.length * LIGHT_KEEP_RATIO) return rows;
  return chooseChunkRows((avgBytes * packed.length) / plain.length);
}

/** The lightweight encoder for a type, if any: writes the chunk and returns its codec, or undefined if it declines. */
function lightEncoder(
  type: A.DataType,
): ((sink: ByteSink, d: A.Data, start: number, count: number) => number | undefined) | undefined {
  if (isIntegerLike(type)) return (sink, d, start, count) => (encodeBitpacked(sink, d, start, count) ? CODEC_BITPACK : undefined);
  if (isDictionaryCandidate(type)) {
    return (sink, d, start, count) => (encodeDictionary(sink, d, start, count) ? CODEC_DICTIONARY : undefined);
  }
  return undefined;
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
  const light = new ByteSink(TARGET_CHUNK_BYTES);
  const tryLight = lightEncoder(data.type);
  for (let start = 0, index = 0; start < data.length; start += chunkRows, index++) {
    const count = Math.min(chunkRows, data.length - start);
    seg.length = 0;
    encodeSegment(seg, data, start, count);
    const plain = seg.finish();
    let stored = plain;
    let raw = plain;
    let codec = CODEC_NONE;
    light.length = 0;
    const lightCodec = tryLight?.(light, data, start, count);
    if (lightCodec !== undefined && light.length <= plain.byteLength * LIGHT_KEEP_RATIO) {
      stored = raw = light.finish();
      codec = lightCodec;
    }
    if (compression === "auto" && plain.byteLength >= 64) {
      const z = deflateRawSync(plain, { level: 1 });
      const keep = codec === CODEC_NONE ? DEFLATE_KEEP_RATIO * plain.byteLength : DEFLATE_OVER_LIGHT_RATIO * stored.byteLength;
      if (z.byteLength <= keep) {
        stored = new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
        raw = plain;
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

/** Checks a chunk's CRC and header; returns its codec and payload (inflated if deflated). */
function openChunk(chunk: Uint8Array, index: number, ctx: ChunkContext): { codec: number; raw: Uint8Array; corrupt: (w: string) => CorruptFileError } {
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
  if (codec === CODEC_DEFLATE) {
    let z: Buffer;
    try {
      z = inflateRawSync(stored, { maxOutputLength: Math.max(1, rawLength) });
    } catch (err) {
      throw corrupt(`cannot inflate: ${(err as Error).message}`);
    }
    raw = new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
    if (raw.byteOffset % 8 !== 0) raw = raw.slice();
  } else if (codec === CODEC_NONE || codec === CODEC_BITPACK || codec === CODEC_DICTIONARY) {
    raw = stored.byteOffset % 8 === 0 ? stored : stored.slice();
  } else {
    throw corrupt(`unknown codec ${codec}`);
  }
  if (raw.byteLength !== rawLength) throw corrupt(`decoded ${raw.byteLength} bytes, expected ${rawLength}`);
  return { codec, raw, corrupt };
}

/** Refuses a lightweight codec on a column type it cannot encode (a damaged or foreign file). */
function checkCodecFits(codec: number, type: A.DataType, corrupt: (w: string) => CorruptFileError): void {
  if (codec === CODEC_BITPACK && !isIntegerLike(type)) throw corrupt(`bit-packed chunk in a ${String(type)} column`);
  if (codec === CODEC_DICTIONARY && !isDictionaryCandidate(type)) throw corrupt(`dictionary chunk in a ${String(type)} column`);
}

/** Checks and decodes chunk `index` (bytes exactly as stored) into `count` values of `type`. */
export function decodeChunk(type: A.DataType, chunk: Uint8Array, index: number, count: number, ctx: ChunkContext): A.Data {
  const { codec, raw, corrupt } = openChunk(chunk, index, ctx);
  checkCodecFits(codec, type, corrupt);
  try {
    if (codec === CODEC_BITPACK) return decodeBitpacked(type, raw, count);
    if (codec === CODEC_DICTIONARY) return decodeDictionary(type, raw, count);
    return decodeSegment(type, raw, { pos: 0 }, count);
  } catch (err) {
    if (err instanceof CorruptFileError) throw corrupt(err.message);
    throw err;
  }
}

/**
 * Decodes only `rows` (indexes within the chunk) of chunk `index`, in that order. Bit-packed and dictionary
 * chunks are read value by value; plain and deflated ones are decoded whole and the rows picked out.
 */
export function decodeChunkRows(
  type: A.DataType,
  chunk: Uint8Array,
  index: number,
  count: number,
  rows: readonly number[],
  ctx: ChunkContext,
): A.Data {
  const { codec, raw, corrupt } = openChunk(chunk, index, ctx);
  checkCodecFits(codec, type, corrupt);
  try {
    if (codec === CODEC_BITPACK) return decodeBitpackedRows(type, raw, count, rows);
    if (codec === CODEC_DICTIONARY) return decodeDictionaryRows(type, raw, count, rows);
    const all = decodeSegment(type, raw, { pos: 0 }, count);
    const g = makeGatherer(type);
    for (const r of rows) g.appendRange(all, r, 1);
    return g.finish();
  } catch (err) {
    if (err instanceof CorruptFileError) throw corrupt(err.message);
    throw err;
  }
}
