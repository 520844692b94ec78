// Worker-thread pools for worker UDFs (tinypool): one per module + export + size, created on the first batch,
// bounded to `workers * 2` batches in flight, unref'd when idle (so they never hold the process open), closed after
// 30 s without work and before the process exits.
//
// Why a bootstrap: on Node 20 a worker does not run the parent's `--import tsx`, even though it inherits execArgv
// (a .ts module fails with ERR_UNKNOWN_FILE_EXTENSION). When the entry or the UDF module is TypeScript, workers
// load a tiny data: module that registers tsx's loader in the worker itself and then imports the real entry.
// Compiled .js code needs no bootstrap and no tsx.

import type * as A from "apache-arrow";
import Tinypool from "tinypool";
import { NotSupportedError } from "../../format/errors.js";
import { Slots } from "./bounded.js";
import { messageOf, UdfReturnTypeError, UdfSetupError } from "./errors.js";
import { bufferToColumns, columnsToBuffer } from "./ipc.js";
import type { WorkerReply, WorkerTask } from "./worker-entry.js";

const TS_FILE = /\.[cm]?tsx?$/;

/** How long a pool with no batch in flight keeps its threads. */
const IDLE_MS = 30_000;

/** The worker entry beside this file, with this file's extension (.ts under tsx, .js once compiled). */
function entryHref(): string {
  const ext = new URL(import.meta.url).pathname.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./worker-entry${ext}`, import.meta.url).href;
}

const isTypeScript = (href: string): boolean => href.startsWith("file:") && TS_FILE.test(new URL(href).pathname);

/**
 * What tinypool imports in each worker: the entry itself, or a bootstrap that first enables TypeScript. Throws
 * NotSupportedError when TypeScript is needed and tsx cannot be found (udf.worker calls it to fail when declared).
 */
export function workerFilename(moduleHref: string): string {
  const entry = entryHref();
  if (!isTypeScript(entry) && !isTypeScript(moduleHref)) return entry;
  let api: string;
  try {
    api = import.meta.resolve("tsx/esm/api");
  } catch (err) {
    throw new NotSupportedError(
      `worker UDF ${moduleHref} needs TypeScript support in worker threads: install tsx (npm i -D tsx), or compile the module to .js`,
      { cause: err },
    );
  }
  const code = [
    `import { register } from ${JSON.stringify(api)};`,
    `register();`,
    `const entry = await import(${JSON.stringify(entry)});`,
    `export default entry.default;`,
  ].join("\n");
  return `data:text/javascript,${encodeURIComponent(code)}`;
}

/** A tinypool plus the bound on batches in flight (serialized batches wait for a slot, so memory stays bounded). */
export class WorkerPool {
  private readonly pool: Tinypool;
  private readonly slots: Slots;
  private readonly broken: Promise<never>;
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly key: string,
    moduleHref: string,
    readonly workers: number,
  ) {
    // All threads start with the pool (which itself waits for the first batch): started one by one as work queued
    // up, a slow-loading second thread would find the first one had already taken every batch.
    this.pool = new Tinypool({ filename: workerFilename(moduleHref), minThreads: workers, maxThreads: workers });
    this.slots = new Slots(workers * 2);
    // A worker that dies outside a task (e.g. while loading) is reported here; tasks queued behind it would wait
    // forever, so every pending and later call fails instead, and the next run makes a fresh pool.
    this.broken = new Promise<never>((_resolve, reject) => {
      this.pool.on("error", (err: unknown) => {
        reject(new UdfSetupError(`a worker of the pool for ${moduleHref} failed: ${messageOf(err)}`, { cause: err }));
        void this.close();
      });
    });
    this.broken.catch(() => undefined);
  }

  /** Batches being worked on or queued in the pool right now. */
  get inFlight(): number {
    return this.slots.inUse;
  }

  /** The UDF's result for `columns`, computed on a worker. */
  async run(task: Omit<WorkerTask, "args">, columns: readonly A.Vector[]): Promise<A.Vector> {
    clearTimeout(this.idle);
    try {
      return await this.slots.run(() => this.runNow(task, columns));
    } finally {
      // A long-lived process does not keep model-sized threads for a UDF it ran once: an idle pool closes itself
      // (a later call makes a new one, where class exports are constructed again).
      if (this.slots.inUse === 0) {
        clearTimeout(this.idle);
        this.idle = setTimeout(() => void this.close(), IDLE_MS).unref();
      }
    }
  }

  /** One round trip: IPC bytes out (transferred), IPC bytes or a contract failure back. */
  private async runNow(task: Omit<WorkerTask, "args">, columns: readonly A.Vector[]): Promise<A.Vector> {
    const args = columnsToBuffer(columns);
    const full: WorkerTask = { ...task, args };
    const reply = (await Promise.race([this.pool.run(full, { transferList: [args] }), this.broken])) as WorkerReply;
    if (reply instanceof ArrayBuffer) return bufferToColumns(reply)[0]!;
    if (reply.contract === "returnType") throw new UdfReturnTypeError(reply.message);
    throw new UdfSetupError(`udf ${task.name}: ${reply.message}`);
  }

  /** Terminates the threads; the pool is forgotten, so the next call makes a new one. */
  close(): Promise<void> {
    clearTimeout(this.idle);
    if (pools.get(this.key) === this) pools.delete(this.key);
    return this.pool.destroy();
  }
}

const pools = new Map<string, WorkerPool>();
let exitHooked = false;

/** Closes the pools once nothing else is left to run (idle workers are unref'd, so they never hold the process). */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once("beforeExit", () => {
    exitHooked = false;
    void closeWorkerPools();
  });
}

/** The shared pool for a module's export with `workers` threads, created on first use. */
export function workerPool(moduleHref: string, exportName: string, workers: number): WorkerPool {
  const key = `${moduleHref}#${exportName}#${workers}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = new WorkerPool(key, moduleHref, workers);
    pools.set(key, pool);
    hookExit();
  }
  return pool;
}

/**
 * Terminates every worker pool (they are also closed when the process is about to exit). The next worker UDF call
 * makes a new pool; class exports are constructed again there.
 * @example await closeWorkerPools();
 */
export async function closeWorkerPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}

/** Pools alive now (for tests). */
export function activeWorkerPools(): number {
  return pools.size;
}
