// Vector search over one table version: the index answers for the fragments it covers, exact search for the rest,
// and the two are merged into one top-k. Deleted rows never appear; a prefilter restricts every part to the rows it
// allows and falls back to exact search when an index cannot return k of them.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../format/errors.js";
import type { Fragment, IndexRef } from "../format/table/manifest.js";
import { ROW_ID, scanTable, takeRowIds, type RowFilter, type Snapshot } from "../format/table/read.js";
import type { TableField, TableSchema } from "../format/schema.js";
import type { Metric } from "./distance.js";
import { FlatCache, flatSearch } from "./flat.js";
import { mergeTopK, type SearchHit } from "./top-k.js";
import { DEFAULT_REFINE, type LoadedIndex, type SearchKnobs } from "./kinds.js";
import { checkQuery, isVectorType, vectorChunks, vectorDim, type RowAllowance } from "./vectors.js";

/** Options for `search`. */
export interface VectorSearchOptions extends SearchKnobs {
  /** The vector column; default the table's only fixed-size-list<float32> column. */
  column?: string;
  /** Rows to return. Default 10. */
  k?: number;
  /** Restrict results to rows matching this filter. */
  filter?: RowFilter;
  /**
   * true (default): apply the filter before searching, so k rows come back whenever k rows match. false: search,
   * then filter the k results, which is faster and may return fewer rows.
   */
  prefilter?: boolean;
  /** Columns to return besides `_rowid` and `_distance`. Default: all. */
  columns?: readonly string[];
  /** Metric for exact search when the column has no index. Default "l2" (an index keeps its own). */
  metric?: Metric;
}

/** The name of the distance column in search results. */
export const DISTANCE = "_distance";

/** `column`, or by default the only vector column (fixed-size list of float32) of the schema. */
export function vectorColumn(schema: TableSchema, column: string | undefined): TableField {
  if (column !== undefined) return schema.get(column);
  // A plain type test: this runs on every search, and building and catching an error per column cost ~27 µs.
  const candidates = schema.fields.filter((f) => isVectorType(f.field.type));
  if (candidates.length !== 1) {
    throw new InvalidArgumentError(
      candidates.length === 0
        ? "the table has no vector column (a fixed-size list of float32)"
        : `the table has several vector columns (${candidates.map((c) => c.field.name).join(", ")}); pass { column }`,
    );
  }
  return candidates[0]!;
}

/** Per fragment, the rows a search may return: live rows, and with a filter, matching rows. */
async function allowances(snap: Snapshot, filter: RowFilter | undefined): Promise<{ mask: Map<number, Uint8Array | undefined>; allowed: number }> {
  const mask = new Map<number, Uint8Array | undefined>();
  let allowed = 0;
  if (filter === undefined) {
    for (const f of snap.manifest.fragments) {
      const dv = await snap.io.deletion(f);
      mask.set(f.id, dv.count > 0 ? dv.liveMask(f.physicalRows) : undefined);
      allowed += f.physicalRows - dv.count;
    }
    return { mask, allowed };
  }
  for (const f of snap.manifest.fragments) mask.set(f.id, new Uint8Array(f.physicalRows));
  for await (const b of scanTable(snap, { columns: filter.columns, filter, withRowId: true })) {
    for (const id of b.getChild(ROW_ID)!.data[0]!.values as BigUint64Array) {
      mask.get(Number(id >> 32n))![Number(id & 0xffffffffn)] = 1;
      allowed++;
    }
  }
  return { mask, allowed };
}

function allowFn(mask: Map<number, Uint8Array | undefined>, fragments: ReadonlySet<number>): (id: bigint) => boolean {
  return (id) => {
    const frag = Number(id >> 32n);
    if (!fragments.has(frag)) return false;
    const m = mask.get(frag);
    return m === undefined || m[Number(id & 0xffffffffn)] === 1;
  };
}

