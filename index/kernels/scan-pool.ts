// Worker threads that scan part of a chunk, so one exact search can use more than one core.
//
// Why it pays: one query against 60 000 × 784 vectors is memory-bound on one core (~16.5 ms at ~11 GB/s), but the
// memory system serves two cores at nearly twice that. Measured on the 2-core VM with nothing else running: ~8.8 ms
// per query with the rows split in two (one part here, one in a worker, ~50 µs of messaging), and ~2.1 ms instead
// of ~3.9 ms per query for 256 queries at once. When other work already keeps both cores busy the split gains
// nothing, so it is opt-in (`threads` in FlatSearchOptions).
//
// Workers read the vectors in place, so the chunk's vectors and row ids must live in SharedArrayBuffers (FlatCache
// stores them that way when asked for threads); anything else is scanned on the calling thread. Each worker keeps
// its own distance kernel. Workers are unref'd while idle, so an idle pool never keeps the process alive.

import { Worker } from "node:worker_threads";
import type { Metric } from "../distance.js";
import type { SearchHit } from "../top-k.js";

/** Rows `start..end` of a chunk to scan against `queries` (nq × dim floats). */
export interface ScanJob {
  queries: Float32Array;
  k: number;
  metric: Metric;
  dim: number;
  vectors: Float32Array;
  ids: BigUint64Array;
  allowed?: Uint8Array;
  start: number;
  end: number;
}

/** A worker's answer: the top-k of its rows for each query, or why it failed. */
export type ScanReply = { id: number; hits: SearchHit[][] } | { id: number; error: string };

interface Pending {
  resolve(hits: SearchHit[][]): void;
  reject(err: Error): void;
}

class Slot {
  readonly pending = new Map<number, Pending>();
  readonly worker: Worker;

  constructor(onGone: (slot: Slot) => void) {
    this.worker = spawn();
    this.worker.unref();
    this.worker.on("message", (reply: ScanReply) => {
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.settled(reply.id);
      if ("error" in reply) p.reject(new Error(`scan worker failed: ${reply.error}`));
      else p.resolve(reply.hits);
    });
    const fail = (err: Error): void => {
      onGone(this);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`scan worker exited with code ${code}`)));
  }

  send(id: number, job: ScanJob, p: Pending): void {
    if (this.pending.size === 0) this.worker.ref(); // a search is waiting: keep the process alive
    this.pending.set(id, p);
    this.worker.postMessage({ id, job });
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }
}

/** The worker entry: the .ts source under tsx (tests, scripts), the compiled .js otherwise. */
function spawn(): Worker {
  const underTsx = import.meta.url.endsWith(".ts");
  const entry = new URL(underTsx ? "./scan-worker.ts" : "./scan-worker.js", import.meta.url).href;
  const boot = underTsx
    ? `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`
    : `import(${JSON.stringify(entry)})`;
  return new Worker(boot, { eval: true });
}

/** A set of scan workers, grown on demand. */
export class ScanPool {
  private slots: Slot[] = [];
  private nextId = 0;

  /** Workers running. */
  get size(): number {
    return this.slots.length;
  }

  /** Runs each job on its own worker (starting workers as needed); one promise per job. */
  run(jobs: readonly ScanJob[]): Promise<SearchHit[][]>[] {
    while (this.slots.length < jobs.length) this.slots.push(new Slot((gone) => this.drop(gone)));
    return jobs.map((job, i) => new Promise<SearchHit[][]>((resolve, reject) => this.slots[i]!.send(this.nextId++, job, { resolve, reject })));
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private drop(slot: Slot): void {
    this.slots = this.slots.filter((s) => s !== slot);
  }
}

let shared: ScanPool | undefined;

/** The process-wide pool used by `flatSearch` when `threads > 1`. */
export function sharedScanPool(): ScanPool {
  shared ??= new ScanPool();
  return shared;
}

/** Stops the shared pool's workers (they are also stopped when the process exits). */
export async function closeSharedScanPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
