// Row movement shared by the operators: one contiguous Data per column, takes by index (where -1 means a null
// row, for the unmatched side of outer joins), concat, slice, and building batches that keep their row count.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { decodeDictionary, decoder, packBits, readValidity } from "../../format/expr/columnar.js";
import { concatRanges, nullData, takeIndices } from "../../format/file/gather.js";

/** Rows per output batch of the blocking operators (sort, aggregate, join chunks). */
export const OUTPUT_BATCH_ROWS = 65536;

/** `d` with dictionaries decoded: the kernels below (and the file's gatherers) work on plain values. */
export function plainData(d: A.Data): A.Data {
  return d.typeId === A.Type.Dictionary ? decodeDictionary(d) : d;
}

/** One contiguous, dictionary-free Data holding every row of `v`. */
export function vectorData(v: A.Vector): A.Data {
  if (v.data.length === 1) return plainData(v.data[0]!);
  const parts = v.data.map(plainData);
  const type = parts[0]?.type ?? v.type;
  return concatRanges(type, parts.map((data) => ({ data, start: 0, count: data.length })));
}

/** The column `name` of `batch` as one Data; throws naming the columns there are when it is missing. */
export function columnData(batch: A.RecordBatch, name: string): A.Data {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) {
    const have = batch.schema.fields.map((f) => f.name).join(", ");
    throw new InvalidArgumentError(`column "${name}" is not in the input (columns: ${have})`, { column: name });
  }
  return plainData(batch.data.children[i]!);
}

/** Every column of `batch`, dictionary-free. */
export function batchColumns(batch: A.RecordBatch): A.Data[] {
  return batch.data.children.map(plainData);
}

/**
 * A batch of `numRows` rows over `columns` (one per schema field). Arrow JS derives a batch's row count from its
 * columns, so a batch with no columns would report 0 rows; such a batch gets its struct data back afterwards.
 */
export function makeBatch(schema: A.Schema, columns: readonly A.Data[], numRows: number): A.RecordBatch {
  if (columns.length !== schema.fields.length) {
    throw new InvalidArgumentError(`a batch of schema [${schema.names.join(", ")}] needs ${schema.fields.length} columns, got ${columns.length}`);
  }
  // The operators decode dictionaries, so a dictionary field takes the type of the values it now holds.
  const fields = schema.fields.map((f, i) => (isDecoded(f, columns[i]!) ? f.clone({ type: columns[i]!.type }) : f));
  const data = A.makeData({ type: new A.Struct(fields), length: numRows, nullCount: 0, children: [...columns] });
  const batch = new A.RecordBatch(new A.Schema(fields, schema.metadata), data);
  if (columns.length === 0 && numRows > 0) (batch as unknown as { data: A.Data<A.Struct> }).data = data;
  return batch;
}

function isDecoded(f: A.Field, d: A.Data): boolean {
  return f.type.typeId === A.Type.Dictionary && d.typeId !== A.Type.Dictionary;
}

/** Rows [start, start+count) of `batch`, zero-copy (keeping the row count of column-less batches). */
export function sliceBatch(batch: A.RecordBatch, start: number, count: number): A.RecordBatch {
  if (start === 0 && count === batch.numRows) return batch;
  if (batch.numCols === 0) return makeBatch(batch.schema, [], count);
  return makeBatch(batch.schema, batch.data.children.map((d) => d.slice(start, count)), count);
}

/** `batch` split into batches of at most `rows` rows. */
export function* chunkBatch(batch: A.RecordBatch, rows = OUTPUT_BATCH_ROWS): Generator<A.RecordBatch> {
  for (let s = 0; s < batch.numRows; s += rows) yield sliceBatch(batch, s, Math.min(rows, batch.numRows - s));
}

/** Data of one type concatenated (no copy for a single part). */
export function concatData(type: A.DataType, parts: readonly A.Data[]): A.Data {
  if (parts.length === 1) return parts[0]!;
  return concatRanges(type, parts.map((data) => ({ data, start: 0, count: data.length })));
}

/** The rows of `batches` (same columns as `schema`) as one batch. */
export function concatBatches(schema: A.Schema, batches: readonly A.RecordBatch[]): A.RecordBatch {
  if (batches.length === 1) return batches[0]!;
  const rows = batches.reduce((n, b) => n + b.numRows, 0);
  const columns = schema.fields.map((f, i) => {
    const parts = batches.map((b) => plainData(b.data.children[i]!));
    return concatData(parts[0]?.type ?? f.type, parts);
  });
  return makeBatch(schema, columns, rows);
}