/** Exact distances of `hits` (re-ranking approximate candidates). */
async function refine(snap: Snapshot, field: TableField, query: Float32Array, hits: SearchHit[], metric: Metric, k: number): Promise<SearchHit[]> {
  if (hits.length === 0) return hits;
  const dim = vectorDim(field);
  const rows = await takeRowIds(snap, hits.map((h) => h.id), { columns: [field.field.name] });
  const d = rows.getChild(field.field.name)!.data[0]!;
  const vectors = (d.children[0]!.values as Float32Array).subarray(0, hits.length * dim);
  const exact = await flatSearch([query], [{ vectors, ids: BigUint64Array.from(hits.map((h) => h.id)) }], { k, metric, dim });
  return exact[0]!;
}

/**
 * Decoded vectors of whole fragments kept between searches (least recently used evicted), so repeated exact
 * searches skip reading and decoding them. Data files are immutable, so a key never goes stale.
 */
const cache = new FlatCache({ budgetBytes: Number(process.env.TESSERA_VECTOR_CACHE_MB ?? 512) * 1024 * 1024 });
/**
 * Fragments bigger than this share of the budget are streamed instead of cached. A whole budget: one 60 000 × 784
 * fragment (188 MB) must stay resident for repeated exact searches to run at memory speed rather than disk speed.
 */
const CACHE_SHARE = 1;
/** Per cached chunk: which rows hold a vector (absent: all). */
const nonNull = new Map<string, Uint8Array | undefined>();

/** All of a fragment's vectors as one chunk, and which rows are not null. */
async function loadFragment(snap: Snapshot, field: TableField, frag: Fragment, key: string): Promise<{ vectors: Float32Array; ids: BigUint64Array }> {
  const dim = vectorDim(field);
  const vectors = new Float32Array(frag.physicalRows * dim);
  const ids = new BigUint64Array(frag.physicalRows);
  let valid: Uint8Array | undefined;
  let at = 0;
  for await (const c of vectorChunks(snap, field, [frag], async () => undefined)) {
    vectors.set(c.vectors, at * dim);
    ids.set(c.ids, at);
    if (c.allowed !== undefined) {
      valid ??= new Uint8Array(frag.physicalRows).fill(1);
      valid.set(c.allowed, at);
    }
    at += c.ids.length;
  }
  nonNull.set(key, valid);
  return { vectors, ids };
}

/** Exact k nearest over the allowed rows of `frags`: cached fragments from memory, big ones streamed. */
async function exactSearch(
  snap: Snapshot,
  field: TableField,
  frags: readonly Fragment[],
  mask: Map<number, Uint8Array | undefined>,
  query: Float32Array,
  k: number,
  metric: Metric,
): Promise<SearchHit[]> {
  const dim = vectorDim(field);
  const withColumn = frags.filter((f) => f.files.some((d) => d.fieldIds.includes(field.id)));
  const small = withColumn.filter((f) => f.physicalRows * dim * 4 <= cache.budgetBytes * CACHE_SHARE);
  const big = withColumn.filter((f) => !small.includes(f));
  const sources = small.map((f) => {
    const file = [...f.files].reverse().find((d) => d.fieldIds.includes(field.id))!;
    const key = `${snap.io.uri}|${f.id}|${file.path}|${field.id}`;
    return {
      key,
      load: () => loadFragment(snap, field, f, key),
      get allowed(): Uint8Array | undefined {
        return andMasks(mask.get(f.id), nonNull.get(key));
      },
    };
  });
  const lists: SearchHit[][] = [];
  if (sources.length > 0) lists.push((await cache.search([query], sources, { k, metric, dim }))[0]!);
  if (big.length > 0) {
    const allowance: RowAllowance = async (f) => mask.get(f.id);
    lists.push((await flatSearch([query], vectorChunks(snap, field, big, allowance), { k, metric, dim }))[0]!);
  }
  return mergeTopK(lists, k);
}

