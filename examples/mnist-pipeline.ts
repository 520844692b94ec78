// Example: the classic Daft MNIST walkthrough done with Tessera. Ingest gzip NDJSON of `{ id, split, label, image }`
// rows, reshape each image to a 28×28 tensor with a row-wise UDF (wrong lengths become null and are counted), add
// pixel statistics and a 60-value feature vector (a batch UDF), attach per-label statistics with groupBy + join,
// then train a softmax regression on the features and on the raw pixels, and write the result to Parquet and to a
// Tessera table. The data is Fashion-MNIST when Debian's dataset-fashion-mnist is installed, else generated digits.
// Each step prints one line (or a small block); runMnistPipeline() returns what it observed
// (test/examples/mnist-pipeline.test.ts checks it). Run: node --import tsx examples/mnist-pipeline.ts [directory]

import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { col, count, DataType, fromArrow, readJson, udf, type DataFrame } from "../src/index.js";
import { classificationReport, formatReport, type ClassificationReport } from "./support/classification-report.js";
import { generateDigits } from "./support/digits.js";
import { FASHION_MNIST_CLASSES, fashionMnistInstalled, readFashionMnist, type ImageSet } from "./support/fashion-mnist.js";
import { FEATURE_DIM, imageFeatures, PIXELS, pixelStats, SIDE } from "./support/mnist-features.js";
import { writeMnistNdjson } from "./support/mnist-ndjson.js";
import { SoftmaxRegression, type SoftmaxRegressionOptions } from "./support/softmax-regression.js";

/** Options of `runMnistPipeline`. */
export interface MnistPipelineOptions {
  /** Working directory: emptied, then holds mnist.jsonl.gz, mnist.parquet and the table mnist.tsr. */
  dir: string;
  /** "auto" (default): Fashion-MNIST when installed, else generated digits. "fashion-mnist" fails when it is not. */
  data?: "auto" | "fashion-mnist" | "generated";
  /**
   * Training rows. Default 20 000: the walkthrough then takes ~10–15 s on 2 cores (measured: 0.786 on features, 0.841
   * on raw pixels), while all 60 000 + 10 000 take ~25–35 s for about the same accuracy (0.781, 0.843). Fashion-MNIST
   * has at most 60 000.
   */
  trainRows?: number;
  /** Held-out rows (Fashion-MNIST's own t10k test set, at most 10 000; generated: a seeded split). Default 5 000. */
  testRows?: number;
  /** Rows written with a wrong image length, to exercise the null-and-count path. Default 6. */
  badRows?: number;
  /** Seed of the generated digits and of training. Default 1. */
  seed?: number;
  /** Where each step's line goes. Default console.log. */
  log?: (line: string) => void;
}

/** Per-label statistics computed by groupBy + agg. */
export interface LabelGroup {
  readonly label: number;
  readonly name: string;
  readonly count: number;
  /** Mean of the rows' pixel_mean (0–255). */
  readonly meanPixel: number;
}

/** Milliseconds per phase. */
export interface MnistTimings {
  /** Preparing the input file (reading idx files or drawing digits, writing gzip NDJSON). */
  data: number;
  /** Schema inference and the show(5) peek. */
  peek: number;
  /** Phases 2–3 in one streamed run: read, reshape, pixel statistics, features. */
  enrich: number;
  /** Phase 4: groupBy label + join back. */
  groups: number;
  /** Phase 5: gathering the arrays and fitting both models. */
  train: number;
  /** Parquet and table writes. */
  write: number;
  total: number;
}

