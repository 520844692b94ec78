// `tessera info <table-or-file>`: a table's schema, rows, fragments, versions, tags, indexes and size — or, for a
// single data file (.tsf), its pages and layouts (file-info.ts).

import { stat } from "node:fs/promises";
import { parseUri } from "../../../format/store/open-store.js";
import { typeName } from "../../../format/expr/types.js";
import { readExtension } from "../../expr/data-type.js";
import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";
import { formatBytes, plural } from "../output.js";
import { fileInfo, formatInfo as formatFileLines, type FileInfo } from "./file-info.js";

/** One column of the schema. */
export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
  /** The logical type (`tessera.image`, `tessera.embedding`, …) when the column has one. */
  extension?: string;
}

/** One vector index, with how much of the table it covers. */
export interface IndexSummary {
  name: string;
  column: string;
  type: string;
  metric: string;
  params: Record<string, unknown>;
  indexedRows: number;
  /** Live rows in fragments the index does not cover yet (searched exactly until optimized). */
  unindexedRows: number;
  /** Share of the live rows the index covers, 0..1 (1 for flat, which needs no files). */
  coverage: number;
}

/** What `info` reports for a table (`--json` prints this). */
export interface TableInfo {
  kind: "table";
  uri: string;
  version: number;
  latestVersion: number;
  rows: number;
  fragments: number;
  versions: number;
  tags: { name: string; version: number }[];
  schema: ColumnInfo[];
  indexes: IndexSummary[];
  /** Bytes of the files this version reads (data, deletion and index files). */
  versionBytes: number;
  /** Bytes of everything stored under the table (all versions kept, indexes, manifests). */
  totalBytes: number;
}

/** `info` of a table, or of a data file. */
export type InfoResult = TableInfo | (FileInfo & { kind: "file" });

/** Options of `info`. */
export interface InfoOptions {
  version?: number;
  tag?: string;
}

/** A data file rather than a table: a `.tsf` name, or a local path that is a regular file. */
async function isDataFile(uri: string): Promise<boolean> {
  if (/\.tsf$/i.test(uri)) return true;
  const parsed = parseUri(uri);
  if (parsed.scheme !== "file") return false;
  const s = await stat(parsed.path).catch(() => undefined);
  return s?.isFile() === true;
}

/** Describes the table (or data file) at `uri`. */
export async function info(uri: string, options: InfoOptions, ctx: CommandContext): Promise<InfoResult> {
  if (await isDataFile(uri)) return { kind: "file", ...(await fileInfo(uri, ctx.storage)) };
  const t = await Table.open(uri, { ...options, storage: ctx.storage });
  const latest = options.version === undefined && options.tag === undefined ? t : await Table.open(uri, { storage: ctx.storage });
  const m = t.currentManifest;
  const [versions, tags, indexes, objects] = await Promise.all([t.versions(), t.tags.list(), t.listIndices(), t.store.list("")]);
  const indexDirs = m.indices.filter((i) => i.path !== "").map((i) => `${i.path}/`);
  const indexBytes = objects.filter((o) => indexDirs.some((d) => o.path.startsWith(d))).reduce((n, o) => n + o.size, 0);
  const deletionPaths = new Set(m.fragments.flatMap((f) => (f.deletion ? [f.deletion.path] : [])));
  const deletionBytes = objects.filter((o) => deletionPaths.has(o.path)).reduce((n, o) => n + o.size, 0);
  const dataBytes = m.fragments.reduce((n, f) => n + f.files.reduce((k, d) => k + d.size, 0), 0);
  return {
    kind: "table",
    uri: t.uri,
    version: t.version,
    latestVersion: latest.version,
    rows: t.rows,
    fragments: m.fragments.length,
    versions: versions.length,
    tags,
    schema: t.schema.fields.map((f) => {
      const ext = readExtension(f.metadata)?.name;
      return { name: f.name, type: typeName(f.type), nullable: f.nullable, ...(ext !== undefined ? { extension: ext } : {}) };
    }),
    indexes: indexes.map((ix) => {
      const ref = m.indices.find((r) => r.name === ix.name);
      const params = (ref?.detail?.params ?? {}) as Record<string, unknown>;
      const live = ix.indexedRows + ix.unindexedRows;
      const coverage = ix.type === "flat" ? 1 : live === 0 ? 1 : Math.min(1, (live - ix.unindexedRows) / live);
      return { name: ix.name, column: ix.column, type: ix.type, metric: ix.metric, params, indexedRows: ix.indexedRows, unindexedRows: ix.unindexedRows, coverage };
    }),
    versionBytes: dataBytes + deletionBytes + indexBytes,
    totalBytes: objects.reduce((n, o) => n + o.size, 0),
  };
}

function indexLine(ix: IndexSummary): string {
  const params = Object.entries(ix.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const cover =
    ix.type === "flat"
      ? "exact search"
      : `${ix.indexedRows} rows indexed, ${(ix.coverage * 100).toFixed(ix.coverage === 1 ? 0 : 1)}% covered` +
        (ix.unindexedRows > 0 ? ` (${ix.unindexedRows} rows searched exactly until \`tessera index --optimize\`)` : "");
  return `  ${ix.name}: ${ix.type} on ${ix.column}, metric ${ix.metric}${params.length > 0 ? `, ${params.join(" ")}` : ""} — ${cover}`;
}

/** Human lines of `info`. */
export function formatInfo(r: InfoResult): string[] {
  if (r.kind === "file") return formatFileLines(r);
  const width = Math.max(...r.schema.map((c) => c.name.length));
  const at = r.version === r.latestVersion ? `version ${r.version} (latest)` : `version ${r.version} (latest is ${r.latestVersion})`;
  return [
    r.uri,
    `  ${at}, ${plural(r.rows, "row")} in ${plural(r.fragments, "fragment")}, ${plural(r.versions, "version")} kept`,
    `  size: ${formatBytes(r.versionBytes)} read by this version; ${formatBytes(r.totalBytes)} stored in all`,
    `  tags: ${r.tags.length === 0 ? "(none)" : r.tags.map((t) => `${t.name} → v${t.version}`).join(", ")}`,
    "schema:",
    ...r.schema.map((c) => `  ${c.name.padEnd(width)}  ${c.type}${c.nullable ? "" : " not null"}${c.extension ? `  (${c.extension})` : ""}`),
    `indexes:${r.indexes.length === 0 ? " (none)" : ""}`,
    ...r.indexes.map(indexLine),
  ];
}
