// Reads JSON records (NDJSON or one top-level array; plain or .gz; one file or a glob) as a ScanSource: the schema
// is inferred from a sample when opened, then every scan streams the files in ranged reads, batch by batch.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import type { ObjectStore, StorageOptions } from "../../format/store/object-store.js";
import { openStore } from "../../format/store/open-store.js";
import {
  BadRecordPolicy,
  checkBadRecordOptions,
  malformedError,
  mismatchError,
  type BadRecordOptions,
  type RecordPlace,
} from "./bad-records.js";
import { checkBatchSize, checkColumns, effectiveLimit, projectSchema, takeFirst } from "./batch-utils.js";
import { emptyReadStats, textChunks, type ReadStats } from "./byte-stream.js";
import { ImpreciseInteger } from "./column-builders.js";
import { resolveFiles, type FileRef, type FileSet } from "./file-set.js";
import { SchemaInferrer } from "./infer-values.js";
import { parseJsonPrecise } from "./json-precise.js";
import { arrayRecords, detectFormat, ndjsonRecords, type JsonFormat, type TextRecord } from "./json-records.js";
import { RecordMismatch, RowBatcher } from "./row-batcher.js";
import type { ScanContext, ScanPushdown, ScanSource, SourceCapabilities } from "./source.js";

/** Options of `openJsonSource`. */
export interface JsonReadOptions extends BadRecordOptions {
  /**
   * Records read to infer the schema (from the first file on, in order). Default 1000. Fields first seen later are
   * ignored and a later value that does not fit is an error (or skipped): raise it, or give `schema`.
   */
  readonly sampleRows?: number;
  /**
   * Fields whose types are given: used as is, replacing inferred fields of the same name; fields the sample lacks
   * are added. Other fields are still inferred. Default: none.
   */
  readonly schema?: A.Schema;
  /** "auto" (default): a file whose first non-blank character is "[" is one array, any other is NDJSON. */
  readonly format?: "auto" | JsonFormat;
  /** Credentials and endpoint for s3:// URIs. Default: the AWS_* environment. */
  readonly storage?: StorageOptions;
}

/** A JSON ScanSource, with the files it reads and counters of all its scans. */
export interface JsonSource extends ScanSource {
  /** URIs of the files read, in order. */
  readonly files: readonly string[];
  /** Bytes, records and skipped records over every scan so far. */
  readonly stats: ReadStats;
}

const DEFAULT_SAMPLE_ROWS = 1000;

/**
 * Opens JSON records for scanning: NDJSON (one object per line) or a top-level array, `.gz` streamed through zlib,
 * a glob naming several files (read in path order). Types are inferred from a sample: integers Int64, other
 * numbers Float64 (mixed: Float64), strings Utf8 (dates stay strings), booleans, objects Struct, arrays List of
 * their items' type; a field holding only nulls, or values of mixed kinds, is Utf8 (non-strings as JSON text).
 * @example
 * const src = await openJsonSource("s3://bucket/events/*.jsonl.gz", { sampleRows: 5000 });
 * for await (const batch of src.scan({ columns: ["user", "ts"], limit: 100 }, { batchSize: 8192 })) console.log(batch.numRows);
 */
export async function openJsonSource(uri: string, options: JsonReadOptions = {}): Promise<JsonSource> {
  checkJsonOptions(uri, options);
  const set = await resolveFiles(uri, options.storage, "JSON");
  const schema = await inferSchema(set, options);
  return new JsonScanSource(uri, set, schema, options);
}

function checkJsonOptions(uri: string, options: JsonReadOptions): void {
  checkBadRecordOptions(options, uri);
  const n = options.sampleRows;
  if (n !== undefined && (!Number.isInteger(n) || n <= 0)) {
    throw new InvalidArgumentError(`sampleRows must be a positive integer, got ${n} (reading ${uri})`, { uri });
  }
  const f = options.format;
  if (f !== undefined && f !== "auto" && f !== "ndjson" && f !== "array") {
    throw new InvalidArgumentError(`format must be "auto", "ndjson" or "array", got ${JSON.stringify(f)} (reading ${uri})`, { uri });
  }
}

/** Record texts of one file, split by its layout. */
async function* fileRecords(store: ObjectStore, file: FileRef, options: JsonReadOptions, stats: ReadStats): AsyncGenerator<TextRecord[]> {
  let chunks: AsyncIterable<string> = textChunks(store, file, stats);
  let format = options.format ?? "auto";
  if (format === "auto") ({ format, chunks } = await detectFormat(chunks));
  yield* format === "array" ? arrayRecords(chunks, file.uri) : ndjsonRecords(chunks);
}

function isRecordObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? "an array" : v === null ? "null" : `a ${typeof v}`;
}

/** Infers the schema from the first `sampleRows` records. Bad records fail here too, unless skipping. */
async function inferSchema(set: FileSet, options: JsonReadOptions): Promise<A.Schema> {
  const inferrer = new SchemaInferrer({ bigintIsInteger: true });
  const want = options.sampleRows ?? DEFAULT_SAMPLE_ROWS;
  const stats = emptyReadStats();
  const store = await openStore(set.base, options.storage);
  let seen = 0;
  // Given fields need no inference: a 784-pixel array of a field the schema names is not walked.
  const skip = new Set((options.schema?.fields ?? []).map((f) => f.name));
  try {
    for (const file of set.files) {
      for await (const records of fileRecords(store, file, options, stats)) {
        for (const r of records) {
          const exactNumbers = onlySafeIntegers(r.text);
          const value = parseSampled(r, file, options, exactNumbers);
          if (value === undefined) continue;
          inferrer.observe(value, { skip, exactNumbers });
          if (++seen >= want) return inferrer.schema(options.schema);
        }
      }
    }
    return inferrer.schema(options.schema);
  } finally {
    await store.close();
  }
}