/** What the walkthrough observed. */
export interface MnistPipelineResult {
  readonly source: "fashion-mnist" | "generated";
  readonly classNames: readonly string[];
  readonly input: {
    readonly path: string;
    readonly bytes: number;
    readonly trainRows: number;
    readonly testRows: number;
    /** ids of the rows written with a wrong image length. */
    readonly badRowIds: readonly number[];
  };
  /** The schema readJson inferred, as `name type` pairs. */
  readonly inferredSchema: string;
  /** The schema read with the image column declared as list<uint8>. */
  readonly schema: string;
  /** The show(5) text. */
  readonly peek: string;
  readonly rows: number;
  /** Rows whose image did not have 784 values: null image, statistics and features. */
  readonly badRows: number;
  readonly featureDim: number;
  /** Column `name type` pairs of the enriched, joined data. */
  readonly columns: readonly string[];
  readonly groups: readonly LabelGroup[];
  /** Held-out accuracy of the model on the 60 features. */
  readonly accuracy: number;
  /** Held-out accuracy of the model on the raw 784 pixels. */
  readonly baselineAccuracy: number;
  readonly trainAccuracy: number;
  /** Rows used to fit and to evaluate (bad rows left out). */
  readonly trained: { readonly train: number; readonly test: number };
  /** Per-class precision / recall / F1 of the features model. */
  readonly report: ClassificationReport;
  readonly reportText: string;
  readonly parquet: { readonly path: string; readonly rows: number; readonly bytes: number };
  readonly table: { readonly uri: string; readonly version: number; readonly rows: number };
  readonly timingsMs: MnistTimings;
}

/** The tensor type of a reshaped image. */
export const IMAGE_TYPE = DataType.tensor(DataType.uint8(), [SIDE, SIDE]);
/** The type of the feature column. */
export const FEATURES_TYPE = DataType.fixedSizeList(DataType.float32(), FEATURE_DIM);
/** Pixels are bytes: declaring the JSON arrays list<uint8> (instead of the inferred list<int64>) makes the column 8× smaller, and the reader checks every value fits. */
export const PIXEL_SCHEMA = new arrow.Schema([new arrow.Field("image", DataType.list(DataType.uint8()), true)]);

const DEFAULT_TRAIN_ROWS = 20_000;
const DEFAULT_TEST_ROWS = 5_000;
/**
 * Training settings. Both models see the same rows and passes; 784 noisy inputs want a smaller step (measured on 20k
 * Fashion-MNIST rows: 0.839 at 0.002, 0.828 at 0.005, 0.809 at 0.02), the 60 features a larger one.
 */
const FIT = { classes: 10, batchSize: 64, l2: 1e-4 } as const;
const FEATURES_RATE = 0.01;
const PIXELS_RATE = 0.002;
/** Row visits per model at least: 6 passes over 20k rows, and enough passes for small runs (the test's ~1k rows). */
const MIN_VISITS = 120_000;

