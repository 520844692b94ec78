// The built `tessera` binary moving data: ingest (JSON, NDJSON, CSV, Parquet, image folders; create, append,
// overwrite), export (Parquet, JSON, NDJSON, CSV), LanceDB both ways with schema and rows intact, one table on a
// loopback S3 server, and progress bars: drawn under a pseudo-terminal, absent on pipes.

import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { Table } from "../../src/index.js";
import { startS3Server, type S3Server } from "../support/s3-server.js";
import { makeImages, requireBuild, tempDir, tessera, tesseraJson, tesseraTty, writeFixtureTable } from "./support.js";

let dir: string;
let uri: string;

interface Ingested {
  format: string;
  rowsWritten: number;
  rows: number;
  version: number;
  columns: { name: string; type: string }[];
}

before(async () => {
  requireBuild();
  dir = await tempDir();
  const pngs = await Promise.all((await makeImages(join(dir, "photos"), 5)).map(async (p) => new Uint8Array(await readFile(p))));
  await makeImages(join(dir, "photos", "more"), 2);
  uri = join(dir, "t.tsr");
  await writeFixtureTable(uri, 40, pngs);
  const rows = Array.from({ length: 25 }, (_, i) => ({ id: i, name: `item ${i}`, price: i * 1.5, tags: ["a", "b"].slice(0, i % 3) }));
  await writeFile(join(dir, "rows.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await writeFile(join(dir, "rows.json"), JSON.stringify(rows.slice(0, 5)));
  await writeFile(join(dir, "rows.csv"), "id,name,price\n" + rows.map((r) => `${r.id},${r.name},${r.price}`).join("\n") + "\n");
  await writeFile(join(dir, "rows.txt"), "hello\n");
});
after(() => rm(dir, { recursive: true, force: true }));

describe("tessera ingest", () => {
  it("reads JSON, NDJSON, CSV, Parquet and image folders into tables", async () => {
    const [ndjson, json, csv, images, glob] = await Promise.all([
      tesseraJson<Ingested>(["ingest", join(dir, "rows.jsonl"), join(dir, "nd.tsr")]),
      tesseraJson<Ingested>(["ingest", join(dir, "rows.json"), join(dir, "js.tsr")]),
      tessera(["ingest", join(dir, "rows.csv"), join(dir, "csv.tsr")]),
      tesseraJson<Ingested>(["ingest", join(dir, "photos"), join(dir, "img.tsr")]),
      tesseraJson<Ingested>(["ingest", join(dir, "photos", "img-00[0-2].png"), join(dir, "glob.tsr")]),
    ]);
    assert.deepEqual([ndjson.format, ndjson.rows, ndjson.version], ["ndjson", 25, 1]);
    assert.deepEqual(
      ndjson.columns.map((c) => `${c.name} ${c.type}`),
      ["id int64", "name string", "price float64", "tags list<string>"],
    );
    assert.deepEqual([json.format, json.rows], ["json", 5]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stderr, "", "no progress on a pipe");
    assert.match(csv.stdout, /^file:\/\/.*csv\.tsr: created with 25 rows from .*rows\.csv \(csv\); version 1, 25 rows\ncolumns: id int64, name string, price float64\n$/);
    assert.deepEqual([images.format, images.rows], ["images", 7], "the folder and its subfolder");
    assert.deepEqual(images.columns.map((c) => c.name), ["path", "image"]);
    assert.equal(glob.rows, 3);

    const parquet = await tessera(["export", join(dir, "nd.tsr"), join(dir, "rows.parquet")]);
    assert.equal(parquet.code, 0, parquet.stderr);
    const [fromParquet, appended] = await Promise.all([
      tesseraJson<Ingested>(["ingest", join(dir, "rows.parquet"), join(dir, "pq.tsr")]),
      tesseraJson<Ingested>(["ingest", join(dir, "rows.jsonl"), join(dir, "nd.tsr"), "--mode", "append"]),
    ]);
    assert.deepEqual([fromParquet.format, fromParquet.rows], ["parquet", 25]);
    assert.deepEqual(fromParquet.columns, ndjson.columns);
    assert.deepEqual([appended.rowsWritten, appended.rows, appended.version], [25, 50, 2]);
    const overwritten = await tesseraJson<Ingested>(["ingest", join(dir, "rows.json"), join(dir, "nd.tsr"), "--mode", "overwrite"]);
    assert.deepEqual([overwritten.rows, overwritten.version], [5, 3]);
  });

  it("says what to do when the format is unknown, the table exists or the source is missing", async () => {
    const [unknown, badFormat, exists, missing, mismatch] = await Promise.all([
      tessera(["ingest", join(dir, "rows.txt"), join(dir, "x.tsr")]),
      tessera(["ingest", join(dir, "rows.txt"), join(dir, "x.tsr"), "--format", "xml"]),
      tessera(["ingest", join(dir, "rows.json"), uri]),
      tessera(["ingest", join(dir, "nope.jsonl"), join(dir, "x.tsr")]),
      tessera(["ingest", join(dir, "rows.csv"), uri, "--mode", "append"]),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^tessera: cannot tell the format of .*rows\.txt from its extension; pass --format json\|ndjson\|csv\|parquet\|images/);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /argument 'xml' is invalid\. expected one of json, ndjson, csv, parquet, images/);
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /a table already exists at .*t\.tsr; pass --mode append to add the rows or --mode overwrite to replace it/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.jsonl/);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /^tessera: .*column/);
    for (const r of [unknown, badFormat, exists, missing, mismatch]) assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe("tessera export", () => {
  it("writes Parquet, JSON, NDJSON and CSV, by extension or --format", async () => {
    const out = (f: string): string => join(dir, f);
    const [pq, json, nd, csv, forced, gz] = await Promise.all([
      tesseraJson<{ rows: number; format: string; bytes: number }>(["export", uri, out("t.parquet")]),
      tesseraJson<{ rows: number; format: string }>(["export", uri, out("t.json"), "--columns", "id,label", "--where", "label = 'cat'"]),
      tessera(["export", uri, out("t.ndjson"), "-c", "id,vec,png", "-n", "2"]),
      tesseraJson<{ rows: number }>(["export", uri, out("t.csv"), "--version", "1"]),
      tesseraJson<{ format: string }>(["export", uri, out("t.data"), "--format", "csv", "-c", "id"]),
      tesseraJson<{ rows: number }>(["export", uri, out("t.jsonl.gz")]),
    ]);
    assert.deepEqual([pq.rows, pq.format], [40, "parquet"]);
    assert.ok(pq.bytes > 0);
    assert.deepEqual(JSON.parse(await readFile(out("t.json"), "utf8")).slice(0, 2), [
      { id: 0, label: "cat" },
      { id: 3, label: "cat" },
    ]);
    assert.equal(json.rows, 14);
    assert.equal(nd.code, 0, nd.stderr);
    assert.equal(nd.stderr, "");
    assert.match(nd.stdout, /^wrote 2 rows of file:\/\/.*t\.tsr \(version 2\) to .*t\.ndjson as ndjson, \d+ B\n$/);
    const lines = (await readFile(out("t.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: number; vec: number[]; png: string });
    assert.deepEqual([lines.length, lines[1]!.id, lines[1]!.vec.length, typeof lines[1]!.png], [2, 1, 8, "string"]);
    assert.equal(csv.rows, 20);
    assert.match(await readFile(out("t.csv"), "utf8"), /^id,label,caption,score,vec,png\n0,cat,a white cat number 0,0\.0,"\[0\.0,/);
    assert.equal(forced.format, "csv");
    assert.equal(gz.rows, 40);
    // What export wrote, ingest reads back.
    const back = await tesseraJson<Ingested>(["ingest", out("t.parquet"), join(dir, "back.tsr")]);
    assert.deepEqual(back.columns.map((c) => c.type), ["int32", "string", "string", "float64", "fixed_size_list<float32, 8>", "binary"]);
    const [unknown, badFormat] = await Promise.all([tessera(["export", uri, out("t.xml")]), tessera(["export", uri, out("t.x"), "--format", "xml"])]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /cannot tell the format of .*t\.xml from its extension; name it \.parquet, \.json, \.ndjson or \.csv, or pass --format parquet\|json\|ndjson\|csv/);
    assert.equal(badFormat.code, 2);
  });
});

/** Field descriptions that must survive a round trip: name, type, nullability, metadata (sorted). */
function fields(schema: A.Schema): string[] {
  return schema.fields.map((f) => `${f.name}: ${String(f.type)} ${f.nullable ? "null" : "not null"} ${JSON.stringify([...f.metadata].sort())}`);
}

function rowsText(table: A.Table): string {
  return JSON.stringify(
    table.toArray().map((r) => r.toJSON()),
    (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? [...v] : v instanceof A.Vector ? [...v] : v),
  );
}

describe("tessera import-lancedb / export-lancedb", () => {
  it("moves a table Tessera → LanceDB → Tessera with equal schema and rows", async () => {
    const n = 300;
    const embedding = new Map([
      ["ARROW:extension:name", "tessera.embedding"],
      ["ARROW:extension:metadata", '{"dim":4}'],
    ]);
    const schema = new A.Schema([
      new A.Field("id", new A.Int64(), false),
      new A.Field("name", new A.Utf8(), true),
      new A.Field("vec", new A.FixedSizeList(4, new A.Field("item", new A.Float32(), true)), false, embedding),
      new A.Field("blob", new A.Binary(), true),
      new A.Field("flag", new A.Bool(), true),
      new A.Field("score", new A.Float64(), true),
    ]);
    const vec = Float32Array.from({ length: n * 4 }, (_, i) => Math.sin(i));
    const columns: A.Vector[] = [
      A.vectorFromArray(Array.from({ length: n }, (_, i) => BigInt(i) * 7n), new A.Int64()),
      A.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `name ${i} é`)), new A.Utf8()),
      A.makeVector(A.makeData({ type: schema.fields[2]!.type, length: n, child: A.makeData({ type: new A.Float32(), length: n * 4, data: vec }) })),
      A.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 4 === 0 ? null : Uint8Array.from({ length: i % 9 }, (_, j) => (i + j) % 256))), new A.Binary()),
      A.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i % 2 === 0)), new A.Bool()),
      A.vectorFromArray(Array.from({ length: n }, (_, i) => i / 7), new A.Float64()),
    ];
    const source = new A.Table(new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: n, children: columns.map((c) => c.data[0]!) })));
    const src = join(dir, "lance-src.tsr");
    const t = await Table.create(src, source.slice(0, 200));
    await t.append(source.slice(200));
    const db = join(dir, "lancedb");
    const out = await tessera(["export-lancedb", src, db, "things", "--batch-size", "128"]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stderr, "", "no progress on a pipe");
    assert.match(out.stdout, /^copied 300 rows from file:\/\/.*lance-src\.tsr to .*lancedb \(things\)\ncolumns: id int64 not null, name string, vec fixed_size_list<float32, 4> not null, blob binary, flag boolean, score float64\n$/);
    const back = join(dir, "lance-back.tsr");
    const imported = await tesseraJson<{ rows: number; version: number }>(["import-lancedb", db, "things", back]);
    assert.deepEqual([imported.rows, imported.version], [300, 1]);
    const again = await Table.open(back);
    assert.deepEqual(fields(again.schema), fields(t.schema));
    assert.equal(rowsText(await again.toArrow()), rowsText(await t.toArrow()));

    const [exists, noTable, overwrite] = await Promise.all([
      tessera(["export-lancedb", src, db, "things"]),
      tessera(["import-lancedb", db, "nothing", join(dir, "x.tsr")]),
      tesseraJson<{ rows: number }>(["export-lancedb", back, db, "things", "--mode", "overwrite"]),
    ]);
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /^tessera: LanceDB database .*lancedb already has a table "things"; pass --mode overwrite to replace it\n$/);
    assert.equal(noTable.code, 1);
    assert.match(noTable.stderr, /^tessera: LanceDB database .*lancedb has no table "nothing"; its tables are: things\n$/);
    assert.equal(overwrite.rows, 300);
  });
});

