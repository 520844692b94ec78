// Writes a stream of record batches as NDJSON (one object per row), gzip-compressed when the name ends in ".gz",
// streaming through the ObjectStore: only one slice of rows is ever held as text.

import type * as A from "apache-arrow";
import type { StorageOptions } from "../../format/store/object-store.js";
import type { WriteSummary } from "./source.js";
import { jsonFormatter, orNull, type Formatter } from "./value-text.js";
import { withSink, type TextCompression } from "./write-sink.js";

/** Options of `writeJson`. */
export interface JsonWriteOptions {
  /** "gzip" or "none". Default: "gzip" when the URI ends in ".gz", else "none". */
  readonly compression?: TextCompression;
  /** Credentials and endpoint for s3:// URIs. Default: the AWS_* environment. */
  readonly storage?: StorageOptions;
  /**
   * Write one JSON array of row objects (`[` … `]`, one row per line) instead of NDJSON, for tools that read
   * only whole JSON documents. readJson reads both. Default false.
   */
  readonly array?: boolean;
}

/** Rows turned into text per write: bounds the text held at once whatever the batch size. */
const ROWS_PER_WRITE = 8192;

/**
 * Writes batches as NDJSON. Nulls are written as null; 64-bit integers as exact digits; integral floats as "1.0"
 * (so openJsonSource infers Float64 again); NaN and infinities as null; binary as base64; dates and timestamps as
 * ISO text.
 * @example
 * const summary = await writeJson(source.scan({}, { batchSize: 8192 }), "s3://bucket/out/part-0.jsonl.gz");
 */
export async function writeJson(
  stream: AsyncIterable<A.RecordBatch> | Iterable<A.RecordBatch>,
  uri: string,
  options: JsonWriteOptions = {},
): Promise<WriteSummary> {
  const { result: rows, bytes } = await withSink(uri, options.storage, options.compression, async (sink) => {
    let rows = 0;
    const array = options.array === true;
    if (array) await sink.write("[\n");
    for await (const batch of stream) {
      const lines = lineWriter(batch);
      for (let start = 0; start < batch.numRows; start += ROWS_PER_WRITE) {
        const text = lines(start, Math.min(batch.numRows, start + ROWS_PER_WRITE));
        // A row's JSON never holds a raw newline (strings escape it), so line ends are exactly the row breaks.
        await sink.write(array ? `${rows + start === 0 ? "" : ",\n"}${text.slice(0, -1).replace(/\n/g, ",\n")}` : text);
      }
      rows += batch.numRows;
    }
    if (array) await sink.write(rows === 0 ? "]\n" : "\n]\n");
    return rows;
  });
  return { uri, rows, bytes };
}

/** A function giving the NDJSON text of rows [from, to) of `batch`. */
function lineWriter(batch: A.RecordBatch): (from: number, to: number) => string {
  const columns = batch.schema.fields.map((f, i) => ({
    key: `${JSON.stringify(f.name)}:`,
    vector: batch.getChildAt(i)!,
    format: jsonFormatter(f.type) as Formatter,
  }));
  return (from, to) => {
    const lines: string[] = [];
    for (let r = from; r < to; r++) {
      let line = "{";
      for (let c = 0; c < columns.length; c++) {
        const col = columns[c]!;
        line += (c === 0 ? "" : ",") + col.key + orNull(col.format, col.vector.get(r));
      }
      lines.push(`${line}}\n`);
    }
    return lines.join("");
  };
}
