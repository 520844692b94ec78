// What a UDF is once declared: its options and a way to get the function to call on a batch of columns. Plain
// functions are called as they are; class UDFs build their instance on first use and keep it (once per process);
// worker UDFs (worker-udf.ts) return a function that ships the columns to a pool.

import type * as A from "apache-arrow";
import type { UdfSpecLike } from "../expr/node.js";
import { messageOf, UdfSetupError } from "./errors.js";
import type { UdfResult } from "./values.js";

export type { UdfResult } from "./values.js";

/** A batch function: one Arrow vector per argument, all of the same length; returns one value per row. */
export type BatchFn = (...columns: A.Vector[]) => UdfResult | Promise<UdfResult>;

/** Options of `udf()`, `udf.class()` and `udf.worker()`. */
export interface UdfOptions {
  /** The type of the values returned; a value of another type fails the query, it is never converted silently. */
  returnType: A.DataType;
  /**
   * Rows per call at most. Default: the engine's batch as it comes (65 536 rows unless the run says otherwise).
   * Larger batches are split; smaller ones are not merged.
   */
  batchSize?: number;
  /** Calls of one batch in flight at once (for async functions, or workers). Default 1 (workers: `workers * 2`). */
  concurrency?: number;
  /**
   * What a failing call does. "raise" (default): fail the query, naming the UDF, the row and its input. "null": the
   * rows that fail get null, the others keep their values. "dead-letter": as "null", and each failed row is reported
   * (`collectReport().deadLetters`, `RunOptions.onDeadLetter`). To find the failing rows a failed call is split in
   * halves and retried until single rows fail, so the function may see some rows more than once.
   */
  onError?: "raise" | "null" | "dead-letter";
  /** Retries of a failed async call, with exponential backoff from 50 ms (×2 each time, jittered, capped at 5 s). Default 0. */
  maxRetries?: number;
  /** Name for messages, explain() and failure counts. Default the function's, class's or export's name. */
  name?: string;
}

/** A class UDF's instance: set up once, then called per batch. */
export interface UdfInstance {
  /** Called with one vector per argument; returns one value per row. */
  call(...columns: A.Vector[]): UdfResult | Promise<UdfResult>;
  /** Optional async set-up (load a model), awaited once before the first call. */
  setup?(): void | Promise<void>;
}

/** Options of `udf.class()`: how to construct the instance. */
export interface ClassUdfOptions<Args extends unknown[] = unknown[]> extends UdfOptions {
  /** Constructor arguments. Default none. */
  init?: Args;
}

/** A UDF as the planner stores it in an expression (the `udf` of a UdfNode). */
export interface UdfSpec extends UdfSpecLike {
  readonly options: Readonly<UdfOptions>;
  /** Calls of one batch in flight at once, resolved from the options. */
  readonly concurrency: number;
  /** The function to call; for class UDFs created on first use and reused. */
  resolve(): Promise<BatchFn>;
}

/** Whether a UdfNode's spec came from this module (the planner only knows UdfSpecLike). */
export function isUdfSpec(s: UdfSpecLike): s is UdfSpec {
  return typeof (s as Partial<UdfSpec>).resolve === "function" && typeof (s as Partial<UdfSpec>).options === "object";
}

/** A spec for a plain batch function. */
export function batchSpec(fn: BatchFn, options: UdfOptions): UdfSpec {
  const resolved = Promise.resolve(fn);
  return Object.freeze({
    name: options.name ?? (fn.name || "udf"),
    returnType: options.returnType,
    options,
    concurrency: Math.max(1, options.concurrency ?? 1),
    resolve: () => resolved,
  });
}

/** A spec for a class UDF: `new Cls(...init)` (then `setup()`) once per process, then its `call` method. */
export function classSpec<Args extends unknown[]>(Cls: new (...args: Args) => UdfInstance, options: ClassUdfOptions<Args>): UdfSpec {
  const name = options.name ?? Cls.name;
  let instance: Promise<BatchFn> | undefined;
  const create = async (): Promise<BatchFn> => {
    let obj: UdfInstance;
    try {
      obj = new Cls(...((options.init ?? []) as Args));
      await obj.setup?.();
    } catch (err) {
      throw new UdfSetupError(`udf.class(${name}) could not be set up: ${messageOf(err)}`, { cause: err });
    }
    if (typeof obj.call !== "function") throw new UdfSetupError(`udf.class(${name}): instances need a call(...columns) method`);
    return (...cols: A.Vector[]) => obj.call(...cols);
  };
  const resolve = (): Promise<BatchFn> => {
    // A failed set-up is not kept: the next run tries again (the model file may have appeared).
    instance ??= create().catch((err: unknown) => {
      instance = undefined;
      throw err;
    });
    return instance;
  };
  return Object.freeze({ name, returnType: options.returnType, options, concurrency: Math.max(1, options.concurrency ?? 1), resolve });
}