/**
 * Rows `indices` of `d` (any order, repeats allowed); an index below 0 gives a null row. Misses are taken as row 0
 * and then masked, so every type keeps the single-pass typed take of format/file/gather.ts.
 */
export function takeData(d: A.Data, indices: Int32Array): A.Data {
  return takeScanned(d, indices, countMisses(indices));
}

/**
 * Rows `indices` of each of `columns` (as takeData), scanning the indices once for all of them: a run of
 * consecutive rows is a zero-copy slice of every column.
 */
export function takeColumns(columns: readonly A.Data[], indices: Int32Array): A.Data[] {
  const n = indices.length;
  if (columns.length === 0) return [];
  let misses = 0;
  let run = n > 0 && indices[0]! >= 0;
  for (let i = 0; i < n; i++) {
    if (indices[i]! < 0) misses++;
    if (i > 0 && indices[i] !== indices[i - 1]! + 1) run = false;
  }
  if (run) return columns.map((d) => plainData(d).slice(indices[0]!, n));
  return columns.map((d) => takeScanned(d, indices, misses));
}

function countMisses(indices: Int32Array): number {
  let misses = 0;
  for (let i = 0; i < indices.length; i++) if (indices[i]! < 0) misses++;
  return misses;
}

/** takeData once the misses are counted. */
function takeScanned(d: A.Data, indices: Int32Array, misses: number): A.Data {
  const src = plainData(d);
  const n = indices.length;
  if (misses === 0) return takeIndices(src, new Uint32Array(indices.buffer, indices.byteOffset, n));
  if (misses === n || src.length === 0) return nullData(src.type, n);
  const clamped = new Uint32Array(n);
  for (let i = 0; i < n; i++) clamped[i] = indices[i]! < 0 ? 0 : indices[i]!;
  let taken = takeIndices(src, clamped);
  // A run of consecutive indices comes back as a zero-copy slice; the mask below wants offset 0.
  if (taken.offset !== 0) taken = concatRanges(taken.type, [{ data: taken, start: 0, count: n }]);
  return maskRows(taken, indices);
}

/** `d` (offset 0) with the rows where `indices[i] < 0` nulled; buffers and children are shared. */
function maskRows(d: A.Data, indices: Int32Array): A.Data {
  const n = d.length;
  const valid = readValidity(d) ?? new Uint8Array(n).fill(1);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (indices[i]! < 0) valid[i] = 0;
    nulls += 1 - valid[i]!;
  }
  if (d.typeId === A.Type.Null) return d;
  const buffers = [d.valueOffsets, d.values, packBits(valid, n), d.typeIds] as unknown as A.Data["buffers"];
  return new A.Data(d.type, 0, n, nulls, buffers, d.children, d.dictionary);
}

/** Rows `indices` of every column of `batch` (indices below 0 give null rows). */
export function takeRows(batch: A.RecordBatch, indices: Int32Array): A.RecordBatch {
  return makeBatch(batch.schema, takeColumns(batch.data.children, indices), indices.length);
}

/** A column of `n` nulls of `type`. */
export function nullColumn(type: A.DataType, n: number): A.Data {
  return nullData(type, n);
}

/** A growable Int32Array, for index lists built row by row (join pairs, kept rows). */
export class IndexList {
  private data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** A copy of the values, leaving the list empty for reuse. */
  take(): Int32Array {
    const out = this.data.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

/**
 * Strings of a Utf8/LargeUtf8 Data (null rows read as ""). Short ASCII values are built directly: a TextDecoder
 * call per row costs more than the value itself for short keys.
 */
export function readStrings(d: A.Data): string[] {
  const n = d.length;
  const off = d.valueOffsets as Int32Array | BigInt64Array;
  const bytes = d.values as Uint8Array;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = utf8At(bytes, Number(off[i]!), Number(off[i + 1]!));
  return out;
}

function utf8At(bytes: Uint8Array, start: number, end: number): string {
  const sub = bytes.subarray(start, end);
  if (end - start > 32) return decoder.decode(sub);
  for (let k = start; k < end; k++) if (bytes[k]! >= 0x80) return decoder.decode(sub);
  return String.fromCharCode.apply(null, sub as unknown as number[]);
}

/** Bytes of each row of a Binary/LargeBinary Data (views, not copies). */
export function readBinaries(d: A.Data): Uint8Array[] {
  const off = d.valueOffsets as Int32Array | BigInt64Array;
  const bytes = d.values as Uint8Array;
  return Array.from({ length: d.length }, (_, i) => bytes.subarray(Number(off[i]!), Number(off[i + 1]!)));
}
