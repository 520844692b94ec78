// The public UDF API: `udf(fn, options)`, `udf.class(Cls, options)` and `udf.worker(target, options)` each return a
// callable that turns columns (names or expressions) into an Expr holding a UdfNode.

import { InvalidArgumentError } from "../../format/errors.js";
import { col } from "../expr/builders.js";
import { Expr } from "../expr/expr.js";
import type { ExprNode, UdfNode } from "../expr/node.js";
import { batchSpec, classSpec, type BatchFn, type ClassUdfOptions, type UdfInstance, type UdfOptions, type UdfSpec } from "./spec.js";
import { workerSpec, type WorkerTarget, type WorkerUdfOptions } from "./worker-udf.js";

export type { BatchFn, ClassUdfOptions, UdfInstance, UdfOptions, UdfResult, UdfSpec } from "./spec.js";
export type { WorkerTarget, WorkerUdfOptions } from "./worker-udf.js";
export type { DeadLetter } from "./context.js";
export { UdfError, UdfReturnTypeError, UdfSetupError } from "./errors.js";
export { closeWorkerPools } from "./pool.js";

/** A declared UDF: call it with columns (names or expressions) to get an expression of its result. */
export interface UdfFunction {
  (...args: (Expr | string)[]): Expr;
  /** The UDF's name (in messages, explain() and failure counts). */
  readonly udfName: string;
}

/** `udf` itself and its variants. */
export interface UdfBuilder {
  /**
   * A batch UDF: `fn` gets one Arrow vector per argument (up to `batchSize` rows) and returns a vector or an array.
   * @example const double = udf((v) => v.toArray().map((x: number) => x * 2), { returnType: DataType.float64() });
   *          df.withColumn("d", double("x"))
   */
  (fn: BatchFn, options: UdfOptions): UdfFunction;
  /**
   * A class UDF: `new Cls(...init)` once per process (then `setup()` if it has one), then `call(...columns)` per batch.
   * @example const embed = udf.class(Embedder, { returnType: DataType.embedding(64), init: ["model.onnx"] });
   */
  class<Args extends unknown[]>(Cls: new (...args: Args) => UdfInstance, options: ClassUdfOptions<Args>): UdfFunction;
  /**
   * A batch function or class exported by a module, run on a pool of worker threads (a class: once per worker).
   * @example udf.worker({ module: new URL("./my-udfs.ts", import.meta.url), export: "normalise" }, { returnType: DataType.float32(), workers: 2 })
   */
  worker(target: WorkerTarget, options: WorkerUdfOptions): UdfFunction;
}

function checkOptions(what: string, options: UdfOptions): void {
  if (options === null || typeof options !== "object" || options.returnType === undefined) {
    throw new InvalidArgumentError(`${what} needs options with a returnType, e.g. { returnType: DataType.int32() }`);
  }
  const positive = (k: "batchSize" | "concurrency"): void => {
    const v = options[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new InvalidArgumentError(`${what}: ${k} must be a positive integer, got ${v}`);
  };
  positive("batchSize");
  positive("concurrency");
  const r = options.maxRetries;
  if (r !== undefined && !(Number.isInteger(r) && r >= 0)) throw new InvalidArgumentError(`${what}: maxRetries must be 0 or more, got ${r}`);
  const e = options.onError;
  if (e !== undefined && e !== "raise" && e !== "null" && e !== "dead-letter") {
    throw new InvalidArgumentError(`${what}: onError must be "raise", "null" or "dead-letter", got ${JSON.stringify(e)}`);
  }
}

function callable(spec: UdfSpec): UdfFunction {
  const f = (...args: (Expr | string)[]): Expr => {
    if (args.length === 0) throw new InvalidArgumentError(`udf ${spec.name} needs at least one column argument`);
    const nodes: ExprNode[] = args.map((a, i) => {
      if (typeof a === "string") return col(a).node;
      if (a instanceof Expr) return a.node;
      throw new InvalidArgumentError(`udf ${spec.name}: argument ${i + 1} must be a column name or an expression`);
    });
    const node: UdfNode = Object.freeze({ kind: "udf", udf: spec, args: Object.freeze(nodes) });
    return new Expr(node);
  };
  return Object.assign(f, { udfName: spec.name });
}

function plain(fn: BatchFn, options: UdfOptions): UdfFunction {
  if (typeof fn !== "function") throw new InvalidArgumentError("udf() needs a function of Arrow vectors as its first argument");
  checkOptions("udf()", options);
  return callable(batchSpec(fn, { ...options }));
}

/**
 * Declares a UDF (see UdfBuilder).
 * @example const lengths = udf((s) => s.toArray().map((x: string) => x.length), { returnType: DataType.int32() });
 */
export const udf: UdfBuilder = Object.assign(plain, {
  class<Args extends unknown[]>(Cls: new (...args: Args) => UdfInstance, options: ClassUdfOptions<Args>): UdfFunction {
    if (typeof Cls !== "function") throw new InvalidArgumentError("udf.class() needs a class as its first argument");
    checkOptions("udf.class()", options);
    return callable(classSpec(Cls, { ...options }));
  },
  worker(target: WorkerTarget, options: WorkerUdfOptions): UdfFunction {
    if (target === null || typeof target !== "object" || target.module === undefined) {
      throw new InvalidArgumentError('udf.worker() needs { module: new URL("./file.ts", import.meta.url), export: "name" }');
    }
    checkOptions("udf.worker()", options);
    return callable(workerSpec(target, { ...options }));
  },
});
