// Reads Parquet files (one, or a glob) as a ScanSource through parquet-wasm. The footer is fetched once per file
// when the source opens (one ranged read when it fits in the tail we ask for); scans then hand parquet-wasm a
// Blob-like view over the ObjectStore, so it fetches only the column chunks of the row groups and columns asked
// for. Row groups whose statistics rule the filter out are never fetched.

import * as A from "apache-arrow";
import * as pw from "parquet-wasm";
import { CorruptFileError, InvalidArgumentError, TesseraError } from "../../format/errors.js";
import { mayMatch, resolvePredicate, type Resolved } from "../../format/expr/index.js";
import type { ObjectStore, StorageOptions } from "../../format/store/object-store.js";
import { openStore } from "../../format/store/open-store.js";
import { checkBatchSize, checkColumns, effectiveLimit, makeBatch, projectBatch, projectSchema, takeFirst } from "./batch-utils.js";
import { resolveFiles, type FileRef } from "./file-set.js";
import { footerLength, parseFooter, type ParquetFooter } from "./parquet-footer.js";
import { rowGroupStats } from "./parquet-stats.js";
import type { ScanContext, ScanPushdown, ScanSource, SourceCapabilities } from "./source.js";

/** Options of `openParquetSource`. */
export interface ParquetReadOptions {
  /** Credentials and endpoint for s3:// URIs. Default: the AWS_* environment. */
  readonly storage?: StorageOptions;
  /**
   * Bytes read from the end of each file to find the footer. Default 64 KiB: most footers fit, so opening costs
   * one request per file; a larger footer costs a second request.
   */
  readonly footerReadBytes?: number;
}

/** Counters over every scan of a Parquet source. */
export interface ParquetScanStats {
  /** Row groups whose data was fetched and decoded. */
  rowGroupsRead: number;
  /** Row groups skipped because their statistics rule out the filter. */
  rowGroupsPruned: number;
  /** Bytes fetched from storage by scans (footers excluded). */
  bytesRead: number;
}

/** A Parquet ScanSource, with its files, row groups and scan counters. */
export interface ParquetSource extends ScanSource {
  readonly files: readonly string[];
  /** Row groups over all files. */
  readonly rowGroups: number;
  readonly rowCount: number;
  readonly stats: ParquetScanStats;
}

const DEFAULT_FOOTER_READ = 64 * 1024;

/** One file's footer and the tail bytes that hold it (served again to parquet-wasm without a request). */
interface OpenedFile {
  readonly file: FileRef;
  readonly footer: ParquetFooter;
  readonly tail: Uint8Array;
  readonly tailStart: number;
}

/**
 * Opens Parquet files for scanning: schema and row counts from the footers, projection (only the asked columns'
 * chunks are fetched), row-group pruning by min/max/null-count statistics (`supports.filter` is "prune": the engine
 * still applies the filter), and a limit that stops fetching row groups once enough rows came out.
 * @example
 * const src = await openParquetSource("s3://bucket/sales/*.parquet");
 * for await (const b of src.scan({ columns: ["amount"], filter: parseExpr("day >= '2024-01-01'") }, { batchSize: 65536 })) { ... }
 */
export async function openParquetSource(uri: string, options: ParquetReadOptions = {}): Promise<ParquetSource> {
  const tailBytes = options.footerReadBytes ?? DEFAULT_FOOTER_READ;
  if (!Number.isInteger(tailBytes) || tailBytes < 8) {
    throw new InvalidArgumentError(`footerReadBytes must be an integer of at least 8, got ${tailBytes} (reading ${uri})`, { uri });
  }
  const set = await resolveFiles(uri, options.storage, "Parquet");
  const store = await openStore(set.base, options.storage);
  try {
    const opened = await Promise.all(set.files.map((f) => openFile(store, f, tailBytes)));
    const schema = await readSchema(store, opened[0]!);
    for (const o of opened.slice(1)) checkSameSchema(schema, await readSchema(store, o), o.file.uri, opened[0]!.file.uri);
    return new ParquetScanSource(uri, set.base, opened, schema, options);
  } finally {
    await store.close();
  }
}

