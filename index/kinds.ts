// The index kinds behind createIndex({ type }): each builds from vector chunks, saves under a directory of the
// table, loads, extends with rows of new fragments, and searches with a row filter. One entry per kind.

import type { ObjectStore } from "../format/store/object-store.js";
import type { Metric } from "./distance.js";
import { HnswIndex, type SearchHit } from "./hnsw.js";
import type { VectorChunk } from "./vectors.js";

/** Query-time knobs; each kind uses the ones that apply. */
export interface SearchKnobs {
  /** HNSW: candidates kept while searching (≥ k). */
  ef?: number;
  /** IVF-PQ: partitions probed. */
  nprobes?: number;
  /** IVF-PQ: candidates re-ranked exactly = k × refineFactor. */
  refineFactor?: number;
}

/** An index ready to search. */
export interface LoadedIndex {
  readonly rows: number;
  /** Nearest allowed rows; distances may be approximate (the caller refines when the kind asks it to). */
  search(query: Float32Array, k: number, knobs: SearchKnobs, allow: (id: bigint) => boolean): Promise<SearchHit[]>;
  /** True when distances are approximate and should be recomputed exactly for the final ranking. */
  readonly approximate: boolean;
  /** Adds rows of new fragments. */
  add(chunks: AsyncIterable<VectorChunk>): Promise<void>;
  save(store: ObjectStore, dir: string): Promise<void>;
}

/** How one kind of index is built and loaded. */
export interface IndexKind {
  build(chunks: () => AsyncIterable<VectorChunk>, dim: number, metric: Metric, params: Record<string, unknown>): Promise<LoadedIndex>;
  load(store: ObjectStore, dir: string, dim: number, metric: Metric): Promise<LoadedIndex>;
}

function hnswLoaded(index: HnswIndex): LoadedIndex {
  return {
    get rows() {
      return index.rows;
    },
    approximate: false,
    async search(query, k, knobs, allow) {
      return index.search(query, k, knobs.ef ?? Math.max(40, 2 * k), allow);
    },
    add: (chunks) => index.add(chunks),
    save: (store, dir) => index.save(store, dir),
  };
}

const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

export const INDEX_KINDS: Record<string, IndexKind> = {
  hnsw: {
    async build(chunks, dim, metric, params) {
      const p: { m?: number; efConstruction?: number; seed?: number } = {};
      if (num(params.m) !== undefined) p.m = num(params.m)!;
      if (num(params.efConstruction) !== undefined) p.efConstruction = num(params.efConstruction)!;
      if (num(params.seed) !== undefined) p.seed = num(params.seed)!;
      return hnswLoaded(await HnswIndex.build(chunks(), dim, metric, p));
    },
    async load(store, dir, dim, metric) {
      return hnswLoaded(await HnswIndex.load(store, dir, dim, metric));
    },
  },
};
