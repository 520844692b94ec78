// Reads CSV (a header row, then records; plain or .gz; one file or a glob) as a ScanSource: column types are
// inferred from a sample when opened, then every scan streams the files and converts only the asked columns.

import * as A from "apache-arrow";
import { InvalidArgumentError, type TesseraError } from "../../format/errors.js";
import type { ObjectStore, StorageOptions } from "../../format/store/object-store.js";
import { openStore } from "../../format/store/open-store.js";
import {
  BadRecordPolicy,
  checkBadRecordOptions,
  malformedError,
  mismatchError,
  ValueMismatch,
  type BadRecordOptions,
  type RecordPlace,
} from "./bad-records.js";
import { checkBatchSize, checkColumns, effectiveLimit, makeBatch, projectSchema, takeFirst } from "./batch-utils.js";
import { emptyReadStats, textChunks, type ReadStats } from "./byte-stream.js";
import { makeColumnBuilder, type ColumnBuilder } from "./column-builders.js";
import { CsvTokenizer, type CsvDialect, type CsvRecord } from "./csv-records.js";
import { cellParser, CsvColumnGuess, type CellParser } from "./csv-types.js";
import { resolveFiles, type FileRef, type FileSet } from "./file-set.js";
import type { ScanContext, ScanPushdown, ScanSource, SourceCapabilities } from "./source.js";

/** Options of `openCsvSource`. */
export interface CsvReadOptions extends BadRecordOptions {
  /** Field separator, one character. Default ",". */
  readonly delimiter?: string;
  /** Quote character, one character; inside quotes it is doubled. Default '"'. */
  readonly quote?: string;
  /** The first record names the columns. Default true; false names them column_1, column_2, ... */
  readonly header?: boolean;
  /** Records read to infer the column types. Default 1000. A later cell that does not parse is an error (or skipped). */
  readonly sampleRows?: number;
  /** Columns whose types are given: used as is; the others are inferred. Columns absent from the files read as null. */
  readonly schema?: A.Schema;
  /** Credentials and endpoint for s3:// URIs. Default: the AWS_* environment. */
  readonly storage?: StorageOptions;
}

/** A CSV ScanSource, with the files it reads and counters of all its scans. */
export interface CsvSource extends ScanSource {
  readonly files: readonly string[];
  readonly stats: ReadStats;
}

const DEFAULT_SAMPLE_ROWS = 1000;

/**
 * Opens CSV files for scanning. Quoted fields may hold delimiters, newlines and doubled quotes; an empty cell is
 * null (a quoted empty "" is an empty string). Types: int64 if every sampled cell is an integer, float64 if every
 * one is a number, bool for true/false, else utf8. With a glob, each file's header maps its columns by name.
 * @example
 * const src = await openCsvSource("data/*.csv.gz", { delimiter: ";" });
 * for await (const b of src.scan({ columns: ["id"] }, { batchSize: 8192 })) console.log(b.numRows);
 */
export async function openCsvSource(uri: string, options: CsvReadOptions = {}): Promise<CsvSource> {
  const dialect = checkCsvOptions(uri, options);
  const set = await resolveFiles(uri, options.storage, "CSV");
  const schema = await inferSchema(set, dialect, options);
  return new CsvScanSource(uri, set, schema, dialect, options);
}

function checkCsvOptions(uri: string, options: CsvReadOptions): CsvDialect {
  checkBadRecordOptions(options, uri);
  const one = (name: string, v: string | undefined, dflt: string): string => {
    if (v === undefined) return dflt;
    if (v.length !== 1 || v === "\n" || v === "\r") {
      throw new InvalidArgumentError(`${name} must be one character other than a newline, got ${JSON.stringify(v)} (reading ${uri})`, { uri });
    }
    return v;
  };
  const dialect = { delimiter: one("delimiter", options.delimiter, ","), quote: one("quote", options.quote, '"') };
  if (dialect.delimiter === dialect.quote) throw new InvalidArgumentError(`delimiter and quote must differ (reading ${uri})`, { uri });
  const n = options.sampleRows;
  if (n !== undefined && (!Number.isInteger(n) || n <= 0)) {
    throw new InvalidArgumentError(`sampleRows must be a positive integer, got ${n} (reading ${uri})`, { uri });
  }
  return dialect;
}

/** One file's records: the header (or generated names) first, then the data records in chunks. */
async function* fileRecords(
  store: ObjectStore,
  file: FileRef,
  dialect: CsvDialect,
  stats: ReadStats,
): AsyncGenerator<CsvRecord[]> {
  const tokenizer = new CsvTokenizer(dialect, file.uri);
  for await (const text of textChunks(store, file, stats)) {
    const records = tokenizer.push(text);
    if (records.length > 0) yield records;
  }
  const last = tokenizer.end();
  if (last.length > 0) yield last;
}

/** Unique, non-empty column names from a header record. */
function headerNames(record: CsvRecord): string[] {
  const seen = new Map<string, number>();
  return record.fields.map((f, i) => {
    const base = f === null || f.trim() === "" ? `column_${i + 1}` : f;
    const k = seen.get(base) ?? 0;
    seen.set(base, k + 1);
    return k === 0 ? base : `${base}_${k}`;
  });
}

function generatedNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `column_${i + 1}`);
}

/** Reads records of `files` in order, giving each data record with its file's column names. */
async function* dataRecords(
  store: ObjectStore,
  files: readonly FileRef[],
  dialect: CsvDialect,
  header: boolean,
  stats: ReadStats,
): AsyncGenerator<{ file: FileRef; names: string[]; records: CsvRecord[] }> {
  for (const file of files) {
    let names: string[] | undefined;
    for await (const chunk of fileRecords(store, file, dialect, stats)) {
      if (names === undefined) {
        names = header ? headerNames(chunk[0]!) : generatedNames(chunk[0]!.fields.length);
        // Yielded even when empty, so a header-only file still names its columns.
        yield { file, names, records: header ? chunk.slice(1) : chunk };
      } else yield { file, names, records: chunk };
    }
  }
}