/** Runs the whole walkthrough in `options.dir` and returns what it observed. */
export async function runMnistPipeline(options: MnistPipelineOptions): Promise<MnistPipelineResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const seed = options.seed ?? 1;
  const started = performance.now();
  const times: Partial<MnistTimings> = {};
  const timed = async <T>(phase: keyof MnistTimings, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      times[phase] = (times[phase] ?? 0) + performance.now() - t;
    }
  };
  await rm(options.dir, { recursive: true, force: true });
  await mkdir(options.dir, { recursive: true });

  // 0. The input: Fashion-MNIST (or generated digits) written as gzip NDJSON, with a few rows of the wrong length.
  const { source, classNames, input } = await timed("data", () => prepareInput(options, seed));
  const sourceName = source === "fashion-mnist" ? "Fashion-MNIST" : "generated digits";
  log(`data: ${sourceName}, ${input.trainRows} train + ${input.testRows} test rows → ${input.path} (${mb(input.bytes)} MB gzip, ${input.badRowIds.length} rows with a wrong image length planted)`);

  // 1. Read: the schema is inferred from a sample; show(5) reads only the first rows.
  let peek = "";
  const { inferred, raw } = await timed("peek", async () => {
    const inferred = await readJson(input.path);
    const raw = await readJson(input.path, { schema: PIXEL_SCHEMA });
    await raw.show(5, { write: (text) => (peek += text) });
    return { inferred, raw };
  });
  const inferredSchema = schemaText(inferred.schema);
  log(`1. inferred schema: ${inferredSchema}; read with ${schemaText(PIXEL_SCHEMA)}\n${peek.trimEnd()}`);

  // 2–3. Reshape, pixel statistics and features: one lazy plan, run once.
  const enrichedTable = await timed("enrich", () => enrich(raw).collect());
  const enriched = fromArrow(enrichedTable);
  const badRows = await enriched.where(col("image").isNull()).countRows();
  const [overall] = await enriched.agg(col("pixel_mean").mean().alias("mean"), col("pixel_std").mean().alias("std")).toRows();
  log(`2. reshaped ${enrichedTable.numRows} images to 28×28 (${badRows} had the wrong length: null); mean pixel ${num(overall!.mean)}, mean std ${num(overall!.std)}`);
  const featuresField = enrichedTable.schema.fields.find((f) => f.name === "features")!;
  log(`3. features: ${featuresField.type} per image (row and column sums, centroid, mean, std), batch UDF of 512 rows`);

  // 4. Per-label count and mean intensity, joined back onto every row.
  const { joined, groups } = await timed("groups", async () => {
    const stats = fromArrow(await labelStats(enriched).sort("label").collect());
    const groups = (await stats.toRows()).map((r) => ({
      label: Number(r.label),
      name: classNames[Number(r.label)] ?? String(r.label),
      count: Number(r.label_count),
      meanPixel: Number(r.label_pixel_mean),
    }));
    return { joined: await withLabelStats(enriched, stats).collect(), groups };
  });
  log(`4. per label (rows, mean pixel): ${groups.map((g) => `${g.name} ${g.count} ${g.meanPixel.toFixed(1)}`).join(", ")}; joined back onto ${joined.numRows} rows`);

  // 5. Train on the features and, as a baseline, on the raw pixels; evaluate on the held-out rows.
  const models = await timed("train", async () => trainModels(joined, seed));
  const report = classificationReport(models.test.labels, models.predicted, 10, classNames);
  const reportText = formatReport(report);
  log(`5. softmax regression on ${models.train.rows} rows, held-out ${models.test.rows}: accuracy ${models.accuracy.toFixed(4)} on the ${FEATURE_DIM} features, ${models.baselineAccuracy.toFixed(4)} on the raw ${PIXELS} pixels\n${reportText}`);

  // Write the enriched rows to Parquet and to a Tessera table.
  const { parquet, table } = await timed("write", async () => {
    const out = fromArrow(joined);
    const parquetPath = join(options.dir, "mnist.parquet");
    const p = await out.writeParquet(parquetPath);
    const t = await out.writeTable(join(options.dir, "mnist.tsr"));
    return { parquet: { path: parquetPath, rows: p.rows, bytes: (await stat(parquetPath)).size }, table: { uri: t.uri, version: t.version ?? -1, rows: t.rows } };
  });
  log(`wrote ${parquet.rows} rows to ${parquet.path} (${mb(parquet.bytes)} MB) and table ${table.uri} version ${table.version}`);

  times.total = performance.now() - started;
  const timingsMs = times as MnistTimings;
  log(`timings (ms): ${Object.entries(timingsMs).map(([k, v]) => `${k} ${Math.round(v)}`).join(", ")}`);
  return {
    source,
    classNames,
    input,
    inferredSchema,
    schema: schemaText(raw.schema),
    peek,
    rows: enrichedTable.numRows,
    badRows,
    featureDim: FEATURE_DIM,
    columns: joined.schema.fields.map((f) => `${f.name} ${f.type}`),
    groups,
    accuracy: models.accuracy,
    baselineAccuracy: models.baselineAccuracy,
    trainAccuracy: models.trainAccuracy,
    trained: { train: models.train.rows, test: models.test.rows },
    report,
    reportText,
    parquet,
    table,
    timingsMs,
  };
}

// ---- the pipeline (also what test/bench/pipeline.ts measures) ----

/** A 28×28 tensor of the image's bytes, or null when it does not have 784 values. */
function reshape(image: unknown): Uint8Array | null {
  const pixels = (image as arrow.Vector<arrow.Uint8>).toArray();
  return pixels.length === PIXELS ? pixels : null;
}

