// The errors UDFs raise. A failure of the user's function on some rows (UdfError) is data-dependent and obeys
// onError; a wrong return type or a UDF that cannot be set up is a bug in the UDF, so it always fails the query.

import { InvalidArgumentError, type ErrorContext } from "../../format/errors.js";

/** Where a UDF failed: the UDF, the row (counted over the rows it saw in this run) and the input there. */
export interface UdfFailure {
  readonly udf: string;
  readonly row: number;
  /** The input value; for a UDF of several columns, the array of its values. Absent when a range failed. */
  readonly input?: unknown;
}

/**
 * The user's function threw (or its promise rejected) and onError is "raise".
 * @example try { await df.collect() } catch (e) { if (e instanceof UdfError) console.log(e.udf, e.row, e.input) }
 */
export class UdfError extends InvalidArgumentError {
  readonly udf: string;
  readonly row: number;
  readonly input: unknown;

  constructor(message: string, failure: UdfFailure, context: ErrorContext = {}) {
    super(message, context);
    this.udf = failure.udf;
    this.row = failure.row;
    this.input = failure.input;
  }
}

/** A UDF returned values of another type than its declared returnType (or the wrong number of values). */
export class UdfReturnTypeError extends InvalidArgumentError {}

/** A UDF could not be set up: its module, export or constructor failed. Not retried, not nulled. */
export class UdfSetupError extends InvalidArgumentError {}

/** Failures that are the UDF's own bug rather than a bad row: onError, retries and row isolation skip them. */
export function isContractError(err: unknown): boolean {
  return err instanceof UdfReturnTypeError || err instanceof UdfSetupError;
}

/** The message of anything thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
