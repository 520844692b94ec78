// Writes a stream of record batches as one Parquet file with parquet-wasm's streaming writer: batches are pulled as
// the writer asks for them, a row group is flushed every `rowGroupRows` rows, and the file's bytes go out through
// the ObjectStore's streaming writer as they are produced. Memory holds about one row group.

import * as A from "apache-arrow";
import * as pw from "parquet-wasm";
import { InvalidArgumentError, TesseraError } from "../../format/errors.js";
import { concatRanges } from "../../format/file/gather.js";
import type { StorageOptions } from "../../format/store/object-store.js";
import { makeBatch } from "./batch-utils.js";
import type { WriteSummary } from "./source.js";
import { withSink, type ByteSink } from "./write-sink.js";

/** Column compression codecs. */
export type ParquetCompression = "snappy" | "zstd" | "gzip" | "brotli" | "lz4" | "none";

/** Options of `writeParquet`. */
export interface ParquetWriteOptions {
  /**
   * Rows per row group. Default 100 000. Smaller groups prune more finely and bound writer memory more tightly;
   * larger ones compress better and cost fewer footer entries.
   */
  readonly rowGroupRows?: number;
  /** Default "snappy" (fast; "zstd" is smaller and slower to write). */
  readonly compression?: ParquetCompression;
  /** Schema of the file when the stream may be empty (an empty stream has no batch to take it from). Default: none. */
  readonly schema?: A.Schema;
  /** Credentials and endpoint for s3:// URIs. Default: the AWS_* environment. */
  readonly storage?: StorageOptions;
}

const CODECS: Record<ParquetCompression, pw.Compression> = {
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  gzip: pw.Compression.GZIP,
  brotli: pw.Compression.BROTLI,
  lz4: pw.Compression.LZ4_RAW,
  none: pw.Compression.UNCOMPRESSED,
};

const DEFAULT_ROW_GROUP_ROWS = 100_000;

/**
 * Writes batches as a Parquet file. Arrow types are kept exactly (the Arrow schema travels in the file), and each
 * column chunk gets min/max statistics that openParquetSource uses to prune row groups.
 * @example
 * await writeParquet(source.scan({}, { batchSize: 65536 }), "s3://bucket/out/data.parquet", { compression: "zstd" });
 */
export async function writeParquet(
  stream: AsyncIterable<A.RecordBatch> | Iterable<A.RecordBatch>,
  uri: string,
  options: ParquetWriteOptions = {},
): Promise<WriteSummary> {
  const props = writerProperties(uri, options);
  const input = isAsync(stream) ? stream[Symbol.asyncIterator]() : toAsync(stream[Symbol.iterator]());
  const first = await firstBatch(input);
  const schema = first?.schema ?? options.schema;
  if (schema === undefined) {
    props.free();
    throw new InvalidArgumentError(`nothing to write to ${uri}: the stream is empty and no options.schema was given`, { uri });
  }
  const { result: rows, bytes } = await withSink(uri, options.storage, "none", (sink) =>
    first === undefined ? writeEmpty(sink, schema, props) : writeStream(sink, uri, first, input, props),
  );
  return { uri, rows, bytes };
}

function writerProperties(uri: string, options: ParquetWriteOptions): pw.WriterProperties {
  const n = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`rowGroupRows must be a positive integer, got ${n} (writing ${uri})`, { uri });
  const codec = CODECS[options.compression ?? "snappy"];
  if (codec === undefined) {
    throw new InvalidArgumentError(`unknown compression ${JSON.stringify(options.compression)} (writing ${uri}); use ${Object.keys(CODECS).join(", ")}`, {
      uri,
    });
  }
  return new pw.WriterPropertiesBuilder().setMaxRowGroupSize(n).setCompression(codec).build();
}

function isAsync<T>(s: AsyncIterable<T> | Iterable<T>): s is AsyncIterable<T> {
  return Symbol.asyncIterator in s;
}

async function* toAsync<T>(it: Iterator<T>): AsyncGenerator<T> {
  for (let r = it.next(); r.done !== true; r = it.next()) yield r.value;
}

/** The first batch with rows (empty ones carry nothing to write). */
async function firstBatch(input: AsyncIterator<A.RecordBatch>): Promise<A.RecordBatch | undefined> {
  for (;;) {
    const r = await input.next();
    if (r.done === true) return undefined;
    if (r.value.numRows > 0) return r.value;
  }
}

