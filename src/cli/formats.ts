// File formats by name or extension, for `ingest` (what to read) and `export` (what to write).

import { UsageError } from "./errors.js";

/** Formats `export` writes. */
export const EXPORT_FORMATS = ["parquet", "json", "ndjson", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Formats `ingest` reads. */
export const INGEST_FORMATS = ["json", "ndjson", "csv", "parquet", "images"] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

const BY_EXTENSION: ReadonlyArray<[RegExp, ExportFormat]> = [
  [/\.(parquet|pq)$/i, "parquet"],
  [/\.json(\.gz)?$/i, "json"],
  [/\.(ndjson|jsonl)(\.gz)?$/i, "ndjson"],
  [/\.csv(\.gz)?$/i, "csv"],
];

/** Image file extensions readImages knows; an ingest source with one of them is read as images. */
export const IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "gif", "tif", "tiff", "avif", "bmp"] as const;

/** The format of `path` from its extension, or undefined. */
export function formatOfPath(path: string): ExportFormat | "images" | undefined {
  const found = BY_EXTENSION.find(([re]) => re.test(path))?.[1];
  if (found !== undefined) return found;
  const ext = /\.([a-z0-9]+)(\}|\))?$/i.exec(path)?.[1]?.toLowerCase();
  return ext !== undefined && (IMAGE_EXTENSIONS as readonly string[]).includes(ext) ? "images" : undefined;
}

/** The export format: `--format`, else from the extension; a usage error when neither says. */
export function exportFormat(out: string, given: ExportFormat | undefined): ExportFormat {
  if (given !== undefined) return given;
  const f = formatOfPath(out);
  if (f === undefined || f === "images") {
    throw new UsageError(`cannot tell the format of ${out} from its extension; name it .parquet, .json, .ndjson or .csv, or pass --format ${EXPORT_FORMATS.join("|")}`);
  }
  return f;
}
