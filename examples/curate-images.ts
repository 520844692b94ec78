// Example: curating a folder of images end to end — ingest, dead-letter the unreadable and too-small files, dedup by
// perceptual hash, embed without rewriting the images, index, search, append and backfill, then diff against `raw`.
// Each step prints one line with its wall time; runCuration() returns what it observed (test/examples/curate-images.test.ts
// checks it). Run: node --import tsx examples/curate-images.ts [directory] [images]

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type * as arrow from "apache-arrow";
import sharp, { type Sharp } from "sharp";
import { col, DataType, embedders, fromGlob, fromRows, lit, readImages, Table, udf } from "../src/index.js";
import type { DataFrame, DeadLetter, Embedder } from "../src/index.js";
import { mulberry32 as random } from "./support/random.js";

/** What to run. */
export interface CurationOptions {
  /** Working directory: images go to `<dir>/images` and `<dir>/incoming`, the table to `<dir>/table`. */
  dir: string;
  /** Files generated in the folder, planted copies and bad files included (at least 20). Default 1 000 (about 10 s on 2 cores). */
  images?: number;
  /** Seed of everything generated. Default 7. */
  seed?: number;
  /** Where each step's summary line goes. Default console.log. */
  log?: (line: string) => void;
}

/** The files the generator planted, so a test can compare what the curation found with what is there. */
export interface PlantedFiles {
  /** Distinct pictures (each kept by the curation unless it is too small). */
  originals: string[];
  /** Byte-for-byte copies: `file` is a copy of `of`. */
  exact: { file: string; of: string }[];
  /** Re-encoded, resized or brightened copies. */
  near: { file: string; of: string; change: string }[];
  /** Unreadable files: cut short, random bytes with an image extension, or empty. */
  corrupt: { file: string; kind: "truncated" | "garbage" | "empty" }[];
  /** Readable images smaller than the minimum side. */
  small: string[];
  /** New pictures in `<dir>/incoming`, appended later. */
  incoming: string[];
}

/** One file left out, and why (the message the `admit` UDF failed with). */
export interface DeadLetterEntry {
  file: string;
  reason: string;
}

/** A duplicate the curation deleted: `file` was within `bits` hash bits of `keptAs`, which stays. */
export interface RemovedDuplicate {
  file: string;
  keptAs: string;
  bits: number;
}

/** One search hit. */
export interface Hit {
  file: string;
  format: string;
  distance: number;
}

/** The steps, in order; each has a wall time in `timings`. */
export const CURATION_STEPS = ["generate", "ingest", "dedup", "embed", "index", "search", "append", "timeTravel"] as const;
export type CurationStep = (typeof CURATION_STEPS)[number];

/** What the curation observed. */
export interface CurationResult {
  planted: PlantedFiles;
  /** Files in the folder and their bytes (fromGlob). */
  files: number;
  folderBytes: number;
  /** Rows written as version 1: files that decoded and are large enough. */
  decoded: number;
  formats: Record<string, number>;
  /** Distinct width×height among them. */
  sizes: string[];
  deadLetter: DeadLetterEntry[];
  duplicates: RemovedDuplicate[];
  rowsAfterDedup: number;
  /**
   * The merge of the embedding column: bytes of the data files it added, against the vectors' raw bytes (a slot per
   * stored row: deleted rows keep theirs, as null) and the whole table's data files afterwards.
   */
  embedding: { dimension: number; bytesWritten: number; vectorBytes: number; tableBytes: number; files: number };
  index: { type: string; metric: string };
  search: { query: string; queryCopyOf: string; filter: string; hits: Hit[]; unfiltered: Hit[] };
  /** New images appended, and their embeddings backfilled (only theirs: in the fragments the append added). */
  appended: { rows: number; deadLettered: number; backfilledRows: number; backfilledFragments: number[]; newFragments: number[]; backfillBytes: number };
  /** After the append: index coverage, and the nearest row to the last new image. */
  indexAfterAppend: { indexedRows: number; unindexedRows: number };
  newImageFound: string;
  versions: { version: number; operation: string; rows: number }[];
  tags: Record<string, number>;
  /** `raw` against the latest version, computed with anti joins on `path`. */
  diff: { rawRows: number; latestRows: number; removed: string[]; added: string[]; columnsAdded: string[]; columnsRemoved: string[] };
  /** Wall time per step, in ms. */
  timings: Record<CurationStep, number>;
}

