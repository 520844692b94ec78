// Multimodal benchmark: what Tessera's image and embedding functions add over sharp used directly, both sides in
// one process, interleaved per repetition.
// 1. Resize: generated 512×512 JPEGs (quality 85) to 224×224 JPEGs — `fromArrow(...).select(col("image").image
//    .resize(224, 224))` collected, against raw sharp over every image at once (Promise.all). Images per second and
//    the throughput ratio Tessera/raw (target ≥ 0.9); a sample's results must be byte-identical.
// 2. Embedding + write-back: Fashion-MNIST's 70k 28×28 PNGs in a Tessera table; `readTable(uri, { withRowId })
//    .select("_rowid", col("png").embed(e)).writeTable(uri, { mode: "merge" })`, on a fresh copy of the table per
//    repetition, against the same vectors computed by a plain sharp loop that writes nothing. Rows per second, the
//    bytes the merge wrote (new data files in the manifest) against the table's size and the raw vectors' size, and
//    a sample of stored vectors checked against the anchor's (within 1e-6).
// Threads: sharp runs on libuv's pool (UV_THREADPOOL_SIZE, read once at start-up; 4 by default) and libvips may use
// sharp.concurrency() threads per image. Tessera's image functions raise the latter to the core count when they
// load sharp; this benchmark sets it so before either side runs, so both sides run with the same settings.

import { mkdir, rm } from "node:fs/promises";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import type * as arrow from "apache-arrow";
import sharp from "sharp";
import { loadFashionMnist } from "./data/fashion-mnist.js";
import {
  benchDataDir,
  formatMs,
  printTable,
  timeInterleaved,
  writeResults,
  type BenchOptions,
  type BenchReport,
  type Timing,
  type TimingOptions,
} from "./harness.js";
import { sampleOffsets } from "./random.js";
import {
  anchorEmbed,
  checkMerged,
  copyTable,
  createImageTable,
  dataFiles,
  EMBED_CASES,
  EMBED_TOLERANCE,
  mergeBytes,
  tesseraEmbedMerge,
  type EmbedCase,
  type EmbedCheck,
  type MergeBytes,
} from "./sides/multimodal-embed.js";
import { generatedJpegs, imagesOf, JPEG_QUALITY, JPEG_SIDE } from "./sides/multimodal-images.js";
import { checkResize, rawResize, RESIZE_TO, tesseraResize, type ResizeCheck } from "./sides/multimodal-resize.js";

/** Generated JPEGs resized per size. */
export const IMAGES = { small: 64, full: 2000 } as const;
/** Fashion-MNIST rows embedded per size (small: the first rows of its small variant, so it runs in seconds). */
export const EMBED_ROWS = { small: 500, full: 70_000 } as const;

/** Targets: Tessera's resize throughput over raw sharp's. */
export const TARGETS = { resizeVsRaw: 0.9 } as const;

/**
 * Warm-ups and measured repetitions per case and size. A full-size embedding run takes ~2 min per side on this
 * 2-core machine (sharp manages ~600–750 of these 28 px decode + resize pipelines per second), so the full size
 * runs ~15 min; small runs in a few seconds.
 */
const DEFAULTS = {
  small: { resize: { warmup: 1, repeat: 2 }, image: { warmup: 0, repeat: 1 }, phash: { warmup: 0, repeat: 1 } },
  full: { resize: { warmup: 1, repeat: 5 }, image: { warmup: 0, repeat: 3 }, phash: { warmup: 0, repeat: 1 } },
} as const;

/** Rows whose results are checked in detail. */
const RESIZE_SAMPLE = 16;
const EMBED_SAMPLE = 50;

/** One side's figures: its timing and throughput (items per second over the median). */
interface SideResult {
  timing: Timing;
  perSecond: number;
}

interface ResizeResult {
  images: number;
  meanInputBytes: number;
  timing: Required<TimingOptions>;
  tessera: SideResult;
  raw: SideResult;
  /** Tessera's images/s over raw sharp's. */
  throughputRatio: number;
  check: ResizeCheck;
}

interface EmbedResult {
  embedder: string;
  key: EmbedCase["key"];
  rows: number;
  dim: number;
  timing: Required<TimingOptions>;
  tessera: SideResult;
  anchor: SideResult;
  /** Tessera's rows/s over the anchor's. */
  throughputRatio: number;
  bytes: MergeBytes & { rawEmbeddingBytes: number; newOverRaw: number; newOverTable: number };
  check: EmbedCheck;
}

interface TargetRow {
  target: string;
  value: number;
  limit: string;
  met: boolean;
}

