// url.download and url.upload through the object store layer: s3:// against the in-repo loopback S3 server,
// memory:// and local directories; upload → download round trips, object names (content hash or row, with a sniffed
// extension), and failures reported to the run's UDF context when the engine passes one.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import * as nodePath from "node:path";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { isTesseraError } from "../../../../format/errors.js";
import { clearMemoryStore, MemoryStore } from "../../../../format/store/memory.js";
import type { StorageOptions } from "../../../../format/store/object-store.js";
import { S3Store } from "../../../../format/store/s3.js";
import { col } from "../../../../src/expr/builders.js";
import { getFunction } from "../../../../src/expr/functions/index.js";
import { sniffExtension, UrlError } from "../../../../src/multimodal/url/index.js";
import { fromArrow, fromRows } from "../../../../src/read.js";
import type { DeadLetter } from "../../../../src/udf/context.js";
import { startS3Server, type S3Server } from "../../../support/s3-server.js";

const enc = new TextEncoder();
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9]);
const PLAIN = enc.encode("just text");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const text = (v: unknown): string | null => (v === null ? null : new TextDecoder().decode(v as Uint8Array));
const URLS = new A.Schema([new A.Field("url", new A.Utf8(), true)]);
const urls = (list: (string | null)[]) => fromRows(list.map((url) => ({ url })), URLS);
const bytesFrame = (values: (Uint8Array | null)[]) => fromArrow(new A.Table({ bytes: A.vectorFromArray(values, new A.Binary()) }));
const values = (t: A.Table, name: string): unknown[] => [...t.getChild(name)!];

let s3: S3Server;
let storage: StorageOptions;
let dir: string;

