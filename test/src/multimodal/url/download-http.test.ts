// url.download over http:// against a loopback server: bytes end to end through a DataFrame, null URLs, timeouts,
// retries of 5xx (and none of 404), errors naming row, URL and status, onError "null", maxBytes, and the
// maxConnections bound held across concurrently computed batches.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import * as A from "apache-arrow";
import { isTesseraError } from "../../../../format/errors.js";
import { col, lit } from "../../../../src/expr/builders.js";
import { fromRows } from "../../../../src/read.js";
import { UrlError } from "../../../../src/multimodal/url/index.js";
import { failuresOf } from "../../../../src/multimodal/url/state.js";
import { startHttpFixture, type HttpFixture } from "./http-fixture.js";

let http: HttpFixture;
before(async () => (http = await startHttpFixture()));
after(() => http.close());
beforeEach(() => http.reset());

const URLS = new A.Schema([new A.Field("url", new A.Utf8(), true)]);
const urls = (list: (string | null)[]) => fromRows(list.map((url) => ({ url })), URLS);
const text = (v: unknown): string | null => (v === null ? null : new TextDecoder().decode(v as Uint8Array));
const column = (t: A.Table, name: string) => [...(t.getChild(name) ?? [])].map(text);

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function rejection(p: Promise<unknown>): Promise<UrlError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof UrlError, `expected a UrlError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the query to fail");
}

describe("url.download over HTTP", () => {
  it("downloads each URL's bytes into a Binary column; null URLs give null", async () => {
    const df = urls([`${http.base}/ok/a`, null, `${http.base}/ok/b`]).withColumn("bytes", col("url").url.download());
    assert.ok(A.util.compareTypes(df.schema.fields[1]!.type, new A.Binary()));
    const t = await df.collect();
    assert.deepEqual(column(t, "bytes"), ["hello a", null, "hello b"]);
    assert.equal(http.hits.get("/ok/a"), 1);
  });

  it("fails a request that takes longer than timeoutMs, after its retries", async () => {
    const started = Date.now();
    const err = await rejection(urls([`${http.base}/slow`]).withColumn("b", col("url").url.download({ timeoutMs: 150, retries: 1 })).collect());
    assert.match(err.message, /url\.download failed on row 0 \(http:\/\/127\.0\.0\.1:\d+\/slow\): timed out after 150 ms/);
    assert.equal(err.code, "RETRYABLE");
    assert.equal(http.hits.get("/slow"), 2, "one retry");
    assert.ok(Date.now() - started < 3000, "did not wait for the slow answer");
  });

  it("retries 5xx answers with backoff until one succeeds", async () => {
    const t = await urls([`${http.base}/flaky/x?fails=2`]).withColumn("b", col("url").url.download({ retries: 2 })).collect();
    assert.deepEqual(column(t, "b"), ["hello x"]);
    assert.equal(http.hits.get("/flaky/x"), 3);
  });

  it("gives up on a persistent 500 after `retries` more attempts, naming row, URL and status", async () => {
    const list = [`${http.base}/ok/a`, `${http.base}/status/500`];
    const err = await rejection(urls(list).withColumn("b", col("url").url.download({ retries: 2 })).collect());
    assert.equal(err.row, 1);
    assert.equal(err.url, list[1]);
    assert.equal(err.status, 500);
    assert.match(err.message, /row 1 .*\/status\/500\): HTTP 500 Internal Server Error/);
    assert.equal(http.hits.get("/status/500"), 3);
  });

  it("retries 429 and network errors; a run of them ends in a retryable error", async () => {
    const throttled = await rejection(urls([`${http.base}/status/429`]).withColumn("b", col("url").url.download({ retries: 1 })).collect());
    assert.equal(throttled.status, 429);
    assert.equal(http.hits.get("/status/429"), 2);
    const closed = await closedPort();
    const refused = await rejection(urls([`http://127.0.0.1:${closed}/x`]).withColumn("b", col("url").url.download({ retries: 1 })).collect());
    assert.match(refused.message, /row 0 \(http:\/\/127\.0\.0\.1:\d+\/x\): network error \(ECONNREFUSED\)/);
    assert.ok(isTesseraError(refused, "RETRYABLE"));
    // A port fetch refuses to use fails at once: asking again would not help.
    const bad = await rejection(urls(["http://127.0.0.1:1/x"]).withColumn("b", col("url").url.download({ retries: 3 })).collect());
    assert.match(bad.message, /request failed \(bad port\)/);
  });

  it("does not retry a 404", async () => {
    const err = await rejection(urls([`${http.base}/status/404`]).withColumn("b", col("url").url.download({ retries: 3 })).collect());
    assert.equal(err.status, 404);
    assert.match(err.message, /HTTP 404 Not Found/);
    assert.equal(http.hits.get("/status/404"), 1);
    assert.ok(isTesseraError(err, "NOT_FOUND"));
  });

  it('onError "null": failed rows are null, the others keep their bytes', async () => {
    const list = [`${http.base}/status/404`, `${http.base}/ok/b`, `${http.base}/status/500`, "ftp://example.com/x"];
    const expr = col("url").url.download({ onError: "null", retries: 0 });
    const t = await urls(list).withColumn("b", expr).collect();
    assert.deepEqual(column(t, "b"), [null, "hello b", null, null]);
    // Counted by the expression until the engine hands functions its run context (then collectReport counts them).
    assert.ok(expr.node.kind === "fn");
    assert.equal(failuresOf(expr.node.options), 3);
  });

  it("refuses objects over maxBytes without retrying", async () => {
    const err = await rejection(urls([`${http.base}/big?bytes=5000`]).withColumn("b", col("url").url.download({ maxBytes: 1000 })).collect());
    assert.match(err.message, /5000 bytes, over maxBytes \(1000\); raise maxBytes/);
    assert.equal(http.hits.get("/big"), 1);
    const streamed = await rejection(urls([`${http.base}/chunked?bytes=5000`]).withColumn("b", col("url").url.download({ maxBytes: 1000 })).collect());
    assert.match(streamed.message, /more than 1000 bytes, over maxBytes \(1000\)/);
    const ok = await urls([`${http.base}/big?bytes=1000`]).withColumn("b", col("url").url.download({ maxBytes: 1000 })).collect();
    assert.equal((ok.getChild("b")!.get(0) as Uint8Array).byteLength, 1000);
  });

  it("keeps at most maxConnections requests in flight across concurrently computed batches", async () => {
    const list = Array.from({ length: 40 }, (_, i) => `${http.base}/delay/${i}?ms=30`);
    const df = urls(list).withColumn("b", col("url").url.download({ maxConnections: 3 }));
    // Batches of 4 rows: the engine computes several at once (readAhead + 1), each wanting up to 3 requests.
    const t = await df.collect({ batchSize: 4 });
    assert.deepEqual(column(t, "b"), list.map((_, i) => `hello ${i}`));
    assert.ok(http.peak <= 3, `peak ${http.peak} requests in flight`);
    assert.ok(http.peak >= 2, `requests ran concurrently (peak ${http.peak})`);
  });

  it("uses maxConnections as the bound within one large batch too", async () => {
    const list = Array.from({ length: 30 }, (_, i) => `${http.base}/delay/${i}?ms=20`);
    await urls(list).withColumn("b", col("url").url.download({ maxConnections: 5 })).collect();
    assert.ok(http.peak <= 5 && http.peak >= 3, `peak ${http.peak}`);
  });

  it("downloads a constant URL once for all rows", async () => {
    const t = await fromRows([{ id: 1 }, { id: 2 }, { id: 3 }]).withColumn("b", lit(`${http.base}/ok/c`).url.download()).collect();
    assert.deepEqual(column(t, "b"), ["hello c", "hello c", "hello c"]);
    assert.equal(http.hits.get("/ok/c"), 1);
  });

  it("checks options and the argument type when the plan is built", () => {
    const df = urls([]);
    assert.throws(() => df.withColumn("b", col("url").url.download({ maxConnections: 0 })), /maxConnections must be an integer of at least 1/);
    assert.throws(() => df.withColumn("b", col("url").url.download({ onError: "skip" as "null" })), /onError must be "raise", "null" or "dead-letter"/);
    assert.throws(() => fromRows([{ n: 1 }]).withColumn("b", col("n").url.download()), /url\.download expects a string, got int64/);
  });

  it("shows its options in explain() without storage secrets", () => {
    const storage = { endpoint: "http://127.0.0.1:9", accessKeyId: "AKID", secretAccessKey: "very-secret" };
    const text = urls([]).withColumn("b", col("url").url.download({ maxConnections: 4, storage })).explain({ optimized: true });
    assert.match(text, /url\.download\(url, maxConnections=4, storage=\{"endpoint":"http:\/\/127\.0\.0\.1:9","accessKeyId":"AKID","secretAccessKey":"\*\*\*"\}\)/);
    assert.doesNotMatch(text, /very-secret/);
  });
});
