// The shape every system in the vector benchmark has: the base vectors written (or added) once, at most one vector
// index built over them (timed once), then asked for the k nearest rows to one query at a time under some knobs.

import type * as arrow from "apache-arrow";

/** Query-time knobs; each index uses the ones that apply (as Tessera's SearchKnobs and LanceDB's VectorQuery). */
export interface Knobs {
  /** HNSW: candidates kept while searching. */
  ef?: number;
  /** IVF: partitions probed. */
  nprobes?: number;
  /** IVF-PQ: k × refineFactor candidates re-ranked with exact distances. */
  refineFactor?: number;
}

/** What a search returned; `rows()` is called outside the timed part. */
export interface Found {
  /** Base row numbers (0-based position in the base vectors), nearest first. */
  rows(): number[];
}

/** One system with one index kind over the base vectors. */
export interface VectorSide {
  /** "tessera", "lancedb" or "hnswlib". */
  readonly system: string;
  /** "flat" (no index), "hnsw", "ivf_pq", "ivf_hnsw_sq". */
  readonly index: string;
  /** A short label of the variant when a system has several of one kind (e.g. the fragment layout). */
  readonly variant?: string;
  /** Build parameters as printed, e.g. "m=16 efConstruction=100". */
  readonly params: string;
  /** Time to build the index in ms; 0 without one. */
  readonly buildMs: number;
  /** Untimed: anything a client would prepare once per query (hnswlib wants number[] vectors). */
  prepare?(queries: readonly Float32Array[]): void;
  /** The k nearest rows to query number `i` (`query` itself); timed. */
  search(query: Float32Array, i: number, k: number, knobs: Knobs): Promise<Found>;
  close(): Promise<void>;
}

/** The base vectors as one contiguous Float32Array (copied when the table has several batches). */
export function vectorsOf(table: arrow.Table, column = "vector"): { vectors: Float32Array; dim: number } {
  const type = table.schema.fields.find((f) => f.name === column)!.type as arrow.FixedSizeList;
  const dim = type.listSize;
  const out = new Float32Array(table.numRows * dim);
  let at = 0;
  for (const d of table.getChild(column)!.data) {
    // Arrow slices a fixed-size list's child values along with it: they start at the first row's first float.
    out.set((d.children[0]!.values as Float32Array).subarray(0, d.length * dim), at);
    at += d.length * dim;
  }
  return { vectors: out, dim };
}