/** Images with a side under this many pixels are left out. */
const MIN_SIDE = 32;
/** Hashes at most this many bits apart are duplicates (the copies here are 0–6 apart; distinct pictures, 12 or more). */
const NEAR_BITS = 8;
const SIZES: readonly [number, number][] = [[64, 64], [96, 96], [128, 96], [160, 120], [192, 192], [256, 192]];
const FORMATS = ["png", "jpeg", "webp"] as const;
type Format = (typeof FORMATS)[number];
const EXT: Record<Format, string> = { png: "png", jpeg: "jpg", webp: "webp" };
const PATTERN = "*.{png,jpg,webp}";
/** Tiles per side of a generated picture. */
const GRID = 12;

/** Runs the whole curation in `options.dir` and returns what it observed. */
export async function runCuration(options: CurationOptions): Promise<CurationResult> {
  const { dir, images = 1000, seed = 7, log = (line: string) => console.log(line) } = options;
  await rm(dir, { recursive: true, force: true });
  const timings = {} as Record<CurationStep, number>;
  const step = stepRunner(timings, log);
  const folder = join(dir, "images");
  const uri = join(dir, "table");

  const planted = await step("generate", () => generateImages(dir, images, seed), (p) =>
    `${images} files in ${folder}: ${p.originals.length} pictures, ${p.exact.length} exact and ${p.near.length} near copies, ` +
    `${p.corrupt.length} corrupt, ${p.small.length} too small; ${p.incoming.length} more waiting in incoming/`);

  const ingest = await step("ingest", () => ingestFolder(folder, uri, join(dir, "dead-letter.jsonl")), (r) =>
    `${r.files} files (${mb(r.folderBytes)}) → ${r.decoded} decoded (${Object.entries(r.formats).map(([f, n]) => `${n} ${f}`).join(", ")}; ` +
    `${r.sizes.length} sizes) written as version 1, tagged raw; ${r.deadLetter.length} in dead-letter.jsonl: ${reasons(r.deadLetter)}`);

  const t = await Table.open(uri);
  const duplicates = await step("dedup", () => removeDuplicates(t), (d) =>
    `${d.length} duplicates (${d.filter((x) => x.bits === 0).length} with equal hashes, the others ≤ ${NEAR_BITS} bits apart) deleted in ` +
    `version ${t.version}, tagged dedup, ${t.rows} rows left; farthest: ` +
    [...d].sort((a, b) => b.bits - a.bits).slice(0, 2).map((x) => `${x.file} ≈ ${x.keptAs} (${x.bits} bits)`).join(", "));
  const rowsAfterDedup = t.rows;

  const embedder = embedders.image({ size: 16, mode: "RGB" });
  const embedding = await step("embed", () => addEmbeddings(t, embedder), (e) =>
    `"embedding" (${e.dimension}-d) in version ${t.version}: ${e.files} new data file${e.files === 1 ? "" : "s"}, ${mb(e.bytesWritten)} written for ` +
    `${mb(e.vectorBytes)} of vectors; the table holds ${mb(e.tableBytes)}, no image rewritten`);

  const index = await step("index", async () => {
    await t.createIndex("embedding", { type: "hnsw", metric: "cosine" });
    const [info] = await t.listIndices();
    return { type: info!.type, metric: info!.metric, rows: info!.indexedRows };
  }, (i) => `${i.type} (${i.metric}) over ${i.rows} rows, version ${t.version}`);

  const search = await step("search", () => moreLikeThis(t, folder, planted), (s) =>
    `more like ${s.query} (a copy of ${s.queryCopyOf}, deleted as a duplicate), ${s.filter}: ` +
    s.hits.map((h) => `${h.file} ${h.distance.toFixed(3)}`).join(", "));

  const arrived = await step("append", () => appendAndBackfill(t, embedder, join(dir, "incoming"), planted.incoming.at(-1)!), (r) =>
    `${r.appended.rows} new images appended (${r.appended.deadLettered} dead-lettered); embeddings backfilled for ` +
    `${r.appended.backfilledRows} rows in fragment ${r.appended.backfilledFragments.join(", ")} (${mb(r.appended.backfillBytes)}); index ` +
    `extended: ${r.indexAfterAppend.indexedRows} indexed, ${r.indexAfterAppend.unindexedRows} not; ${planted.incoming.at(-1)} finds ${r.newImageFound}`);

  const history = await step("timeTravel", () => compareWithRaw(t), (h) =>
    `raw (v${h.tags.raw}, ${h.diff.rawRows} rows) → v${t.version} (${h.diff.latestRows} rows): ${h.diff.removed.length} rows removed, ` +
    `${h.diff.added.length} added, columns added: ${h.diff.columnsAdded.join(", ") || "none"}; versions ` +
    h.versions.map((v) => `${v.version} ${v.operation}`).join(", "));

  return {
    planted,
    ...ingest,
    duplicates,
    rowsAfterDedup,
    embedding,
    index: { type: index.type, metric: index.metric },
    search,
    ...arrived,
    ...history,
    timings,
  };
}

