// Opens a Tessera data file: reads and checks the footer once, then serves takes and scans (take.ts, scan.ts).

import * as A from "apache-arrow";
import { CorruptFileError, InvalidArgumentError, StorageError } from "../errors.js";
import type { ObjectStore } from "../store/object-store.js";
import { decodeChunk } from "./encodings/mini-block.js";
import { decodeFixedPage } from "./encodings/fixed-records.js";
import { decodeVariablePage } from "./encodings/variable-records.js";
import { concatRanges } from "./gather.js";
import { flatWidth } from "./types.js";
import {
  decodeMetadata,
  decodeTrailer,
  HEADER_BYTES,
  TRAILER_BYTES,
  type FileMetadata,
  type PageMeta,
  type PageStats,
} from "./layout.js";
import { scanBatches, type ScanOptions } from "./scan.js";
import { schemaFromJson } from "./schema-json.js";
import { takeRows, type TakeOptions } from "./take.js";

/** How much of the file's end the first read fetches, hoping the whole footer is in it. */
const TAIL_GUESS = 64 * 1024;

/** Options for opening a data file. */
export interface OpenOptions {
  /** The file's size when known (a manifest records it), which saves a request. */
  size?: number;
}

/** A column's pages with what a reader needs to find rows fast. */
export interface ColumnIndex {
  name: string;
  field: A.Field;
  pages: PageMeta[];
  /** rowStart of each page, for binary search. */
  rowStarts: number[];
  /** Per mini-block page: byte offset of each chunk within the file (built on first use). */
  chunkOffsets: (number[] | undefined)[];
}

/** A page's row range and statistics, for callers that skip pages. */
export interface PageInfo {
  rowStart: number;
  rows: number;
  stats: PageStats;
}

/** An open data file. Immutable; safe to share between concurrent reads. */
export class DataFileReader {
  readonly schema: A.Schema;
  readonly numRows: number;
  private readonly byName = new Map<string, ColumnIndex>();

  private constructor(
    readonly store: ObjectStore,
    readonly path: string,
    readonly size: number,
    readonly metadata: FileMetadata,
    /** Where the footer starts: every page must end before it. */
    private readonly dataEnd: number,
  ) {
    try {
      this.schema = schemaFromJson(metadata.schema);
    } catch (err) {
      throw new CorruptFileError(`${this.uri}: footer schema is unreadable: ${(err as Error).message}`, { uri: this.uri, cause: err });
    }
    this.numRows = metadata.numRows;
    this.checkPages();
    metadata.columns.forEach((c, i) => {
      this.byName.set(c.name, {
        name: c.name,
        field: this.schema.fields[i]!,
        pages: c.pages,
        rowStarts: c.pages.map((p) => p.rowStart),
        chunkOffsets: [],
      });
    });
  }

  /** Full URI of the file, for messages. */
  get uri(): string {
    return this.store.uri.endsWith("/") ? this.store.uri + this.path : `${this.store.uri}/${this.path}`;
  }

  /** Opens `path`: one request for the tail (plus one for the size unless given), a second only for huge footers. */
  static async open(store: ObjectStore, path: string, options: OpenOptions = {}): Promise<DataFileReader> {
    const size = options.size ?? (await store.head(path)).size;
    const uri = store.uri.endsWith("/") ? store.uri + path : `${store.uri}/${path}`;
    if (size < HEADER_BYTES + TRAILER_BYTES) {
      throw new CorruptFileError(`${uri} is too small (${size} bytes) to be a Tessera data file; it may be truncated`, { uri });
    }
    const tailLen = Math.min(size, TAIL_GUESS);
    let tail: Uint8Array | undefined;
    try {
      [tail] = await store.getRanges(path, [{ offset: size - tailLen, length: tailLen }]);
    } catch (err) {
      // A known size (from a manifest) larger than the object: the file was cut short.
      if (err instanceof StorageError && options.size !== undefined) {
        throw new CorruptFileError(`${uri} is shorter than its recorded size of ${size} bytes; the file is truncated`, { uri, cause: err });
      }
      throw err;
    }
    const trailer = decodeTrailer(tail!.subarray(tailLen - TRAILER_BYTES), size, uri);
    let metaBytes: Uint8Array;
    const tailStart = size - tailLen;
    if (trailer.metaOffset >= tailStart) {
      metaBytes = tail!.subarray(trailer.metaOffset - tailStart, trailer.metaOffset - tailStart + trailer.metaLength);
    } else {
      [metaBytes] = (await store.getRanges(path, [{ offset: trailer.metaOffset, length: trailer.metaLength }])) as [Uint8Array];
    }
    return new DataFileReader(store, path, size, decodeMetadata(metaBytes, trailer, uri), trailer.metaOffset);
  }