/** Calls `fn(pixels, at, row)` for each non-null image of a tensor column (`pixels[at .. at+784)` is the image). */
function forEachImage(images: arrow.Vector, fn: (pixels: Uint8Array, at: number, row: number) => void): void {
  let row = 0;
  for (const d of images.data) {
    const child = d.children[0]!;
    const pixels = child.values as Uint8Array;
    // A sliced fixed-size list slices its child too: row i starts (offset + i) · 784 items past the child's start.
    for (let i = 0; i < d.length; i++, row++) if (d.getValid(i)) fn(pixels, (d.offset + i) * PIXELS - child.offset, row);
  }
}

/** Population standard deviation of each image's pixels (null for a null image). */
const pixelStd = udf(
  (images) => {
    const out: (number | null)[] = new Array(images.length).fill(null);
    forEachImage(images, (pixels, at, row) => (out[row] = pixelStats(pixels, at).std));
    return out;
  },
  { returnType: DataType.float32(), name: "pixel_std" },
);

/** The 60 features of each image, computed 512 images per call into one Float32Array. */
const features = udf(
  (images) => {
    const flat = new Float32Array(images.length * FEATURE_DIM);
    const out: (Float32Array | null)[] = new Array(images.length).fill(null);
    forEachImage(images, (pixels, at, row) => {
      imageFeatures(pixels, at, flat, row * FEATURE_DIM);
      out[row] = flat.subarray(row * FEATURE_DIM, (row + 1) * FEATURE_DIM);
    });
    return out;
  },
  { returnType: FEATURES_TYPE, batchSize: 512, name: "features" },
);

/**
 * Phases 2–3 as a lazy plan: `image` reshaped to a 28×28 uint8 tensor (null when its length is wrong), its
 * float32 `pixel_mean` and `pixel_std`, and the `features` vector.
 */
export function enrich(raw: DataFrame): DataFrame {
  return raw
    .withColumn("image", col("image").apply(reshape, IMAGE_TYPE, { name: "reshape" }))
    .withColumns({ pixel_mean: col("image").list.mean().cast(DataType.float32()), pixel_std: pixelStd(col("image")) })
    .withColumn("features", features(col("image")));
}

/** Phase 4's aggregate: rows and mean pixel intensity per label. */
export function labelStats(enriched: DataFrame): DataFrame {
  return enriched.groupBy("label").agg(count().alias("label_count"), col("pixel_mean").mean().alias("label_pixel_mean"));
}

/** Phase 4: the per-label statistics joined back onto every row (the 10-row side is the hash table). */
export function withLabelStats(enriched: DataFrame, stats: DataFrame = labelStats(enriched)): DataFrame {
  return enriched.join(stats, { on: "label" });
}

// ---- phase 0: the input file ----

async function prepareInput(options: MnistPipelineOptions, seed: number): Promise<{ source: "fashion-mnist" | "generated"; classNames: string[]; input: MnistPipelineResult["input"] }> {
  const want = options.data ?? "auto";
  const installed = fashionMnistInstalled();
  if (want === "fashion-mnist" && !installed) {
    throw new Error("Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist, or pass data: \"generated\"");
  }
  const source = want === "generated" || !installed ? "generated" : "fashion-mnist";
  const trainRows = options.trainRows ?? DEFAULT_TRAIN_ROWS;
  const testRows = options.testRows ?? DEFAULT_TEST_ROWS;
  let train: ImageSet;
  let test: ImageSet;
  if (source === "fashion-mnist") {
    [train, test] = await Promise.all([readFashionMnist("train", trainRows), readFashionMnist("t10k", testRows)]);
  } else {
    const all = await generateDigits(trainRows + testRows, { seed });
    const split = (from: number, rows: number): ImageSet => ({
      pixels: all.pixels.subarray(from * PIXELS, (from + rows) * PIXELS),
      labels: all.labels.subarray(from, from + rows),
      rows,
    });
    [train, test] = [split(0, trainRows), split(trainRows, testRows)];
  }
  const path = join(options.dir, "mnist.jsonl.gz");
  const written = await writeMnistNdjson(path, train, test, { badRows: options.badRows ?? 6 });
  const classNames = source === "fashion-mnist" ? [...FASHION_MNIST_CLASSES] : Array.from({ length: 10 }, (_, i) => `digit ${i}`);
  return {
    source,
    classNames,
    input: { path, bytes: written.bytes, trainRows: written.trainRows, testRows: written.testRows, badRowIds: written.badRows.map((b) => b.id) },
  };
}

