// `tessera export <table> <out>`: a table version to Parquet, JSON (one array), NDJSON or CSV, streamed through
// the DataFrame writers (`.gz` compresses JSON and CSV).

import { Table } from "../../table.js";
import type { DataFrame } from "../../dataframe.js";
import type { CommandContext } from "../context.js";
import { exportFormat, type ExportFormat } from "../formats.js";
import { formatBytes } from "../output.js";
import { engineProgress, withTask } from "../progress.js";

/** Options of `export`. */
export interface ExportOptions {
  format?: ExportFormat;
  where?: string;
  columns?: string[];
  limit?: number;
  version?: number;
  tag?: string;
}

/** What `export` wrote. */
export interface ExportResult {
  uri: string;
  version: number;
  out: string;
  format: ExportFormat;
  rows: number;
  bytes: number;
}

/** Writes the rows of `uri` to `out`. */
export async function exportTable(uri: string, out: string, o: ExportOptions, ctx: CommandContext): Promise<ExportResult> {
  const format = exportFormat(out, o.format);
  const open = { ...(o.version !== undefined ? { version: o.version } : {}), ...(o.tag !== undefined ? { tag: o.tag } : {}), storage: ctx.storage };
  const t = await Table.open(uri, open);
  let df: DataFrame = t.toDataFrame();
  if (o.where !== undefined) df = df.where(o.where);
  if (o.columns !== undefined) df = df.select(...o.columns);
  if (o.limit !== undefined) df = df.limit(o.limit);
  const total = o.where === undefined ? t.rows : await t.countRows(o.where);
  const summary = await withTask(ctx.progress, `export ${format}`, o.limit === undefined ? total : Math.min(total, o.limit), (task) => {
    const run = { onProgress: engineProgress(task), storage: ctx.storage };
    if (format === "parquet") return df.writeParquet(out, { ...run, schema: df.schema });
    if (format === "csv") return df.writeCsv(out, run);
    return df.writeJson(out, { ...run, array: format === "json" });
  });
  return { uri: t.uri, version: t.version, out, format, rows: summary.rows, bytes: summary.bytes ?? 0 };
}

/** Human lines of `export`. */
export function formatExport(r: ExportResult): string[] {
  return [`wrote ${r.rows} rows of ${r.uri} (version ${r.version}) to ${r.out} as ${r.format}, ${formatBytes(r.bytes)}`];
}
