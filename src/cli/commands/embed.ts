// `tessera embed <table> --column <src> --into <name> --embedder …`: embeddings of an image or text column,
// written back as a new column (only that column's files), or — when the column exists — computed only for the
// rows that lack one (Table.backfill). Indexes on the column are then extended to the new vectors.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { col } from "../../expr/builders.js";
import { Table } from "../../table.js";
import type { CommandContext } from "../context.js";
import { countingEmbedder, embedderFrom, type EmbedderFlags } from "../embedder-options.js";
import { formatBytes } from "../output.js";
import { extendIndexes, withTask } from "../progress.js";

/** Options of `embed`. */
export interface EmbedCommandOptions extends EmbedderFlags {
  /** The image or text column to embed. */
  column: string;
  /** The embedding column to write. */
  into: string;
}

/** What `embed` did. */
export interface EmbedResult {
  uri: string;
  column: string;
  into: string;
  embedder: string;
  dimension: number;
  /** True when the column was new; false when only missing rows were filled. */
  created: boolean;
  rowsEmbedded: number;
  fragments: number;
  bytesWritten: number;
  version: number;
  /** Indexes on the column extended to the new vectors. */
  indexesOptimized: string[];
}

/** A column name quoted for the expression language. */
function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** What a column stores, for embedders: encoded images (binary) or text. */
function holds(t: Table, column: string): "image" | "text" {
  const type = t.tableSchema.get(column).field.type;
  if (A.DataType.isBinary(type) || type.typeId === A.Type.LargeBinary) return "image";
  if (A.DataType.isUtf8(type) || type.typeId === A.Type.LargeUtf8) return "text";
  throw new InvalidArgumentError(`column "${column}" is ${String(type)}; embed needs encoded images (binary) or text (utf8)`, { column });
}

/** Embeds `o.column` into `o.into`. */
export async function embed(uri: string, o: EmbedCommandOptions, ctx: CommandContext): Promise<EmbedResult> {
  const t = await Table.open(uri, { storage: ctx.storage });
  const kind = holds(t, o.column);
  const embedder = await embedderFrom(o, kind);
  const created = !t.schema.fields.some((f) => f.name === o.into);
  const total = created ? t.rows : await t.countRows(`${quoted(o.into)} IS NULL`);
  const stats = await withTask(ctx.progress, `embed ${o.column} → ${o.into}`, total, (task) => {
    const counting = countingEmbedder(embedder, (n) => task.increment(n));
    return t.backfill(o.into, col(o.column).embed(counting), o.batchSize !== undefined ? { batchSize: o.batchSize } : {});
  });
  const indexed = t.currentManifest.indices.filter((i) => i.type !== "flat" && t.tableSchema.fields.find((f) => f.id === i.fieldId)?.field.name === o.into);
  if (indexed.length > 0 && stats.rows > 0) await extendIndexes(ctx.progress, t);
  return {
    uri: t.uri,
    column: o.column,
    into: o.into,
    embedder: embedder.name,
    dimension: embedder.dimension,
    created,
    // For a new column the table reports every row; count the ones that got a vector (null inputs give none).
    rowsEmbedded: created ? await t.countRows(`${quoted(o.into)} IS NOT NULL`) : stats.rows,
    fragments: stats.fragments.length,
    bytesWritten: stats.bytes,
    version: t.version,
    indexesOptimized: stats.rows > 0 ? indexed.map((i) => i.name) : [],
  };
}

/** Human lines of `embed`. */
export function formatEmbed(r: EmbedResult): string[] {
  if (r.rowsEmbedded === 0) return [`"${r.into}" already has an embedding for every row; nothing written (version ${r.version})`];
  const what = r.created ? `added "${r.into}"` : `filled "${r.into}"`;
  const lines = [
    `${what}: ${r.rowsEmbedded} rows of "${r.column}" embedded with ${r.embedder} (${r.dimension} values), ` +
      `${formatBytes(r.bytesWritten)} in ${r.fragments} file(s); version ${r.version}`,
  ];
  if (r.indexesOptimized.length > 0) lines.push(`extended index(es) ${r.indexesOptimized.join(", ")} to the new rows`);
  return lines;
}
