// The functions DataFrames start from. Readers that infer a schema (from a sample, a Parquet footer, a table
// manifest) are async: the schema is known when the DataFrame is returned, so later steps are checked as built.

import type * as A from "apache-arrow";
import { DataFrame } from "./dataframe.js";
import { arrowSource, rowsSource } from "./io/arrow.js";
import { openCsvSource, type CsvReadOptions } from "./io/csv.js";
import { openGlobSource, type GlobOptions } from "./io/glob.js";
import { openImagesSource, type ReadImagesOptions } from "./io/images.js";
import { openJsonSource, type JsonReadOptions } from "./io/json.js";
import { openParquetSource, type ParquetReadOptions } from "./io/parquet.js";
import type { ScanSource } from "./io/source.js";
import { openTableSource, type ReadTableOptions } from "./io/table-source.js";
import { scan } from "./plan/build.js";

/**
 * NDJSON or JSON-array files (`.gz` too; a glob reads several), with the schema inferred from a sample.
 * @example const df = await readJson("data/*.jsonl.gz", { sampleRows: 5000 })
 */
export async function readJson(uri: string, options: JsonReadOptions = {}): Promise<DataFrame> {
  return fromSource(await openJsonSource(uri, options));
}

/**
 * CSV files with a header row (`.gz` too; a glob reads several), with types inferred from a sample.
 * @example const df = await readCsv("data/people.csv", { delimiter: ";" })
 */
export async function readCsv(uri: string, options: CsvReadOptions = {}): Promise<DataFrame> {
  return fromSource(await openCsvSource(uri, options));
}

/**
 * Parquet files: only the columns used are read, and row groups whose statistics rule a filter out are skipped.
 * @example const df = await readParquet("s3://bucket/data.parquet")
 */
export async function readParquet(uri: string, options: ParquetReadOptions = {}): Promise<DataFrame> {
  return fromSource(await openParquetSource(uri, options));
}

/**
 * One version of a Tessera table (the latest unless `version` or `tag` is given).
 * @example const df = await readTable("./images.tsr", { version: 3, withRowId: true })
 */
export async function readTable(uri: string, options: ReadTableOptions = {}): Promise<DataFrame> {
  return fromSource(await openTableSource(uri, options));
}

/**
 * One row per file matching the pattern (local, memory:// or s3://): path, size, modified.
 * @example const files = await fromGlob("images/**\/*.png")
 */
export async function fromGlob(pattern: string, options: GlobOptions = {}): Promise<DataFrame> {
  return fromSource(await openGlobSource(pattern, options));
}

/**
 * One row per image file matching the pattern (local, memory:// or s3://): `path` and `image` (encoded bytes,
 * DataType.image(format)); files are read with bounded concurrency, and a filter on `path` skips reading the rest.
 * @example const images = await readImages("photos/**\/*.jpg"); images.select(col("image").image.thumbnail(128))
 */
export async function readImages(pattern: string, options: ReadImagesOptions = {}): Promise<DataFrame> {
  return fromSource(await openImagesSource(pattern, options));
}

/**
 * An Arrow table (or record batches) as a DataFrame, without copying.
 * @example fromArrow(tableFromArrays({ x: Int32Array.of(1, 2, 3) }))
 */
export function fromArrow(table: A.Table | A.RecordBatch[], description?: string): DataFrame {
  return fromSource(arrowSource(table, description));
}

/**
 * Plain objects as a DataFrame; types are inferred as readJson does, unless a schema is given.
 * @example fromRows([{ id: 1, name: "a" }, { id: 2, name: "b" }])
 */
export function fromRows(rows: Record<string, unknown>[], schema?: A.Schema): DataFrame {
  return fromSource(rowsSource(rows, schema));
}

/** Any ScanSource as a DataFrame (for custom readers). */
export function fromSource(source: ScanSource): DataFrame {
  return new DataFrame(scan(source));
}
