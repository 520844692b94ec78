// The built `tessera` binary on embeddings and vector search: embed (built-in and ONNX embedders, filling only
// missing rows), index (flat, hnsw, ivf-pq, optimize, drop), search (vector files, image, text, row; bad vector
// files), compact and cleanup. Nothing is written to stderr when it is a pipe.

import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Table } from "../../src/index.js";
import { imageModel, weights } from "../src/embed/onnx-models.js";
import { fixtureTable, makeImages, requireBuild, tempDir, tessera, tesseraJson, tesseraTty, writeFixtureTable } from "./support.js";

let dir: string;
let uri: string;
let pngs: Uint8Array[];

interface Hits {
  column: string;
  query: { kind: string; dimension?: number };
  rows: { id: number; label?: string; _rowid: number; _distance: number }[];
}

before(async () => {
  requireBuild();
  dir = await tempDir();
  pngs = await Promise.all((await makeImages(join(dir, "photos"), 6)).map(async (p) => new Uint8Array(await readFile(p))));
  uri = join(dir, "t.tsr");
  await writeFixtureTable(uri, 60, pngs);
  const q = Float32Array.from([1, 1.5, 1.2, 0.3, -0.5, -0.7, 0, 1]);
  await writeFile(join(dir, "q.json"), JSON.stringify([...q]));
  await writeFile(join(dir, "q.f32"), new Uint8Array(q.buffer));
  await writeFile(join(dir, "bad.json"), "[1, 2,");
  await writeFile(join(dir, "short.json"), "[1, 2, 3]");
  await writeFile(join(dir, "odd.f32"), new Uint8Array(10));
  await writeFile(join(dir, "words.json"), '["a", "b"]');
});
after(() => rm(dir, { recursive: true, force: true }));

describe("tessera embed", () => {
  it("adds an embedding column, then fills only rows that lack one", async () => {
    const first = await tessera(["embed", uri, "--column", "png", "--into", "emb", "--embedder", "image", "--size", "8"]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, "", "no progress on a pipe");
    // Every 7th row has no image: 60 - 8 rows are embedded.
    assert.match(first.stdout, /^added "emb": 52 rows of "png" embedded with image-8x8-L \(64 values\), .* in 2 file\(s\); version 3$/m);
    const again = await tesseraJson<{ rowsEmbedded: number; version: number }>(["embed", uri, "--column", "png", "--into", "emb", "--embedder", "image", "--size", "8"]);
    assert.deepEqual([again.rowsEmbedded, again.version], [0, 3]);

    const indexed = await tessera(["index", uri, "emb", "--type", "hnsw", "--metric", "cosine", "--m", "8"]);
    assert.equal(indexed.code, 0, indexed.stderr);
    assert.match(indexed.stdout, /^built hnsw index "emb_idx" on emb \(metric cosine, m=8\): 52 rows in [\d.]+ s; version 4$/m);
    // New rows arrive without the column: embed computes just them and extends the index.
    const t = await Table.open(uri);
    await t.append((await fixtureTable(70, pngs)).slice(60, 70));
    const filled = await tesseraJson<{ created: boolean; rowsEmbedded: number; fragments: number; indexesOptimized: string[] }>([
      "embed", uri, "--column", "png", "--into", "emb", "--embedder", "image", "--size", "8",
    ]);
    assert.deepEqual(filled, { ...filled, created: false, rowsEmbedded: 8, fragments: 1, indexesOptimized: ["emb_idx"] });
    const info = await tesseraJson<{ indexes: { name: string; indexedRows: number; unindexedRows: number; coverage: number; params: object }[] }>(["info", uri]);
    assert.deepEqual(info.indexes[0], { name: "emb_idx", column: "emb", type: "hnsw", metric: "cosine", params: { m: 8 }, indexedRows: 60, unindexedRows: 0, coverage: 1 });

    // Searching by image embeds the query with the embedder recorded in the column.
    const hits = await tesseraJson<Hits>(["search", uri, "--column", "emb", "--image", join(dir, "photos", "img-002.png"), "-k", "3", "--columns", "id"]);
    assert.equal(hits.query.kind, "image");
    assert.deepEqual(hits.rows.map((r) => r.id % 6), [2, 2, 2]);
    assert.ok(hits.rows[0]!._distance < 1e-5);
  });

  it("embeds text, and searches it by a phrase", async () => {
    const r = await tesseraJson<{ dimension: number; rowsEmbedded: number }>(["embed", uri, "--column", "caption", "--into", "cap_emb", "--embedder", "text", "--dimension", "64"]);
    assert.deepEqual([r.dimension, r.rowsEmbedded], [64, 70]);
    const hits = await tesseraJson<Hits>(["search", uri, "--column", "cap_emb", "--text", "a black dog", "-k", "5", "--columns", "label"]);
    assert.deepEqual(hits.rows.map((h) => h.label), ["dog", "dog", "dog", "dog", "dog"]);
  });

  it("embeds with a local ONNX model, and refuses a missing one", async () => {
    const model = await imageModel(dir, 8, 5, weights(3 * 8 * 8 * 5, 7));
    const [ok, missing, noModel, wrongColumn] = await Promise.all([
      tesseraJson<{ embedder: string; dimension: number; rowsEmbedded: number }>(["embed", uri, "--column", "png", "--into", "onnx_emb", "--embedder", "onnx", "--model", model]),
      tessera(["embed", uri, "--column", "png", "--into", "x", "--embedder", "onnx", "--model", join(dir, "nope.onnx")]),
      tessera(["embed", uri, "--column", "png", "--into", "x", "--embedder", "onnx"]),
      tessera(["embed", uri, "--column", "score", "--into", "x", "--embedder", "image"]),
    ]);
    assert.equal(ok.dimension, 5);
    assert.equal(ok.rowsEmbedded, 60);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^tessera: ONNX model .*nope\.onnx does not exist; pass the path of a local \.onnx file to --model\n$/);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /--embedder onnx needs --model <file\.onnx>/);
    assert.equal(wrongColumn.code, 1);
    assert.match(wrongColumn.stderr, /column "score" is Float64; embed needs encoded images \(binary\) or text \(utf8\)/);
  });
});

