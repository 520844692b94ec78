// Worker UDFs: CPU-heavy batch functions run on a pool of worker threads. Closures cannot move to a worker, so the
// UDF names a module and an export (a batch function, or a class made once per worker); checked when declared.

import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, isAbsolute } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as A from "apache-arrow";
import { InvalidArgumentError, NotFoundError } from "../../format/errors.js";
import { typeToBytes } from "./ipc.js";
import { workerFilename, workerPool } from "./pool.js";
import type { BatchFn, UdfOptions, UdfSpec } from "./spec.js";
import type { WorkerTask } from "./worker-entry.js";

/** Where a worker UDF lives. */
export interface WorkerTarget {
  /** The module: `new URL("./my-udfs.ts", import.meta.url)`, an absolute path, or a package name. */
  module: URL | string;
  /** The export: a batch function `(...columns) => vector | array`, or a class with `call(...columns)`. Default "default". */
  export?: string;
}

/** Options of `udf.worker()`. */
export interface WorkerUdfOptions extends UdfOptions {
  /** Worker threads of the pool. Default: the machine's available parallelism. */
  workers?: number;
  /** Constructor arguments of a class export (copied to each worker, so plain data only). Default none. */
  init?: readonly unknown[];
}

function moduleHref(module: URL | string): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (module.startsWith(".")) {
    throw new InvalidArgumentError(
      `udf.worker: module "${module}" is relative, and workers have no base to resolve it against: pass new URL("${module}", import.meta.url) or an absolute path`,
    );
  }
  return module; // a package name, resolved by the worker
}

let serial = 0;

/** A spec whose calls run on the shared pool for `target`. */
export function workerSpec(target: WorkerTarget, options: WorkerUdfOptions): UdfSpec {
  const href = moduleHref(target.module);
  if (href.startsWith("file:") && !existsSync(fileURLToPath(href))) {
    throw new NotFoundError(`udf.worker: no module at ${fileURLToPath(href)}; check the path (new URL(..., import.meta.url) resolves against the calling file)`, { uri: href });
  }
  workerFilename(href); // TypeScript without tsx fails here, not on the first batch
  const exportName = target.export ?? "default";
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new InvalidArgumentError(`udf.worker: workers must be a positive integer, got ${workers}`);
  const init = options.init ?? [];
  try {
    structuredClone(init);
  } catch (err) {
    throw new InvalidArgumentError(`udf.worker: init arguments must be plain data that can be copied to a worker thread`, { cause: err });
  }
  const name = options.name ?? (exportName === "default" ? basename(href).replace(/\.[^.]*$/, "") : exportName);
  const task: Omit<WorkerTask, "args"> = {
    key: `${href}#${exportName}#${++serial}`,
    module: href,
    export: exportName,
    init,
    name,
    returnType: typeToBytes(options.returnType),
  };
  // The pool is looked up per call, so a pool closed between runs is made again.
  const fn: BatchFn = (...cols: A.Vector[]) => workerPool(href, exportName, workers).run(task, cols);
  const resolved = Promise.resolve(fn);
  return Object.freeze({
    name,
    returnType: options.returnType,
    options,
    concurrency: Math.max(1, options.concurrency ?? workers * 2),
    resolve: () => resolved,
  });
}
