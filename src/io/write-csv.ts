// Writes a stream of record batches as CSV with a header row, gzip-compressed when the name ends in ".gz",
// streaming through the ObjectStore. Cells are quoted only when they must be.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import type { StorageOptions } from "../../format/store/object-store.js";
import type { WriteSummary } from "./source.js";
import { csvFormatter } from "./value-text.js";
import { withSink, type TextCompression } from "./write-sink.js";

/** Options of `writeCsv`. */
export interface CsvWriteOptions {
  /** Field separator, one character. Default ",". */
  readonly delimiter?: string;
  /** Write a header row of column names. Default true. */
  readonly header?: boolean;
  /** "gzip" or "none". Default: "gzip" when the URI ends in ".gz", else "none". */
  readonly compression?: TextCompression;
  /** Credentials and endpoint for s3:// URIs. Default: the AWS_* environment. */
  readonly storage?: StorageOptions;
}

const ROWS_PER_WRITE = 8192;

/**
 * Writes batches as CSV ("\n" line ends). A null is an empty cell and an empty string a quoted empty cell (""), so
 * openCsvSource tells them apart; cells holding the delimiter, a quote or a newline are quoted with inner quotes
 * doubled; integral floats are written "1.0" so they read back as floats; nested values as JSON text.
 * @example
 * await writeCsv(source.scan({}, { batchSize: 8192 }), "out/report.csv", { delimiter: ";" });
 */
export async function writeCsv(
  stream: AsyncIterable<A.RecordBatch> | Iterable<A.RecordBatch>,
  uri: string,
  options: CsvWriteOptions = {},
): Promise<WriteSummary> {
  const delimiter = options.delimiter ?? ",";
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new InvalidArgumentError(`delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)} (writing ${uri})`, {
      uri,
    });
  }
  const quote = quoter(delimiter);
  const { result: rows, bytes } = await withSink(uri, options.storage, options.compression, async (sink) => {
    let rows = 0;
    let names: string | undefined;
    for await (const batch of stream) {
      const these = batch.schema.fields.map((f) => quote(f.name)).join(delimiter);
      if (names === undefined) {
        names = these;
        if (options.header !== false) await sink.write(`${names}\n`);
      } else if (these !== names) {
        throw new InvalidArgumentError(`batches written to ${uri} have different columns: [${these}] after [${names}]`, { uri });
      }
      const lines = lineWriter(batch, delimiter, quote);
      for (let start = 0; start < batch.numRows; start += ROWS_PER_WRITE) {
        await sink.write(lines(start, Math.min(batch.numRows, start + ROWS_PER_WRITE)));
      }
      rows += batch.numRows;
    }
    return rows;
  });
  return { uri, rows, bytes };
}

/** Quotes a cell when it is empty or holds the delimiter, a quote or a line break. */
function quoter(delimiter: string): (cell: string) => string {
  return (cell) => {
    if (cell !== "" && !cell.includes(delimiter) && !cell.includes('"') && !cell.includes("\n") && !cell.includes("\r")) return cell;
    return `"${cell.replace(/"/g, '""')}"`;
  };
}

function lineWriter(batch: A.RecordBatch, delimiter: string, quote: (cell: string) => string): (from: number, to: number) => string {
  const columns = batch.schema.fields.map((f, i) => ({ vector: batch.getChildAt(i)!, format: csvFormatter(f.type) }));
  return (from, to) => {
    const lines: string[] = [];
    for (let r = from; r < to; r++) {
      let line = "";
      for (let c = 0; c < columns.length; c++) {
        const col = columns[c]!;
        const v = col.vector.get(r);
        if (c > 0) line += delimiter;
        if (v !== null && v !== undefined) line += quote(col.format(v));
      }
      lines.push(`${line}\n`);
    }
    return lines.join("");
  };
}
