// Writes Arrow record batches as a Tessera data file, streaming: each column buffers at most one page, pages go
// to the object store as they fill, and the footer is written last (docs/format/file.md).

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import type { ObjectStore, ObjectWriter } from "../store/object-store.js";
import { chunkRowsFor, encodeMiniBlockPage, type ChunkCompression } from "./encodings/mini-block.js";
import { childrenAllValid, encodeFixedPage, RECORD_HEADER_BYTES } from "./encodings/fixed-records.js";
import { encodeVariablePage } from "./encodings/variable-records.js";
import { concatRanges } from "./gather.js";
import {
  encodeHeader,
  encodeTrailer,
  MAJOR_VERSION,
  MINOR_VERSION,
  type ColumnMeta,
  type FileMetadata,
  type FixedPage,
  type MiniBlockPage,
  type PageMeta,
  type VariablePage,
} from "./layout.js";
import { schemaToJson, typesEqual } from "./schema-json.js";
import { computeStats } from "./stats.js";
import { flatWidth, physicalKind, primitiveWidth } from "./types.js";

/** Options for writing a data file. */
export interface DataFileWriterOptions {
  /** Target encoded bytes of one page of one column. Default 1 MiB. */
  pageBytes?: number;
  /** Most rows in one page (smaller pages give finer statistics). Default 65 536. */
  maxPageRows?: number;
  /** Values averaging at least this many bytes get one record each instead of sharing chunks. Default 128. */
  largeValueBytes?: number;
  /**
   * "auto" deflates a small-value chunk when that saves ≥ 15 % over plain, or halves a bit-packed or dictionary
   * chunk (which decode faster); "none" never deflates. Default "auto".
   */
  compression?: ChunkCompression;
}

/** What was written. */
export interface DataFileSummary {
  path: string;
  rows: number;
  bytes: number;
  metadata: FileMetadata;
}

const WRITER_NAME = "tessera 0.1.0";

interface Part {
  data: A.Data;
  start: number;
  count: number;
  /** True once copied into buffers of our own (and normalised by gather.ts). */
  owned: boolean;
}

/** Approximate encoded bytes of rows [start, start+count) of `d`. */
export function estimateBytes(d: A.Data, start: number, count: number): number {
  switch (physicalKind(d.type)) {
    case "null":
      return 0;
    case "bool":
      return count / 8;
    case "fixed":
      return count * primitiveWidth(d.type);
    case "binary":
    case "large-binary": {
      const off = d.valueOffsets as Int32Array | BigInt64Array;
      return Number(off[start + count]!) - Number(off[start]!) + 4 * count;
    }
    case "list": {
      const off = d.valueOffsets as Int32Array;
      return 4 * count + estimateBytes(d.children[0]!, off[start]!, off[start + count]! - off[start]!);
    }
    case "fsl": {
      const k = (d.type as A.FixedSizeList).listSize;
      return estimateBytes(d.children[0]!, start * k, count * k);
    }
    case "struct":
      return d.children.reduce((n, c) => n + estimateBytes(c, start, count), 0);
  }
}