const LARGE_OFFSETS = new Set<A.Type>([A.Type.LargeUtf8, A.Type.LargeBinary]);

/** A Data tree holding a sliced (offset > 0) column with 64-bit offsets. */
function slicedLarge(d: A.Data): boolean {
  return (d.offset !== 0 && LARGE_OFFSETS.has(d.typeId)) || d.children.some(slicedLarge);
}

/**
 * Fixes two Arrow JS 18 quirks before IPC: it cannot write a sliced LargeUtf8/LargeBinary column (it adds a number
 * to bigint offsets and throws), so such columns are copied unsliced; and vectorFromArray leaves a FixedSizeList's
 * (or struct's) child short where trailing rows are null, which parquet-wasm rightly rejects, so short children
 * are padded with nulls. Every other column passes through untouched.
 */
function ipcSafe(batch: A.RecordBatch): A.RecordBatch {
  const children = batch.data.children.map((d) => padChildren(slicedLarge(d) ? A.vectorFromArray([...A.makeVector(d)], d.type).data[0]! : d));
  if (children.every((c, i) => c === batch.data.children[i])) return batch;
  return makeBatch(batch.schema, children, batch.numRows);
}

function padChildren(d: A.Data): A.Data {
  const stride = d.typeId === A.Type.FixedSizeList ? (d.type as A.FixedSizeList).listSize : d.typeId === A.Type.Struct ? 1 : 0;
  const children = d.children.map((c) => {
    const fixed = padChildren(c);
    const need = d.length * stride;
    return stride > 0 && fixed.length < need ? concatRanges(fixed.type, [{ data: fixed, start: 0, count: need }]) : fixed;
  });
  if (children.every((c, i) => c === d.children[i])) return d;
  return d.clone(d.type, d.offset, d.length, d.nullCount, undefined, children);
}

/** The batch in parquet-wasm's memory, through Arrow IPC (the only bridge it offers). */
function toWasm(batch: A.RecordBatch): pw.RecordBatch {
  const table = pw.Table.fromIPCStream(A.tableToIPC(new A.Table([ipcSafe(batch)]), "stream"));
  try {
    return table.recordBatch(0)!;
  } finally {
    table.free();
  }
}

function describe(schema: A.Schema): string {
  return schema.fields.map((f) => `${f.name}: ${String(f.type)}`).join(", ");
}

async function writeEmpty(sink: ByteSink, schema: A.Schema, props: pw.WriterProperties): Promise<number> {
  const table = pw.Table.fromIPCStream(A.tableToIPC(new A.Table(schema), "stream"));
  await sink.write(pw.writeParquet(table, props));
  return 0;
}

async function writeStream(
  sink: ByteSink,
  uri: string,
  first: A.RecordBatch,
  input: AsyncIterator<A.RecordBatch>,
  props: pw.WriterProperties,
): Promise<number> {
  const expected = describe(first.schema);
  let rows = 0;
  let pending: A.RecordBatch | undefined = first;
  // Our own failure while feeding the writer; parquet-wasm would only report that its input stream errored.
  let inputError: unknown;
  const batches = new ReadableStream<pw.RecordBatch>(
    {
      pull: async (controller) => {
        try {
          const batch = pending ?? (await firstBatch(input));
          pending = undefined;
          if (batch === undefined) return controller.close();
          if (describe(batch.schema) !== expected) {
            throw new InvalidArgumentError(`batch with schema {${describe(batch.schema)}} written to ${uri}, which has {${expected}}`, { uri });
          }
          rows += batch.numRows;
          controller.enqueue(toWasm(batch));
        } catch (err) {
          inputError = err;
          controller.error(err);
        }
      },
      cancel: async () => {
        await input.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  try {
    const bytes = await pw.transformParquetStream(batches, props);
    const reader = bytes.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    for (;;) {
      const r = await reader.read();
      if (r.done === true) break;
      await sink.write(r.value);
    }
    // parquet-wasm ends its output normally when its input stream errors: the file would silently lack the rest.
    if (inputError !== undefined) throw inputError;
  } catch (err) {
    if (inputError !== undefined) throw inputError;
    if (err instanceof TesseraError) throw err;
    throw new InvalidArgumentError(`cannot write Parquet to ${uri}: ${err instanceof Error ? err.message : String(err)}`, { uri, cause: err });
  }
  return rows;
}
