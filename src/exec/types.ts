// The contracts between the physical planner and the operators: compiled expressions (closures over batches, typed
// when the plan was built) and the specs blocking operators take. Operators never see Expr trees.

import type * as A from "apache-arrow";

/** An expression bound to an input schema: its output name and type, and how to compute it for a batch. */
export interface CompiledColumn {
  readonly name: string;
  readonly type: A.DataType;
  readonly nullable: boolean;
  /** Top-level input columns it reads. */
  readonly columns: readonly string[];
  /** One value per row of `batch` (length = batch.numRows). */
  run(batch: A.RecordBatch): Promise<A.Vector>;
}

/** Aggregation functions of `agg()` / `groupBy().agg()`. */
export type AggFn =
  | "count" // non-null values of the input
  | "countAll" // rows (count(*))
  | "sum"
  | "mean"
  | "min"
  | "max"
  | "std" // sample standard deviation (ddof 1 unless options.ddof)
  | "var" // sample variance (ddof 1 unless options.ddof)
  | "countDistinct" // distinct non-null values
  | "first" // first value in input order (null included)
  | "last"
  | "list"; // all values (nulls included) in input order, as a list

/** One aggregate output column. */
export interface AggSpec {
  /** Output column name. */
  readonly name: string;
  readonly fn: AggFn;
  /** The aggregated values (absent for countAll). */
  readonly input?: CompiledColumn;
  /** Output type, decided when the plan was built (see src/expr/aggregate-types.ts). */
  readonly type: A.DataType;
  /** Delta degrees of freedom for std/var. Default 1. */
  readonly ddof?: number;
}

/** A sort key: a computed column and its direction. */
export interface SortKey {
  readonly column: CompiledColumn;
  /** Descending. Default false. */
  readonly desc: boolean;
  /** Nulls before other values. Default: false when ascending, true when descending (nulls are "largest"). */
  readonly nullsFirst: boolean;
}

/** Join kinds. */
export type JoinHow = "inner" | "left" | "right" | "outer" | "semi" | "anti";

/** A stream of batches, pulled by its consumer (pulling is the backpressure). */
export type BatchStream = AsyncIterable<A.RecordBatch>;
