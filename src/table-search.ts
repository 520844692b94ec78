// Search by text or image as well as by vector: a query that is not a vector is embedded first, with the embedder
// the caller passes or, by default, the one recorded in the column's metadata by `.embed()` (rebuilt from its
// descriptor once per process), so queries land in the same space as the rows. Also the DataFrame form of a
// search. src/table.ts keeps only the thin methods.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../format/errors.js";
import type { TableField } from "../format/schema.js";
import type { Table as IndexedTable, SearchOptions } from "../index/table.js";
import { vectorColumn } from "../index/search.js";
import { DataFrame } from "./dataframe.js";
import type { Embedder, EmbedderDescriptor } from "./embed/embedder.js";
import { createEmbedder } from "./embed/registry.js";
import { EXTENSION_METADATA, readExtension } from "./expr/data-type.js";
import { searchSource } from "./io/search-source.js";
import { scan } from "./plan/build.js";

/** What a search looks for: a vector, a text, or encoded image bytes (the two last embedded first). */
export type SearchQuery = Float32Array | readonly number[] | string | Uint8Array;

/** Options of `Table.search` and `Table.searchDataFrame`. */
export interface TableSearchOptions extends SearchOptions {
  /**
   * Embeds a text or image query. Default: the embedder recorded in the column's metadata (by `.embed()`). A
   * vector query is used as it is.
   */
  embedder?: Embedder;
}

/** The vector to search with: `query` itself, or its embedding. */
export async function queryVector(table: IndexedTable, query: SearchQuery, options: TableSearchOptions): Promise<Float32Array> {
  if (query instanceof Float32Array) return query;
  if (Array.isArray(query)) return Float32Array.from(query as readonly number[]);
  if (typeof query !== "string" && !(query instanceof Uint8Array)) {
    throw new InvalidArgumentError("search: the query must be a vector (Float32Array or number[]), a text (string) or image bytes (Uint8Array)");
  }
  const field = searchColumn(table, options.column);
  const embedder = options.embedder ?? recordedEmbedder(field);
  return embedQuery(embedder, query, field);
}

/** The column searched: `column`, or the table's only vector column. */
export function searchColumn(table: IndexedTable, column: string | undefined): TableField {
  return vectorColumn(table.tableSchema, column);
}

/** Embedders rebuilt from column metadata, by descriptor: a model is set up once per process, not per search. */
const rebuilt = new Map<string, Embedder>();

function recordedEmbedder(field: TableField): Embedder {
  // Keyed by the metadata text as stored: an image embedder's descriptor (a PCA) is too big to parse per search.
  const key = field.field.metadata.get(EXTENSION_METADATA) ?? "";
  const known = rebuilt.get(key);
  if (known !== undefined) return known;
  const name = field.field.name;
  const ext = readExtension(field.field.metadata);
  const d = ext?.name === "tessera.embedding" ? (ext.params.embedder as Partial<EmbedderDescriptor> | undefined) : undefined;
  if (d === undefined || typeof d.kind !== "string") {
    throw new InvalidArgumentError(
      `column "${name}" records no embedder (it was not made by .embed()), so a text or image query cannot be embedded; pass { embedder } or search with a vector`,
      { column: name },
    );
  }
  const made = createEmbedder({ kind: d.kind, options: d.options ?? {} });
  rebuilt.set(key, made);
  return made;
}

async function embedQuery(embedder: Embedder, query: string | Uint8Array, field: TableField): Promise<Float32Array> {
  const text = typeof query === "string";
  const name = field.field.name;
  if ((text && embedder.accepts === "image") || (!text && embedder.accepts === "text")) {
    const got = text ? "text" : "image bytes";
    throw new InvalidArgumentError(`search: the embedder "${embedder.name}" embeds ${embedder.accepts}s, not ${got} (column "${name}")`, { column: name });
  }
  const input = text ? A.vectorFromArray([query], new A.Utf8()) : A.vectorFromArray([query], new A.Binary());
  const out = await embedder.embed(input);
  const first: unknown = out instanceof A.Vector ? out.get(0) : out[0];
  if (first === null || first === undefined) {
    throw new InvalidArgumentError(`search: the embedder "${embedder.name}" returned no embedding for the query`, { column: name });
  }
  const vector = first instanceof Float32Array ? first : Float32Array.from(first as Iterable<number>);
  const dim = (field.field.type as A.FixedSizeList).listSize;
  if (vector.length !== dim) {
    const msg = `search: the embedder "${embedder.name}" makes ${vector.length}-dimensional vectors but column "${name}" has ${dim}`;
    throw new InvalidArgumentError(`${msg}; use the embedder the column was made with`, { column: name });
  }
  return vector;
}

/** The search as a lazy DataFrame: the columns `search` returns, `_rowid` and `_distance`, nearest first. */
export function searchFrame(table: IndexedTable, vector: Float32Array, options: SearchOptions): DataFrame {
  const column = searchColumn(table, options.column).field.name;
  const source = searchSource(table, vector, {
    column,
    k: options.k ?? 10,
    ...(options.filter !== undefined ? { filter: options.filter } : {}),
    ...(options.prefilter !== undefined ? { prefilter: options.prefilter } : {}),
    ...(options.metric !== undefined ? { metric: options.metric } : {}),
    ...(options.ef !== undefined ? { ef: options.ef } : {}),
    ...(options.nprobes !== undefined ? { nprobes: options.nprobes } : {}),
    ...(options.refineFactor !== undefined ? { refineFactor: options.refineFactor } : {}),
    ...(options.columns !== undefined ? { columns: options.columns } : {}),
  });
  return new DataFrame(scan(source));
}