// ---- the steps ----

/** Runs each step, records its wall time in `timings`, and prints its summary line with that time. */
function stepRunner(timings: Record<CurationStep, number>, log: (line: string) => void) {
  return async <T>(name: CurationStep, work: () => Promise<T>, summary: (out: T) => string): Promise<T> => {
    const start = performance.now();
    const out = await work();
    timings[name] = Math.round(performance.now() - start);
    log(`${name.padEnd(10)} ${summary(out)} [${timings[name]} ms]`);
    return out;
  };
}

/**
 * Lets through readable images of at least MIN_SIDE a side. For the others it throws the reason, which onError
 * "dead-letter" turns into a dead letter holding the row's inputs (the path first) instead of failing the run.
 */
const admit = udf(
  (paths, sizes, formats, widths, heights, hashes) =>
    Array.from({ length: paths.length }, (_, i) => {
      const format = formats.get(i) as string | null;
      const [w, h] = [Number(widths.get(i)), Number(heights.get(i))];
      if (Number(sizes.get(i)) === 0) throw new Error("empty file");
      if (format === null) throw new Error("not an image: no known format in its first bytes");
      if (hashes.get(i) === null) throw new Error(`corrupt: a ${format} header, but the pixels do not decode`);
      if (w < MIN_SIDE || h < MIN_SIDE) throw new Error(`too small: ${w}×${h}, under ${MIN_SIDE} pixels a side`);
      return true;
    }),
  { returnType: DataType.bool(), onError: "dead-letter", name: "admit" },
);

/**
 * The images of a folder with their file size (fromGlob), format, width and height (from headers) and perceptual
 * hash, keeping only the rows `admit` lets through. Unreadable rows get nulls from the image functions
 * (onError "null") so that `admit` can say what is wrong with them.
 */
async function inspectFolder(folder: string): Promise<DataFrame> {
  const files = (await fromGlob(join(folder, PATTERN))).select("path", "size");
  return (await readImages(join(folder, PATTERN)))
    .join(files, { on: "path" })
    .withColumns({
      format: col("image").image.format({ onError: "null" }),
      width: col("image").image.width({ onError: "null" }),
      height: col("image").image.height({ onError: "null" }),
      // The hash decodes every pixel, so it is what catches truncated files (their headers still read fine).
      hash: col("image").image.hash({ onError: "null" }),
    })
    .withColumn("admitted", admit(col("path"), col("size"), col("format"), col("width"), col("height"), col("hash")))
    .where(col("admitted").notNull())
    .exclude("admitted");
}

/** The report of an ingest: what reached the table and what went to the dead letter. */
type IngestReport = Pick<CurationResult, "files" | "folderBytes" | "decoded" | "formats" | "sizes" | "deadLetter">;