// ---- phase 5: training ----

/** Rows of one split as flat arrays: the features, the pixels /255 and the labels. */
interface Split {
  rows: number;
  features: Float32Array;
  pixels: Float32Array;
  labels: Int32Array;
}

/** Where one row's values sit in the collected table's buffers. */
interface RowRef {
  features: Float32Array;
  featuresAt: number;
  pixels: Uint8Array;
  pixelsAt: number;
  label: number;
}

/** The train and test rows that have features (bad rows have none), read straight from the table's buffers. */
function gatherSplits(table: arrow.Table): { train: Split; test: Split } {
  const refs: Record<"train" | "test", RowRef[]> = { train: [], test: [] };
  for (const batch of table.batches) {
    const split = batch.getChild("split")!;
    const label = batch.getChild("label")!;
    const features = batch.getChild("features")!.data[0]!;
    const images = batch.getChild("image")!.data[0]!;
    const f = features.children[0]!;
    const p = images.children[0]!;
    for (let i = 0; i < batch.numRows; i++) {
      if (!features.getValid(i)) continue;
      refs[split.get(i) === "test" ? "test" : "train"].push({
        features: f.values as Float32Array,
        featuresAt: (features.offset + i) * FEATURE_DIM - f.offset,
        pixels: p.values as Uint8Array,
        pixelsAt: (images.offset + i) * PIXELS - p.offset,
        label: Number(label.get(i)),
      });
    }
  }
  const build = (rows: readonly RowRef[]): Split => {
    const out: Split = { rows: rows.length, features: new Float32Array(rows.length * FEATURE_DIM), pixels: new Float32Array(rows.length * PIXELS), labels: new Int32Array(rows.length) };
    rows.forEach((r, k) => {
      out.features.set(r.features.subarray(r.featuresAt, r.featuresAt + FEATURE_DIM), k * FEATURE_DIM);
      for (let j = 0; j < PIXELS; j++) out.pixels[k * PIXELS + j] = r.pixels[r.pixelsAt + j]! / 255;
      out.labels[k] = r.label;
    });
    return out;
  };
  return { train: build(refs.train), test: build(refs.test) };
}

/** Fits the features model and the raw-pixel baseline on the train rows; predicts the held-out rows. */
function trainModels(joined: arrow.Table, seed: number): { train: Split; test: Split; accuracy: number; baselineAccuracy: number; trainAccuracy: number; predicted: Int32Array } {
  const { train, test } = gatherSplits(joined);
  const epochs = Math.max(6, Math.ceil(MIN_VISITS / Math.max(1, train.rows)));
  const fit = (learningRate: number): SoftmaxRegressionOptions => ({ ...FIT, epochs, learningRate, seed });
  const model = SoftmaxRegression.fit(train.features, train.labels, FEATURE_DIM, fit(FEATURES_RATE));
  const baseline = SoftmaxRegression.fit(train.pixels, train.labels, PIXELS, fit(PIXELS_RATE));
  const predicted = model.predict(test.features);
  return {
    train,
    test,
    accuracy: accuracyOf(predicted, test.labels),
    baselineAccuracy: baseline.accuracy(test.pixels, test.labels),
    trainAccuracy: model.accuracy(train.features, train.labels),
    predicted,
  };
}

function accuracyOf(predicted: Int32Array, labels: Int32Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return labels.length === 0 ? 0 : right / labels.length;
}

// ---- formatting ----

function schemaText(schema: arrow.Schema): string {
  return schema.fields.map((f) => `${f.name} ${f.type}`).join(", ");
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function num(v: unknown): string {
  return Number(v).toFixed(1);
}

if (import.meta.url === `file://${process.argv[1]}`) await runMnistPipeline({ dir: process.argv[2] ?? "./tessera-demo/mnist" });