  /**
   * Refuses footers whose pages do not tile the rows, fall outside the data region, or disagree with their
   * column's type — so reads can trust page metadata and a damaged footer never yields wrong data.
   */
  private checkPages(): void {
    const m = this.metadata;
    if (m.columns.length !== this.schema.fields.length) {
      throw new CorruptFileError(`${this.uri}: footer lists ${m.columns.length} columns for ${this.schema.fields.length} fields`);
    }
    if (new Set(m.columns.map((c) => c.name)).size !== m.columns.length) {
      throw new CorruptFileError(`${this.uri}: footer names a column twice; the file is corrupt`, { uri: this.uri });
    }
    m.columns.forEach((c, ci) => {
      const field = this.schema.fields[ci]!;
      if (c.name !== field.name) {
        throw new CorruptFileError(`${this.uri}: footer column ${ci} is "${c.name}" but the schema says "${field.name}"`);
      }
      const flat = flatWidth(field.type);
      let next = 0;
      c.pages.forEach((p, i) => {
        const bad = (what: string): CorruptFileError =>
          new CorruptFileError(`${this.uri}: column "${c.name}" page ${i} ${what} in the footer; the file is corrupt`, {
            uri: this.uri,
            column: c.name,
            page: i,
          });
        if (p.rowStart !== next || p.rows <= 0) throw bad("does not continue the previous page's rows");
        if (p.offset < HEADER_BYTES || p.offset + p.length > this.dataEnd) throw bad("lies outside the data region");
        if (p.layout === "fixed" && (flat === undefined || p.stride !== 8 + flat || p.length !== p.rows * p.stride)) {
          throw bad("has a record size that does not match its type");
        }
        if (p.layout === "variable" && (p.dataStart !== (p.rows + 1) * 8 || p.dataStart > p.length)) {
          throw bad("has an offset table of the wrong size");
        }
        if (p.layout === "mini-block") {
          const chunks = Math.ceil(p.rows / p.chunkRows);
          const sum = p.chunkLengths.reduce((a, b) => a + b, 0);
          if (p.chunkRows <= 0 || p.chunkLengths.length !== chunks || sum !== p.length) throw bad("has chunks that do not add up");
        }
        next += p.rows;
      });
      if (next !== m.numRows) {
        throw new CorruptFileError(`${this.uri}: column "${c.name}" pages hold ${next} rows, footer says ${m.numRows}`);
      }
    });
  }

  /** The column index of `name`; InvalidArgumentError naming the columns that exist. */
  column(name: string): ColumnIndex {
    const c = this.byName.get(name);
    if (c === undefined) {
      throw new InvalidArgumentError(
        `no column "${name}" in ${this.uri}; columns are: ${[...this.byName.keys()].join(", ")}`,
        { uri: this.uri, column: name },
      );
    }
    return c;
  }

  /** Names to read: all when `columns` is undefined. */
  resolveColumns(columns?: readonly string[]): ColumnIndex[] {
    return (columns ?? this.schema.fields.map((f) => f.name)).map((n) => this.column(n));
  }

