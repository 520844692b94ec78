// Variable-record pages (docs/format/file.md §Variable records): an offset table of (n + 1) u64 entries
// (position × 2 + null flag), then one record per row: a CRC and the value bytes (binary kinds) or a one-value
// segment (nested types). Reading row i is two range reads: entries i and i+1, then the record.

import type * as A from "apache-arrow";
import { CorruptFileError } from "../../errors.js";
import { aligned, ByteSink, u32At } from "../byte-sink.js";
import { unitCrc } from "../checksum.js";
import { isValid, makeGatherer, isBinaryGatherer, type Gatherer } from "../gather.js";
import { physicalKind } from "../types.js";
import { decodeSegment, encodeSegment } from "./segment.js";

export const ENTRY_BYTES = 8;
const RECORD_CRC_BYTES = 4;

/** True for types whose records hold raw bytes rather than a segment. */
function isRawBinary(type: A.DataType): boolean {
  const k = physicalKind(type);
  return k === "binary" || k === "large-binary";
}

/** Encodes contiguous `data` as an offset table followed by records. */
export function encodeVariablePage(data: A.Data): { bytes: Uint8Array; dataStart: number; offsetsCrc: number } {
  const n = data.length;
  const dataStart = (n + 1) * ENTRY_BYTES;
  const records = new ByteSink(64 * 1024);
  const entries: number[] = [];
  const raw = isRawBinary(data.type);
  const seg = new ByteSink(256);
  for (let i = 0; i < n; i++) {
    const ok = isValid(data, i);
    entries.push(records.length * 2 + (ok ? 0 : 1));
    if (!ok) continue;
    let payload: Uint8Array;
    if (raw) {
      const off = data.valueOffsets as Int32Array | BigInt64Array;
      payload = (data.values as Uint8Array).subarray(Number(off[i]!), Number(off[i + 1]!));
    } else {
      seg.length = 0;
      encodeSegment(seg, data, i, 1);
      payload = seg.finish();
    }
    records.u32(unitCrc(payload, i));
    records.bytes(payload);
  }
  entries.push(records.length * 2);
  const table = new ByteSink(dataStart);
  for (const e of entries) table.u64(e);
  const tableBytes = table.finish();
  const out = new Uint8Array(dataStart + records.length);
  out.set(tableBytes, 0);
  out.set(records.finish(), dataStart);
  return { bytes: out, dataStart, offsetsCrc: unitCrc(tableBytes, 0) };
}

/** A row's record position from two consecutive table entries. */
export interface RecordSpan {
  start: number;
  end: number;
  isNull: boolean;
}

/** Reads entries i and i+1 (16 bytes) into the record span of row i. */
export function readSpan(two: Uint8Array, where: () => string): RecordSpan {
  const a = u32At(two, 0) + u32At(two, 4) * 0x1_0000_0000;
  const b = u32At(two, 8) + u32At(two, 12) * 0x1_0000_0000;
  const span = { start: Math.floor(a / 2), end: Math.floor(b / 2), isNull: a % 2 === 1 };
  if (span.end < span.start || (span.isNull && span.end !== span.start)) {
    throw new CorruptFileError(`corrupt data in ${where()}: bad offset table entries ${a}, ${b}`);
  }
  return span;
}

/** Checks row `index`'s record and appends its value to `g`. */
export function appendRecord(
  g: Gatherer,
  type: A.DataType,
  record: Uint8Array,
  index: number,
  where: () => string,
): void {
  if (record.byteLength < RECORD_CRC_BYTES) {
    throw new CorruptFileError(`corrupt data in ${where()}: record of row ${index} is too short`);
  }
  const payload = record.subarray(RECORD_CRC_BYTES);
  if (unitCrc(payload, index) !== u32At(record, 0)) {
    throw new CorruptFileError(`corrupt data in ${where()}: checksum mismatch in row ${index} of the page`);
  }
  if (isBinaryGatherer(g)) {
    g.appendBytes(payload);
    return;
  }
  try {
    g.appendRange(decodeSegment(type, aligned(payload), { pos: 0 }, 1), 0, 1);
  } catch (err) {
    if (err instanceof CorruptFileError) throw new CorruptFileError(`corrupt data in ${where()}: ${err.message}`);
    throw err;
  }
}

/** Decodes a whole page of `rows` rows into one Data. */
export function decodeVariablePage(
  type: A.DataType,
  page: Uint8Array,
  rows: number,
  meta: { dataStart: number; offsetsCrc: number },
  where: () => string,
): A.Data {
  const table = page.subarray(0, meta.dataStart);
  if (meta.dataStart !== (rows + 1) * ENTRY_BYTES || unitCrc(table, 0) !== meta.offsetsCrc) {
    throw new CorruptFileError(`corrupt data in ${where()}: offset table checksum mismatch`);
  }
  const records = page.subarray(meta.dataStart);
  const g = makeGatherer(type);
  for (let i = 0; i < rows; i++) {
    const span = readSpan(table.subarray(i * ENTRY_BYTES, (i + 2) * ENTRY_BYTES), where);
    if (span.isNull) {
      g.appendNulls(1);
      continue;
    }
    if (span.end > records.byteLength) throw new CorruptFileError(`corrupt data in ${where()}: record past page end`);
    appendRecord(g, type, records.subarray(span.start, span.end), i, where);
  }
  return g.finish();
}
