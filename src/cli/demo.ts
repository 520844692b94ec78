// `tessera demo`: builds a small image dataset offline (PNG thumbnails rendered with sharp, labels, captions,
// pixel vectors), writes it as a Tessera data file, and reads it back by random access and by scan.

import * as arrow from "apache-arrow";
import sharp from "sharp";
import { DataFileReader } from "../../format/file/reader.js";
import { writeDataFile } from "../../format/file/writer.js";
import { openStore } from "../../format/store/open-store.js";

/** Options for the demo. */
export interface DemoOptions {
  /** Where to write (a local path or any storage URI). Default ./tessera-demo */
  dir?: string;
  /** Rows to generate. Default 5 000. */
  rows?: number;
  /** Where to print. Default console.log. */
  log?: (line: string) => void;
}

/** What the demo measured. */
export interface DemoResult {
  rows: number;
  fileBytes: number;
  takeMs: number;
  takeRows: number;
  labelCounts: number[];
}

const SIDE = 28;

/** A 28×28 grayscale pattern per row: a ring whose radius depends on the label, plus seeded noise. */
function pixels(row: number, label: number): Uint8Array {
  const out = new Uint8Array(SIDE * SIDE);
  let s = (row * 2654435761) >>> 0;
  const r = 4 + label;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const d = Math.abs(Math.hypot(x - 13.5, y - 13.5) - r);
      out[y * SIDE + x] = Math.max(0, Math.min(255, Math.round(255 * Math.exp(-d * d) + (s >>> 28))));
    }
  }
  return out;
}

async function buildTable(n: number): Promise<arrow.Table> {
  sharp.concurrency(2);
  const labels = Int8Array.from({ length: n }, (_, i) => (i * 7) % 10);
  const raw = Array.from({ length: n }, (_, i) => pixels(i, labels[i]!));
  const pngs: Uint8Array[] = [];
  for (let i = 0; i < n; i += 256) {
    const part = raw.slice(i, i + 256).map((p) =>
      sharp(p, { raw: { width: SIDE, height: SIDE, channels: 1 } }).png().toBuffer(),
    );
    pngs.push(...(await Promise.all(part)).map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
  }
  const vectors = new Float32Array(n * SIDE * SIDE);
  raw.forEach((p, i) => p.forEach((v, j) => (vectors[i * SIDE * SIDE + j] = v / 255)));
  return new arrow.Table({
    id: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => i)),
    label: arrow.makeVector(labels),
    caption: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `ring of radius ${4 + labels[i]!}`),
      new arrow.Utf8(),
    ),
    png: arrow.vectorFromArray(pngs, new arrow.Binary()),
    vector: arrow.makeVector(
      arrow.makeData({
        type: new arrow.FixedSizeList(SIDE * SIDE, new arrow.Field("item", new arrow.Float32(), false)),
        length: n,
        child: arrow.makeData({ type: new arrow.Float32(), length: vectors.length, data: vectors }),
      }),
    ),
  });
}

/** Runs the demo and returns its measurements. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const n = options.rows ?? 5000;
  const dir = options.dir ?? "./tessera-demo";
  log(`Generating ${n} 28×28 images (PNG + 784-d pixel vector, label, caption)…`);
  const table = await buildTable(n);
  const store = await openStore(dir);
  try {
    await store.delete("images.tsf");
    const written = await writeDataFile(store, "images.tsf", table);
    log(`Wrote ${dir}/images.tsf: ${written.rows} rows, ${(written.bytes / 1e6).toFixed(2)} MB`);
    for (const c of written.metadata.columns) {
      const layouts = [...new Set(c.pages.map((p) => p.layout))].join(", ");
      log(`  ${c.name.padEnd(8)} ${String(c.pages.length).padStart(3)} page(s), ${layouts}`);
    }

    const file = await DataFileReader.open(store, "images.tsf");
    const rows = Array.from({ length: 100 }, (_, i) => (i * 7919) % n);
    store.resetStats();
    const t0 = performance.now();
    const taken = await file.take(rows);
    const takeMs = performance.now() - t0;
    log(
      `Took ${taken.numRows} random rows (all columns) in ${takeMs.toFixed(2)} ms: ` +
        `${store.stats.requests} read requests, ${(store.stats.bytesRead / 1024).toFixed(0)} KiB`,
    );

    const labelCounts = new Array<number>(10).fill(0);
    for await (const b of file.scan({ columns: ["label"] })) {
      for (const l of b.getChild("label")!) labelCounts[l as number]!++;
    }
    log(`Scanned the label column: ${labelCounts.map((c, l) => `${l}:${c}`).join(" ")}`);
    return { rows: file.numRows, fileBytes: written.bytes, takeMs, takeRows: taken.numRows, labelCounts };
  } finally {
    await store.close();
  }
}