function andMasks(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** What an index search needs to know about the index in use. */
export interface IndexInUse {
  ref: IndexRef;
  loaded: LoadedIndex;
  metric: Metric;
}

/** The k nearest rows to `query`, as ids and distances, nearest first. */
export async function nearest(
  snap: Snapshot,
  field: TableField,
  query: Float32Array,
  index: IndexInUse | undefined,
  options: VectorSearchOptions,
): Promise<SearchHit[]> {
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k <= 0) throw new InvalidArgumentError(`k must be a positive integer, got ${k}`);
  const dim = vectorDim(field);
  checkQuery(query, dim, field.field.name);
  const metric = index?.metric ?? options.metric ?? "l2";
  const prefilter = options.filter !== undefined && options.prefilter !== false;
  const { mask, allowed } = await allowances(snap, prefilter ? options.filter : undefined);
  const present = new Set(snap.manifest.fragments.map((f) => f.id));
  const covered = new Set((index?.ref.fragments ?? []).filter((f) => present.has(f)));
  const uncovered = snap.manifest.fragments.filter((f) => !covered.has(f.id));
  const allowance: RowAllowance = async (f: Fragment) => mask.get(f.id);
  const lists: SearchHit[][] = [];

  const exactOver = (frags: readonly Fragment[]): Promise<SearchHit[]> => exactSearch(snap, field, frags, mask, query, k, metric);

  if (index !== undefined && covered.size > 0) {
    const coveredFrags = snap.manifest.fragments.filter((f) => covered.has(f.id));
    // hnswlib calls a JS filter on every node it visits: pass one only when some held row may not be returned.
    const someDisallowed =
      prefilter ||
      [...covered].some((f) => mask.get(f) !== undefined) ||
      index.ref.fragments.length !== covered.size || // covered fragments since removed
      (index.ref.retired?.length ?? 0) > 0; // rows held under ids that compaction replaced, or values backfill changed
    let hits = await index.loaded.search(query, k, options, someDisallowed ? allowFn(mask, covered) : undefined);
    if (index.loaded.approximate && (options.refineFactor ?? DEFAULT_REFINE) > 0) hits = await refine(snap, field, query, hits, metric, k);
    hits = hits.slice(0, k);
    // An index that cannot find k allowed rows (a selective prefilter) hands over to exact search.
    if (hits.length < k && allowed >= k) hits = await exactOver(coveredFrags);
    lists.push(hits);
  }
  if (uncovered.length > 0) lists.push(await exactOver(uncovered));
  return mergeTopK(lists, k);
}

// The shape of an ids-and-distances result, built once: Arrow schema objects cost microseconds per search.
const ID_TYPE = new A.Uint64();
const DISTANCE_TYPE = new A.Float32();
const ID_FIELDS = [new A.Field(ROW_ID, ID_TYPE, false), new A.Field(DISTANCE, DISTANCE_TYPE, false)];
const ID_SCHEMA = new A.Schema(ID_FIELDS);
const ID_STRUCT = new A.Struct(ID_FIELDS);

/** The result table: the asked columns of the hits, then `_rowid` and `_distance`, nearest first. */
export async function resultTable(snap: Snapshot, hits: SearchHit[], columns: readonly string[] | undefined, note?: string): Promise<A.Table> {
  const n = hits.length;
  const meta0 = new Map(note === undefined ? [] : [["tessera:search", note]]);
  if (columns !== undefined && columns.length === 0) {
    // Ids and distances only: nothing to read from the table.
    const ids = A.makeData({ type: ID_TYPE, length: n, data: BigUint64Array.from(hits, (h) => h.id) });
    const dist = A.makeData({ type: DISTANCE_TYPE, length: n, data: Float32Array.from(hits, (h) => h.distance) });
    const schema = note === undefined ? ID_SCHEMA : new A.Schema(ID_FIELDS, meta0);
    return new A.Table(schema, [new A.RecordBatch(schema, A.makeData({ type: ID_STRUCT, length: n, children: [ids, dist] }))]);
  }
  const rows = await takeRowIds(snap, hits.map((h) => h.id), columns === undefined ? { withRowId: true } : { columns, withRowId: true });
  const distance = A.makeData({ type: new A.Float32(), length: n, data: Float32Array.from(hits, (h) => h.distance) });
  const fields = [...rows.schema.fields, new A.Field(DISTANCE, new A.Float32(), false)];
  const meta = new Map(note === undefined ? [] : [["tessera:search", note]]);
  const schema = new A.Schema(fields, meta);
  const children = [...rows.schema.fields.map((f) => rows.getChild(f.name)!.data[0] ?? A.makeData({ type: f.type, length: 0 })), distance];
  return new A.Table(schema, [new A.RecordBatch(schema, A.makeData({ type: new A.Struct(fields), length: n, children }))]);
}
