// Example: the versioned-table workflow on 1 000 generated "images" (id, label, caption, an 8-d embedding and
// some PNG-ish bytes): create, append, filtered counts and scans, takes, delete, update, upsert, zero-copy column
// changes, versions, tags, time travel, restore, a lost commit race, compaction and cleanup.
// Each step prints one line; main() returns what it observed (test/examples/table-basics.test.ts checks it).
// Run: node --import tsx examples/table-basics.ts [directory]

import { rm } from "node:fs/promises";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { CommitConflictError, Table, type CompactStats, type CleanupStats, type MergeStats } from "../src/index.js";

const LABELS = ["cat", "dog", "bird", "fish", "frog"];
const COLORS = ["black", "white", "brown"];
const DIM = 8;

/** 512 bytes that start like a PNG file, the rest seeded noise (stand-ins for real images). */
function fakePng(id: number): Uint8Array {
  const bytes = new Uint8Array(512);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let s = (id * 2654435761 + 1) >>> 0;
  for (let i = 8; i < bytes.length; i++) bytes[i] = (s = (s * 1664525 + 1013904223) >>> 0) >>> 24;
  return bytes;
}

/** Image rows for `ids`: label and caption follow from the id; `note` is added to every caption. */
export function images(ids: readonly number[], note = ""): arrow.Table {
  const n = ids.length;
  const labels = ids.map((id) => LABELS[id % LABELS.length]!);
  const vectors = new Float32Array(n * DIM).map((_, k) => Math.sin(ids[Math.floor(k / DIM)]! + (k % DIM)));
  return new arrow.Table({
    id: arrow.makeVector(Int32Array.from(ids)),
    label: arrow.vectorFromArray(labels, new arrow.Utf8()),
    caption: arrow.vectorFromArray(
      ids.map((id, i) => `a ${COLORS[id % COLORS.length]} ${labels[i]}${note}`),
      new arrow.Utf8(),
    ),
    embedding: arrow.makeVector(
      arrow.makeData({
        type: new arrow.FixedSizeList(DIM, new arrow.Field("item", new arrow.Float32(), false)),
        length: n,
        child: arrow.makeData({ type: new arrow.Float32(), length: n * DIM, data: vectors }),
      }),
    ),
    png: arrow.vectorFromArray(ids.map(fakePng), new arrow.Binary()),
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Bytes of the data files the handle's version references. */
function tableBytes(t: Table): number {
  return t.currentManifest.fragments.flatMap((f) => f.files).reduce((sum, f) => sum + f.size, 0);
}

/** The message of the error a call fails with (to show the errors users will see). */
async function errorOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the call to fail");
}

/** Runs the whole workflow in `dir` (the table is `dir/images.tsr`) and returns what it observed. */
export async function main(dir = "./tessera-demo/example"): Promise<Observed> {
  const uri = join(dir, "images.tsr");
  await rm(uri, { recursive: true, force: true }); // start from no table, so versions count from 1
  const log = (line: string): void => console.log(line);

  // Create a table from the first 600 images, then append 400 more: each write commits a new version.
  const t = await Table.create(uri, images(range(0, 600)));
  await t.append(images(range(600, 1000)));
  const created = { version: t.version, rows: await t.countRows(), fragments: t.currentManifest.fragments.length };
  log(`create + append: version ${t.version}, ${created.rows} rows in ${created.fragments} fragments`);

  // Filters are SQL-like text over the columns.
  const cats = await t.countRows("label = 'cat'");
  const whiteCats = await t.countRows("label = 'cat' AND caption LIKE '%white%'");
  const typo = await errorOf(t.countRows("lable = 'cat'"));
  log(`countRows: ${cats} cats, ${whiteCats} white cats; a typo fails with: ${typo}`);

  // Scan: a stream of record batches, filtered, projected and limited.
  const dogs: number[] = [];
  for await (const batch of t.scan({ filter: "label = 'dog' AND id >= 500", columns: ["id", "caption"], limit: 3 })) {
    dogs.push(...(batch.getChild("id")!.toArray() as Int32Array));
  }
  log(`scan: the first 3 dogs from id 500 on are ${dogs.join(", ")}`);

  // Take rows by position, in the order asked, with their row ids; then take the same rows by row id.
  const taken = await t.take([999, 0, 500], { columns: ["id", "label"], withRowId: true });
  const rowIds = [...taken.getChild("_rowid")!] as bigint[]; // (fragment id << 32) | row within the fragment
  const byRowId = await t.takeRowIds([rowIds[0]!, rowIds[1]!], { columns: ["id"] });
  const takenIds = [...taken.getChild("id")!] as number[];
  log(`take: ids ${takenIds.join(", ")} have row ids ${rowIds.join(", ")}`);

  // Delete: writes deletion vectors; data files are never rewritten.
  const filesBefore = (await t.store.list("data/")).length;
  await t.delete("label = 'fish'");
  const filesAfter = (await t.store.list("data/")).length;
  const fourth = (await t.take([3], { columns: ["id"] })).getChild("id")!.get(0) as number; // offsets skip deleted rows
  const deletedRowId = await errorOf(t.takeRowIds([3n]));
  const afterDelete = await t.countRows();
  log(`delete: ${afterDelete} rows left, ${filesAfter - filesBefore} data files written; offset 3 is now id ${fourth}`);

  // Update: `values` holds literals, `valuesSql` SQL-like expressions over the row's current values.
  await t.update({
    where: "label = 'cat' AND id < 100",
    values: { label: "kitten" },
    valuesSql: { caption: "upper(caption)" },
  });
  const kittens = await t.countRows("label = 'kitten'");
  const kitten10 = (await t.toArrow({ filter: "id = 10", columns: ["label", "caption"] })).get(0)!.toJSON();
  const firstId = (await t.take([0], { columns: ["id"] })).getChild("id")!.get(0) as number;
  log(`update: ${kittens} kittens, e.g. ${JSON.stringify(kitten10)}; updated rows moved to the end, offset 0 is id ${firstId}`);

  // mergeInsert (upsert) on the key "id": replaces rows whose id exists, inserts the others.
  const merged = await t.mergeInsert("id", images([1, 3, 1000, 1001], " (re-captioned)"));
  log(`mergeInsert: ${JSON.stringify(merged)}, ${await t.countRows()} rows`);

  // Add columns: from an expression, then from a function over streamed batches. Existing files stay as they are.
  const sizeBefore = tableBytes(t);
  t.store.resetStats();
  await t.addColumns({ caption_len: "length(caption)" });
  await t.addColumns(
    (batch) => ({ norm: Float32Array.from(batch.getChild("embedding")!, (v: arrow.Vector) => Math.hypot(...v.toArray())) }),
    { inputColumns: ["embedding"], batchSize: 256, fields: [new arrow.Field("norm", new arrow.Float32(), true)] },
  );
  const addedBytes = t.store.stats.bytesWritten;
  log(`addColumns: wrote ${addedBytes} bytes for 2 new columns of a table of ${sizeBefore} bytes`);

  // Rename and drop columns: only the manifest changes.
  await t.renameColumn("caption_len", "caption_chars");
  const beforeDrop = t.version;
  await t.dropColumns("png");
  const columns = t.schema.fields.map((f) => f.name);
  log(`rename + drop: columns are now ${columns.join(", ")}`);

  // Every commit made a version.
  const history = await t.versions();
  log(`versions: ${history.map((v) => `${v.version} ${v.operation} (${v.rows} rows)`).join(", ")}`);

  // Tags name versions. checkout() gives a read-only handle on an old version: time travel.
  await t.tags.create("raw", 2);
  const raw = await t.checkout("raw");
  const rawFish = await raw.countRows("label = 'fish'");
  const rawColumns = raw.schema.fields.map((f) => f.name);
  const readOnly = await errorOf(raw.append(images([2000])));
  log(`checkout "raw" (version ${raw.version}): ${await raw.countRows()} rows, ${rawFish} fish; now: ${await t.countRows("label = 'fish'")} fish`);

  // Restore: a new commit whose content equals an old version (here: undo the drop of "png").
  await t.restore(beforeDrop);
  const restoredColumns = t.schema.fields.map((f) => f.name);
  log(`restore ${beforeDrop}: version ${t.version} has columns ${restoredColumns.join(", ")}`);

  // Two writers: another handle commits an update first; ours touches the same fragment, so it conflicts.
  // Nothing of ours was committed: refresh to the latest version and make the change again.
  const other = await Table.open(uri);
  await other.update({ where: "id = 1000", values: { label: "kitten" } });
  const fix = { where: "id = 1001", values: { caption: "a brown dog" } };
  let conflict = "";
  try {
    await t.update(fix);
  } catch (err) {
    if (!(err instanceof CommitConflictError)) throw err;
    conflict = err.message;
    await t.refresh();
    await t.update(fix);
  }
  const fixedRows = (await t.toArrow({ filter: "id >= 1000", columns: ["id", "label", "caption"] })).toArray().map((r) => r.toJSON());
  log(`conflict, then retried: ${conflict}`);

  // Compact: rewrite small fragments into one and drop the deleted rows (row ids change).
  const compacted = await t.compact();
  log(`compact: ${JSON.stringify(compacted)}; ${t.currentManifest.fragments.length} fragment, ${await t.countRows()} rows`);

  // Cleanup: remove versions older than the cutoff (never the latest or a tagged one) and files nothing references.
  // The defaults keep 7 days of versions and files younger than 10 minutes; this example has no other writers.
  const cleaned = await t.cleanup({ olderThan: new Date(), gracePeriodMs: 0 });
  const kept = (await t.versions()).map((v) => v.version);
  const gone = await errorOf(t.checkout(3));
  log(`cleanup: ${JSON.stringify(cleaned)}; versions ${kept.join(", ")} remain; tag "raw" still reads ${await (await t.checkout("raw")).countRows()} rows`);

  return {
    created,
    cats,
    whiteCats,
    typo,
    dogs,
    takenIds,
    rowIds,
    byRowId: [...byRowId.getChild("id")!] as number[],
    deleted: { rows: afterDelete, dataFilesWritten: filesAfter - filesBefore, fourth },
    deletedRowId,
    updated: { kittens, kitten10, firstId },
    merged,
    addColumns: { addedBytes, sizeBefore },
    columns,
    history: history.map((v) => ({ version: v.version, operation: v.operation, rows: v.rows })),
    raw: { version: raw.version, rows: await raw.countRows(), fish: rawFish, columns: rawColumns, readOnly },
    restored: { version: beforeDrop, columns: restoredColumns },
    conflict,
    fixedRows,
    compacted,
    cleaned,
    kept,
    gone,
    final: { version: t.version, rows: await t.countRows(), columns: t.schema.fields.map((f) => f.name) },
  };
}

/** What main() observed; test/examples/table-basics.test.ts checks every field. */
export interface Observed {
  created: { version: number; rows: number; fragments: number };
  cats: number;
  whiteCats: number;
  typo: string;
  dogs: number[];
  takenIds: number[];
  rowIds: bigint[];
  byRowId: number[];
  deleted: { rows: number; dataFilesWritten: number; fourth: number };
  deletedRowId: string;
  updated: { kittens: number; kitten10: unknown; firstId: number };
  merged: MergeStats;
  addColumns: { addedBytes: number; sizeBefore: number };
  columns: string[];
  history: { version: number; operation: string; rows: number }[];
  raw: { version: number; rows: number; fish: number; columns: string[]; readOnly: string };
  restored: { version: number; columns: string[] };
  conflict: string;
  fixedRows: unknown[];
  compacted: CompactStats;
  cleaned: CleanupStats;
  kept: number[];
  gone: string;
  final: { version: number; rows: number; columns: string[] };
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2]);
