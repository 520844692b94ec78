// Runs inside a pool worker thread: loads the UDF's module export (a batch function, or a class whose instance is
// made once per worker and kept), calls it on the columns that arrived as IPC bytes, and sends the checked result
// back the same way. Contract failures (set-up, return type) come back as data so the caller can tell them apart.

import type * as A from "apache-arrow";
import Tinypool from "tinypool";
import { UdfReturnTypeError, messageOf } from "./errors.js";
import { bufferToColumns, columnsToBuffer, typeFromBytes } from "./ipc.js";
import type { BatchFn, UdfInstance } from "./spec.js";
import { resultToVector } from "./values.js";

/** One batch for a worker. */
export interface WorkerTask {
  /** Identifies the UDF declaration: instances and types are cached under it. */
  readonly key: string;
  /** The module's URL (file:) or a package specifier. */
  readonly module: string;
  readonly export: string;
  /** Constructor arguments of a class export (structured-cloned). */
  readonly init: readonly unknown[];
  readonly name: string;
  /** The return type as IPC schema bytes (see ipc.ts). */
  readonly returnType: Uint8Array;
  /** The argument columns as an IPC stream (transferred). */
  readonly args: ArrayBuffer;
}

/** The result as an IPC stream (transferred), or a contract failure. */
export type WorkerReply = ArrayBuffer | { readonly contract: "setup" | "returnType"; readonly message: string };

class SetupFailure extends Error {}

const loaded = new Map<string, Promise<BatchFn>>();
const types = new Map<string, A.DataType>();

type Ctor = new (...args: unknown[]) => UdfInstance;

function isClass(f: Function): f is Ctor {
  return /^class[\s{]/.test(Function.prototype.toString.call(f)) || typeof (f.prototype as { call?: unknown } | undefined)?.call === "function";
}

async function load(task: WorkerTask): Promise<BatchFn> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(task.module)) as Record<string, unknown>;
  } catch (err) {
    throw new SetupFailure(`cannot load module ${task.module}: ${messageOf(err)}`);
  }
  const exp = mod[task.export];
  if (typeof exp !== "function") {
    const names = Object.keys(mod).filter((k) => typeof mod[k] === "function");
    throw new SetupFailure(`${task.module} has no function or class export "${task.export}"; its function exports are ${names.join(", ") || "none"}`);
  }
  if (!isClass(exp)) return exp as BatchFn;
  let obj: UdfInstance;
  try {
    obj = new exp(...task.init);
    await obj.setup?.();
  } catch (err) {
    throw new SetupFailure(`class ${task.export} could not be set up: ${messageOf(err)}`);
  }
  if (typeof obj.call !== "function") throw new SetupFailure(`class ${task.export} needs a call(...columns) method`);
  return (...cols: A.Vector[]) => obj.call(...cols);
}

function resolve(task: WorkerTask): Promise<BatchFn> {
  let fn = loaded.get(task.key);
  if (fn === undefined) {
    fn = load(task);
    loaded.set(task.key, fn);
    // A failed load is forgotten so a later task (or run) tries again.
    fn.catch(() => loaded.delete(task.key));
  }
  return fn;
}

/** The tinypool handler: one task in, one reply out. */
export default async function runTask(task: WorkerTask): Promise<unknown> {
  let fn: BatchFn;
  try {
    fn = await resolve(task);
  } catch (err) {
    if (err instanceof SetupFailure) return { contract: "setup", message: err.message } satisfies WorkerReply;
    throw err;
  }
  let type = types.get(task.key);
  if (type === undefined) types.set(task.key, (type = typeFromBytes(task.returnType)));
  const cols = bufferToColumns(task.args);
  const rows = cols[0]?.length ?? 0;
  const result = await fn(...cols);
  try {
    return Tinypool.move(columnsToBuffer([resultToVector(result, rows, type, `udf ${task.name}`)]));
  } catch (err) {
    if (err instanceof UdfReturnTypeError) return { contract: "returnType", message: err.message } satisfies WorkerReply;
    throw err;
  }
}