async function inferSchema(set: FileSet, dialect: CsvDialect, options: CsvReadOptions): Promise<A.Schema> {
  const want = options.sampleRows ?? DEFAULT_SAMPLE_ROWS;
  const guesses = new Map<string, CsvColumnGuess>();
  const store = await openStore(set.base, options.storage);
  let seen = 0;
  try {
    sample: for await (const { names, records } of dataRecords(store, set.files, dialect, options.header !== false, emptyReadStats())) {
      for (const name of names) if (!guesses.has(name)) guesses.set(name, new CsvColumnGuess());
      for (const r of records) {
        // A bad record is reported (or skipped) by the scan; it says nothing about the types.
        if (r.malformed !== undefined || r.fields.length !== names.length) continue;
        r.fields.forEach((cell, i) => guesses.get(names[i]!)!.observe(cell));
        if (++seen >= want) break sample;
      }
    }
  } finally {
    await store.close();
  }
  const given = new Map((options.schema?.fields ?? []).map((f) => [f.name, f]));
  const fields = [...guesses].map(([name, g]) => given.get(name) ?? new A.Field(name, g.type(), true));
  for (const f of options.schema?.fields ?? []) if (!guesses.has(f.name)) fields.push(f);
  return new A.Schema(fields);
}

function placeOf(uri: string, r: CsvRecord): RecordPlace {
  return { uri, line: r.line, text: r.text() };
}

/** The projected columns' builders and parsers, and where each sits in the current file's records. */
class CsvBatcher {
  readonly builders: ColumnBuilder[];
  private readonly parsers: CellParser[];
  private positions: number[] = [];
  private names: string[] | undefined;
  rows = 0;

  constructor(readonly schema: A.Schema) {
    this.builders = schema.fields.map((f) => makeColumnBuilder(f.type));
    this.parsers = schema.fields.map((f) => cellParser(f.type));
  }

  /** Maps columns to cell positions for a file's header (-1: the file lacks the column, so it reads as null). */
  useHeader(names: string[]): void {
    if (names === this.names) return;
    this.names = names;
    const at = new Map(names.map((n, i) => [n, i]));
    this.positions = this.schema.fields.map((f) => at.get(f.name) ?? -1);
  }

  /** Appends a record, or returns the error that makes it unusable (leaving the batcher as before). */
  append(r: CsvRecord, uri: string): TesseraError | undefined {
    if (r.malformed !== undefined) return malformedError(placeOf(uri, r), r.malformed);
    if (r.fields.length !== this.names!.length) {
      return malformedError(placeOf(uri, r), `${r.fields.length} fields where the header has ${this.names!.length}`);
    }
    const { builders, parsers, positions } = this;
    for (let c = 0; c < builders.length; c++) {
      const p = positions[c]!;
      const cell = p < 0 ? null : r.fields[p]!;
      try {
        builders[c]!.append(cell === null ? null : parsers[c]!(cell));
      } catch (err) {
        for (let u = 0; u <= c; u++) builders[u]!.truncate(this.rows);
        if (err instanceof ValueMismatch) return mismatchError(placeOf(uri, r), err, this.schema.fields[c]!.name);
        throw err;
      }
    }
    this.rows++;
    return undefined;
  }

  finish(): A.RecordBatch {
    const n = this.rows;
    this.rows = 0;
    return makeBatch(this.schema, this.builders.map((b) => b.finish()), n);
  }
}

class CsvScanSource implements CsvSource {
  readonly kind = "Csv";
  readonly supports: SourceCapabilities = { projection: true, filter: "none", limit: true };
  readonly stats = emptyReadStats();
  readonly files: readonly string[];
  readonly description: string;

  constructor(
    uri: string,
    private readonly set: FileSet,
    readonly schema: A.Schema,
    private readonly dialect: CsvDialect,
    private readonly options: CsvReadOptions,
  ) {
    this.files = set.files.map((f) => f.uri);
    this.description = set.files.length === 1 ? uri : `${uri} (${set.files.length} files)`;
  }

  async *scan(pushdown: ScanPushdown, context: ScanContext): AsyncGenerator<A.RecordBatch> {
    checkBatchSize(context.batchSize, this.description);
    checkColumns(this.schema, pushdown, this.description);
    const limit = effectiveLimit(pushdown);
    if (limit === 0) return;
    const batcher = new CsvBatcher(projectSchema(this.schema, pushdown.columns));
    const policy = new BadRecordPolicy(this.options, this.stats);
    const store = await openStore(this.set.base, this.options.storage);
    const header = this.options.header !== false;
    let emitted = 0;
    try {
      for await (const { file, names, records } of dataRecords(store, this.set.files, this.dialect, header, this.stats)) {
        batcher.useHeader(names);
        for (const r of records) {
          this.stats.recordsParsed++;
          const error = batcher.append(r, file.uri);
          if (error !== undefined) policy.handle({ uri: file.uri, line: r.line, text: r.text() }, error);
          const full = batcher.rows >= context.batchSize || (limit !== undefined && emitted + batcher.rows >= limit);
          if (!full) continue;
          const batch = limit === undefined ? batcher.finish() : takeFirst(batcher.finish(), limit - emitted);
          emitted += batch.numRows;
          this.stats.batches++;
          yield batch;
          if ((limit !== undefined && emitted >= limit) || context.signal?.aborted === true) return;
        }
      }
      if (batcher.rows > 0) {
        this.stats.batches++;
        yield batcher.finish();
      }
    } finally {
      await store.close();
    }
  }
}