async function openFile(store: ObjectStore, file: FileRef, tailBytes: number): Promise<OpenedFile> {
  if (file.size < 12) throw new InvalidArgumentError(`${file.uri} is too small to be a Parquet file (${file.size} bytes)`, { uri: file.uri });
  let tailStart = Math.max(0, file.size - tailBytes);
  let [tail] = await store.getRanges(file.path, [{ offset: tailStart, length: file.size - tailStart }]);
  const len = footerLength(tail!.subarray(tail!.length - 8), file.uri);
  if (len + 8 > file.size) throw new InvalidArgumentError(`${file.uri}: footer length ${len} exceeds the file size; the file is truncated`, { uri: file.uri });
  if (len + 8 > tail!.length) {
    // The footer is longer than the tail we guessed: fetch the part before it.
    const start = file.size - 8 - len;
    const [head] = await store.getRanges(file.path, [{ offset: start, length: tailStart - start }]);
    const joined = new Uint8Array(file.size - start);
    joined.set(head!, 0);
    joined.set(tail!, tailStart - start);
    tail = joined;
    tailStart = start;
  }
  const footerStart = tail!.length - 8 - len;
  return { file, footer: parseFooter(tail!.subarray(footerStart, footerStart + len), file.uri), tail: tail!, tailStart };
}

/**
 * A Blob as parquet-wasm uses one (size, slice, arrayBuffer) over an ObjectStore object: byte ranges inside the
 * cached tail come from memory, others are ranged reads. parquet-wasm accepts any object of that shape.
 */
function storeBlob(store: ObjectStore, o: OpenedFile, onRead: (bytes: number) => void): Blob {
  const size = o.file.size;
  const slice = (start = 0, end = size) => {
    const s = Math.max(0, start < 0 ? size + start : Math.min(start, size));
    const e = Math.max(s, end < 0 ? size + end : Math.min(end, size));
    return {
      size: e - s,
      arrayBuffer: async (): Promise<ArrayBuffer> => {
        if (s >= o.tailStart) return exactBuffer(o.tail.subarray(s - o.tailStart, e - o.tailStart));
        const [bytes] = await store.getRanges(o.file.path, [{ offset: s, length: e - s }]);
        onRead(bytes!.byteLength);
        return exactBuffer(bytes!);
      },
    };
  };
  return { size, slice } as unknown as Blob;
}

/** An ArrayBuffer holding exactly `b`'s bytes. */
function exactBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  // new Uint8Array(view) copies; b.slice() would not when b is a Node Buffer (its slice is a view).
  return new Uint8Array(b).buffer;
}