/** Inspects the folder into version 1 (tagged `raw`), and writes the dead letters as NDJSON beside it. */
async function ingestFolder(folder: string, uri: string, reportUri: string): Promise<IngestReport> {
  const [listed] = await (await fromGlob(join(folder, PATTERN))).agg(col("path").count().alias("files"), col("size").sum().alias("bytes")).toRows();
  const letters: DeadLetter[] = [];
  await (await inspectFolder(folder)).writeTable(uri, { onDeadLetter: (d) => letters.push(d) });
  const t = await Table.open(uri);
  await t.tags.create("raw");
  const deadLetter = letters.map((d) => ({ file: basename(String((d.input as unknown[])[0])), reason: d.error })).sort((a, b) => a.file.localeCompare(b.file));
  await fromRows(deadLetter).writeJson(reportUri);
  const df = t.toDataFrame();
  const formats = await df.groupBy("format").agg(col("path").count().alias("n")).sort("format").toRows();
  const sizes = await df.select(col("width").cast(DataType.utf8()).str.concat("×", col("height").cast(DataType.utf8())).alias("size")).distinct().sort("size").toRows();
  return {
    files: Number(listed!.files),
    folderBytes: Number(listed!.bytes),
    decoded: t.rows,
    formats: Object.fromEntries(formats.map((r) => [String(r.format), Number(r.n)])),
    sizes: sizes.map((r) => String(r.size)),
    deadLetter,
  };
}

/**
 * Every pair of rows whose hashes are at most NEAR_BITS apart, as (copy, kept): the copy is the one with fewer
 * pixels, or as many and the later path. A cross join (on a constant) is fine for thousands of images; for millions,
 * join on bands of hash bits first.
 */
function duplicatePairs(t: Table): DataFrame {
  const hashes = t.toDataFrame().select("path", "hash", col("width").mul(col("height")).alias("pixels"));
  const rightIsCopy = col("pixels_right").lt(col("pixels")).or(col("pixels_right").eq(col("pixels")).and(col("path_right").gt(col("path"))));
  return hashes
    .join(hashes, { leftOn: lit(0), rightOn: lit(0) })
    .withColumn("bits", col("hash").image.hammingDistance(col("hash_right")))
    .where(col("bits").lte(NEAR_BITS).and(rightIsCopy))
    .select(col("path_right").alias("path"), col("path").alias("kept"), "bits");
}

/** Deletes every copy (version 2, tagged `dedup`): deletion files only, the images stay for `raw`. */
async function removeDuplicates(t: Table): Promise<RemovedDuplicate[]> {
  // A copy near several kept images is reported once, with the nearest.
  const pairs = await duplicatePairs(t).sort(["path", "bits"]).distinct("path").toRows();
  if (pairs.length > 0) await t.delete(`path IN (${pairs.map((p) => quote(String(p.path))).join(", ")})`);
  await t.tags.create("dedup");
  return pairs.map((p) => ({ file: basename(String(p.path)), keptAs: basename(String(p.kept)), bits: Number(p.bits) }));
}

/** Data files of the version a handle is on, path → bytes. */
function dataFiles(t: Table): Map<string, number> {
  return new Map(t.currentManifest.fragments.flatMap((f) => f.files.map((d) => [d.path, d.size] as const)));
}

/** Embeds every image and merges the vectors back by `_rowid` (version 3): one new file per fragment, nothing else. */
async function addEmbeddings(t: Table, embedder: Embedder): Promise<CurationResult["embedding"]> {
  const before = dataFiles(t);
  await t
    .toDataFrame({ withRowId: true })
    .select("_rowid", col("image").embed(embedder).alias("embedding"))
    .writeTable(t.uri, { mode: "merge" });
  await t.refresh();
  const after = dataFiles(t);
  const added = [...after].filter(([path]) => !before.has(path));
  return {
    dimension: embedder.dimension,
    bytesWritten: added.reduce((n, [, size]) => n + size, 0),
    vectorBytes: t.currentManifest.fragments.reduce((n, f) => n + f.physicalRows, 0) * embedder.dimension * 4,
    tableBytes: [...after.values()].reduce((n, size) => n + size, 0),
    files: added.length,
  };
}

/** Search results as hits. */
function hits(result: arrow.Table): Hit[] {
  return result.toArray().map((r) => ({ file: basename(String(r.path)), format: String(r.format), distance: Number(r._distance) }));
}

