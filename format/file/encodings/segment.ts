// The plain segment encoding (docs/format/file.md §Segment): any supported Arrow type, nested or not, as a
// validity tag, optional bitmap and the type's buffers, each 8-byte aligned relative to the segment start.
// Encoding takes a contiguous Data (offset 0, offsets from 0) as made by gather.ts; decoding is zero-copy.

import * as A from "apache-arrow";
import { CorruptFileError } from "../../errors.js";
import { bitmapBytes, copyBits, countSet } from "../bitmaps.js";
import { ByteSink } from "../byte-sink.js";
import { fixedBytes, fixedData, hasNullsIn, type ValidityInfo } from "../gather.js";
import { physicalKind, primitiveWidth } from "../types.js";

const ALL_VALID = 0;
const HAS_BITMAP = 1;

function writeValidity(sink: ByteSink, d: A.Data, start: number, count: number): void {
  // Judged on the range written, so a chunk or record without nulls carries no bitmap.
  if (!hasNullsIn(d, start, count)) {
    sink.u8(ALL_VALID);
    return;
  }
  sink.u8(HAS_BITMAP);
  copyBits(d.nullBitmap!, d.offset + start, sink.claim(bitmapBytes(count)), 0, count);
}

/** Writes rows [start, start+count) of `d` as a segment. */
export function encodeSegment(sink: ByteSink, d: A.Data, start = 0, count = d.length): void {
  const kind = physicalKind(d.type);
  if (kind === "null") return;
  writeValidity(sink, d, start, count);
  sink.align(8);
  switch (kind) {
    case "bool":
      copyBits(d.values as Uint8Array, d.offset + start, sink.claim(bitmapBytes(count)), 0, count);
      return;
    case "fixed":
      sink.bytes(fixedBytes(d, start, count, primitiveWidth(d.type)));
      return;
    case "binary":
    case "large-binary":
    case "list": {
      const off = d.valueOffsets as Int32Array | BigInt64Array;
      const base = Number(off[start]!);
      const wide = kind === "large-binary";
      for (let i = 0; i <= count; i++) {
        const v = Number(off[start + i]!) - base;
        if (wide) sink.u64(v);
        else sink.u32(v);
      }
      const end = Number(off[start + count]!);
      if (kind === "list") {
        sink.align(8);
        encodeSegment(sink, d.children[0]!, base, end - base);
      } else {
        sink.bytes((d.values as Uint8Array).subarray(base, end));
      }
      return;
    }
    case "fsl": {
      const k = (d.type as A.FixedSizeList).listSize;
      encodeSegment(sink, d.children[0]!, start * k, count * k);
      return;
    }
    case "struct":
      for (const child of d.children) {
        sink.align(8);
        encodeSegment(sink, child, start, count);
      }
      return;
  }
}

/** Reads a segment of `count` values of `type` at `cur.pos` of `bytes` (8-byte aligned base), advancing `cur`. */
export function decodeSegment(type: A.DataType, bytes: Uint8Array, cur: { pos: number }, count: number): A.Data {
  const kind = physicalKind(type);
  if (kind === "null") return A.makeData({ type: type as A.Null, length: count, nullCount: count });
  const need = (n: number): void => {
    if (cur.pos + n > bytes.byteLength) {
      throw new CorruptFileError(`segment of ${count} ${String(type)} values runs past its chunk (${bytes.byteLength} bytes)`);
    }
  };
  need(1);
  const tag = bytes[cur.pos++]!;
  let valid: ValidityInfo = { nullBitmap: undefined, nullCount: 0 };
  if (tag === HAS_BITMAP) {
    const n = bitmapBytes(count);
    need(n);
    const nullBitmap = bytes.subarray(cur.pos, cur.pos + n);
    cur.pos += n;
    valid = { nullBitmap, nullCount: count - countSet(nullBitmap, 0, count) };
  } else if (tag !== ALL_VALID) {
    throw new CorruptFileError(`unknown validity tag ${tag} in a segment of ${String(type)}`);
  }
  cur.pos = (cur.pos + 7) & ~7;
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.subarray(cur.pos, cur.pos + n);
    cur.pos += n;
    return out;
  };
  switch (kind) {
    case "bool":
      return A.makeData({ type: type as A.Bool, length: count, data: take(bitmapBytes(count)), ...valid });
    case "fixed":
      return fixedData(type, count, take(count * primitiveWidth(type)), valid);
    case "binary":
    case "large-binary":
    case "list": {
      const wide = kind === "large-binary";
      const offBytes = take((count + 1) * (wide ? 8 : 4));
      const valueOffsets = wide
        ? new BigInt64Array(offBytes.buffer, offBytes.byteOffset, count + 1)
        : new Int32Array(offBytes.buffer, offBytes.byteOffset, count + 1);
      const end = Number(valueOffsets[count]!);
      if (end < 0) throw new CorruptFileError(`negative offset in a segment of ${String(type)}`);
      if (kind === "list") {
        cur.pos = (cur.pos + 7) & ~7;
        const child = decodeSegment((type as A.List).children[0]!.type, bytes, cur, end);
        return A.makeData({ type: type as A.List, length: count, valueOffsets: valueOffsets as Int32Array, child, ...valid });
      }
      return A.makeData({
        type: type as A.Utf8,
        length: count,
        valueOffsets: valueOffsets as Int32Array,
        data: take(end),
        ...valid,
      });
    }
    case "fsl": {
      const t = type as A.FixedSizeList;
      const child = decodeSegment(t.children[0]!.type, bytes, cur, count * t.listSize);
      return A.makeData({ type: t, length: count, child, ...valid });
    }
    case "struct": {
      const t = type as A.Struct;
      const children = t.children.map((f) => {
        cur.pos = (cur.pos + 7) & ~7;
        return decodeSegment(f.type, bytes, cur, count);
      });
      return A.makeData({ type: t, length: count, children, ...valid });
    }
  }
}
