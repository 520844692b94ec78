// The readers and writers over S3, against the in-repo loopback S3 server through the real AWS SDK: ranged reads,
// listing for globs, streaming writes, and how many requests a Parquet open and scan cost.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import * as A from "apache-arrow";
import { parseExpr } from "../../../format/expr/index.js";
import type { StorageOptions } from "../../../format/store/object-store.js";
import { S3Store } from "../../../format/store/s3.js";
import { arrowSource } from "../../../src/io/arrow.js";
import { openCsvSource } from "../../../src/io/csv.js";
import { openGlobSource } from "../../../src/io/glob.js";
import { openJsonSource } from "../../../src/io/json.js";
import { openParquetSource } from "../../../src/io/parquet.js";
import { writeCsv } from "../../../src/io/write-csv.js";
import { writeJson } from "../../../src/io/write-json.js";
import { writeParquet } from "../../../src/io/write-parquet.js";
import { startS3Server, type S3Server } from "../../support/s3-server.js";
import { collect, rowCount, rows } from "./helpers.js";

let server: S3Server;
let storage: StorageOptions;
let store: S3Store;

const table = new A.Table({
  id: A.vectorFromArray(Array.from({ length: 4000 }, (_, i) => BigInt(i)), new A.Int64()),
  name: A.vectorFromArray(Array.from({ length: 4000 }, (_, i) => `row ${i}`), new A.Utf8()),
});

before(async () => {
  server = await startS3Server();
  storage = server.storageOptions();
  store = new S3Store("io", "", storage);
});
after(async () => {
  await store.close();
  await server.close();
});

describe("io over S3", () => {
  it("reads gzipped NDJSON from a glob", async () => {
    await store.put("json/a.jsonl.gz", gzipSync('{"a": 1}\n{"a": 2}\n'));
    await store.put("json/b.jsonl", new TextEncoder().encode('{"a": 3}\n'));
    const src = await openJsonSource("s3://io/json/*.jsonl*", { storage });
    assert.deepEqual(src.files, ["s3://io/json/a.jsonl.gz", "s3://io/json/b.jsonl"]);
    assert.deepEqual(rows(await collect(src)).map((r) => r.a), ["1n", "2n", "3n"]);
  });

  it("reads CSV", async () => {
    await store.put("csv/x.csv", new TextEncoder().encode('k,v\n1,"a,b"\n2,c\n'));
    const src = await openCsvSource("s3://io/csv/x.csv", { storage });
    assert.deepEqual(rows(await collect(src)), [{ k: "1n", v: "a,b" }, { k: "2n", v: "c" }]);
  });

  it("opens Parquet with one ranged GET and scans only the needed row groups", async () => {
    await writeParquet(arrowSource(table).scan({}, { batchSize: 1000 }), "s3://io/pq/t.parquet", { storage, rowGroupRows: 1000 });
    server.resetCounts();
    // A tail read small enough that the data is not in it too (a small file is served from the tail entirely).
    const src = await openParquetSource("s3://io/pq/t.parquet", { storage, footerReadBytes: 4096 });
    assert.equal(server.counts.HeadObject, 1);
    assert.equal(server.counts.GetObject, 1, "footer in one ranged read");
    assert.equal(src.rowCount, 4000);
    server.resetCounts();
    const got = rows(await collect(src, { columns: ["name"], filter: parseExpr("id >= 3500") }));
    assert.equal(got.length, 1000);
    assert.equal(src.stats.rowGroupsRead, 1);
    assert.equal(server.counts.GetObject, 1, "one column chunk of one row group");
  });

  it("writes JSON and CSV through the streaming writer and lists them with a glob", async () => {
    await writeJson(arrowSource(table).scan({}, { batchSize: 1000 }), "s3://io/out/t.jsonl.gz", { storage });
    await writeCsv(arrowSource(table).scan({}, { batchSize: 1000 }), "s3://io/out/t.csv", { storage });
    const listing = rows(await collect(await openGlobSource("s3://io/out/*", { storage })));
    assert.deepEqual(listing.map((r) => r.path), ["s3://io/out/t.csv", "s3://io/out/t.jsonl.gz"]);
    assert.equal(rowCount(await collect(await openJsonSource("s3://io/out/t.jsonl.gz", { storage }))), 4000);
    assert.deepEqual(rows(await collect(await openCsvSource("s3://io/out/t.csv", { storage }), { limit: 1 })), [{ id: "0n", name: "row 0" }]);
  });
});