/**
 * "More like this" for a photo from outside the table — the first planted near copy, a smaller JPEG of a PNG,
 * deleted as a duplicate — among the PNGs only; the unfiltered search is kept for comparison.
 */
async function moreLikeThis(t: Table, folder: string, planted: PlantedFiles): Promise<CurationResult["search"]> {
  const copy = planted.near[0]!;
  const query = await readFile(join(folder, copy.file));
  const filter = "format = 'png'";
  const filtered = await t.search(query, { k: 5, filter, columns: ["path", "format"] });
  const unfiltered = await t.search(query, { k: 5, columns: ["path", "format"] });
  return { query: copy.file, queryCopyOf: copy.of, filter, hits: hits(filtered), unfiltered: hits(unfiltered) };
}

/**
 * New images arrive: append them (no embeddings yet), backfill only their embeddings, extend the index, and search
 * for one of them (`probe`).
 */
async function appendAndBackfill(
  t: Table,
  embedder: Embedder,
  incoming: string,
  probe: string,
): Promise<Pick<CurationResult, "appended" | "indexAfterAppend" | "newImageFound">> {
  const fragmentsBefore = new Set(t.currentManifest.fragments.map((f) => f.id));
  // The same inspection as the first ingest (these files are all good: no dead letter expected).
  const letters: DeadLetter[] = [];
  const written = await (await inspectFolder(incoming)).writeTable(t.uri, { mode: "append", onDeadLetter: (d) => letters.push(d) });
  await t.refresh();
  const newFragments = t.currentManifest.fragments.map((f) => f.id).filter((id) => !fragmentsBefore.has(id));
  const filled = await t.backfill("embedding", col("image").embed(embedder));
  await t.optimizeIndices();
  const [info] = await t.listIndices();
  const [found] = hits(await t.search(await readFile(join(incoming, probe)), { k: 1, columns: ["path", "format"] }));
  return {
    appended: {
      rows: written.rows,
      deadLettered: letters.length,
      backfilledRows: filled.rows,
      backfilledFragments: filled.fragments,
      newFragments,
      backfillBytes: filled.bytes,
    },
    indexAfterAppend: { indexedRows: info!.indexedRows, unindexedRows: info!.unindexedRows },
    newImageFound: found?.file ?? "",
  };
}

/** Time travel: `raw` against the latest version — rows by anti joins on `path`, columns by the schemas. */
async function compareWithRaw(t: Table): Promise<Pick<CurationResult, "versions" | "tags" | "diff">> {
  const raw = await t.checkout("raw");
  const then = raw.toDataFrame().select("path");
  const now = t.toDataFrame().select("path");
  const names = async (df: DataFrame): Promise<string[]> => (await df.sort("path").toRows()).map((r) => basename(String(r.path)));
  const rawColumns = raw.schema.fields.map((f) => f.name);
  const latestColumns = t.schema.fields.map((f) => f.name);
  const tags = Object.fromEntries((await t.tags.list()).map((tag) => [tag.name, tag.version]));
  return {
    versions: (await t.versions()).map((v) => ({ version: v.version, operation: v.operation, rows: v.rows })),
    tags,
    diff: {
      rawRows: raw.rows,
      latestRows: t.rows,
      removed: await names(then.join(now, { on: "path", how: "anti" })),
      added: await names(now.join(then, { on: "path", how: "anti" })),
      columnsAdded: latestColumns.filter((c) => !rawColumns.includes(c)),
      columnsRemoved: rawColumns.filter((c) => !latestColumns.includes(c)),
    },
  };
}

// ---- the generated folder ----

/**
 * Picture `id` at width×height as RGB: a 12×12 grid of lighter and darker tiles over colour waves, drawn in
 * coordinates relative to the size, so the same picture at another size looks (and hashes) the same.
 */
