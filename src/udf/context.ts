// What UDFs report while a query runs: failures per UDF and, with onError "dead-letter", the failed rows with their
// error, which the user gets from `collectReport()` (or as they happen through RunOptions.onDeadLetter).

/** One row a UDF failed on. */
export interface DeadLetter {
  /** The UDF's name. */
  readonly udf: string;
  /**
   * The row's position among the rows this UDF saw in the run (0-based, across batches). Behind a filter this is
   * not the source row; `input` identifies the row.
   */
  readonly row: number;
  /** The input value; for a UDF of several columns, the array of its values. */
  readonly input: unknown;
  /** The error message. */
  readonly error: string;
}

/** Shared by every compiled expression of one execution. */
export interface UdfContext {
  /** Receives each dead letter (onError "dead-letter"). */
  deadLetter?: (letter: DeadLetter) => void;
  /** Failed rows per UDF name (every onError mode counts; "raise" counts the one failure it stops on). */
  failures?: Map<string, number>;
  /** The run's abort signal (network functions stop early). */
  signal?: AbortSignal;
}

/** Counts `rows` failures of `udf`. */
export function countFailure(ctx: UdfContext, udf: string, rows = 1): void {
  ctx.failures?.set(udf, (ctx.failures.get(udf) ?? 0) + rows);
}
