// What one execution of a plan shares: batch size, cancellation, UDF failure reporting and progress callbacks.

import type { UdfContext } from "../udf/context.js";

/** Rows processed so far by one stage of the plan. */
export interface ProgressEvent {
  /** The operator, as explain() names it, with its position: "Project#2". */
  readonly stage: string;
  readonly rows: number;
  /** Set on the last event of a stage. */
  readonly done?: boolean;
}

/** Options of a run; every field has a default. */
export interface ExecOptions {
  /** Rows per batch asked of sources. Default 65 536. */
  batchSize?: number;
  /** Batches a stage may read ahead of its consumer (bounded channels). Default 2. */
  readAhead?: number;
  /** Called as stages produce rows (at most every ~100 ms per stage, and when a stage ends). */
  onProgress?: (event: ProgressEvent) => void;
  /** Stops the run when aborted. */
  signal?: AbortSignal;
}

/** The resolved options plus the UDF context of one run. */
export interface ExecContext {
  readonly batchSize: number;
  readonly readAhead: number;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
  readonly udf: UdfContext;
}

export const DEFAULT_BATCH_SIZE = 65_536;

export function execContext(options: ExecOptions = {}, udf: UdfContext = {}): ExecContext {
  return {
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    readAhead: options.readAhead ?? 2,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    udf: options.signal && udf.signal === undefined ? { ...udf, signal: options.signal } : udf,
  };
}