function picture(id: number, seed: number, width: number, height: number): Buffer {
  const r = random(seed * 100_003 + id);
  const tiles = Array.from({ length: GRID * GRID }, () => (r() - 0.5) * 160);
  // The waves are separable (one along x, one along y per channel), so each is computed once per column or row.
  const wave = (n: number, amplitude: number, trig: (a: number) => number) => {
    const [f, phase] = [2 + r() * 18, r() * 2 * Math.PI];
    return Float32Array.from({ length: n }, (_, i) => amplitude * trig((f * i) / n + phase));
  };
  const across = [0, 1, 2].map(() => wave(width, 25, Math.sin));
  const down = [0, 1, 2].map(() => wave(height, 20, Math.cos));
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * GRID) / height) * GRID;
    for (let x = 0; x < width; x++) {
      const tile = 128 + tiles[row + Math.floor((x * GRID) / width)]!;
      for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(tile + across[c]![x]! + down[c]![y]!)));
    }
  }
  return pixels;
}

/** Picture `id` encoded. */
async function encoded(id: number, seed: number, [width, height]: readonly [number, number], format: Format, quality = 85): Promise<Buffer> {
  const s = sharp(picture(id, seed, width, height), { raw: { width, height, channels: 3 } });
  return format === "png" ? s.png().toBuffer() : format === "jpeg" ? s.jpeg({ quality }).toBuffer() : s.webp({ quality }).toBuffer();
}

/** The near copies, in turn: each changes an original's bytes but not what it shows. */
const NEAR_CHANGES: readonly { change: string; format: Format; make: (s: Sharp, w: number, h: number) => Sharp }[] = [
  { change: "70 % size, JPEG", format: "jpeg", make: (s, w, h) => s.resize(Math.round(w * 0.7), Math.round(h * 0.7)).jpeg({ quality: 75 }) },
  { change: "10 % brighter", format: "png", make: (s) => s.modulate({ brightness: 1.1 }).png() },
  { change: "re-encoded as WebP", format: "webp", make: (s) => s.webp({ quality: 70 }) },
  { change: "80 % size, 5 % brighter", format: "png", make: (s, w, h) => s.resize(Math.round(w * 0.8), Math.round(h * 0.8)).modulate({ brightness: 1.05 }).png() },
];

/** One file to write: its number in the folder, format, bytes and what it is. */
interface Planned {
  number: number;
  format: Format;
  bytes: Buffer;
  role: "original" | "exact" | "near" | "corrupt" | "small";
  of?: Planned;
  change?: string;
  kind?: PlantedFiles["corrupt"][number]["kind"];
}

const fileName = (p: Pick<Planned, "number" | "format">): string => `img-${String(p.number).padStart(4, "0")}.${EXT[p.format]}`;

/** Pictures made at once: sharp encodes on its threads while the next ones are drawn. */
const CHUNK = 16;

/** `fn` over 0 … n-1, `CHUNK` at a time. */
async function inChunks<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += CHUNK) out.push(...(await Promise.all(Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => fn(i + j)))));
  return out;
}

/**
 * Writes `count` files into `<dir>/images` — pictures of several sizes as PNG, JPEG and WebP, exact and near copies
 * (each of a different picture, numbered after it, as a later upload would be), corrupt and too-small files, all
 * numbered in a seeded shuffle — and a tenth as many new pictures into `<dir>/incoming`.
 */
