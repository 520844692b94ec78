// Pipeline benchmark: the MNIST walkthrough's seed pipeline (examples/mnist-pipeline.ts phases 1–4: read gzip
// NDJSON → reshape/validate → pixel mean/std → 60 features → groupBy label + join back) through the DataFrame engine
// against a hand-written Node loop doing the same computation (sides/pipeline-loop.ts), interleaved per repetition
// in one process, both outputs checked against each other. Then the walkthrough itself, for the logistic-regression
// accuracies on the features and on the raw pixels.

import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type * as arrow from "apache-arrow";
import { fromArrow, readJson } from "../../src/index.js";
import { enrich, PIXEL_SCHEMA, runMnistPipeline, withLabelStats, type MnistPipelineResult } from "../../examples/mnist-pipeline.js";
import { generateDigits } from "../../examples/support/digits.js";
import { fashionMnistInstalled, readFashionMnist, type ImageSet } from "../../examples/support/fashion-mnist.js";
import { FEATURE_DIM } from "../../examples/support/mnist-features.js";
import { writeMnistNdjson } from "../../examples/support/mnist-ndjson.js";
import { benchDataDir, formatMs, printComparison, printTable, ratio, timeInterleaved, type BenchOptions, type BenchReport, type Timing, type TimingOptions, writeResults } from "./harness.js";
import { runLoop, type LoopResult } from "./sides/pipeline-loop.js";

/** Rows through the pipeline per size: Fashion-MNIST's 60k train images at full size. */
export const ROWS = { small: 2_000, full: 60_000 } as const;
/** Target: the engine's median time over the loop's. */
export const TARGET = 1.3;
/** The walkthrough run for the accuracies: its full size is the whole of Fashion-MNIST (generated digits otherwise). */
const WALKTHROUGH = { small: { trainRows: 1_000, testRows: 300 }, full: { trainRows: 60_000, testRows: 10_000 } } as const;
const DEFAULTS = { small: { warmup: 1, repeat: 3 }, full: { warmup: 1, repeat: 5 } } as const;
/** Bump when the input file's layout changes so stale caches are rebuilt. */
const CACHE_VERSION = 1;

/** What one side's output boils down to; both sides must agree. */
interface Digest {
  rows: number;
  badRows: number;
  pixelMean: number;
  pixelStd: number;
  features: number;
  labelCount: number;
  labelPixelMean: number;
  /** The feature vectors of the first and last row, exactly. */
  ends: number[];
}

/** Runs the pipeline benchmark and returns (and by default prints and saves) its figures. */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const base = DEFAULTS[options.size];
  const timing: Required<TimingOptions> = { warmup: base.warmup, repeat: options.repeat ?? base.repeat };
  const rows = ROWS[options.size];
  const input = await benchInput(rows);

  const digests: Record<string, Digest> = {};
  const timings = await timeInterleaved(
    {
      tessera: async (rep) => {
        const table = await runEngine(input.path);
        if (rep === -timing.warmup) digests.tessera = engineDigest(table);
      },
      loop: async (rep) => {
        const out = await runLoop(input.path);
        if (rep === -timing.warmup) digests.loop = loopDigest(out);
      },
    },
    timing,
  );
  checkDigests(digests.tessera!, digests.loop!);

  const dir = await mkdtemp(join(tmpdir(), "tessera-bench-pipeline-"));
  let walkthrough: MnistPipelineResult;
  try {
    walkthrough = await runMnistPipeline({ dir, ...WALKTHROUGH[options.size], data: options.size === "small" ? "generated" : "auto", log: () => undefined });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const timeRatio = ratio(timings.tessera!, timings.loop!);
  const report: BenchReport = {
    name: "pipeline",
    size: options.size,
    source: input.source,
    rows,
    badRows: digests.loop!.badRows,
    timing,
    loadAverage: loadavg()[0],
    timings,
    rowsPerSecond: { tessera: perSecond(rows, timings.tessera!), loop: perSecond(rows, timings.loop!) },
    ratio: timeRatio,
    // The target is for the full size: at 2 000 rows fixed costs (schema inference, planning) dominate.
    target: { limit: `<= ${TARGET} at full size`, met: options.size === "full" ? timeRatio <= TARGET : null },
    accuracy: {
      source: walkthrough.source,
      trainRows: walkthrough.trained.train,
      testRows: walkthrough.trained.test,
      features: walkthrough.accuracy,
      rawPixels: walkthrough.baselineAccuracy,
      timingsMs: walkthrough.timingsMs,
    },
  };
  if (options.print !== false) printReport(report, timings);
  if (options.writeResults !== false) console.log(`\nresults: ${await writeResults(report)}`);
  return report;
}

/** The engine side: the example's own plan, collected, then grouped and joined back in memory. */
export async function runEngine(path: string): Promise<arrow.Table> {
  const raw = await readJson(path, { schema: PIXEL_SCHEMA });
  const enriched = fromArrow(await enrich(raw).collect());
  return withLabelStats(enriched).collect();
}

