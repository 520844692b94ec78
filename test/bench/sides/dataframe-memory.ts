// The dataframe benchmark's memory case: a streaming filter + project over a source generated batch by batch (never
// held whole), consumed with iterBatches() without keeping anything, while a worker thread samples the process's RSS
// every 50 ms. Streaming should keep RSS flat: the peak above the baseline should be a few batches, not the data.

import { Worker } from "node:worker_threads";
import type * as A from "apache-arrow";
import { DataFrame } from "../../../src/dataframe.js";
import { col } from "../../../src/expr/builders.js";
import { scan } from "../../../src/plan/build.js";
import type { ScanContext, ScanPushdown, ScanSource } from "../../../src/io/source.js";
import { batchBytes, factBatches, FACT_SCHEMA } from "./dataframe-data.js";

/** How often the sampler reads RSS. */
export const SAMPLE_MS = 50;

/** What the memory case measured. */
export interface MemoryResult {
  /** Rows and buffer bytes the source produced (never all alive at once). */
  rowsStreamed: number;
  bytesStreamed: number;
  /** Rows and bytes that came out of the filter + project (dropped as they arrive). */
  rowsOut: number;
  bytesOut: number;
  batches: number;
  ms: number;
  /** RSS just before the run, the highest RSS seen during it, and how many samples were taken. */
  baselineRss: number;
  peakRss: number;
  samples: number;
  /**
   * The highest RSS read between batches in the first and in the second half of the stream: equal when memory
   * stays flat, the second higher when something grows with the rows streamed.
   */
  halfPeaksRss: [number, number];
}

// CommonJS (eval workers are scripts). Slot 0 of the Int32 view is the stop flag; the Float64 view from byte 8 holds
// the peak and the sample count. Atomics.wait sleeps the worker without an event loop the main thread could starve.
const SAMPLER = `
const { workerData } = require("node:worker_threads");
const flag = new Int32Array(workerData, 0, 2);
const out = new Float64Array(workerData, 8, 2);
while (Atomics.load(flag, 0) === 0) {
  const rss = process.memoryUsage.rss();
  if (rss > out[0]) out[0] = rss;
  out[1]++;
  Atomics.wait(flag, 0, 0, ${SAMPLE_MS});
}
`;

/** Samples RSS on its own thread (RSS is the process's, whichever thread reads it) until `stop`. */
class RssSampler {
  private readonly shared = new SharedArrayBuffer(24);
  private readonly worker: Worker;
  private readonly online: Promise<void>;

  constructor() {
    this.worker = new Worker(SAMPLER, { eval: true, workerData: this.shared });
    this.online = new Promise((resolve) => this.worker.once("online", () => resolve()));
  }

  ready(): Promise<void> {
    return this.online;
  }

  /** Counts a reading taken on the main thread too (between batches). */
  note(rss: number): void {
    const out = new Float64Array(this.shared, 8, 2);
    if (rss > out[0]!) out[0] = rss;
  }

  async stop(): Promise<{ peak: number; samples: number }> {
    const flag = new Int32Array(this.shared, 0, 2);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await new Promise((resolve) => this.worker.once("exit", resolve));
    const out = new Float64Array(this.shared, 8, 2);
    return { peak: out[0]!, samples: out[1]! };
  }
}

interface Counter {
  rows: number;
  bytes: number;
  batches: number;
}

/** A source making each batch as it is pulled (and counting what it made); columns pruned per batch. */
function generatedSource(rows: number, counter: Counter): ScanSource {
  return {
    kind: "Generated",
    description: `${rows} rows, made batch by batch`,
    schema: FACT_SCHEMA,
    supports: { projection: true, filter: "none", limit: false },
    async *scan(pushdown: ScanPushdown, _context: ScanContext): AsyncIterable<A.RecordBatch> {
      for (const b of factBatches(rows)) {
        counter.rows += b.numRows;
        counter.bytes += batchBytes(b);
        counter.batches++;
        yield pushdown.columns === undefined ? b : b.select(pushdown.columns as string[]);
      }
    },
  };
}

/** The streamed query: the benchmark's filter + project. */
function streamingFrame(rows: number, counter: Counter): DataFrame {
  return new DataFrame(scan(generatedSource(rows, counter))).where(col("value").gt(0.5).and(col("key").lt(500))).select("key", col("value").mul(2).alias("value2"));
}

/** Streams `rows` generated rows through filter + project and reports RSS around it. */
export async function measureStreamingMemory(rows: number): Promise<MemoryResult> {
  const sampler = new RssSampler();
  await sampler.ready();
  const counter = { rows: 0, bytes: 0, batches: 0 };
  const df = streamingFrame(rows, counter);
  const baselineRss = process.memoryUsage.rss();
  sampler.note(baselineRss);
  const start = performance.now();
  let rowsOut = 0;
  let bytesOut = 0;
  const halfPeaksRss: [number, number] = [0, 0];
  for await (const batch of df.iterBatches()) {
    rowsOut += batch.numRows;
    bytesOut += batchBytes(batch);
    const rss = process.memoryUsage.rss();
    sampler.note(rss);
    const half = counter.rows * 2 > rows ? 1 : 0;
    halfPeaksRss[half] = Math.max(halfPeaksRss[half], rss);
  }
  const ms = performance.now() - start;
  const { peak, samples } = await sampler.stop();
  return {
    rowsStreamed: counter.rows,
    bytesStreamed: counter.bytes,
    rowsOut,
    bytesOut,
    batches: counter.batches,
    ms,
    baselineRss,
    peakRss: peak,
    samples,
    halfPeaksRss,
  };
}