  /** Row ranges and statistics of each page of a column. */
  pageInfo(column: string): PageInfo[] {
    return this.column(column).pages.map((p) => ({ rowStart: p.rowStart, rows: p.rows, stats: p.stats }));
  }

  /** Rows in the order asked (duplicates allowed) of the chosen columns. */
  take(rows: readonly number[], options: TakeOptions = {}): Promise<A.Table> {
    return takeRows(this, rows, options);
  }

  /** Streams the chosen columns in batches; only the pages overlapping `rowRanges` are read. */
  scan(options: ScanOptions = {}): AsyncIterable<A.RecordBatch> {
    return scanBatches(this, options);
  }

  /** Reads the whole file into one Arrow table (tests and small files). */
  async toArrow(options: ScanOptions = {}): Promise<A.Table> {
    const batches: A.RecordBatch[] = [];
    for await (const b of this.scan(options)) batches.push(b);
    const schema = projectSchema(this.schema, options.columns);
    return new A.Table(schema, batches);
  }

  /** "file, column c, page p", for error messages. */
  where(column: string, page: number): () => string {
    return () => `${this.uri}, column "${column}", page ${page}`;
  }

  /** Byte offset in the file of each chunk of a mini-block page. */
  chunkOffsets(col: ColumnIndex, pageIndex: number): number[] {
    let offs = col.chunkOffsets[pageIndex];
    if (offs === undefined) {
      const page = col.pages[pageIndex]!;
      if (page.layout !== "mini-block") throw new Error("not a mini-block page");
      offs = [];
      let at = page.offset;
      for (const len of page.chunkLengths) {
        offs.push(at);
        at += len;
      }
      if (at !== page.offset + page.length) {
        throw new CorruptFileError(`corrupt footer in ${this.where(col.name, pageIndex)()}: chunk lengths do not add up`);
      }
      col.chunkOffsets[pageIndex] = offs;
    }
    return offs;
  }

  /** Decodes the bytes of a whole page. */
  decodePage(col: ColumnIndex, pageIndex: number, bytes: Uint8Array): A.Data {
    const page = col.pages[pageIndex]!;
    const type = col.field.type;
    const where = this.where(col.name, pageIndex);
    switch (page.layout) {
      case "mini-block": {
        const offs = this.chunkOffsets(col, pageIndex);
        const parts = offs.map((o, k) => {
          const count = Math.min(page.chunkRows, page.rows - k * page.chunkRows);
          const chunk = bytes.subarray(o - page.offset, o - page.offset + page.chunkLengths[k]!);
          const data = decodeChunk(type, chunk, k, count, { uri: this.uri, column: col.name, page: pageIndex });
          return { data, start: 0, count };
        });
        return parts.length === 1 ? parts[0]!.data : concatRanges(type, parts);
      }
      case "fixed":
        return decodeFixedPage(type, bytes, page.rows, page.stride, where);
      case "variable":
        return decodeVariablePage(type, bytes, page.rows, page, where);
      default:
        throw new CorruptFileError(`${where()}: unknown page layout "${(page as { layout: string }).layout}"`);
    }
  }
}

/** The schema restricted to `columns`, in their order. */
export function projectSchema(schema: A.Schema, columns?: readonly string[]): A.Schema {
  if (columns === undefined) return schema;
  return new A.Schema(
    columns.map((n) => schema.fields.find((f) => f.name === n)!),
    schema.metadata,
  );
}

/** A record batch of `length` rows from column Data in schema order. */
export function makeBatch(schema: A.Schema, length: number, children: A.Data[]): A.RecordBatch {
  const data = A.makeData({ type: new A.Struct(schema.fields), length, children, nullCount: 0 });
  return new A.RecordBatch(schema, data);
}

/** Index of the page holding `row` (rowStarts ascending). */
export function findPage(rowStarts: readonly number[], row: number): number {
  let lo = 0;
  let hi = rowStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rowStarts[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
