// The Table users get: the versioned table of format/ plus vector indexes and search. Loaded indexes are cached per
// table handle (and shared with its checkouts' handles of the same files).

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../format/errors.js";
import type { IndexRef } from "../format/table/manifest.js";
import { takeRowIds, type Snapshot } from "../format/table/read.js";
import { Table as VersionedTable, type FilterInput } from "../format/table/table.js";
import type { Metric } from "./distance.js";
import type { SearchHit } from "./top-k.js";
import { INDEX_KINDS, type LoadedIndex } from "./kinds.js";
import { indexInfo, prepareCreateIndex, prepareDropIndex, prepareOptimize, type CreateIndexOptions, type IndexInfo, type OptimizeIndicesOptions } from "./manage.js";
import { nearest, resultTable, vectorColumn, type IndexInUse, type VectorSearchOptions } from "./search.js";
import { vectorDim } from "./vectors.js";

/** Options for `Table.search`. */
export interface SearchOptions extends Omit<VectorSearchOptions, "filter"> {
  /** SQL-like text (or a prepared RowFilter) restricting the results. */
  filter?: FilterInput;
}

const loadedIndexes = new Map<string, Promise<LoadedIndex>>();

/** Drops every loaded index from memory (they are read again from storage when next used). */
export function forgetLoadedIndexes(): void {
  loadedIndexes.clear();
}

/** A versioned table with vector indexes and search. */
export class Table extends VersionedTable {
  /** The loaded index of `ref` (read once per process per index directory). */
  private loadIndex(ref: IndexRef, dim: number): Promise<LoadedIndex> {
    const key = `${this.uri}|${ref.path}`;
    let p = loadedIndexes.get(key);
    if (p === undefined) {
      const kind = INDEX_KINDS[ref.type];
      if (kind === undefined) throw new InvalidArgumentError(`index "${ref.name}" has unknown type "${ref.type}"; upgrade Tessera`);
      p = kind.load(this.io.store, ref.path, dim, (ref.detail?.metric as Metric | undefined) ?? "l2");
      p.catch(() => loadedIndexes.delete(key));
      loadedIndexes.set(key, p);
    }
    return p;
  }

  private async indexFor(snap: Snapshot, fieldId: number, dim: number): Promise<IndexInUse | { metric: Metric } | undefined> {
    const ref = snap.manifest.indices.find((i) => i.fieldId === fieldId && i.type !== "flat");
    if (ref !== undefined) {
      return { ref, loaded: await this.loadIndex(ref, dim), metric: (ref.detail?.metric as Metric | undefined) ?? "l2" };
    }
    const flat = snap.manifest.indices.find((i) => i.fieldId === fieldId);
    return flat === undefined ? undefined : { metric: (flat.detail?.metric as Metric | undefined) ?? "l2" };
  }

  /** Builds an index over a vector column from its live rows, and commits it. */
  async createIndex(column: string, options: CreateIndexOptions): Promise<void> {
    this.writable("createIndex");
    const snap = this.snapshot();
    const { op, loaded, ref } = await prepareCreateIndex(snap, snap.schema.get(column), options);
    await this.commitOp(op);
    if (loaded !== undefined) loadedIndexes.set(`${this.uri}|${ref.path}`, Promise.resolve(loaded));
  }

  /** The indexes of this version. */
  async listIndices(): Promise<IndexInfo[]> {
    return indexInfo(this.snapshot());
  }

  async dropIndex(name: string): Promise<void> {
    this.writable("dropIndex");
    await this.commitOp(prepareDropIndex(this.snapshot(), name));
  }

  /** Extends every index to the fragments appended since it was built (no retraining). */
  async optimizeIndices(options: OptimizeIndicesOptions = {}): Promise<void> {
    this.writable("optimizeIndices");
    for (const ref of this.snapshot().manifest.indices) {
      const snap = this.snapshot();
      const current = snap.manifest.indices.find((i) => i.name === ref.name);
      if (current === undefined || current.type === "flat") continue;
      const field = snap.schema.fields.find((f) => f.id === current.fieldId);
      if (field === undefined) continue;
      const loaded = await this.loadIndex(current, vectorDim(field));
      // An HNSW graph is extended in memory: from here on, searches of versions naming the old directory (checkouts,
      // other handles) load it again from its files rather than see a graph half changed, or changed and then failed.
      const key = `${this.uri}|${current.path}`;
      loadedIndexes.delete(key);
      const next = await prepareOptimize(snap, current, loaded, options);
      if (next === undefined) {
        loadedIndexes.set(key, Promise.resolve(loaded)); // nothing to do: it was left as it was
        continue;
      }
      await this.commitOp(next.op);
      loadedIndexes.set(`${this.uri}|${next.ref.path}`, Promise.resolve(next.loaded));
    }
  }

  /**
   * The k rows nearest to `vector` in a vector column: the asked columns plus `_rowid` and `_distance`, nearest
   * first. Uses the column's index for the fragments it covers and exact search for the rest.
   */
  async search(vector: Float32Array | readonly number[], options: SearchOptions = {}): Promise<A.Table> {
    const query = vector instanceof Float32Array ? vector : Float32Array.from(vector);
    const snap = this.snapshot();
    const field = vectorColumn(snap.schema, options.column);
    const found = await this.indexFor(snap, field.id, vectorDim(field));
    const index = found !== undefined && "ref" in found ? found : undefined;
    const metric = found?.metric ?? options.metric;
    const { filter: filterInput, ...rest } = options;
    const filter = this.filter(filterInput);
    const base = metric === undefined ? rest : { ...rest, metric };
    if (filter !== undefined && options.prefilter === false) {
      const hits = await nearest(snap, field, query, index, base);
      const kept = await postFilter(snap, hits, filter);
      const note = `postfilter: the filter ran after the search and kept ${kept.length} of ${hits.length} rows; use prefilter for k rows`;
      return resultTable(snap, kept, options.columns, note);
    }
    const hits = await nearest(snap, field, query, index, filter === undefined ? base : { ...base, filter });
    return resultTable(snap, hits, options.columns);
  }
}

/** The hits whose rows match `filter`, in order. */
async function postFilter(snap: Snapshot, hits: SearchHit[], filter: NonNullable<VectorSearchOptions["filter"]>): Promise<SearchHit[]> {
  if (hits.length === 0) return hits;
  // A filter reading no column still needs a batch that knows its row count (see format/table/read.ts).
  const columns = filter.columns.length > 0 ? filter.columns : [snap.schema.fields[0]!.field.name];
  const rows = await takeRowIds(snap, hits.map((h) => h.id), { columns });
  const keep = new Set(filter.select(rows.batches[0]!));
  return hits.filter((_, i) => keep.has(i));
}
