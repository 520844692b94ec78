// What one url expression keeps while it runs: the limit on requests in flight shared by all its batches, the
// stores it opened, its row count (rows are numbered across batches) and its failures. Keyed by the expression's
// options object, which every batch of every run of that expression shares (the optimizer keeps it when it
// rebuilds nodes), so concurrent batches draw on one limit.

import type { ObjectStore } from "../../../format/store/object-store.js";
import type { EvalInfo } from "../../expr/functions/registry.js";
import { Slots } from "../../udf/bounded.js";
import { countFailure, type UdfContext } from "../../udf/context.js";
import { statusOf, UrlError, UrlSetupError, type UrlFunctionName } from "./errors.js";
import type { UrlOnError } from "./options.js";

/**
 * Facts of the run that `evaluate` would need and EvalInfo does not carry yet: the run's UDF context (failure
 * counts, dead letters), the position of the batch's first row and the run's abort signal. Read when present.
 */
export interface RunFacts {
  readonly context?: UdfContext;
  readonly firstRow?: number;
  readonly signal?: AbortSignal;
}

/** The state of one url expression. */
export interface UrlState<C> {
  readonly config: C;
  /** At most `maxConnections` requests in flight over every batch and run of the expression. */
  readonly slots: Slots;
  /** Open stores by root URI (s3://bucket, memory://name, the upload prefix). */
  readonly stores: Map<string, Promise<ObjectStore>>;
  /** Rows seen per run (keyed by the run's context; `this` when there is none) when no firstRow is given. */
  readonly rowsSeen: WeakMap<object, number>;
  /** Failed rows over the expression's life (kept locally while functions get no run context). */
  failures: number;
}

const STATES = new WeakMap<object, UrlState<unknown>>();

/** The state of the expression whose options object this is; `config` builds its config on first use. */
export function stateOf<C extends { readonly maxConnections: number }>(options: object, config: (o: object) => C): UrlState<C> {
  let s = STATES.get(options) as UrlState<C> | undefined;
  if (s === undefined) {
    const c = config(options);
    s = { config: c, slots: new Slots(c.maxConnections), stores: new Map(), rowsSeen: new WeakMap(), failures: 0 };
    STATES.set(options, s as UrlState<unknown>);
  }
  return s;
}

/** Failed rows of the expression with these options so far, over all its runs (what the run context would count). */
export function failuresOf(options: object): number {
  return STATES.get(options)?.failures ?? 0;
}

export function runFacts(info: EvalInfo): RunFacts {
  return info as EvalInfo & RunFacts;
}

/** The position of this batch's first row among the rows the expression saw in its run. */
export function claimRows(state: UrlState<unknown>, facts: RunFacts, rows: number): number {
  if (facts.firstRow !== undefined) return facts.firstRow;
  const key = facts.context ?? state;
  const base = state.rowsSeen.get(key) ?? 0;
  state.rowsSeen.set(key, base + rows);
  return base;
}

/**
 * Handles one row's failure as onError says: "raise" throws a UrlError naming the row and URL; "null" counts it;
 * "dead-letter" counts and reports it. Every mode counts (as UDFs do). A setup error fails the query in every mode.
 */
export function failRow(
  state: UrlState<unknown>,
  facts: RunFacts,
  onError: UrlOnError,
  fn: UrlFunctionName,
  row: number,
  url: string,
  err: unknown,
): void {
  if (err instanceof UrlSetupError) throw err;
  const status = statusOf(err);
  const error = err instanceof UrlError ? err : new UrlError(status === undefined ? { fn, row, url } : { fn, row, url, status }, err);
  state.failures++;
  if (facts.context !== undefined) countFailure(facts.context, fn);
  if (onError === "raise") throw error;
  if (onError === "dead-letter") facts.context?.deadLetter?.({ udf: fn, row, input: url, error: error.message });
}