/** The input file, cached under .bench-data/: Fashion-MNIST's first `rows` train images, or generated digits. */
async function benchInput(rows: number): Promise<{ path: string; source: "fashion-mnist" | "generated" }> {
  const source = fashionMnistInstalled() ? "fashion-mnist" : "generated";
  const dir = join(benchDataDir(), "cache");
  const path = join(dir, `pipeline-${source}-${rows}-v${CACHE_VERSION}.jsonl.gz`);
  if (existsSync(path)) return { path, source };
  await mkdir(dir, { recursive: true });
  const images: ImageSet = source === "fashion-mnist" ? await readFashionMnist("train", rows) : await generateDigits(rows, { seed: 1 });
  const none: ImageSet = { pixels: new Uint8Array(0), labels: new Uint8Array(0), rows: 0 };
  const tmp = `${path}.${process.pid}.tmp`; // per process: a test and a bench run may build it at once
  await writeMnistNdjson(tmp, images, none, { badRows: 6 });
  await rename(tmp, path);
  return { path, source };
}

function engineDigest(table: arrow.Table): Digest {
  const sum = (name: string): number => {
    let s = 0;
    for (const v of table.getChild(name)!) if (v !== null) s += Number(v);
    return s;
  };
  const features = table.getChild("features")!;
  let featureSum = 0;
  for (const d of features.data) {
    const child = d.children[0]!;
    for (let i = 0; i < d.length; i++) {
      if (!d.getValid(i)) continue;
      const at = (d.offset + i) * FEATURE_DIM - child.offset;
      for (let j = 0; j < FEATURE_DIM; j++) featureSum += (child.values as Float32Array)[at + j]!;
    }
  }
  const vector = (i: number): number[] => [...((features.get(i) as arrow.Vector | null)?.toArray() ?? [])] as number[];
  return {
    rows: table.numRows,
    badRows: table.getChild("image")!.nullCount,
    pixelMean: sum("pixel_mean"),
    pixelStd: sum("pixel_std"),
    features: featureSum,
    labelCount: sum("label_count"),
    labelPixelMean: sum("label_pixel_mean"),
    ends: [...vector(0), ...vector(table.numRows - 1)],
  };
}

function loopDigest(out: LoopResult): Digest {
  let bad = 0;
  let mean = 0;
  let std = 0;
  let features = 0;
  let count = 0;
  let labelMean = 0;
  for (let i = 0; i < out.rows; i++) {
    count += out.labelCount[i]!;
    labelMean += out.labelPixelMean[i]!;
    if (out.valid[i] === 0) {
      bad++;
      continue;
    }
    mean += out.pixelMean[i]!;
    std += out.pixelStd[i]!;
    for (let j = 0; j < FEATURE_DIM; j++) features += out.features[i * FEATURE_DIM + j]!;
  }
  const vector = (i: number): number[] => (out.valid[i] === 1 ? [...out.features.subarray(i * FEATURE_DIM, (i + 1) * FEATURE_DIM)] : []);
  return { rows: out.rows, badRows: bad, pixelMean: mean, pixelStd: std, features, labelCount: count, labelPixelMean: labelMean, ends: [...vector(0), ...vector(out.rows - 1)] };
}

/** Throws unless both sides computed the same thing (sums to a relative 1e-9: only the summation order differs). */
function checkDigests(engine: Digest, loop: Digest): void {
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  for (const key of ["rows", "badRows", "pixelMean", "pixelStd", "features", "labelCount", "labelPixelMean"] as const) {
    if (!close(engine[key], loop[key])) throw new Error(`pipeline: ${key} differs: engine ${engine[key]}, loop ${loop[key]}`);
  }
  if (engine.ends.join() !== loop.ends.join()) throw new Error("pipeline: the first or last row's features differ between engine and loop");
}

function metText(met: boolean | null): string {
  return met === null ? "(full size)" : met ? "yes" : "NO";
}

function perSecond(rows: number, t: Timing): number {
  return rows / (t.medianMs / 1000);
}

function printReport(report: BenchReport, timings: Record<string, Timing>): void {
  const t = report.timing as Required<TimingOptions>;
  const rps = report.rowsPerSecond as { tessera: number; loop: number };
  const acc = report.accuracy as { source: string; trainRows: number; testRows: number; features: number; rawPixels: number; timingsMs: Record<string, number> };
  console.log(
    `${report.rows} ${report.source} rows (${report.badRows} with a wrong image length) as gzip NDJSON; medians of ${t.repeat} after ${t.warmup} warm-up; ` +
      `1-min load average ${(report.loadAverage as number).toFixed(1)}`,
  );
  printComparison("phases 1–4 (median ms; ratio < 1 means Tessera is faster)", "tessera", ["tessera", "loop"], [
    {
      label: "read → reshape → mean/std → features → groupBy + join",
      timings,
      extra: {
        "tessera rows/s": Math.round(rps.tessera).toString(),
        "loop rows/s": Math.round(rps.loop).toString(),
        [`<= ${TARGET}`]: metText((report.target as { met: boolean | null }).met),
      },
    },
  ]);
  printTable(`softmax regression on the walkthrough's data (${acc.source}, ${acc.trainRows} train / ${acc.testRows} held-out rows)`, ["input", "accuracy"], [
    [`${FEATURE_DIM} features`, acc.features.toFixed(4)],
    ["784 raw pixels", acc.rawPixels.toFixed(4)],
  ]);
  console.log(`walkthrough phases (ms): ${Object.entries(acc.timingsMs).map(([k, v]) => `${k} ${formatMs(v)}`).join(", ")}`);
}
