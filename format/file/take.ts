// Random access: plan the byte ranges the asked rows need (one per row for chunks and fixed records, two for
// variable records), fetch them in as few coalesced requests as the store allows, then decode in asked order.

import * as A from "apache-arrow";
import { CorruptFileError, InvalidArgumentError } from "../errors.js";
import type { ByteRange } from "../store/object-store.js";
import { decodeChunkRows } from "./encodings/mini-block.js";
import { readFixedRecord } from "./encodings/fixed-records.js";
import { appendRecord, ENTRY_BYTES, readSpan } from "./encodings/variable-records.js";
import { makeGatherer, type FlatGatherer, type Gatherer } from "./gather.js";
import type { MiniBlockPage } from "./layout.js";
import { findPage, makeBatch, projectSchema, type ColumnIndex, type DataFileReader } from "./reader.js";

/** Options for `take`. */
export interface TakeOptions {
  /** Columns to read, in output order. Default: all. */
  columns?: readonly string[];
}

/** Where one asked row of one column lives, and which fetched range holds it. */
interface RowRef {
  page: number;
  /** Row index within the page. */
  local: number;
  /** Index into the phase-1 ranges (chunk, fixed record, or offset-table entries). */
  first: number;
  /** Index into the phase-2 ranges (variable records), or -1 for null rows / other layouts. */
  second: number;
}

function checkRows(reader: DataFileReader, rows: readonly number[]): void {
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= reader.numRows) {
      throw new InvalidArgumentError(`row ${r} is out of range for ${reader.uri}, which has ${reader.numRows} rows`, {
        uri: reader.uri,
      });
    }
  }
}

/** Phase-1 ranges of one column: one per distinct chunk, fixed record or offset-table pair. */
function planColumn(reader: DataFileReader, col: ColumnIndex, rows: readonly number[], ranges: ByteRange[]): RowRef[] {
  const seen = new Map<number, number>(); // key -> range index, so rows sharing a chunk share a read
  return rows.map((row) => {
    const page = findPage(col.rowStarts, row);
    const meta = col.pages[page]!;
    const local = row - meta.rowStart;
    let range: ByteRange;
    if (meta.layout === "mini-block") {
      const chunk = Math.floor(local / meta.chunkRows);
      const offs = reader.chunkOffsets(col, page);
      range = { offset: offs[chunk]!, length: meta.chunkLengths[chunk]! };
    } else if (meta.layout === "fixed") {
      range = { offset: meta.offset + local * meta.stride, length: meta.stride };
    } else {
      range = { offset: meta.offset + local * ENTRY_BYTES, length: 2 * ENTRY_BYTES };
    }
    const key = range.offset;
    let first = seen.get(key);
    if (first === undefined) {
      first = ranges.length;
      ranges.push(range);
      seen.set(key, first);
    }
    return { page, local, first, second: -1 };
  });
}

/** Phase-2 ranges: the records of rows in variable pages. */
function planRecords(
  reader: DataFileReader,
  col: ColumnIndex,
  refs: RowRef[],
  fetched: Uint8Array[],
  ranges: ByteRange[],
): void {
  for (const ref of refs) {
    const meta = col.pages[ref.page]!;
    if (meta.layout !== "variable") continue;
    const span = readSpan(fetched[ref.first]!, reader.where(col.name, ref.page));
    if (span.isNull) continue;
    const offset = meta.offset + meta.dataStart + span.start;
    if (offset + (span.end - span.start) > meta.offset + meta.length) {
      throw new CorruptFileError(`corrupt data in ${reader.where(col.name, ref.page)()}: record runs past the page`, {
        uri: reader.uri,
        column: col.name,
        page: ref.page,
      });
    }
    ref.second = ranges.length;
    ranges.push({ offset, length: span.end - span.start });
  }
}

/** Decodes, per distinct chunk, only the rows asked of it; returns each ref's position in its chunk's result. */
function decodeChunks(
  reader: DataFileReader,
  col: ColumnIndex,
  refs: RowRef[],
  first: Uint8Array[],
): { chunks: Map<number, A.Data>; at: Int32Array } {
  const wanted = new Map<number, { page: number; chunk: number; rows: number[] }>();
  const at = new Int32Array(refs.length);
  refs.forEach((ref, i) => {
    const meta = col.pages[ref.page]!;
    if (meta.layout !== "mini-block") return;
    let w = wanted.get(ref.first);
    if (w === undefined) {
      w = { page: ref.page, chunk: Math.floor(ref.local / meta.chunkRows), rows: [] };
      wanted.set(ref.first, w);
    }
    at[i] = w.rows.length;
    w.rows.push(ref.local - w.chunk * meta.chunkRows);
  });
  const chunks = new Map<number, A.Data>();
  for (const [key, w] of wanted) {
    const meta = col.pages[w.page]! as MiniBlockPage;
    const count = Math.min(meta.chunkRows, meta.rows - w.chunk * meta.chunkRows);
    const ctx = { uri: reader.uri, column: col.name, page: w.page };
    chunks.set(key, decodeChunkRows(col.field.type, first[key]!, w.chunk, count, w.rows, ctx));
  }
  return { chunks, at };
}

function assemble(
  reader: DataFileReader,
  col: ColumnIndex,
  refs: RowRef[],
  first: Uint8Array[],
  second: Uint8Array[],
): A.Data {
  const g: Gatherer = makeGatherer(col.field.type, refs.length);
  const { chunks, at } = decodeChunks(reader, col, refs, first);
  refs.forEach((ref, i) => {
    const meta = col.pages[ref.page]!;
    const where = reader.where(col.name, ref.page);
    if (meta.layout === "mini-block") {
      g.appendRange(chunks.get(ref.first)!, at[i]!, 1);
    } else if (meta.layout === "fixed") {
      const value = readFixedRecord(first[ref.first]!, ref.local, where);
      if (value === null) g.appendNulls(1);
      else (g as FlatGatherer).appendFlat(value, 1);
    } else if (ref.second < 0) {
      g.appendNulls(1);
    } else {
      appendRecord(g, col.field.type, second[ref.second]!, ref.local, where);
    }
  });
  return g.finish();
}

/** Reads `rows` (any order, duplicates allowed) of the chosen columns. */
export async function takeRows(reader: DataFileReader, rows: readonly number[], options: TakeOptions): Promise<A.Table> {
  checkRows(reader, rows);
  const cols = reader.resolveColumns(options.columns);
  const schema = projectSchema(reader.schema, options.columns);
  const ranges1: ByteRange[] = [];
  const refs = cols.map((c) => planColumn(reader, c, rows, ranges1));
  const fetched1 = await reader.store.getRanges(reader.path, ranges1);
  const ranges2: ByteRange[] = [];
  cols.forEach((c, i) => planRecords(reader, c, refs[i]!, fetched1, ranges2));
  const fetched2 = ranges2.length > 0 ? await reader.store.getRanges(reader.path, ranges2) : [];
  const children = cols.map((c, i) => assemble(reader, c, refs[i]!, fetched1, fetched2));
  return new A.Table(schema, [makeBatch(schema, rows.length, children)]);
}