before(async () => {
  s3 = await startS3Server();
  storage = s3.storageOptions();
  const store = new S3Store("media", "", storage);
  await store.put("img/a.png", PNG);
  await store.put("docs/readme.txt", PLAIN);
  await store.close();
  dir = await fs.mkdtemp(nodePath.join(tmpdir(), "tessera-upload-"));
});
after(async () => {
  await s3.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe("url.download from object stores", () => {
  it("reads s3:// URLs through one store per bucket, one GET per object", async () => {
    s3.resetCounts();
    const t = await urls(["s3://media/docs/readme.txt", "s3://media/img/a.png", null])
      .withColumn("b", col("url").url.download({ storage }))
      .collect();
    const [doc, png, none] = values(t, "b") as (Uint8Array | null)[];
    assert.equal(text(doc!), "just text");
    assert.deepEqual(png, PNG);
    assert.equal(none, null);
    assert.equal(s3.counts.GetObject, 2);
    assert.equal(s3.counts.HeadObject, 0, "no HEAD without maxBytes");
  });

  it("reports a missing S3 key as NOT_FOUND naming the row and URL, and checks maxBytes with a HEAD", async () => {
    const err = await urls(["s3://media/img/a.png", "s3://media/nope.bin"]).withColumn("b", col("url").url.download({ storage })).collect().catch((e: unknown) => e);
    assert.ok(err instanceof UrlError);
    assert.ok(isTesseraError(err, "NOT_FOUND"));
    assert.match(err.message, /url\.download failed on row 1 \(s3:\/\/media\/nope\.bin\)/);
    const big = await urls(["s3://media/img/a.png"]).withColumn("b", col("url").url.download({ storage, maxBytes: 4 })).collect().catch((e: unknown) => e);
    assert.match(String(big), /15 bytes, over maxBytes \(4\)/);
  });

  it("refuses a bucket URL without a key", async () => {
    const err = await urls(["s3://media"]).withColumn("b", col("url").url.download({ storage })).collect().catch((e: unknown) => e);
    assert.match(String(err), /names a bucket, not an object/);
  });
});

describe("url.upload", () => {
  it("writes to s3:// under content-hash names with sniffed extensions and returns the URIs", async () => {
    const t = await bytesFrame([PNG, null, JPEG, PLAIN, PNG])
      .withColumn("uri", col("bytes").url.upload("s3://media/up/", { storage }))
      .collect();
    const want = [`s3://media/up/${sha(PNG)}.png`, null, `s3://media/up/${sha(JPEG)}.jpg`, `s3://media/up/${sha(PLAIN)}`, `s3://media/up/${sha(PNG)}.png`];
    assert.deepEqual(values(t, "uri"), want);
    assert.deepEqual(
      s3.keys("media").filter((k) => k.startsWith("up/")),
      [`up/${sha(PNG)}.png`, `up/${sha(PLAIN)}`, `up/${sha(JPEG)}.jpg`].sort(),
    );
    // What was written reads back through url.download.
    const back = await urls(want).withColumn("b", col("url").url.download({ storage })).collect();
    assert.deepEqual(values(back, "b"), [PNG, null, JPEG, PLAIN, PNG]);
  });

  it("round-trips memory:// in one plan: upload then download", async () => {
    clearMemoryStore("url-rt");
    const t = await bytesFrame([PNG, PLAIN, null])
      .withColumn("uri", col("bytes").url.upload("memory://url-rt/objects", { name: "row" }))
      .withColumn("back", col("uri").url.download())
      .collect();
    assert.deepEqual(values(t, "uri"), ["memory://url-rt/objects/0.png", "memory://url-rt/objects/1", null]);
    assert.deepEqual(values(t, "back"), [PNG, PLAIN, null]);
    assert.deepEqual((await new MemoryStore("url-rt").list("")).map((m) => m.path), ["objects/0.png", "objects/1"]);
  });

  it("numbers rows across batches with name \"row\"", async () => {
    clearMemoryStore("url-rows");
    const list = Array.from({ length: 10 }, (_, i) => enc.encode(`v${i}`));
    const t = await bytesFrame(list).withColumn("uri", col("bytes").url.upload("memory://url-rows", { name: "row" })).collect({ batchSize: 3 });
    assert.deepEqual(values(t, "uri"), list.map((_, i) => `memory://url-rows/${i}`));
  });

  it("writes into a local directory; the paths read back with root", async () => {
    const out = nodePath.join(dir, "out");
    const t = await bytesFrame([JPEG]).withColumn("uri", col("bytes").url.upload(out)).collect();
    const uri = values(t, "uri")[0] as string;
    assert.equal(uri, `${out}/${sha(JPEG)}.jpg`);
    assert.deepEqual(new Uint8Array(await fs.readFile(uri)), JPEG);
    const back = await urls([uri]).withColumn("b", col("url").url.download({ root: out })).collect();
    assert.deepEqual(values(back, "b"), [JPEG]);
  });

  it("checks the prefix, naming and input type when the plan is built", () => {
    const df = bytesFrame([PNG]);
    assert.throws(() => df.withColumn("u", col("bytes").url.upload("https://example.com/x")), /cannot write to https:\/\/example\.com\/x/);
    assert.throws(() => df.withColumn("u", col("bytes").url.upload("ftp://host/x")), /unsupported storage URI scheme "ftp"/);
    assert.throws(() => df.withColumn("u", col("bytes").url.upload("memory://x", { name: "uuid" as "row" })), /name must be "hash" or "row"/);
    assert.throws(() => fromRows([{ s: "a" }]).withColumn("u", col("s").url.upload("memory://x")), /url\.upload expects binary values, got string/);
  });
});

describe("failures and the run context", () => {
  it("counts failures and sends dead letters when evaluate gets the run's UDF context", async () => {
    const fn = getFunction("url.download");
    const options = Object.freeze({ onError: "dead-letter" });
    const type = fn.returnType([{ type: new A.Utf8(), nullable: true }], options);
    const letters: DeadLetter[] = [];
    const context = { failures: new Map<string, number>(), deadLetter: (d: DeadLetter) => letters.push(d) };
    const input = A.vectorFromArray(["memory://none/a", null, "memory://none/b"], new A.Utf8());
    // The fields compile.ts would pass (see the report): the run context and the batch's first row.
    const info = { rows: 3, type, context, firstRow: 10 };
    const out = (await fn.evaluate([input], options, info)) as A.Vector;
    assert.deepEqual([...out], [null, null, null]);
    assert.equal(context.failures.get("url.download"), 2);
    assert.deepEqual(letters.map((d) => [d.udf, d.row, d.input]), [["url.download", 10, "memory://none/a"], ["url.download", 12, "memory://none/b"]]);
    assert.match(letters[0]!.error, /url\.download failed on row 10 \(memory:\/\/none\/a\): object not found/);
  });

  it("sniffs common formats and leaves unknown bytes without an extension", () => {
    assert.equal(sniffExtension(PNG), ".png");
    assert.equal(sniffExtension(JPEG), ".jpg");
    assert.equal(sniffExtension(enc.encode("GIF89a...")), ".gif");
    assert.equal(sniffExtension(enc.encode("RIFF\0\0\0\0WEBPVP8 ")), ".webp");
    assert.equal(sniffExtension(enc.encode("%PDF-1.7")), ".pdf");
    assert.equal(sniffExtension(enc.encode("BMW is a car")), "");
    assert.equal(sniffExtension(new Uint8Array(0)), "");
  });
});