/** parquet-wasm's failures (plain errors or strings) as a CorruptFileError naming the file; ours pass through. */
function wasmError(err: unknown, uri: string): TesseraError {
  if (err instanceof TesseraError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new CorruptFileError(`${uri}: cannot read Parquet data (${msg}); the file may be corrupt or use an unsupported feature`, {
    uri,
    cause: err,
  });
}

async function readSchema(store: ObjectStore, o: OpenedFile): Promise<A.Schema> {
  try {
    const pf = await pw.ParquetFile.fromFile(storeBlob(store, o, () => undefined));
    try {
      return A.tableFromIPC(pf.schema().intoIPCStream()).schema;
    } finally {
      pf.free();
    }
  } catch (err) {
    throw wasmError(err, o.file.uri);
  }
}

function checkSameSchema(expected: A.Schema, got: A.Schema, uri: string, firstUri: string): void {
  const describe = (s: A.Schema): string => s.fields.map((f) => `${f.name}: ${String(f.type)}`).join(", ");
  if (describe(expected) !== describe(got)) {
    throw new InvalidArgumentError(
      `${uri} has schema {${describe(got)}} but ${firstUri} has {${describe(expected)}}; read files of one schema together`,
      { uri },
    );
  }
}

class ParquetScanSource implements ParquetSource {
  readonly kind = "Parquet";
  readonly supports: SourceCapabilities = { projection: true, filter: "prune", limit: true };
  readonly stats: ParquetScanStats = { rowGroupsRead: 0, rowGroupsPruned: 0, bytesRead: 0 };
  readonly files: readonly string[];
  readonly description: string;
  readonly rowGroups: number;
  readonly rowCount: number;

  constructor(
    uri: string,
    private readonly base: string,
    private readonly opened: readonly OpenedFile[],
    readonly schema: A.Schema,
    private readonly options: ParquetReadOptions,
  ) {
    this.files = opened.map((o) => o.file.uri);
    this.description = opened.length === 1 ? uri : `${uri} (${opened.length} files)`;
    this.rowGroups = opened.reduce((n, o) => n + o.footer.rowGroups.length, 0);
    this.rowCount = opened.reduce((n, o) => n + o.footer.numRows, 0);
  }

  async *scan(pushdown: ScanPushdown, context: ScanContext): AsyncGenerator<A.RecordBatch> {
    checkBatchSize(context.batchSize, this.description);
    checkColumns(this.schema, pushdown, this.description);
    const filter = pushdown.filter === undefined ? undefined : resolvePredicate(pushdown.filter, this.schema);
    let remaining = effectiveLimit(pushdown) ?? Infinity;
    if (remaining <= 0) return;
    const store = await openStore(this.base, this.options.storage);
    try {
      for (const o of this.opened) {
        const groups = this.plan(o, filter);
        for await (const batch of this.readFile(store, o, groups, pushdown.columns, context, remaining)) {
          const out = takeFirst(batch, remaining);
          remaining -= out.numRows;
          yield out;
          if (remaining <= 0 || context.signal?.aborted === true) return;
        }
      }
    } finally {
      await store.close();
    }
  }

  /** Row groups of one file that the filter's statistics do not rule out. */
  private plan(o: OpenedFile, filter: Resolved | undefined): number[] {
    const keep: number[] = [];
    o.footer.rowGroups.forEach((g, i) => {
      if (g.numRows === 0) return;
      if (filter !== undefined && !mayMatch(filter, rowGroupStats(o.footer, g, this.schema))) this.stats.rowGroupsPruned++;
      else keep.push(i);
    });
    return keep;
  }

  /** Batches of the given row groups, one row group in flight at a time. */
  private async *readFile(
    store: ObjectStore,
    o: OpenedFile,
    groups: number[],
    columns: readonly string[] | undefined,
    context: ScanContext,
    limit: number,
  ): AsyncGenerator<A.RecordBatch> {
    if (columns !== undefined && columns.length === 0) {
      // No columns: the footer's row counts are the answer; nothing is fetched.
      const schema = projectSchema(this.schema, columns);
      for (const g of groups) {
        for (let left = o.footer.rowGroups[g]!.numRows; left > 0; left -= context.batchSize) yield makeBatch(schema, [], Math.min(left, context.batchSize));
      }
      return;
    }
    if (groups.length === 0) return;
    const outSchema = projectSchema(this.schema, columns);
    const pf = await pw.ParquetFile.fromFile(storeBlob(store, o, (n) => (this.stats.bytesRead += n))).catch((err: unknown) => {
      throw wasmError(err, o.file.uri);
    });
    let rows = 0;
    try {
      for (const g of groups) {
        if (rows >= limit) return;
        this.stats.rowGroupsRead++;
        const options: pw.ReaderOptions = { rowGroups: [g], batchSize: context.batchSize };
        if (columns !== undefined) options.columns = [...columns];
        if (limit !== Infinity) options.limit = limit - rows;
        for await (const batch of rowGroupBatches(pf, options, o.file.uri)) {
          rows += batch.numRows;
          // Under the source's own fields, so every batch carries exactly the schema the plan was checked against.
          const projected = projectBatch(batch, columns);
          yield makeBatch(outSchema, projected.data.children, projected.numRows);
        }
      }
    } finally {
      pf.free();
    }
  }
}

/** The Arrow JS batches of one parquet-wasm read, converted through IPC as each arrives. */
async function* rowGroupBatches(pf: pw.ParquetFile, options: pw.ReaderOptions, uri: string): AsyncGenerator<A.RecordBatch> {
  const stream = await pf.stream(options).catch((err: unknown) => {
    throw wasmError(err, uri);
  });
  const reader = stream.getReader() as ReadableStreamDefaultReader<pw.RecordBatch>;
  let done = false;
  try {
    for (;;) {
      const r = await reader.read().catch((err: unknown) => {
        throw wasmError(err, uri);
      });
      if (r.done === true) {
        done = true;
        return;
      }
      for (const batch of A.tableFromIPC(r.value.intoIPCStream()).batches) if (batch.numRows > 0) yield batch;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
