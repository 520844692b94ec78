// `tessera ingest <source> <table>`: JSON, NDJSON, CSV or Parquet files (a path or a glob), or a folder of images,
// into a table — created, appended to or overwritten — streamed through the DataFrame engine.

import { stat } from "node:fs/promises";
import { AlreadyExistsError, isTesseraError } from "../../../format/errors.js";
import { parseUri } from "../../../format/store/open-store.js";
import { typeName } from "../../../format/expr/types.js";
import type { DataFrame } from "../../dataframe.js";
import { fromSource, readCsv, readJson, readParquet } from "../../read.js";
import { openImagesSource } from "../../io/images.js";
import type { WriteTableMode } from "../../io/table-source.js";
import type { StorageOptions } from "../../../format/store/object-store.js";
import { Table } from "../../table.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatOfPath, IMAGE_EXTENSIONS, INGEST_FORMATS, type IngestFormat } from "../formats.js";
import { engineProgress, withTask } from "../progress.js";

/** Options of `ingest`. */
export interface IngestOptions {
  format?: IngestFormat;
  /** Default "create" (fails when a table exists). */
  mode?: Exclude<WriteTableMode, "merge">;
}

/** What `ingest` wrote. */
export interface IngestResult {
  source: string;
  uri: string;
  format: IngestFormat;
  mode: string;
  rowsWritten: number;
  rows: number;
  version: number;
  columns: { name: string; type: string }[];
}

/** A local directory (a folder of images unless --format says otherwise). */
async function isLocalDir(source: string): Promise<boolean> {
  const parsed = parseUri(source);
  return parsed.scheme === "file" && (await stat(parsed.path).catch(() => undefined))?.isDirectory() === true;
}

/** The glob of every image under a folder. */
function imagesUnder(dir: string): string {
  return `${dir.replace(/\/+$/, "")}/**/*.{${IMAGE_EXTENSIONS.join(",")}}`;
}

async function sourceFormat(source: string, given: IngestFormat | undefined): Promise<{ format: IngestFormat; pattern: string }> {
  const dir = await isLocalDir(source);
  if (given !== undefined) return { format: given, pattern: dir && given === "images" ? imagesUnder(source) : source };
  if (dir || source.endsWith("/")) return { format: "images", pattern: imagesUnder(source) };
  const f = formatOfPath(source);
  if (f === undefined) {
    throw new UsageError(`cannot tell the format of ${source} from its extension; pass --format ${INGEST_FORMATS.join("|")} (or give a folder of images)`);
  }
  return { format: f, pattern: source };
}

/** The rows of the source and, when known up front, how many there are. */
async function reader(format: IngestFormat, pattern: string, storage: StorageOptions): Promise<{ df: DataFrame; total?: number }> {
  switch (format) {
    case "json":
    case "ndjson":
      return { df: await readJson(pattern, { storage }) };
    case "csv":
      return { df: await readCsv(pattern, { storage }) };
    case "parquet":
      return { df: await readParquet(pattern, { storage }) };
    case "images": {
      const src = await openImagesSource(pattern, { storage });
      return { df: fromSource(src), ...(src.rowCount !== undefined ? { total: src.rowCount } : {}) };
    }
  }
}

/** Reads `source` into the table at `uri`. */
export async function ingest(source: string, uri: string, o: IngestOptions, ctx: CommandContext): Promise<IngestResult> {
  const { format, pattern } = await sourceFormat(source, o.format);
  const mode = o.mode ?? "create";
  const { df, total } = await reader(format, pattern, ctx.storage);
  const summary = await withTask(ctx.progress, `ingest ${format}`, total, (task) =>
    df.writeTable(uri, { mode, storage: ctx.storage, onProgress: engineProgress(task) }),
  ).catch((err: unknown) => {
    if (!isTesseraError(err, "ALREADY_EXISTS")) throw err;
    throw new AlreadyExistsError(`a table already exists at ${uri}; pass --mode append to add the rows or --mode overwrite to replace it`, { uri, cause: err });
  });
  const t = await Table.open(uri, { storage: ctx.storage });
  return {
    source,
    uri: t.uri,
    format,
    mode,
    rowsWritten: summary.rows,
    rows: t.rows,
    version: t.version,
    columns: t.schema.fields.map((f) => ({ name: f.name, type: typeName(f.type) })),
  };
}

/** Human lines of `ingest`. */
export function formatIngest(r: IngestResult): string[] {
  const verb = r.version === 1 ? "created with" : r.mode === "append" ? "appended" : "overwrote with";
  return [
    `${r.uri}: ${verb} ${r.rowsWritten} rows from ${r.source} (${r.format}); version ${r.version}, ${r.rows} rows`,
    `columns: ${r.columns.map((c) => `${c.name} ${c.type}`).join(", ")}`,
  ];
}