export async function generateImages(dir: string, count: number, seed = 7): Promise<PlantedFiles> {
  if (!Number.isInteger(count) || count < 20) throw new RangeError(`images must be an integer of at least 20, got ${count}`);
  const r = random(seed);
  const share = (fraction: number, least: number): number => Math.max(least, Math.round(count * fraction));
  const n = { corrupt: share(0.02, 3), small: share(0.01, 2), exact: share(0.04, 2), near: share(0.06, 4) };
  const numbers = shuffle(Array.from({ length: count }, (_, i) => i), r);
  const sizes = numbers.map(() => SIZES[Math.floor(r() * SIZES.length)]!);
  const originals = await inChunks(count - n.corrupt - n.small - n.exact - n.near, async (id): Promise<Planned> => {
    const format = FORMATS[id % 3]!;
    return { number: 0, format, bytes: await encoded(id, seed, sizes[id]!, format), role: "original" };
  });
  // Copies of distinct originals (the first near copy is of picture 0, a PNG: the search step's query).
  const sources = [0, ...shuffle(Array.from({ length: originals.length - 1 }, (_, i) => i + 1), r)].map((i) => originals[i]!);
  const near = await inChunks(n.near, (i) => nearCopy(sources[i]!, NEAR_CHANGES[i % NEAR_CHANGES.length]!));
  const exact = sources.slice(n.near, n.near + n.exact).map((of): Planned => ({ ...of, role: "exact", of }));
  const corrupt = await inChunks(n.corrupt, (i) => corruptFile(i, seed));
  const small = await inChunks(n.small, async (i): Promise<Planned> => {
    const size: [number, number] = i % 2 === 0 ? [24, 24] : [40, 20];
    return { number: 0, format: "png", bytes: await encoded(300_000 + i, seed, size, "png"), role: "small" };
  });
  const files = [...originals, ...near, ...exact, ...corrupt, ...small];
  files.forEach((f, i) => (f.number = numbers[i]!));
  // A copy is numbered after its original, as a later upload would be.
  for (const f of files) if (f.of !== undefined && f.number < f.of.number) [f.number, f.of.number] = [f.of.number, f.number];
  await mkdir(join(dir, "images"), { recursive: true });
  await Promise.all(files.map((f) => writeFile(join(dir, "images", fileName(f)), f.bytes)));
  return {
    originals: originals.map(fileName).sort(),
    exact: exact.map((f) => ({ file: fileName(f), of: fileName(f.of!) })),
    near: near.map((f) => ({ file: fileName(f), of: fileName(f.of!), change: f.change! })),
    corrupt: corrupt.map((f) => ({ file: fileName(f), kind: f.kind! })),
    small: small.map(fileName).sort(),
    incoming: await writeIncoming(join(dir, "incoming"), share(0.1, 4), count, seed, r),
  };
}

/** A near copy of `of`: the same picture with other bytes. */
async function nearCopy(of: Planned, { change, format, make }: (typeof NEAR_CHANGES)[number]): Promise<Planned> {
  const { width, height } = await sharp(of.bytes).metadata();
  return { number: 0, format, bytes: await make(sharp(of.bytes), width!, height!).toBuffer(), role: "near", of, change };
}

/** The i-th corrupt file: in turn cut short (PNG, JPEG, WebP), random bytes named .jpg, or empty. */
async function corruptFile(i: number, seed: number): Promise<Planned> {
  const kind = (["truncated", "garbage", "empty"] as const)[i % 3]!;
  const format = kind === "garbage" ? "jpeg" : FORMATS[Math.floor(i / 3) % 3]!;
  const noise = random(seed + i);
  const bytes =
    kind === "truncated" ? await encoded(200_000 + i, seed, [128, 96], format).then((b) => b.subarray(0, Math.floor(b.length * 0.6)))
    : kind === "garbage" ? Buffer.from(Array.from({ length: 2000 }, () => Math.floor(noise() * 256)))
    : Buffer.alloc(0);
  return { number: 0, format, bytes, role: "corrupt", kind };
}

/** New pictures, numbered after the folder's files. */
async function writeIncoming(dir: string, count: number, from: number, seed: number, r: () => number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const sizes = Array.from({ length: count }, () => SIZES[Math.floor(r() * SIZES.length)]!);
  return inChunks(count, async (i) => {
    const file = { number: from + i, format: FORMATS[i % 3]! };
    await writeFile(join(dir, fileName(file)), await encoded(100_000 + i, seed, sizes[i]!, file.format));
    return fileName(file);
  });
}

function shuffle<T>(items: T[], r: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A SQL string literal. */
function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Dead letters counted by reason, the detail after a colon left out, most frequent first: "3 too small, 2 empty file". */
function reasons(letters: readonly DeadLetterEntry[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of letters) counts.set(reason.split(":")[0]!, (counts.get(reason.split(":")[0]!) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason, n]) => `${n} ${reason}`).join(", ");
}

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} KB`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCuration({ dir: process.argv[2] ?? "./tessera-demo/curation", ...(process.argv[3] ? { images: Number(process.argv[3]) } : {}) });
}