describe("tessera index and search", () => {
  it("searches by vector file (.json, .f32), by row, with a filter, through each index type", async () => {
    const exact = await tesseraJson<Hits>(["search", uri, "--column", "vec", "--vector", join(dir, "q.json"), "-k", "5", "--columns", "id,label"]);
    assert.equal(exact.rows.length, 5);
    assert.deepEqual(exact.query, { kind: "vector", source: join(dir, "q.json"), dimension: 8 });
    const distances = exact.rows.map((r) => r._distance);
    assert.deepEqual(distances, [...distances].sort((a, b) => a - b));
    const [f32, text, filtered] = await Promise.all([
      tesseraJson<Hits>(["search", uri, "--column", "vec", "--vector", join(dir, "q.f32"), "-k", "5", "--columns", "id,label"]),
      tessera(["search", uri, "--column", "vec", "--vector", join(dir, "q.json"), "-k", "2", "--columns", "id"]),
      tesseraJson<Hits>(["search", uri, "--column", "vec", "--vector", join(dir, "q.json"), "-k", "4", "--where", "label = 'fish'", "--columns", "id,label"]),
    ]);
    assert.deepEqual(f32.rows, exact.rows);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /_distance/);
    assert.match(text.stdout, /2 nearest rows to the vector .*q\.json in "vec" \(version \d+\)/);
    assert.deepEqual(filtered.rows.map((r) => r.label), ["fish", "fish", "fish", "fish"]);

    for (const [type, extra] of [["flat", []], ["hnsw", ["--ef-construction", "50"]], ["ivf-pq", ["--partitions", "2", "--sub-vectors", "2"]]] as const) {
      const built = await tesseraJson<{ type: string; rows: number; params: object }>(["index", uri, "vec", "--type", type, ...extra]);
      assert.equal(built.type, type);
      assert.equal(built.rows, 70);
      const viaIndex = await tesseraJson<Hits>(["search", uri, "--column", "vec", "--vector", join(dir, "q.json"), "-k", "5", "--columns", "id,label", "--nprobes", "2"]);
      assert.equal(viaIndex.rows[0]!.id, exact.rows[0]!.id, type);
    }
    const byRow = await tesseraJson<Hits>(["search", uri, "--column", "vec", "--row", String(exact.rows[0]!._rowid), "-k", "2", "--columns", "id"]);
    assert.equal(byRow.rows[0]!.id, exact.rows[0]!.id);
    assert.equal(byRow.query.kind, "row");
    const dropped = await tessera(["index", uri, "--drop", "vec_idx"]);
    assert.match(dropped.stdout, /^dropped index "vec_idx"; version \d+$/m);
  });

  it("exits 1 for malformed vector files and 2 for a bad command line", async () => {
    const q = (file: string, ...rest: string[]) => tessera(["search", uri, "--column", "vec", "--vector", join(dir, file), ...rest]);
    const [noEmbedder, withEmbedder] = await Promise.all([
      tessera(["search", uri, "--column", "vec", "--text", "a cat"]),
      tesseraJson<Hits>(["search", uri, "--column", "vec", "--text", "a cat", "--embedder", "text", "--dimension", "8", "-k", "1"]),
    ]);
    assert.equal(noEmbedder.code, 1);
    assert.match(noEmbedder.stderr, /column "vec" records no embedder .*; pass --embedder \(and its options\) or search with a vector/);
    assert.equal(withEmbedder.rows.length, 1);
    const [bad, short, odd, words, missing, txt, none, two, badRow, wrongParam, noType] = await Promise.all([
      q("bad.json"),
      q("short.json"),
      q("odd.f32"),
      q("words.json"),
      q("nope.json"),
      q("q.txt"),
      tessera(["search", uri, "--column", "vec"]),
      tessera(["search", uri, "--vector", join(dir, "q.json"), "--row", "3"]),
      tessera(["search", uri, "--row", "abc"]),
      tessera(["index", uri, "vec", "--type", "flat", "--m", "8"]),
      tessera(["index", uri, "vec"]),
    ]);
    for (const r of [bad, short, odd, words, missing]) assert.equal(r.code, 1, r.stderr);
    assert.match(bad.stderr, /^tessera: vector file .*bad\.json is not valid JSON \(.*\); expected a JSON array of numbers/);
    assert.match(short.stderr, /query vector has 3 dimensions but column "vec" has 8/);
    assert.match(odd.stderr, /odd\.f32 has 10 bytes, which is not a whole number of float32 values/);
    assert.match(words.stderr, /has a non-number at index 0 \("a"\)/);
    assert.match(missing.stderr, /vector file .*nope\.json does not exist/);
    for (const r of [txt, none, two, badRow, wrongParam, noType]) assert.equal(r.code, 2, r.stderr);
    assert.match(txt.stderr, /--vector expects a \.json file .* or a \.f32 file/);
    assert.match(none.stderr, /search: give exactly one of --vector, --image, --text, --row/);
    assert.match(two.stderr, /\(got --vector and --row\)/);
    assert.match(badRow.stderr, /--row expects a row id/);
    assert.match(wrongParam.stderr, /--m does not apply to a flat index/);
    assert.match(noType.stderr, /--type is required: one of flat, hnsw, ivf-pq/);
  });
});

