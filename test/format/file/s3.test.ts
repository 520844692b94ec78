// The data file over S3: written with a multipart streaming upload, opened with one ranged GET for the footer,
// read by take with coalesced ranged GETs, surviving injected server errors — against the loopback S3 server,
// through the real AWS SDK over HTTP.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { DataFileReader } from "../../../format/file/reader.js";
import { writeDataFile } from "../../../format/file/writer.js";
import { S3Store } from "../../../format/store/s3.js";
import { plainRows, vectorType } from "../../support/arrow-arbitrary.js";
import { startS3Server, type S3Server } from "../../support/s3-server.js";

const N = 9000;
let server: S3Server;
let store: S3Store;
let table: A.Table;

function makeTable(): A.Table {
  const dim = 256;
  return new A.Table({
    id: A.makeVector(Int32Array.from({ length: N }, (_, i) => i)),
    caption: A.vectorFromArray(Array.from({ length: N }, (_, i) => `caption ${i % 50}`), new A.Utf8()),
    png: A.vectorFromArray(Array.from({ length: N }, (_, i) => new Uint8Array(300 + (i % 100)).fill(i & 0xff)), new A.Binary()),
    vec: A.makeVector(
      A.makeData({
        type: vectorType(dim),
        length: N,
        child: A.makeData({ type: new A.Float32(), length: N * dim, data: Float32Array.from({ length: N * dim }, (_, i) => i % 1000) }),
      }),
    ),
  });
}

describe("data file on S3", () => {
  before(async () => {
    server = await startS3Server();
    store = new S3Store("tessera", "files", { ...server.storageOptions(), retries: 3 });
    table = makeTable();
  });
  after(async () => {
    await store.close();
    await server.close();
  });

  it("streams the file up in parts and reads it back", async () => {
    const s = await writeDataFile(store, "t.tsf", table);
    assert.ok(s.bytes > 8 * 1024 * 1024, "large enough for a multipart upload");
    assert.ok(server.counts.UploadPart >= 2, `parts uploaded: ${server.counts.UploadPart}`);
    assert.equal(server.uploadsInProgress(), 0);
    const r = await DataFileReader.open(store, "t.tsf", { size: s.bytes });
    assert.deepEqual(plainRows(await r.toArrow({ columns: ["id", "caption"] })), plainRows(table.select(["id", "caption"])));
  });

  it("opens with one ranged GET when the size is known, and takes rows with few requests", async () => {
    const size = (await store.head("t.tsf")).size;
    server.resetCounts();
    const r = await DataFileReader.open(store, "t.tsf", { size });
    assert.equal(server.counts.GetObject, 1);
    server.resetCounts();
    store.resetStats();
    const rows = [8999, 3, 3000, 17, 4500];
    const got = await r.take(rows);
    assert.deepEqual(plainRows(got), rows.map((i) => plainRows(table.slice(i, i + 1))[0]));
    // Two phases (offset entries, then records); the 1 MiB coalescing gap merges what is near.
    assert.ok(server.counts.GetObject <= 2 * rows.length, `GETs: ${server.counts.GetObject}`);
    assert.equal(server.counts.GetObject, store.stats.requests);
    assert.ok(store.stats.rangesRequested >= store.stats.requests);
  });

  it("retries through transient server errors and still returns the right rows", async () => {
    const r = await DataFileReader.open(store, "t.tsf");
    server.faults.failNext(2, 503, "GetObject");
    server.faults.dropNext(1, "GetObject");
    const got = await r.take([10, 20], { columns: ["png"] });
    assert.deepEqual(plainRows(got), [10, 20].map((i) => plainRows(table.select(["png"]).slice(i, i + 1))[0]));
  });

  it("names the object when it is missing", async () => {
    await assert.rejects(DataFileReader.open(store, "missing.tsf"), /s3:\/\/tessera\/files\/missing\.tsf/);
  });
});