describe("tessera on S3", () => {
  let server: S3Server;
  before(async () => (server = await startS3Server()));
  after(() => server.close());

  it("ingests into, describes and reads a table at s3://bucket/prefix", async () => {
    const s3 = ["--endpoint", server.endpoint, "--path-style"];
    const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
    const ingested = await tessera(["ingest", join(dir, "rows.jsonl"), "s3://cli/rows", ...s3, "--json"], { env });
    assert.equal(ingested.code, 0, ingested.stderr);
    assert.equal((JSON.parse(ingested.stdout) as Ingested).rows, 25);
    const [info, show] = await Promise.all([
      tessera(["info", "s3://cli/rows", ...s3], { env }),
      tessera(["show", "s3://cli/rows", "--where", "id = 3", "--columns", "id,name", ...s3, "--json"], { env }),
    ]);
    assert.match(info.stdout, /^s3:\/\/cli\/rows\n  version 1 \(latest\), 25 rows in 1 fragment/);
    assert.deepEqual((JSON.parse(show.stdout) as { rows: unknown[] }).rows, [{ id: 3, name: "item 3" }]);
    assert.ok(server.keys("cli").some((k) => k.startsWith("rows/_versions/")));
  });
});

describe("progress bars", () => {
  it("are drawn on stderr when it is a terminal, and never on a pipe", async () => {
    const tty = await tesseraTty(["export", uri, join(dir, "tty.parquet")]);
    assert.equal(tty.code, 0, tty.stdout);
    // cli-progress redraws in place: the final frame shows the whole count and 100%.
    assert.match(tty.stdout, /export parquet [█░]+ 100% \| 40\/40 rows/);
    assert.match(tty.stdout, /wrote 40 rows/);
    const piped = await tessera(["export", uri, join(dir, "pipe.parquet")]);
    assert.equal(piped.code, 0);
    assert.equal(piped.stderr, "");
    assert.doesNotMatch(piped.stdout, /█|\u001b\[/);
  });
});
