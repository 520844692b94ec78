// Example: an image-curation workflow on 60 generated pictures (made offline with sharp): read a folder of images,
// look at sizes, make thumbnails, find near-duplicates with perceptual hashes, embed the images, write the
// embeddings back as a new column, index and search by image, then append more images and bring the embeddings and
// the index up to date. Also: downloads restricted to a root folder, and a text search over captions.
// Each step prints one line; main() returns what it observed (test/examples/multimodal-basics.test.ts checks it).
// Run: node --import tsx examples/multimodal-basics.ts [directory]

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { col, embedders, fromRows, readImages, Table } from "../src/index.js";

/** A 96×96 picture: a 6×6 grid of lighter and darker tiles over colour waves, all seeded by `id`. */
export async function picture(id: number, size = 96): Promise<Buffer> {
  const w = 96;
  const pixels = Buffer.alloc(w * w * 3);
  let seed = (id + 1) * 2654435761;
  const random = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const freqs = Array.from({ length: 6 }, () => 0.02 + random() * 0.2);
  const phases = Array.from({ length: 6 }, () => random() * 2 * Math.PI);
  const blocks = Array.from({ length: 36 }, () => (random() - 0.5) * 140); // a 6×6 grid of brighter/darker tiles
  const f = (k: number): number => freqs[k]!;
  const phase = (k: number): number => phases[k]!;
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        const tile = blocks[Math.floor(y / 16) * 6 + Math.floor(x / 16)]!;
        const v = 128 + tile + 40 * Math.sin(f(c) * x + phase(c)) + 30 * Math.cos(f(c + 3) * y + phase(c + 3));
        pixels[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  const full = sharp(pixels, { raw: { width: w, height: w, channels: 3 } });
  return (size === w ? full : full.resize(size, size)).png().toBuffer();
}

/** Writes `count` pictures as dir/img-NNN.png, and a near-duplicate of picture 7 (smaller, as a JPEG). */
export async function makeImages(dir: string, from: number, count: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let id = from; id < from + count; id++) await writeFile(join(dir, `img-${String(id).padStart(3, "0")}.png`), await picture(id));
}

export interface Observed {
  files: number;
  sizes: string[];
  thumbnail: { width: number; height: number };
  duplicates: string[];
  embeddingColumn: { type: string; extension: string | undefined };
  mergeBytes: number;
  tableBytes: number;
  vectorBytes: number;
  nearest: string[];
  backfill: { rows: number; fragments: number };
  afterAppend: string[];
  refused: string;
  downloaded: number;
  captions: string[];
}