/** Runs the multimodal benchmark and returns (and by default prints and saves) its figures. */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const plan = DEFAULTS[options.size];
  const timingOf = (t: { warmup: number; repeat: number }): Required<TimingOptions> => ({ warmup: t.warmup, repeat: options.repeat ?? t.repeat });
  const loadAtStart = loadavg()[0]!;
  const cores = availableParallelism();
  const threads = { cores, uvThreadpoolSize: process.env.UV_THREADPOOL_SIZE ?? "4 (libuv default)", sharpConcurrencyDefault: sharp.concurrency() };
  sharp.concurrency(cores); // what src/multimodal/image/codec.ts sets when it loads sharp, for both sides

  const dir = join(benchDataDir(), "multimodal", `${options.size}-${process.pid}`); // a smoke test may run beside a bench
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const resize = await measureResize(IMAGES[options.size], timingOf(plan.resize));
    const { table: mnist, source } = await loadFashionMnist({ size: options.size });
    const rows = Math.min(EMBED_ROWS[options.size], mnist.numRows);
    const data = mnist.slice(0, rows);
    const base = join(dir, "base");
    await createImageTable(data, base);
    const embed: EmbedResult[] = [];
    for (const c of [EMBED_CASES.image, EMBED_CASES.phash]) embed.push(await measureEmbed(c, data, base, dir, timingOf(plan[c.key])));

    const sharpConcurrencyAfter = sharp.concurrency();
    if (sharpConcurrencyAfter !== cores) throw new Error(`sharp.concurrency() changed during the run: ${cores} → ${sharpConcurrencyAfter}`);
    const targets: TargetRow[] = [
      {
        target: `resize ${JPEG_SIDE}→${RESIZE_TO}: Tessera/raw sharp images per second`,
        value: resize.throughputRatio,
        limit: `>= ${TARGETS.resizeVsRaw}`,
        met: resize.throughputRatio >= TARGETS.resizeVsRaw,
      },
    ];
    const report: BenchReport = {
      name: "multimodal",
      size: options.size,
      loadAverage: { start: loadAtStart, end: loadavg()[0] }, // the machine may be shared: high figures explain noise
      threads: { ...threads, sharpConcurrency: cores, sharpConcurrencyAfter },
      sharp: sharp.versions,
      resize,
      embedSource: source,
      embed,
      targets,
    };
    if (options.print !== false) printReport(report, resize, embed, targets);
    if (options.writeResults !== false) console.log(`\nresults: ${await writeResults(report)}`);
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function sideResult(timing: Timing, items: number): SideResult {
  return { timing, perSecond: (items / timing.medianMs) * 1000 };
}

/** 1. Resize: both sides over the same images, interleaved; the first warm-up's results are checked. */
async function measureResize(count: number, timing: Required<TimingOptions>): Promise<ResizeResult> {
  const table = await generatedJpegs(count);
  const images = imagesOf(table);
  let engineOut: arrow.Table | undefined;
  let rawOut: Buffer[] | undefined;
  const timings = await timeInterleaved(
    {
      tessera: async () => void (engineOut = await tesseraResize(table)),
      raw: async () => void (rawOut = await rawResize(images)),
    },
    timing,
  );
  const check = await checkResize(engineOut!, rawOut!, sampleOffsets(count, Math.min(RESIZE_SAMPLE, count), 5));
  const tessera = sideResult(timings.tessera!, count);
  const raw = sideResult(timings.raw!, count);
  return {
    images: count,
    meanInputBytes: images.reduce((s, b) => s + b.byteLength, 0) / count,
    timing,
    tessera,
    raw,
    throughputRatio: tessera.perSecond / raw.perSecond,
    check,
  };
}

/**
 * 2. One embedder: Tessera merges into its own fresh copy of the table per repetition (copied beforehand, untimed);
 * the anchor embeds the same PNGs from memory. Bytes come from the last copy's manifests; its stored vectors are
 * checked against the anchor's last result.
 */
async function measureEmbed(c: EmbedCase, data: arrow.Table, base: string, dir: string, timing: Required<TimingOptions>): Promise<EmbedResult> {
  const rows = data.numRows;
  const images = imagesOf(data, "png");
  const copies: string[] = [];
  for (let k = 0; k < timing.warmup + timing.repeat; k++) {
    copies.push(join(dir, `${c.key}-${k}`));
    await copyTable(base, copies[k]!);
  }
  const before = await dataFiles(base);
  const embedder = c.embedder();
  let anchorOut: Float32Array[] = [];
  try {
    const timings = await timeInterleaved(
      {
        tessera: async (rep) => {
          const written = await tesseraEmbedMerge(copies[rep + timing.warmup]!, embedder);
          if (written !== rows) throw new Error(`embed ${c.key}: the merge wrote ${written} rows of ${rows}`);
        },
        anchor: async () => void (anchorOut = await anchorEmbed(images, c)),
      },
      timing,
    );
    const last = copies.at(-1)!;
    const bytes = mergeBytes(before, await dataFiles(last));
    const dim = embedder.dimension;
    if (bytes.changedOldFiles !== 0 || bytes.newFieldIds.length !== 1) {
      throw new Error(`embed ${c.key}: the merge changed ${bytes.changedOldFiles} old data files and wrote fields ${bytes.newFieldIds.join(", ")}`);
    }
    const check = await checkMerged(last, anchorOut, sampleOffsets(rows, Math.min(EMBED_SAMPLE, rows), 9), dim);
    const rawEmbeddingBytes = rows * dim * 4;
    const tessera = sideResult(timings.tessera!, rows);
    const anchor = sideResult(timings.anchor!, rows);
    return {
      embedder: c.label,
      key: c.key,
      rows,
      dim,
      timing,
      tessera,
      anchor,
      throughputRatio: tessera.perSecond / anchor.perSecond,
      bytes: {
        ...bytes,
        rawEmbeddingBytes,
        newOverRaw: bytes.newDataFileBytes / rawEmbeddingBytes,
        newOverTable: bytes.newDataFileBytes / bytes.tableBytesBefore,
      },
      check,
    };
  } finally {
    for (const copy of copies) await rm(copy, { recursive: true, force: true });
  }
}

