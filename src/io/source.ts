// What the engine reads from: a source knows its schema before any row is read (so plans are checked when built)
// and streams record batches, applying the pushdowns it supports. Readers (json, csv, parquet, glob, table, arrow)
// each implement this; the optimizer asks `supports` before pushing anything into a scan.

import type * as A from "apache-arrow";
import type { Expr as FilterExpr } from "../../format/expr/ast.js";

/** What a scan is asked to do besides reading everything. */
export interface ScanPushdown {
  /** Read only these top-level columns, in this order. Absent: all, in schema order. */
  readonly columns?: readonly string[];
  /**
   * Rows to keep, as a format/expr tree over the source's columns. With `supports.filter === "exact"` only matching
   * rows come out; with "prune" the source may skip units (row groups, pages) statistics rule out and the engine
   * still applies the filter after the scan.
   */
  readonly filter?: FilterExpr;
  /** Stop after this many rows (applied after the filter). */
  readonly limit?: number;
}

/** How much of a pushdown a source honours. */
export interface SourceCapabilities {
  /** Column pruning: reads fewer bytes (columnar formats) or only drops columns early (row formats). */
  readonly projection: boolean;
  /** "exact": applies the filter fully; "prune": skips what statistics rule out; "none": ignores it. */
  readonly filter: "exact" | "prune" | "none";
  /** Honours `limit` (stops reading early). */
  readonly limit: boolean;
}

/** Options every scan takes. */
export interface ScanContext {
  /** Rows per batch the engine would like (a hint; sources may produce smaller or larger batches). */
  readonly batchSize: number;
  /** Aborted when the consumer stops early (a limit was reached, an error elsewhere). */
  readonly signal?: AbortSignal;
}

/** A readable source of record batches with a known schema. */
export interface ScanSource {
  /** Short kind for explain(), e.g. "Parquet", "Json", "Table". */
  readonly kind: string;
  /** What explain() prints after the kind, e.g. the path or URI and version. */
  readonly description: string;
  /** The schema of every batch `scan` yields when no projection is pushed. */
  readonly schema: A.Schema;
  readonly supports: SourceCapabilities;
  /** Row count when known without reading (table manifests, Parquet footers), for planning. */
  readonly rowCount?: number;
  /** Streams batches whose schema is `schema` restricted to `pushdown.columns` (in that order). */
  scan(pushdown: ScanPushdown, context: ScanContext): AsyncIterable<A.RecordBatch>;
}

/** Where a writer puts a stream of batches. */
export interface WriteSummary {
  /** Where the data went (a path, a table URI). */
  readonly uri: string;
  readonly rows: number;
  /** Bytes written, when the writer knows them. */
  readonly bytes?: number;
  /** Table version created, for table writes. */
  readonly version?: number;
}
