// Fixed-record pages (docs/format/file.md §Fixed records): one record per row, `stride = 8 + width` bytes —
// a CRC, a validity byte and the value — so reading row i is one range read at i * stride.

import * as A from "apache-arrow";
import { CorruptFileError } from "../../errors.js";
import { bitmapBytes, setBit } from "../bitmaps.js";
import { dataView, u32At } from "../byte-sink.js";
import { unitCrc } from "../checksum.js";
import { fixedBytes, fixedData, isValid, type ValidityInfo } from "../gather.js";
import { physicalKind, primitiveWidth } from "../types.js";

export const RECORD_HEADER_BYTES = 8;

/** The innermost values of a flat fixed-width Data (a primitive, or fixed-size lists of one) as bytes. */
export function flatBytes(d: A.Data, start: number, count: number): Uint8Array {
  if (physicalKind(d.type) === "fsl") {
    const k = (d.type as A.FixedSizeList).listSize;
    return flatBytes(d.children[0]!, start * k, count * k);
  }
  return fixedBytes(d, start, count, primitiveWidth(d.type));
}

/**
 * True when no child value under a valid row is null (then each value is plain bytes). Children under null rows
 * do not count: those rows are stored as null records.
 */
export function childrenAllValid(d: A.Data, start = 0, count = d.length): boolean {
  if (physicalKind(d.type) !== "fsl") return true;
  const child = d.children[0]!;
  const k = (d.type as A.FixedSizeList).listSize;
  if (child.nullCount === 0) return childrenAllValid(child, start * k, count * k);
  for (let i = start; i < start + count; i++) {
    if (!isValid(d, i)) continue;
    for (let j = i * k; j < (i + 1) * k; j++) if (!isValid(child, j)) return false;
    if (!childrenAllValid(child, i * k, k)) return false;
  }
  return true;
}

/** A Data over `length` flat values in `bytes` (aligned), with top-level validity only. */
export function flatData(
  type: A.DataType,
  length: number,
  bytes: Uint8Array,
  valid: ValidityInfo,
): A.Data {
  if (physicalKind(type) === "fsl") {
    const t = type as A.FixedSizeList;
    const child = flatData(t.children[0]!.type, length * t.listSize, bytes, { nullBitmap: undefined, nullCount: 0 });
    return A.makeData({ type: t, length, child, ...valid });
  }
  return fixedData(type, length, bytes, valid);
}

/** Encodes contiguous `data` (flat, `width` bytes per value) as records. */
export function encodeFixedPage(data: A.Data, width: number): Uint8Array {
  const stride = RECORD_HEADER_BYTES + width;
  const out = new Uint8Array(data.length * stride);
  const view = dataView(out);
  const values = flatBytes(data, 0, data.length);
  for (let i = 0; i < data.length; i++) {
    const at = i * stride;
    const ok = isValid(data, i);
    out[at + 4] = ok ? 1 : 0;
    if (ok) out.set(values.subarray(i * width, (i + 1) * width), at + RECORD_HEADER_BYTES);
    view.setUint32(at, unitCrc(out.subarray(at + 4, at + stride), i), true);
  }
  return out;
}

/** Checks one record (row `index` of its page) and returns its value bytes, or null for a null row. */
export function readFixedRecord(record: Uint8Array, index: number, where: () => string): Uint8Array | null {
  if (unitCrc(record.subarray(4), index) !== u32At(record, 0)) {
    throw new CorruptFileError(`corrupt data in ${where()}: checksum mismatch in row ${index} of the page`);
  }
  const flag = record[4]!;
  if (flag > 1) throw new CorruptFileError(`corrupt data in ${where()}: bad validity byte in row ${index}`);
  return flag === 1 ? record.subarray(RECORD_HEADER_BYTES) : null;
}

/** Decodes a whole page of `rows` records into one Data. */
export function decodeFixedPage(
  type: A.DataType,
  page: Uint8Array,
  rows: number,
  stride: number,
  where: () => string,
): A.Data {
  const width = stride - RECORD_HEADER_BYTES;
  if (page.byteLength !== rows * stride) {
    throw new CorruptFileError(`corrupt data in ${where()}: page is ${page.byteLength} bytes, expected ${rows * stride}`);
  }
  const values = new Uint8Array(rows * width);
  let bitmap: Uint8Array | undefined;
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    const value = readFixedRecord(page.subarray(i * stride, (i + 1) * stride), i, where);
    if (value === null) {
      if (bitmap === undefined) {
        bitmap = new Uint8Array(bitmapBytes(rows));
        for (let j = 0; j < i; j++) setBit(bitmap, j);
      }
      nulls++;
    } else {
      values.set(value, i * width);
      if (bitmap !== undefined) setBit(bitmap, i);
    }
  }
  return flatData(type, rows, values, { nullBitmap: bitmap, nullCount: nulls });
}