function perSecond(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(2);
}

function timingCells(t: Timing): string[] {
  return [formatMs(t.medianMs), `${formatMs(t.minMs)}–${formatMs(t.maxMs)}`];
}

function printReport(report: BenchReport, resize: ResizeResult, embed: EmbedResult[], targets: TargetRow[]): void {
  const load = report.loadAverage as { start: number; end: number };
  const threads = report.threads as { cores: number; uvThreadpoolSize: string; sharpConcurrency: number; sharpConcurrencyDefault: number };
  console.log(
    `${threads.cores} cores; UV_THREADPOOL_SIZE ${threads.uvThreadpoolSize}; sharp.concurrency ${threads.sharpConcurrency} for both sides ` +
      `(default here ${threads.sharpConcurrencyDefault}); sharp ${(report.sharp as { sharp?: string }).sharp ?? "?"}, libvips ` +
      `${(report.sharp as { vips?: string }).vips ?? "?"}; 1-min load average ${load.start.toFixed(1)} → ${load.end.toFixed(1)}`,
  );

  const r = resize;
  printTable(
    `1. resize ${r.images} generated ${JPEG_SIDE}×${JPEG_SIDE} JPEGs (q${JPEG_QUALITY}, mean ${(r.meanInputBytes / 1e3).toFixed(1)} KB) → ${RESIZE_TO}×${RESIZE_TO} JPEG; ` +
      `median of ${r.timing.repeat} after ${r.timing.warmup} warm-up`,
    ["side", "median ms", "min–max ms", "images/s"],
    [
      ["tessera: fromArrow → image.resize → collect", ...timingCells(r.tessera.timing), perSecond(r.tessera.perSecond)],
      ["raw sharp: Promise.all(resize → jpeg)", ...timingCells(r.raw.timing), perSecond(r.raw.perSecond)],
      ["Tessera/raw throughput", "", "", r.throughputRatio.toFixed(2)],
    ],
  );
  console.log(
    `check: ${r.check.sampled} sampled rows are ${r.check.metadata} and byte-identical on both sides (mean output ${(r.check.meanOutputBytes / 1e3).toFixed(1)} KB)`,
  );

  for (const e of embed) {
    printTable(
      `2. ${e.embedder} of ${e.rows} ${String(report.embedSource)} PNGs (${e.dim} values), merged back by _rowid; ` +
        `median of ${e.timing.repeat}${e.timing.warmup > 0 ? ` after ${e.timing.warmup} warm-up` : ""}`,
      ["side", "median ms", "min–max ms", "rows/s"],
      [
        ["tessera: readTable → embed → writeTable(merge)", ...timingCells(e.tessera.timing), perSecond(e.tessera.perSecond)],
        ["anchor: Promise.all(sharp → Float32Array), no write", ...timingCells(e.anchor.timing), perSecond(e.anchor.perSecond)],
        ["Tessera/anchor throughput", "", "", e.throughputRatio.toFixed(2)],
      ],
    );
    const b = e.bytes;
    printTable(`   bytes of the ${e.key} merge (data files in the manifest, before → after)`, ["figure", "value"], [
      ["table before, MB (id, label, png)", mb(b.tableBytesBefore)],
      [`new data files (${b.newDataFiles}, fields ${b.newFieldIds.join(", ")}), MB`, mb(b.newDataFileBytes)],
      [`raw embeddings (rows × ${e.dim} × 4), MB`, mb(b.rawEmbeddingBytes)],
      ["new / raw embeddings", b.newOverRaw.toFixed(3)],
      ["new / table before", b.newOverTable.toFixed(3)],
      ["old data files changed", String(b.changedOldFiles)],
    ]);
    console.log(`   check: ${e.check.sampled} stored vectors equal the anchor's, max |diff| ${e.check.maxAbsDiff.toExponential(1)} (limit ${EMBED_TOLERANCE})`);
  }

  printTable("targets", ["target", "value", "limit", "met"], targets.map((t) => [t.target, t.value.toFixed(2), t.limit, t.met ? "yes" : "NO"]));
}
