// `tessera search <table>`: the k nearest rows to a query vector from a file, an image file (embedded with the
// column's recorded embedder or --embedder), a text, or an existing row's vector.

import type { Metric } from "../../../index/distance.js";
import { InvalidArgumentError } from "../../../format/errors.js";
import { Table } from "../../table.js";
import { searchColumn, type TableSearchOptions } from "../../table-search.js";
import type { CommandContext } from "../context.js";
import { embedderFrom, type EmbedderFlags } from "../embedder-options.js";
import { UsageError } from "../errors.js";
import { exactlyOne } from "../options.js";
import { plural, rowsOf } from "../output.js";
import { tableText } from "../table-text.js";
import { readLocalFile, readVectorFile } from "../vector-file.js";
import type * as A from "apache-arrow";

/** Options of `search`. */
export interface SearchCommandOptions extends EmbedderFlags {
  column?: string;
  vector?: string;
  image?: string;
  text?: string;
  row?: string;
  k?: number;
  where?: string;
  columns?: string[];
  metric?: Metric;
  ef?: number;
  nprobes?: number;
  refineFactor?: number;
  /** Filter the k results instead of searching only matching rows. */
  postfilter?: boolean;
}

/** What `search` returns. */
export interface SearchResult {
  uri: string;
  version: number;
  column: string;
  query: { kind: "vector" | "image" | "text" | "row"; source: string; dimension?: number };
  k: number;
  rows: Record<string, unknown>[];
  /** The hits as Arrow, for the human table (not printed by --json). */
  table?: A.Table;
}

function parseRowId(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new UsageError(`--row expects a row id (an unsigned integer, as \`tessera show --row-id\` prints it); got "${value}"`);
  return BigInt(value);
}

/** The query vector (or the text / image bytes that Table.search embeds). */
async function queryOf(t: Table, column: string, o: SearchCommandOptions, kind: string): Promise<Float32Array | Uint8Array | string> {
  if (kind === "vector") return readVectorFile(o.vector!);
  if (kind === "text") return o.text!;
  if (kind === "image") return readLocalFile(o.image!, "image file");
  const id = parseRowId(o.row!);
  const row = await t.takeRowIds([id], { columns: [column] });
  const v = row.getChild(column)!.get(0) as { toArray(): Float32Array } | null;
  if (v === null) throw new InvalidArgumentError(`row ${id} has no value in "${column}" (null); pick a row that has a vector`, { column });
  return Float32Array.from(v.toArray());
}

/** Searches the table at `uri`. */
export async function search(uri: string, o: SearchCommandOptions, ctx: CommandContext): Promise<SearchResult> {
  const kind = exactlyOne({ vector: o.vector, image: o.image, text: o.text, row: o.row }, "search") as SearchResult["query"]["kind"];
  if (o.embedder !== undefined && (kind === "vector" || kind === "row")) throw new UsageError(`--embedder embeds an --image or --text query; a --${kind} query is used as it is`);
  if (kind === "row") parseRowId(o.row!); // a usage error before the table is opened
  const t = await Table.open(uri, { storage: ctx.storage });
  const column = searchColumn(t, o.column).field.name;
  const query = await queryOf(t, column, o, kind);
  const embedder = o.embedder !== undefined ? await embedderFrom(o, kind === "text" ? "text" : "image") : undefined;
  const k = o.k ?? 10;
  const options: TableSearchOptions = {
    column,
    k,
    ...(o.where !== undefined ? { filter: o.where } : {}),
    ...(o.postfilter === true ? { prefilter: false } : {}),
    ...(o.columns !== undefined ? { columns: o.columns } : {}),
    ...(o.metric !== undefined ? { metric: o.metric } : {}),
    ...(o.ef !== undefined ? { ef: o.ef } : {}),
    ...(o.nprobes !== undefined ? { nprobes: o.nprobes } : {}),
    ...(o.refineFactor !== undefined ? { refineFactor: o.refineFactor } : {}),
    ...(embedder !== undefined ? { embedder } : {}),
  };
  const hits = await t.search(query, options).catch((err: unknown) => {
    // The library's advice names its option; on the command line that is --embedder.
    if (err instanceof InvalidArgumentError && err.message.includes("pass { embedder }")) {
      throw new InvalidArgumentError(err.message.replace("pass { embedder }", "pass --embedder (and its options)"), { ...err.context, cause: err });
    }
    throw err;
  });
  const source = kind === "vector" ? o.vector! : kind === "image" ? o.image! : kind === "text" ? o.text! : o.row!;
  return {
    uri: t.uri,
    version: t.version,
    column,
    query: { kind, source, ...(query instanceof Float32Array ? { dimension: query.length } : {}) },
    k,
    rows: rowsOf(hits),
    table: hits,
  };
}

/** `search` without the Arrow table: what --json prints. */
export function searchJson(r: SearchResult): Omit<SearchResult, "table"> {
  const { table: _t, ...rest } = r;
  return rest;
}

/** Human lines of `search`. */
export function formatSearch(r: SearchResult): string[] {
  return [...(r.table ? tableText(r.table) : []), `${plural(r.rows.length, "nearest row")} to the ${r.query.kind} ${r.query.source} in "${r.column}" (version ${r.version})`];
}
