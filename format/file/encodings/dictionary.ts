// Per-chunk dictionaries (docs/format/file.md §Dictionary chunks) for strings and binary values that repeat:
// the distinct values once, then bit-packed indices. Decoding needs no decompression.

import * as A from "apache-arrow";
import { CorruptFileError } from "../../errors.js";
import { bitmapBytes, copyBits } from "../bitmaps.js";
import { dataView, type ByteSink } from "../byte-sink.js";
import { hasNullsIn, isValid, type ValidityInfo } from "../gather.js";
import { physicalKind } from "../types.js";
import { bitsFor, MAX_PACKED_BITS, packBits, packedAt, pickValidity, readPacked, readValidity, unpackBits } from "./bitpack.js";
import { decodeSegment, encodeSegment } from "./segment.js";

/** True for the types a dictionary chunk can hold. */
export function isDictionaryCandidate(type: A.DataType): boolean {
  const k = physicalKind(type);
  return k === "binary" || k === "large-binary";
}

/**
 * Encodes rows [start, start+count) of a utf8/binary `d` as a dictionary chunk, or returns false when there are
 * more distinct values than a quarter of the rows (then a dictionary does not pay).
 */
export function encodeDictionary(sink: ByteSink, d: A.Data, start: number, count: number): boolean {
  const off = d.valueOffsets as Int32Array | BigInt64Array;
  const values = d.values as Uint8Array;
  const limit = Math.min(1 << MAX_PACKED_BITS, Math.max(1, Math.floor(count / 4)));
  const ids = new Map<string, number>();
  const distinct: Uint8Array[] = [];
  const index = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    if (!isValid(d, start + i)) continue;
    const bytes = values.subarray(Number(off[start + i]!), Number(off[start + i + 1]!));
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    let id = ids.get(key);
    if (id === undefined) {
      if (ids.size >= limit) return false;
      id = ids.size;
      ids.set(key, id);
      distinct.push(bytes);
    }
    index[i] = id;
  }
  const large = physicalKind(d.type) === "large-binary";
  const dictOffsets = new Array<number>(distinct.length + 1);
  dictOffsets[0] = 0;
  distinct.forEach((b, i) => (dictOffsets[i + 1] = dictOffsets[i]! + b.byteLength));
  const dictBytes = new Uint8Array(dictOffsets[distinct.length]!);
  distinct.forEach((b, i) => dictBytes.set(b, dictOffsets[i]!));
  const dict = A.makeData({
    type: d.type as A.Utf8,
    length: distinct.length,
    valueOffsets: (large ? BigInt64Array.from(dictOffsets, BigInt) : Int32Array.from(dictOffsets)) as Int32Array,
    data: dictBytes,
  });
  sink.u32(distinct.length);
  sink.u32(0);
  encodeSegment(sink, dict);
  sink.align(8);
  const hasNulls = hasNullsIn(d, start, count);
  sink.u8(hasNulls ? 1 : 0);
  if (hasNulls) copyBits(d.nullBitmap!, d.offset + start, sink.claim(bitmapBytes(count)), 0, count);
  sink.align(8);
  const w = bitsFor(Math.max(0, distinct.length - 1));
  sink.u8(w);
  sink.align(8);
  packBits(index, count, w, sink.claim(Math.ceil((count * w) / 8)));
  return true;
}

interface DictionaryChunk {
  dict: A.Data;
  dictCount: number;
  nullBitmap: Uint8Array | undefined;
  nullCount: number;
  w: number;
  packed: Uint8Array;
}

function parseDictionary(type: A.DataType, bytes: Uint8Array, count: number): DictionaryChunk {
  if (bytes.byteLength < 8) throw new CorruptFileError("dictionary chunk ends before its header");
  const dictCount = dataView(bytes).getUint32(0, true);
  const cur = { pos: 8 };
  const dict = decodeSegment(type, bytes, cur, dictCount);
  if (dict.nullCount > 0) throw new CorruptFileError("dictionary chunk has null dictionary values");
  const v = readValidity(bytes, (cur.pos + 7) & ~7, count, "dictionary");
  return { dict, dictCount, nullBitmap: v.nullBitmap, nullCount: v.nullCount, ...readPacked(bytes, v.pos, count, "dictionary") };
}

/** Builds the values of `ids` looked up in `dict` (null where `isNull(i)`). */
function lookUp(
  type: A.DataType,
  c: DictionaryChunk,
  ids: Uint32Array,
  valid: ValidityInfo,
): A.Data {
  const n = ids.length;
  const dOff = c.dict.valueOffsets as Int32Array | BigInt64Array;
  const dVal = c.dict.values as Uint8Array;
  const starts = new Float64Array(c.dictCount + 1);
  for (let i = 0; i <= c.dictCount; i++) starts[i] = Number(dOff[i]!);
  const bm = valid.nullBitmap;
  const isValidAt = (i: number): boolean => bm === undefined || ((bm[i >> 3]! >> (i & 7)) & 1) === 1;
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!isValidAt(i)) continue;
    const id = ids[i]!;
    if (id >= c.dictCount) throw new CorruptFileError(`dictionary index ${id} out of range ${c.dictCount}`);
    total += starts[id + 1]! - starts[id]!;
  }
  const data = new Uint8Array(total);
  const offsets = new Float64Array(n + 1);
  let at = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = at;
    if (!isValidAt(i)) continue;
    const id = ids[i]!;
    // A byte loop: dictionary values are short, and a subarray per value costs more than the copy.
    for (let k = starts[id]!, end = starts[id + 1]!; k < end; k++) data[at++] = dVal[k]!;
  }
  offsets[n] = at;
  const large = physicalKind(type) === "large-binary";
  const valueOffsets = large ? BigInt64Array.from(offsets, (x) => BigInt(x)) : Int32Array.from(offsets);
  return A.makeData({ type: type as A.Utf8, length: n, valueOffsets: valueOffsets as Int32Array, data, ...valid });
}

/** Decodes a dictionary chunk payload of `count` values of `type`. */
export function decodeDictionary(type: A.DataType, bytes: Uint8Array, count: number): A.Data {
  const c = parseDictionary(type, bytes, count);
  const ids = new Uint32Array(count);
  unpackBits(c.packed, count, c.w, ids);
  return lookUp(type, c, ids, c);
}

/** Decodes only `rows` (indexes within the chunk, any order) of a dictionary chunk payload. */
export function decodeDictionaryRows(type: A.DataType, bytes: Uint8Array, count: number, rows: readonly number[]): A.Data {
  const c = parseDictionary(type, bytes, count);
  const ids = new Uint32Array(rows.length);
  rows.forEach((r, i) => (ids[i] = packedAt(c.packed, r, c.w)));
  return lookUp(type, c, ids, pickValidity(c.nullBitmap, rows));
}
