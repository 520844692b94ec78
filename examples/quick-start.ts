// Example: the README's quick start — a folder of images to a versioned, searchable table in twenty lines. The
// pictures are drawn offline with sharp first (two of them near-copies of each other); the quoted part starts at
// the import of the package.
// Run: node --import tsx examples/quick-start.ts [directory]

import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { col, embedders, readImages, Table } from "../src/index.js";

/** What the quick start printed, for its test. */
export interface QuickStartResult {
  kept: number;
  versions: number[];
  nearest: string[];
  rawRows: number;
}

/** Twelve 64×64 pictures (a coloured disc on a gradient, one per hue), one 16×16 icon and a JPEG copy of picture 3. */
async function drawPictures(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const svg = (hue: number, r: number): Buffer =>
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><defs><linearGradient id="g"><stop offset="0" stop-color="hsl(${hue},60%,20%)"/><stop offset="1" stop-color="hsl(${(hue + 90) % 360},60%,80%)"/></linearGradient></defs>` +
        `<rect width="64" height="64" fill="url(#g)"/><circle cx="${20 + (hue % 24)}" cy="32" r="${r}" fill="hsl(${(hue + 180) % 360},90%,50%)"/></svg>`,
    );
  for (let i = 0; i < 12; i++) await writeFile(join(dir, `photo-${i}.png`), await sharp(svg(i * 30, 8 + i)).png().toBuffer());
  await writeFile(join(dir, "photo-3-copy.jpg"), await sharp(svg(90, 11)).jpeg({ quality: 60 }).toBuffer());
  await writeFile(join(dir, "icon.png"), await sharp(svg(200, 4)).resize(16, 16).png().toBuffer());
}

export async function main(dir = "./example-quick-start"): Promise<QuickStartResult> {
  await rm(dir, { recursive: true, force: true });
  await drawPictures(join(dir, "photos"));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await quickStart();
  } finally {
    process.chdir(cwd);
  }
}

async function quickStart(): Promise<QuickStartResult> {
  // The quick start, as the README shows it (paths relative to the example's directory):
  // --- quick start ---
  const images = await readImages("photos/*.{png,jpg}");              // one row per file: path, image
  await images
    .withColumn("width", col("image").image.width())
    .where(col("width").gte(32))                                     // drop icons and thumbnails
    .withColumn("embedding", col("image").embed(embedders.image({ size: 16, mode: "RGB" })))
    .writeTable("photos.tsr");                                       // version 1
  const table = await Table.open("photos.tsr");
  await table.tags.create("raw", 1);

  await table.delete("path LIKE '%copy%'");                          // version 2: every write is a version
  await table.createIndex("embedding", { type: "hnsw", metric: "cosine" });
  const query = await readFile("photos/photo-3-copy.jpg");           // search by image bytes
  const hits = await table.search(query, { k: 3, columns: ["path", "width"] });
  console.table(hits.toArray());

  const raw = await table.checkout("raw");                          // time travel
  console.log(`${await table.countRows()} rows now, ${await raw.countRows()} in "raw"`);
  // --- end ---
  const versions = (await table.versions()).map((v) => v.version);
  return {
    kept: await table.countRows(),
    versions,
    nearest: [...hits.getChild("path")!].map((p) => String(p).split("/").at(-1)!),
    rawRows: await raw.countRows(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2]);