/** Runs the whole workflow in `dir` and returns what it observed. */
export async function main(dir = "./tessera-demo/multimodal"): Promise<Observed> {
  await rm(dir, { recursive: true, force: true });
  const photos = join(dir, "photos");
  await makeImages(photos, 0, 60);
  await writeFile(join(photos, "copy-of-7.jpg"), await sharp(await picture(7, 64)).jpeg({ quality: 70 }).toBuffer());
  const log = (line: string): void => console.log(line);

  // A folder of images: one row per file, the bytes typed as an image.
  const images = await readImages(join(photos, "*.{png,jpg}"));
  const sized = await images.select("path", col("image").image.width().alias("w"), col("image").image.height().alias("h")).toRows();
  const sizes = [...new Set(sized.map((r) => `${r.w}x${r.h}`))].sort();
  log(`${sized.length} images; sizes ${sizes.join(", ")}`);

  // Thumbnails: resized with sharp on both cores, still encoded.
  const thumbs = images.select("path", col("image").image.thumbnail(32).alias("thumb"));
  const [firstThumb] = await thumbs.limit(1).select(col("thumb").image.width().alias("w"), col("thumb").image.height().alias("h")).toRows();
  log(`thumbnail: ${firstThumb!.w}x${firstThumb!.h}`);

  // Near-duplicates: images whose perceptual hash is within 6 bits of picture 7's.
  const hashed = images.withColumn("hash", col("image").image.hash());
  const [seven] = await hashed.where(col("path").str.endsWith("img-007.png")).select("hash").toRows();
  const dups = await hashed.where(col("hash").image.hammingDistance(seven!.hash as bigint).lte(6)).select("path").toRows();
  const duplicates = dups.map((r) => String(r.path).split("/").at(-1)!).sort();
  log(`near-duplicates of img-007.png: ${duplicates.join(", ")}`);

  // Store the images in a table, then compute embeddings and merge them back by _rowid: only the new column is written.
  const uri = join(dir, "images.tsr");
  await images.writeTable(uri);
  const embedder = embedders.image({ size: 16, mode: "RGB" });
  const table = await Table.open(uri);
  const before = dataBytes(table);
  const tableWithIds = table.toDataFrame({ withRowId: true });
  await tableWithIds.select("_rowid", col("image").embed(embedder).alias("embedding")).writeTable(uri, { mode: "merge" });
  const t = await Table.open(uri);
  const field = t.schema.fields.find((f) => f.name === "embedding")!;
  const embeddingColumn = { type: String(field.type), extension: field.metadata.get("ARROW:extension:name") };
  const mergeBytes = dataBytes(t) - before;
  log(`merged "embedding" (${embeddingColumn.type}): ${mergeBytes} bytes written for ${sized.length * embedder.dimension * 4} bytes of vectors`);

  // Index it and search by image: the query bytes are embedded with the embedder recorded in the column.
  await t.createIndex("embedding", { type: "hnsw", metric: "cosine" });
  const query = await readFile(join(photos, "copy-of-7.jpg"));
  const hits = await t.search(query, { k: 3, columns: ["path"] });
  const nearest = [...hits.getChild("path")!].map((p) => String(p).split("/").at(-1)!);
  log(`nearest to copy-of-7.jpg: ${nearest.join(", ")}`);

  // New images arrive: append them, embed only the rows that lack an embedding, extend the index.
  const more = join(dir, "more");
  await makeImages(more, 60, 10);
  await t.append(await readImages(join(more, "*.png")));
  const filled = await t.backfill("embedding", col("image").embed(embedder));
  await t.optimizeIndices();
  const again = await t.search(await picture(65), { k: 1, columns: ["path"] });
  const afterAppend = [...again.getChild("path")!].map((p) => String(p).split("/").at(-1)!);
  log(`backfilled ${filled.rows} rows in ${filled.fragments.length} fragment(s); nearest to picture 65: ${afterAppend.join(", ")}`);

  // URLs: local files are refused unless a root allows them, so a shared dataset of URLs cannot read /etc/passwd.
  const urls = fromRows([{ url: join(photos, "img-001.png") }, { url: "/etc/passwd" }]);
  let refused = "";
  try {
    await urls.withColumn("bytes", col("url").url.download()).collect();
  } catch (err) {
    refused = (err as Error).message;
  }
  const inside = await urls.withColumn("bytes", col("url").url.download({ root: photos, onError: "null" })).toRows();
  const downloaded = inside.filter((r) => r.bytes !== null).length;
  log(`downloads: ${downloaded} of 2 inside the root; without one: ${refused.split(":")[0]}`);

  // Text: embed captions and search them by a phrase.
  const captionsUri = join(dir, "captions.tsr");
  const captionTable = await fromRows([
    { caption: "a red square on a green field" },
    { caption: "two dogs playing in the snow" },
    { caption: "a green square on a red field" },
    { caption: "snowy mountains at dawn" },
  ])
    .withColumn("vector", col("caption").embed(embedders.text({ dimension: 128 })))
    .writeTable(captionsUri);
  const ct = await Table.open(captionTable.uri);
  const found = await ct.search("dogs in snow", { k: 2, columns: ["caption"] });
  const captions = [...found.getChild("caption")!].map(String);
  log(`text search "dogs in snow": ${captions.join(" | ")}`);

  return {
    files: sized.length,
    sizes,
    thumbnail: { width: Number(firstThumb!.w), height: Number(firstThumb!.h) },
    duplicates,
    embeddingColumn,
    mergeBytes,
    tableBytes: before,
    vectorBytes: sized.length * embedder.dimension * 4,
    nearest,
    backfill: { rows: filled.rows, fragments: filled.fragments.length },
    afterAppend,
    refused,
    downloaded,
    captions,
  };
}

/** Bytes of the data files a table version references. */
function dataBytes(t: Table): number {
  return t.currentManifest.fragments.flatMap((f) => f.files).reduce((sum, f) => sum + f.size, 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2]);
