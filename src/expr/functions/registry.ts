// Built-in scalar functions by name ("str.lower", "list.sum", later "image.resize"): each declares its result type
// from its arguments' types (checked when the plan is built) and evaluates whole Arrow vectors at a time.
// Namespaces on Expr (str, list, ...) only build `fn` nodes naming these; the compiler looks them up here.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import type { UdfContext } from "../../udf/context.js";

/** A constant argument (a literal in the expression), passed unbroadcast so functions can prepare it once. */
export class ScalarArg {
  constructor(
    readonly value: unknown,
    readonly type: A.DataType,
  ) {}
}

/** An evaluated argument: one value per row, or one constant for all rows. */
export type ArgValue = A.Vector | ScalarArg;

/** What a function knows about an argument when the plan is built. */
export interface ArgInfo {
  readonly type: A.DataType;
  readonly nullable: boolean;
  /** Set when the argument is a literal: its value. */
  readonly literal?: { readonly value: unknown };
  /** Field metadata of the argument (a column's, or what the function producing it declared): logical types. */
  readonly metadata?: ReadonlyMap<string, string>;
}

/** Per-call facts handed to `evaluate`. */
export interface EvalInfo {
  /** Rows in the batch (every vector argument has this length). */
  readonly rows: number;
  /** The result type `returnType` chose. */
  readonly type: A.DataType;
  /** The run's UDF context (failure counts, dead letters) for functions with a per-row onError. */
  readonly context?: UdfContext;
  /** Position of the batch's first row among the rows this compiled expression saw in its run. */
  readonly firstRow?: number;
  /** Aborted when the run stops (an error elsewhere, a limit reached, the user's signal). */
  readonly signal?: AbortSignal;
}

/** A function over columns. `O` is its options object (constants that are not expressions). */
export interface ScalarFunction<O = Record<string, unknown>> {
  /** Full name, namespace first: "str.lower". */
  readonly name: string;
  /**
   * The result type for these arguments; throws an InvalidArgumentError naming the function and the types it got
   * when they do not suit (e.g. `str.lower expects a string, got int32`).
   */
  returnType(args: readonly ArgInfo[], options: O): A.DataType;
  /** The result for every row; null inputs give null unless the function says otherwise. */
  evaluate(args: readonly ArgValue[], options: O, info: EvalInfo): A.Vector | Promise<A.Vector>;
  /**
   * Field metadata of the result (e.g. an image type's format), when it depends on the arguments. Default: the
   * metadata registered for the returned type object (see src/expr/data-type.ts), if any.
   */
  returnMetadata?(args: readonly ArgInfo[], options: O): ReadonlyMap<string, string> | undefined;
  /**
   * Costly per row (network, image decoding, models): the optimizer keeps it out of scans and after filters.
   * Default false.
   */
  readonly expensive?: boolean;
}

const FUNCTIONS = new Map<string, ScalarFunction<never>>();

/** Adds functions to the registry (modules of each namespace call this once when loaded). */
export function registerFunctions(...fns: ScalarFunction<never>[]): void {
  for (const f of fns) {
    if (FUNCTIONS.has(f.name)) throw new Error(`function ${f.name} registered twice`);
    FUNCTIONS.set(f.name, f);
  }
}

/** The function called `name`; an unknown name is a bug in a namespace, reported as such. */
export function getFunction(name: string): ScalarFunction<Record<string, unknown>> {
  const f = FUNCTIONS.get(name);
  if (f === undefined) throw new InvalidArgumentError(`unknown function "${name}"`);
  return f as unknown as ScalarFunction<Record<string, unknown>>;
}

/** Names of all registered functions (for docs and error hints). */
export function functionNames(): string[] {
  return [...FUNCTIONS.keys()].sort();
}