/** How many leading rows of [start, start+count) fit in `budget` bytes (at least 1). */
function rowsWithin(d: A.Data, start: number, count: number, budget: number): number {
  const total = estimateBytes(d, start, count);
  if (total <= budget) return count;
  let lo = 1;
  let hi = count;
  // Binary search over the estimate: exact for flat and binary kinds, close enough for nested ones.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (estimateBytes(d, start, mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Buffers one column's rows and emits pages. */
class ColumnWriter {
  parts: Part[] = [];
  rows = 0;
  bytes = 0;
  readonly pages: PageMeta[] = [];

  constructor(
    readonly field: A.Field,
    private readonly options: Required<DataFileWriterOptions>,
  ) {}

  get full(): boolean {
    return this.bytes >= this.options.pageBytes || this.rows >= this.options.maxPageRows;
  }

  /** Adds rows, splitting at page boundaries; calls `emit` for each full page. */
  async add(d: A.Data, emit: (c: ColumnWriter) => Promise<void>): Promise<void> {
    let start = 0;
    while (start < d.length) {
      const roomRows = this.options.maxPageRows - this.rows;
      const roomBytes = Math.max(1, this.options.pageBytes - this.bytes);
      const n = Math.min(roomRows, rowsWithin(d, start, d.length - start, roomBytes));
      this.parts.push({ data: d, start, count: n, owned: false });
      this.rows += n;
      this.bytes += estimateBytes(d, start, n);
      start += n;
      if (this.full) await emit(this);
    }
  }

  /** Copies buffered rows out of the caller's batch so the batch's memory can be freed. */
  own(batchData: A.Data): void {
    this.parts = this.parts.map((p) =>
      p.data === batchData ? { data: concatRanges(p.data.type, [p]), start: 0, count: p.count, owned: true } : p,
    );
  }

  /** Takes the buffered rows as one contiguous Data. */
  drain(): A.Data {
    const parts = this.parts;
    this.parts = [];
    this.rows = 0;
    this.bytes = 0;
    // Caller data always goes through gather: it normalises offsets and the short children Arrow JS makes.
    if (parts.length === 1 && parts[0]!.owned) return parts[0]!.data;
    return concatRanges(this.field.type, parts);
  }
}

type Placement = "rowStart" | "rows" | "offset" | "length" | "stats";
/** The layout-specific fields of a page's metadata. */
type PageLayoutFields = Omit<MiniBlockPage, Placement> | Omit<FixedPage, Placement> | Omit<VariablePage, Placement>;

/** Encodes a page of contiguous data, choosing its layout. */
function encodePage(
  data: A.Data,
  options: Required<DataFileWriterOptions>,
): { bytes: Uint8Array; layout: PageLayoutFields } {
  const kind = physicalKind(data.type);
  const flat = flatWidth(data.type);
  if (flat !== undefined && flat >= options.largeValueBytes && childrenAllValid(data)) {
    return { bytes: encodeFixedPage(data, flat), layout: { layout: "fixed", stride: RECORD_HEADER_BYTES + flat } };
  }
  const avg = data.length === 0 ? 0 : estimateBytes(data, 0, data.length) / data.length;
  if (kind !== "null" && kind !== "bool" && avg >= options.largeValueBytes) {
    const { bytes, dataStart, offsetsCrc } = encodeVariablePage(data);
    return { bytes, layout: { layout: "variable", dataStart, offsetsCrc } };
  }
  const chunkRows = chunkRowsFor(data, avg);
  const { bytes, chunkLengths } = encodeMiniBlockPage(data, chunkRows, options.compression);
  return { bytes, layout: { layout: "mini-block", chunkRows, chunkLengths } };
}

/** Streams record batches into one data file. Call `write` for each batch, then `finish` (or `abort`). */
export class DataFileWriter {
  private position = 0;
  private rows = 0;
  private readonly columns: ColumnWriter[];
  private state: "open" | "finished" | "aborted" = "open";

  private constructor(
    private readonly out: ObjectWriter,
    readonly path: string,
    readonly schema: A.Schema,
    private readonly options: Required<DataFileWriterOptions>,
  ) {
    this.columns = schema.fields.map((f) => new ColumnWriter(f, options));
  }

  /** Starts a file at `path`; fails if an object is already there. */
  static async create(
    store: ObjectStore,
    path: string,
    schema: A.Schema,
    options: DataFileWriterOptions = {},
  ): Promise<DataFileWriter> {
    schemaToJson(schema); // refuses unsupported types before anything is written
    const names = new Set<string>();
    for (const f of schema.fields) {
      if (names.has(f.name)) throw new InvalidArgumentError(`duplicate column name "${f.name}" in the schema`);
      names.add(f.name);
    }
    const full: Required<DataFileWriterOptions> = {
      pageBytes: options.pageBytes ?? 1024 * 1024,
      maxPageRows: options.maxPageRows ?? 65536,
      largeValueBytes: options.largeValueBytes ?? 128,
      compression: options.compression ?? "auto",
    };
    const out = await store.openWriter(path, { ifAbsent: true });
    const w = new DataFileWriter(out, path, schema, full);
    await w.emit(encodeHeader());
    return w;
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength === 0) return;
    await this.out.write(bytes);
    this.position += bytes.byteLength;
  }

  private async flushPage(c: ColumnWriter): Promise<void> {
    const rowStart = c.pages.length === 0 ? 0 : c.pages.at(-1)!.rowStart + c.pages.at(-1)!.rows;
    const data = c.drain();
    if (data.length === 0) return;
    const { bytes, layout } = encodePage(data, this.options);
    const pad = (8 - (this.position % 8)) % 8; // pages start 8-byte aligned
    await this.emit(new Uint8Array(pad));
    const page = { ...layout, rowStart, rows: data.length, offset: this.position, length: bytes.byteLength, stats: computeStats(data) };
    c.pages.push(page as PageMeta);
    await this.emit(bytes);
  }

  /** Appends a batch; its schema must match the file's (names and types). */
  async write(batch: A.RecordBatch): Promise<void> {
    if (this.state !== "open") throw new InvalidArgumentError(`write to a ${this.state} data file writer (${this.path})`);
    checkBatchSchema(this.schema, batch.schema, this.path);
    try {
      for (let i = 0; i < this.columns.length; i++) {
        const data = batch.getChildAt(i)!.data[0]!;
        await this.columns[i]!.add(data, (c) => this.flushPage(c));
        this.columns[i]!.own(data);
      }
      this.rows += batch.numRows;
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Flushes the last pages and the footer; the file becomes visible. */
  async finish(): Promise<DataFileSummary> {
    if (this.state !== "open") throw new InvalidArgumentError(`finish of a ${this.state} data file writer (${this.path})`);
    try {
      for (const c of this.columns) await this.flushPage(c);
      const columns: ColumnMeta[] = this.columns.map((c) => ({ name: c.field.name, pages: c.pages }));
      const metadata: FileMetadata = {
        formatVersion: [MAJOR_VERSION, MINOR_VERSION],
        features: [],
        numRows: this.rows,
        schema: schemaToJson(this.schema),
        columns,
        writer: WRITER_NAME,
      };
      const pad = (8 - (this.position % 8)) % 8;
      await this.emit(new Uint8Array(pad));
      const metaBytes = new TextEncoder().encode(JSON.stringify(metadata));
      const metaOffset = this.position;
      await this.emit(metaBytes);
      await this.emit(encodeTrailer(metaOffset, metaBytes));
      const bytes = await this.out.close();
      this.state = "finished";
      return { path: this.path, rows: this.rows, bytes, metadata };
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Drops the partial file. */
  async abort(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "aborted";
    await this.out.abort().catch(() => undefined);
  }
}

/** Throws a clear error when a batch's schema differs from the file's. */
export function checkBatchSchema(expected: A.Schema, got: A.Schema, path: string): void {
  const want = expected.fields.map((f) => `${f.name}: ${String(f.type)}`);
  const have = got.fields.map((f) => `${f.name}: ${String(f.type)}`);
  if (want.length === have.length && want.every((w, i) => w === have[i] && typeEquals(expected.fields[i]!.type, got.fields[i]!.type))) {
    return;
  }
  const missing = want.filter((w) => !have.includes(w));
  const extra = have.filter((h) => !want.includes(h));
  throw new InvalidArgumentError(
    `batch schema does not match the data file ${path}: ` +
      (missing.length > 0 ? `expected ${missing.join(", ")}` : "") +
      (missing.length > 0 && extra.length > 0 ? "; " : "") +
      (extra.length > 0 ? `got ${extra.join(", ")}` : "") +
      (missing.length === 0 && extra.length === 0 ? "columns are in a different order" : ""),
  );
}

function typeEquals(a: A.DataType, b: A.DataType): boolean {
  return typesEqual(a, b);
}

/** Anything that yields record batches. */
export type BatchSource = A.Table | A.RecordBatch | Iterable<A.RecordBatch> | AsyncIterable<A.RecordBatch>;

/** Writes `data` to a new data file at `path` and returns what was written. */
export async function writeDataFile(
  store: ObjectStore,
  path: string,
  data: BatchSource,
  options: DataFileWriterOptions & { schema?: A.Schema } = {},
): Promise<DataFileSummary> {
  const batches: Iterable<A.RecordBatch> | AsyncIterable<A.RecordBatch> =
    data instanceof A.Table ? data.batches : data instanceof A.RecordBatch ? [data] : data;
  let writer: DataFileWriter | undefined;
  const schema = options.schema ?? (data instanceof A.Table || data instanceof A.RecordBatch ? data.schema : undefined);
  if (schema !== undefined) writer = await DataFileWriter.create(store, path, schema, options);
  try {
    for await (const batch of batches) {
      writer ??= await DataFileWriter.create(store, path, batch.schema, options);
      await writer.write(batch);
    }
    if (writer === undefined) {
      throw new InvalidArgumentError(`no batches and no schema given for the data file ${path}`);
    }
    return await writer.finish();
  } catch (err) {
    await writer?.abort();
    throw err;
  }
}
