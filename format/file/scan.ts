// Streaming scans: each projected column walks its pages in order with one page of read-ahead, and batches are
// cut across the columns' different page boundaries. Memory holds at most two pages per column.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import { concatRanges } from "./gather.js";
import { makeBatch, projectSchema, type ColumnIndex, type DataFileReader } from "./reader.js";

/** Options for `scan`. */
export interface ScanOptions {
  /** Columns to read, in output order. Default: all. */
  columns?: readonly string[];
  /** Rows per batch (the last of each range may be shorter). Default 8 192. */
  batchSize?: number;
  /** Half-open row ranges to read, e.g. from page statistics; default the whole file. */
  rowRanges?: readonly (readonly [number, number])[];
}

/** Sorts, clips and merges row ranges. */
export function normalizeRanges(ranges: readonly (readonly [number, number])[], numRows: number): [number, number][] {
  const sorted = ranges
    .map(([a, b]) => [Math.max(0, a), Math.min(numRows, b)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

/** Walks one column's pages forward, decoding each once, prefetching the next one needed. */
class PageCursor {
  private pageIndex = -1;
  private data: A.Data | undefined;
  private prefetch: { index: number; bytes: Promise<Uint8Array> } | undefined;

  constructor(
    private readonly reader: DataFileReader,
    private readonly col: ColumnIndex,
    private readonly wanted: (page: number) => boolean,
  ) {}

  private fetch(index: number): Promise<Uint8Array> {
    const p = this.col.pages[index]!;
    return this.reader.store.getRanges(this.reader.path, [p]).then((r) => r[0]!);
  }

  private nextWanted(after: number): number {
    for (let i = after + 1; i < this.col.pages.length; i++) if (this.wanted(i)) return i;
    return -1;
  }

  private async load(index: number): Promise<void> {
    const bytes = this.prefetch?.index === index ? this.prefetch.bytes : this.fetch(index);
    const next = this.nextWanted(index);
    this.prefetch = next < 0 ? undefined : { index: next, bytes: this.fetch(next) };
    // A prefetch that is never awaited must not become an unhandled rejection.
    this.prefetch?.bytes.catch(() => undefined);
    this.data = this.reader.decodePage(this.col, index, await bytes);
    this.pageIndex = index;
  }

  /** Rows [start, end) of the column; they may span pages. */
  async read(start: number, end: number): Promise<A.Data> {
    const parts: { data: A.Data; start: number; count: number }[] = [];
    let row = start;
    while (row < end) {
      const page = this.pageIndex < 0 ? undefined : this.col.pages[this.pageIndex]!;
      if (page === undefined || row >= page.rowStart + page.rows || row < page.rowStart) {
        await this.load(this.pageFor(row));
        continue;
      }
      const stop = Math.min(end, page.rowStart + page.rows);
      parts.push({ data: this.data!, start: row - page.rowStart, count: stop - row });
      row = stop;
    }
    if (parts.length === 1) {
      const p = parts[0]!;
      return p.start === 0 && p.count === p.data.length ? p.data : p.data.slice(p.start, p.count);
    }
    return concatRanges(this.col.field.type, parts);
  }

  private pageFor(row: number): number {
    const starts = this.col.rowStarts;
    let i = Math.max(0, this.pageIndex);
    while (i + 1 < starts.length && starts[i + 1]! <= row) i++;
    if (starts[i]! > row) i = 0;
    while (i + 1 < starts.length && starts[i + 1]! <= row) i++;
    return i;
  }
}

/** The scan generator behind DataFileReader.scan. */
export async function* scanBatches(reader: DataFileReader, options: ScanOptions): AsyncGenerator<A.RecordBatch> {
  const batchSize = options.batchSize ?? 8192;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const cols = reader.resolveColumns(options.columns);
  const schema = projectSchema(reader.schema, options.columns);
  const ranges = normalizeRanges(options.rowRanges ?? [[0, reader.numRows]], reader.numRows);
  const cursors = cols.map((col) => {
    const overlaps = (i: number): boolean => {
      const p = col.pages[i]!;
      return ranges.some(([a, b]) => a < p.rowStart + p.rows && b > p.rowStart);
    };
    return new PageCursor(reader, col, overlaps);
  });
  for (const [a, b] of ranges) {
    for (let start = a; start < b; start += batchSize) {
      const end = Math.min(b, start + batchSize);
      const children = await Promise.all(cursors.map((c) => c.read(start, end)));
      yield makeBatch(schema, end - start, children);
    }
  }
}