describe("tessera compact and cleanup", () => {
  it("compacts fragments, then removes old versions and their files", async () => {
    const t = await Table.open(uri);
    await t.delete("id < 5");
    const compacted = await tesseraJson<{ changed: boolean; fragmentsRemoved: number; fragmentsAdded: number; rowsRewritten: number; fragments: number }>(["compact", uri]);
    assert.equal(compacted.changed, true);
    assert.equal(compacted.fragmentsAdded, 1);
    assert.equal(compacted.fragments, 1);
    assert.equal(compacted.rowsRewritten, 65);
    const [again, cleaned] = [await tessera(["compact", uri]), await tessera(["cleanup", uri, "--older-than", "0", "--grace-period", "0"])];
    assert.match(again.stdout, /^nothing worth compacting: 1 fragment; version \d+ unchanged$/m);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.match(cleaned.stdout, /^removed \d+ versions older than .* and \d+ files: /);
    const info = await tesseraJson<{ versions: number; rows: number }>(["info", uri]);
    assert.deepEqual([info.versions, info.rows], [1, 65]);
    const [badAge, defaults] = await Promise.all([tessera(["cleanup", uri, "--older-than", "yesterday"]), tesseraJson<{ removedVersions: number }>(["cleanup", uri])]);
    assert.equal(badAge.code, 2);
    assert.match(badAge.stderr, /expected a duration such as 30s, 10m, 12h, 7d, 2w \(or 0\)/);
    assert.equal(defaults.removedVersions, 0);
  });
});

describe("progress of index builds and compaction", () => {
  it("draws a bar per phase on a terminal: IVF-PQ sampling then encoding, compaction, extending an index", async () => {
    const u = join(dir, "bars.tsr");
    await writeFixtureTable(u, 200, pngs);
    const built = await tesseraTty(["index", u, "vec", "--type", "ivf-pq", "--partitions", "4", "--sub-vectors", "2"]);
    assert.equal(built.code, 0, built.stdout);
    // cli-progress redraws in place: each phase's final frame shows its whole count.
    assert.match(built.stdout, /ivf-pq index on vec: sample [█░]+ 100% \| 200\/200 rows/);
    assert.match(built.stdout, /ivf-pq index on vec: encode [█░]+ 100% \| 200\/200 rows/);
    assert.ok(built.stdout.indexOf(": sample") < built.stdout.lastIndexOf(": encode"), "sampling comes first");

    const t = await Table.open(u);
    await t.delete("id < 10");
    const compacted = await tesseraTty(["compact", u]);
    assert.equal(compacted.code, 0, compacted.stdout);
    assert.match(compacted.stdout, /compact [█░]+ 100% \| 190\/190 rows/);
    assert.match(compacted.stdout, /extend index: vec_idx [█░]+ 100% \| 190\/190 rows/);
    assert.match(compacted.stdout, /extended the indexes to the rewritten fragments/);

    const piped = await tessera(["index", u, "vec", "--type", "hnsw", "--name", "h"]);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, "", "no progress on a pipe");
  });
});