/**
 * True when every number in the JSON text is an integer of at most 15 digits: no fraction, no exponent (outside
 * strings). JSON.parse then loses nothing the inference needs — "1.0" vs "1", or digits beyond 2^53 — and is ~10×
 * faster than the precise parser on number-heavy records (arrays of pixels).
 */
export function onlySafeIntegers(text: string): boolean {
  let inString = false;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
      continue;
    }
    if (c >= 48 && c <= 57) {
      if (++digits > 15) return false;
      continue;
    }
    // Outside strings "." only occurs in numbers, and "e"/"E" right after a digit is an exponent (not true/false).
    if (c === 46 || ((c === 101 || c === 69) && digits > 0)) return false;
    digits = 0;
    if (c === 34) inString = true;
  }
  return true;
}

/** JSON.parse, with the precise parser's error (and position) for malformed text, as the slow path would give. */
function parseFast(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return parseJsonPrecise(text);
  }
}

function parseSampled(r: TextRecord, file: FileRef, options: JsonReadOptions, exactNumbers: boolean): Record<string, unknown> | undefined {
  const place = { uri: file.uri, line: r.line, text: r.text };
  let value: unknown;
  try {
    value = exactNumbers ? parseFast(r.text) : parseJsonPrecise(r.text);
  } catch (err) {
    // Skipped records are reported once, by the scan that meets them.
    if (options.onError === "skip") return undefined;
    throw malformedError(place, `invalid JSON (${(err as Error).message})`);
  }
  if (isRecordObject(value)) return value;
  if (options.onError === "skip") return undefined;
  throw malformedError(place, `expected a JSON object, got ${kindOf(value)}`);
}

class JsonScanSource implements JsonSource {
  readonly kind = "Json";
  readonly supports: SourceCapabilities = { projection: true, filter: "none", limit: true };
  readonly stats = emptyReadStats();
  readonly files: readonly string[];
  readonly description: string;

  constructor(
    uri: string,
    private readonly set: FileSet,
    readonly schema: A.Schema,
    private readonly options: JsonReadOptions,
  ) {
    this.files = set.files.map((f) => f.uri);
    this.description = set.files.length === 1 ? uri : `${uri} (${set.files.length} files)`;
  }

  async *scan(pushdown: ScanPushdown, context: ScanContext): AsyncGenerator<A.RecordBatch> {
    checkBatchSize(context.batchSize, this.description);
    checkColumns(this.schema, pushdown, this.description);
    const limit = effectiveLimit(pushdown);
    if (limit === 0) return;
    const batcher = new RowBatcher(projectSchema(this.schema, pushdown.columns), { preciseIntegers: true });
    const policy = new BadRecordPolicy(this.options, this.stats);
    const store = await openStore(this.set.base, this.options.storage);
    let emitted = 0;
    try {
      for (const file of this.set.files) {
        for await (const records of fileRecords(store, file, this.options, this.stats)) {
          for (const r of records) {
            this.stats.recordsParsed++;
            addRecord(batcher, { uri: file.uri, line: r.line, text: r.text }, policy);
            const full = batcher.length >= context.batchSize || (limit !== undefined && emitted + batcher.length >= limit);
            if (!full) continue;
            const batch = limit === undefined ? batcher.finish() : takeFirst(batcher.finish(), limit - emitted);
            emitted += batch.numRows;
            this.stats.batches++;
            yield batch;
            if ((limit !== undefined && emitted >= limit) || context.signal?.aborted === true) return;
          }
        }
      }
      if (batcher.length > 0) {
        this.stats.batches++;
        yield batcher.finish();
      }
    } finally {
      await store.close();
    }
  }
}

/** Parses one record into the batcher, or applies the bad-record policy. */
function addRecord(batcher: RowBatcher, place: RecordPlace, policy: BadRecordPolicy): void {
  let value: unknown;
  try {
    value = JSON.parse(place.text);
  } catch (err) {
    policy.handle(place, malformedError(place, `invalid JSON (${(err as Error).message})`));
    return;
  }
  if (!isRecordObject(value)) {
    policy.handle(place, malformedError(place, `expected a JSON object, got ${kindOf(value)}`));
    return;
  }
  try {
    batcher.append(value);
  } catch (err) {
    if (!(err instanceof RecordMismatch)) throw err;
    if (!(err.mismatch instanceof ImpreciseInteger)) {
      policy.handle(place, mismatchError(place, err.mismatch, err.column));
      return;
    }
    // JSON.parse rounded an integer beyond 2^53: read this record again with exact integers.
    try {
      batcher.append(parseJsonPrecise(place.text) as Record<string, unknown>);
    } catch (again) {
      if (!(again instanceof RecordMismatch)) throw again;
      policy.handle(place, mismatchError(place, again.mismatch, again.column));
    }
  }
}
