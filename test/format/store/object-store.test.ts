// One contract suite for every ObjectStore backend (memory, local disk, S3 against the loopback test server), plus
// S3 fault handling, cross-process create-only races on disk, the range planner, and URI parsing.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import { createServer } from "node:net";
import * as os from "node:os";
import * as nodePath from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import fc from "fast-check";
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  RetryableError,
  StorageError,
  TesseraError,
} from "../../../format/errors.js";
import type { BaseStore } from "../../../format/store/base-store.js";
import { LocalStore } from "../../../format/store/local.js";
import { MemoryStore, clearMemoryStore } from "../../../format/store/memory.js";
import type { ByteRange, StorageOptions } from "../../../format/store/object-store.js";
import { openStore, parseUri } from "../../../format/store/open-store.js";
import { mapConcurrent, planRanges, sliceResults } from "../../../format/store/range-planner.js";
import { PART_SIZE, S3Store } from "../../../format/store/s3.js";
import { racerPayload } from "../../support/put-if-absent-racer.js";
import { startS3Server } from "../../support/s3-server.js";
import type { S3Server } from "../../support/s3-server.js";

// The SDK warns once per process that future releases need Node 22; that is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RACER = fileURLToPath(new URL("../../support/put-if-absent-racer.ts", import.meta.url));

/** Deterministic bytes (mulberry32), so failures reproduce. */
function bytesFrom(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}

/** An assert.rejects matcher: the error class, and the message names `uri`. */
function namesUri(cls: new (...args: never[]) => Error, uri: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    assert.ok(err.message.includes(uri), `message should name ${uri}: ${err.message}`);
    return true;
  };
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(nodePath.join(os.tmpdir(), "tessera-store-"));
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function s3Options(server: S3Server, extra: StorageOptions = {}): StorageOptions {
  return { ...server.storageOptions(), ...extra };
}

interface Backend {
  store: BaseStore;
  /** Present for S3: the server behind the store. */
  server?: S3Server;
  teardown(): Promise<void>;
}

const backends: Record<string, () => Promise<Backend>> = {
  memory: async () => {
    const name = `suite-${process.pid}-${Date.now()}`;
    const store = new MemoryStore(name);
    return { store, teardown: async () => clearMemoryStore(name) };
  },
  local: async () => {
    const dir = await tempDir();
    const store = new LocalStore(dir);
    return {
      store,
      teardown: async () => {
        await store.close();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  },
  s3: async () => {
    const server = await startS3Server();
    const store = new S3Store("suite-bucket", "root/dir", s3Options(server));
    return {
      store,
      server,
      teardown: async () => {
        await store.close();
        await server.close();
      },
    };
  },
};

for (const [name, open] of Object.entries(backends)) {
  describe(`ObjectStore contract: ${name}`, () => {
    let b: Backend;
    let store: BaseStore;
    before(async () => {
      b = await open();
      store = b.store;
    });
    after(async () => b.teardown());

    it("puts and gets bytes, including keys with spaces and symbols", async () => {
      const data = bytesFrom(1, 5000);
      await store.put("basic/a.bin", data);
      assert.deepEqual(await store.get("basic/a.bin"), data);
      const odd = "basic/sp ace+plus&amp=eq.bin";
      await store.put(odd, text("odd"));
      assert.deepEqual(await store.get(odd), text("odd"));
      await store.put("basic/empty", new Uint8Array(0));
      assert.equal((await store.get("basic/empty")).byteLength, 0);
      assert.equal((await store.head("basic/empty")).size, 0);
    });

    it("reports a missing object as NotFoundError naming its URI", async () => {
      const uri = store.describe("missing/x.bin");
      await assert.rejects(store.get("missing/x.bin"), namesUri(NotFoundError, uri));
      await assert.rejects(store.head("missing/x.bin"), namesUri(NotFoundError, uri));
      await assert.rejects(store.getRanges("missing/x.bin", [{ offset: 0, length: 4 }]), namesUri(NotFoundError, uri));
    });

    it("heads the size and an etag, and overwrites", async () => {
      await store.put("over/o", bytesFrom(2, 100));
      const first = await store.head("over/o");
      assert.equal(first.size, 100);
      assert.equal(first.path, "over/o");
      await store.put("over/o", bytesFrom(3, 42));
      assert.deepEqual(await store.get("over/o"), bytesFrom(3, 42));
      assert.equal((await store.head("over/o")).size, 42);
    });

    it("lists by prefix, sorted, with paths relative to the store", async () => {
      for (const k of ["ls/b", "ls/a", "ls/c/d", "lsx/e", "other/ls/f"]) await store.put(k, text(k));
      const under = await store.list("ls/");
      assert.deepEqual(
        under.map((m) => m.path),
        ["ls/a", "ls/b", "ls/c/d"],
      );
      assert.deepEqual(
        under.map((m) => m.size),
        [4, 4, 6],
      );
      assert.deepEqual(
        (await store.list("ls")).map((m) => m.path),
        ["ls/a", "ls/b", "ls/c/d", "lsx/e"],
      );
      assert.deepEqual(await store.list("nothing/here/"), []);
      assert.ok((await store.list("")).some((m) => m.path === "other/ls/f"));
    });

    it("lists more than 1000 objects (paginated on S3)", async () => {
      const keys = Array.from({ length: 1050 }, (_, i) => `many/k${String((i * 7919) % 1050).padStart(5, "0")}`);
      await mapConcurrent(keys, 16, (k) => store.put(k, text(k)));
      b.server?.resetCounts();
      store.resetStats();
      const listed = await store.list("many/");
      assert.equal(listed.length, 1050);
      assert.deepEqual(
        listed.map((m) => m.path),
        [...keys].sort(),
      );
      if (b.server !== undefined) {
        assert.equal(b.server.counts.ListObjectsV2, 2, "1050 keys take two pages of 1000");
        assert.equal(store.stats.requests, 2);
      }
    });

    it("deletes, and deleting a missing object is fine", async () => {
      await store.put("del/x", text("x"));
      await store.delete("del/x");
      await assert.rejects(store.get("del/x"), NotFoundError);
      assert.deepEqual(await store.list("del/"), []);
      await store.delete("del/x");
      await store.delete("del/never-existed");
    });

    it("getRanges returns exactly the asked slices in the asked order", async () => {
      const data = bytesFrom(4, 10_000);
      await store.put("ranges/r", data);
      const ranges: ByteRange[] = [
        { offset: 5000, length: 100 },
        { offset: 0, length: 10 },
        { offset: 4990, length: 50 }, // overlaps the first
        { offset: 0, length: 10 }, // duplicate
        { offset: 300, length: 0 }, // zero-length inside
        { offset: 9999, length: 1 }, // last byte
        { offset: 10_000, length: 0 }, // zero-length at the very end
        { offset: 20, length: 9000 }, // covers most of the others
        { offset: 7000, length: 5 },
      ];
      for (const gap of [0, 64, 1 << 20]) {
        const got = await store.getRanges("ranges/r", ranges, { coalesceGap: gap });
        assert.equal(got.length, ranges.length);
        ranges.forEach((r, i) => assert.deepEqual(got[i], data.subarray(r.offset, r.offset + r.length), `range ${i}, gap ${gap}`));
      }
      assert.deepEqual(await store.getRanges("ranges/r", []), []);
      const zeroOnly = await store.getRanges("ranges/r", [{ offset: 10, length: 0 }]);
      assert.equal(zeroOnly[0]!.byteLength, 0);
    });

    it("coalesces close ranges into one request and keeps far ones apart", async () => {
      await store.put("coalesce/c", bytesFrom(5, 64 * 1024));
      store.resetStats();
      const close = [
        { offset: 100, length: 10 },
        { offset: 200, length: 10 },
        { offset: 400, length: 10 },
      ];
      await store.getRanges("coalesce/c", close, { coalesceGap: 4096 });
      assert.equal(store.stats.rangesRequested, 3);
      assert.equal(store.stats.requests, 1);
      assert.equal(store.stats.bytesRead, 310);

      store.resetStats();
      const far = [
        { offset: 40_000, length: 10 },
        { offset: 0, length: 10 },
        { offset: 20_000, length: 10 },
      ];
      b.server?.resetCounts();
      await store.getRanges("coalesce/c", far, { coalesceGap: 0 });
      assert.equal(store.stats.requests, 3);
      assert.equal(store.stats.bytesRead, 30);
      if (b.server !== undefined) assert.equal(b.server.counts.GetObject, 3);
    });

    it("rejects a range past the end with an error naming the object", async () => {
      await store.put("short/s", bytesFrom(6, 100));
      await assert.rejects(store.getRanges("short/s", [{ offset: 90, length: 20 }]), namesUri(TesseraError, store.describe("short/s")));
      await assert.rejects(store.getRanges("short/s", [{ offset: 500, length: 1 }]), namesUri(TesseraError, store.describe("short/s")));
      await assert.rejects(store.getRanges("short/s", [{ offset: -1, length: 1 }]), InvalidArgumentError);
    });

    it("streams through openWriter; nothing is visible until close", async () => {
      const chunks = [bytesFrom(7, 1000), bytesFrom(8, 1), new Uint8Array(0), bytesFrom(9, 70_000), bytesFrom(10, 333)];
      const expected = concat(chunks);
      const w = await store.openWriter("stream/w.bin");
      for (const c of chunks) {
        const mine = c.slice();
        await w.write(mine);
        mine.fill(0xee); // the writer must have taken its own copy
      }
      await assert.rejects(store.head("stream/w.bin"), NotFoundError);
      assert.deepEqual(await store.list("stream/"), []);
      assert.equal(await w.close(), expected.byteLength);
      assert.deepEqual(await store.get("stream/w.bin"), expected);
      await assert.rejects(w.write(text("late")), InvalidArgumentError);
    });

    it("abort of a writer leaves nothing behind", async () => {
      const w = await store.openWriter("aborted/a.bin");
      await w.write(bytesFrom(11, 5000));
      await w.abort();
      await assert.rejects(store.head("aborted/a.bin"), NotFoundError);
      assert.deepEqual(await store.list("aborted/"), []);
    });

    it("putIfAbsent creates once and never replaces", async () => {
      assert.equal(await store.putIfAbsent("once/k", text("first")), true);
      assert.equal(await store.putIfAbsent("once/k", text("second")), false);
      assert.deepEqual(await store.get("once/k"), text("first"));
      const w = await store.openWriter("once/k", { ifAbsent: true });
      await w.write(text("third"));
      await assert.rejects(w.close(), namesUri(AlreadyExistsError, store.describe("once/k")));
      assert.deepEqual(await store.get("once/k"), text("first"));
      const fresh = await store.openWriter("once/new", { ifAbsent: true });
      await fresh.write(text("new"));
      assert.equal(await fresh.close(), 3);
    });

    it("20 concurrent putIfAbsent: exactly one wins and its bytes are stored", async () => {
      const payload = (i: number) => text(`writer ${i} `.repeat(500 + i));
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIfAbsent("race/k", payload(i))));
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(",")}`);
      assert.deepEqual(await store.get("race/k"), payload(winners[0]!));
    });

    it("concurrent create-only writers: exactly one close succeeds", async () => {
      const writers = await Promise.all(Array.from({ length: 6 }, () => store.openWriter("race/w", { ifAbsent: true })));
      await Promise.all(writers.map((w, i) => w.write(text(`w${i}`))));
      const outcomes = await Promise.allSettled(writers.map((w) => w.close()));
      const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
      assert.equal(won.length, 1);
      for (const o of outcomes) if (o.status === "rejected") assert.ok(o.reason instanceof AlreadyExistsError);
      assert.deepEqual(await store.get("race/w"), text(`w${won[0]}`));
    });
  });
}

describe("LocalStore across processes", () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  it("8 processes racing putIfAbsent on one key: exactly one wins", { timeout: 30_000 }, async () => {
    const children = Array.from({ length: 8 }, (_, i) =>
      spawn(process.execPath, ["--import", "tsx", RACER, dir, "shared/key", String(i)], {
        cwd: REPO_ROOT,
        stdio: ["pipe", "pipe", "inherit"],
      }),
    );
    // One line reader per child; a child that exits early ends its stdout, which fails the test.
    const readers = children.map((child) => {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      return async (): Promise<string> => {
        const r = await lines.next();
        if (r.done === true) throw new Error(`racer exited (code ${child.exitCode}) before answering`);
        return r.value;
      };
    });
    try {
      // Start them together so the writes really overlap.
      assert.deepEqual(await Promise.all(readers.map((next) => next())), Array(8).fill("ready"));
      for (const c of children) c.stdin.write("go\n");
      const results = (await Promise.all(readers.map((next) => next()))).map((l) => JSON.parse(l) as { id: string; won: boolean });
      const winners = results.filter((r) => r.won);
      assert.equal(winners.length, 1, JSON.stringify(results));
      const store = new LocalStore(dir);
      assert.deepEqual(await store.get("shared/key"), racerPayload(winners[0]!.id));
      await store.close();
      // No temp files left behind by the losers.
      assert.deepEqual(await fs.readdir(nodePath.join(dir, "shared")), ["key"]);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill();
    }
  });

  it("an aborted writer leaves no temp file", async () => {
    const store = new LocalStore(dir);
    const w = await store.openWriter("ab/x");
    await w.write(text("abc"));
    await w.abort();
    assert.deepEqual(await fs.readdir(nodePath.join(dir, "ab")), []);
    await store.close();
  });
});

describe("S3Store against the loopback server", () => {
  let server: S3Server;
  const stores: S3Store[] = [];
  const s3 = (prefix: string, extra: StorageOptions = {}): S3Store => {
    const store = new S3Store("faults", prefix, s3Options(server, extra));
    stores.push(store);
    return store;
  };
  before(async () => {
    server = await startS3Server();
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server.close();
  });

  it("names its URI s3://bucket/prefix and keeps keys under the prefix", async () => {
    const a = s3("tables/a/");
    const sibling = s3("tables/ab");
    assert.equal(a.uri, "s3://faults/tables/a");
    assert.equal(s3("").uri, "s3://faults");
    await a.put("x/1", text("1"));
    await sibling.put("y", text("2"));
    assert.ok(server.keys("faults").includes("tables/a/x/1"));
    assert.deepEqual(
      (await a.list("")).map((m) => m.path),
      ["x/1"],
    );
    assert.deepEqual(
      (await sibling.list("")).map((m) => m.path),
      ["y"],
    );
  });

  it("streams a large object as multipart parts", async () => {
    const store = s3("big");
    const data = bytesFrom(12, 2 * PART_SIZE + 3 * 1024 * 1024 + 17);
    server.resetCounts();
    const w = await store.openWriter("large.bin");
    for (let off = 0; off < data.byteLength; off += 1_000_003) await w.write(data.subarray(off, off + 1_000_003));
    await assert.rejects(store.head("large.bin"), NotFoundError);
    assert.equal(await w.close(), data.byteLength);
    assert.equal(server.counts.CreateMultipartUpload, 1);
    assert.equal(server.counts.UploadPart, 3);
    assert.equal(server.counts.CompleteMultipartUpload, 1);
    assert.equal(server.counts.PutObject, 0);
    assert.equal(server.uploadsInProgress(), 0);
    assert.deepEqual(await store.get("large.bin"), data);
  });

  it("sends an object of exactly one part as a single PutObject", async () => {
    const store = s3("big");
    server.resetCounts();
    const w = await store.openWriter("one-part.bin");
    await w.write(bytesFrom(13, PART_SIZE / 2));
    await w.write(bytesFrom(14, PART_SIZE / 2));
    assert.equal(await w.close(), PART_SIZE);
    assert.equal(server.counts.PutObject, 1);
    assert.equal(server.counts.CreateMultipartUpload, 0);
  });

  it("abort of a multipart writer aborts the upload", async () => {
    const store = s3("big");
    const w = await store.openWriter("aborted.bin");
    await w.write(bytesFrom(15, PART_SIZE + 1024));
    assert.equal(server.uploadsInProgress(), 1);
    await w.abort();
    assert.equal(server.uploadsInProgress(), 0);
    await assert.rejects(store.head("aborted.bin"), NotFoundError);
  });

  it("a multipart create-only writer that loses the race gets AlreadyExistsError", async () => {
    const store = s3("big");
    const w = await store.openWriter("contested.bin", { ifAbsent: true });
    await w.write(bytesFrom(16, PART_SIZE + 5));
    assert.equal(await store.putIfAbsent("contested.bin", text("winner")), true);
    await assert.rejects(w.close(), namesUri(AlreadyExistsError, store.describe("contested.bin")));
    assert.equal(server.uploadsInProgress(), 0, "the losing upload is aborted");
    assert.deepEqual(await store.get("contested.bin"), text("winner"));
  });

  it("retries injected 503s and dropped connections, and succeeds", async () => {
    const store = s3("retry", { retries: 4 });
    await store.put("r", text("ok"));
    server.resetCounts();
    server.faults.failNext(2, 503);
    assert.deepEqual(await store.get("r"), text("ok"));
    assert.equal(server.counts.GetObject, 3, "two failures and one success");
    assert.equal(store.stats.requests, 2, "the put and one successful get");

    server.resetCounts();
    server.faults.failNext(1, 500, "PutObject");
    server.faults.dropNext(1, "PutObject");
    assert.equal(await store.putIfAbsent("r2", text("two")), true);
    assert.equal(server.counts.PutObject, 3);

    server.resetCounts();
    server.faults.failNext(1, 429, "UploadPart");
    const w = await store.openWriter("r3");
    const data = bytesFrom(17, PART_SIZE + 10);
    await w.write(data);
    await w.close();
    assert.equal(server.counts.UploadPart, 3, "two parts, one retried");
    assert.deepEqual(await store.get("r3"), data);
  });

  it("gives up with RetryableError naming the object after persistent 503s", async () => {
    const store = s3("retry", { retries: 2 });
    server.resetCounts();
    server.faults.failNext(100, 503);
    try {
      await assert.rejects(store.get("r"), namesUri(RetryableError, "s3://faults/retry/r"));
      assert.equal(server.counts.GetObject, 3, "one try and two retries");
    } finally {
      server.faults.clear();
    }
  });

  it("a failed part upload fails the writer and aborts the upload", async () => {
    const store = s3("retry", { retries: 1 });
    server.faults.failNext(10, 503, "UploadPart");
    try {
      const w = await store.openWriter("doomed");
      await w.write(bytesFrom(18, PART_SIZE + 1));
      await assert.rejects(w.close(), RetryableError);
      await assert.rejects(w.write(text("more")), InvalidArgumentError);
      assert.equal(server.uploadsInProgress(), 0);
      await assert.rejects(store.head("doomed"), NotFoundError);
    } finally {
      server.faults.clear();
    }
  });

  it("times a slow request out as RetryableError, and a retry recovers", async () => {
    // Only the delayed request may time out, so the limits leave room for a loaded machine everywhere else.
    await s3("slow").put("s", text("slow"));
    const strict = s3("slow", { timeoutMs: 150, retries: 0 });
    server.faults.delayNext(1, 5000, "GetObject");
    const started = Date.now();
    await assert.rejects(strict.get("s"), (err: unknown) => {
      assert.ok(err instanceof RetryableError);
      assert.match(err.message, /timed out after 150 ms/);
      assert.ok(err.message.includes("s3://faults/slow/s"));
      return true;
    });
    assert.ok(Date.now() - started < 2000);
    const patient = s3("slow", { timeoutMs: 1000, retries: 2 });
    server.faults.delayNext(1, 5000, "GetObject");
    assert.deepEqual(await patient.get("s"), text("slow"));
  });

  it("an unreachable endpoint fails quickly with a message naming the URI and endpoint", async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const store = new S3Store("nowhere", "p", { ...server.storageOptions(), endpoint, retries: 2, timeoutMs: 1000 });
    stores.push(store);
    const started = Date.now();
    await assert.rejects(store.get("k.bin"), (err: unknown) => {
      assert.ok(err instanceof RetryableError, String(err));
      assert.ok(err.message.includes("s3://nowhere/p/k.bin"), err.message);
      assert.ok(err.message.includes(endpoint), err.message);
      assert.match(err.message, /cannot reach/);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
  });

  it("reports 403 as a StorageError about credentials", async () => {
    const store = s3("denied");
    server.faults.failNext(1, 403);
    await assert.rejects(store.get("x"), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.match(err.message, /credentials/);
      assert.ok(err.message.includes("s3://faults/denied/x"));
      return true;
    });
  });

  it("falls back to the AWS_* environment variables", async () => {
    const saved = { ...process.env };
    try {
      process.env.AWS_ENDPOINT_URL = server.endpoint;
      process.env.AWS_ACCESS_KEY_ID = "env-key";
      process.env.AWS_SECRET_ACCESS_KEY = "env-secret";
      process.env.AWS_DEFAULT_REGION = "eu-west-1";
      delete process.env.AWS_REGION;
      delete process.env.AWS_ENDPOINT_URL_S3;
      const store = new S3Store("envbucket", "", { forcePathStyle: true });
      stores.push(store);
      assert.equal(store.endpoint, server.endpoint);
      await store.put("e", text("env"));
      assert.deepEqual(await store.get("e"), text("env"));
    } finally {
      for (const k of ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION"]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe("range planner", () => {
  const rangeArb = (size: number) =>
    fc.integer({ min: 0, max: size }).chain((offset) => fc.record({ offset: fc.constant(offset), length: fc.integer({ min: 0, max: size - offset }) }));

  it("sliced results equal the original bytes for random ranges", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4096 }).chain((size) =>
          fc.tuple(
            fc.constant(size),
            fc.array(rangeArb(size), { maxLength: 40 }),
            fc.integer({ min: 0, max: 2048 }),
            fc.option(fc.integer({ min: 1, max: 1024 }), { nil: undefined }),
          ),
        ),
        ([size, ranges, gap, maxRequestBytes]) => {
          const data = bytesFrom(size, size);
          const plan = planRanges(ranges, maxRequestBytes === undefined ? { gap } : { gap, maxRequestBytes });
          assert.ok(plan.length <= ranges.length);
          const members = plan.flatMap((p) => p.members).sort((x, y) => x - y);
          assert.deepEqual(members, ranges.map((_, i) => i), "every range is served exactly once");
          for (const req of plan) {
            for (const i of req.members) {
              const r = ranges[i]!;
              assert.ok(r.offset >= req.offset && r.offset + r.length <= req.offset + req.length, "request covers its members");
            }
          }
          const fetched = plan.map((p) => data.slice(p.offset, p.offset + p.length));
          const out = sliceResults(ranges, plan, fetched);
          ranges.forEach((r, i) => assert.deepEqual(out[i], data.subarray(r.offset, r.offset + r.length)));
        },
      ),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it("merges within the gap and splits far ranges", () => {
    const ranges = [
      { offset: 100, length: 10 },
      { offset: 0, length: 10 },
      { offset: 1000, length: 10 },
    ];
    assert.equal(planRanges(ranges, { gap: 90 }).length, 2);
    assert.equal(planRanges(ranges, { gap: 0 }).length, 3);
    assert.equal(planRanges(ranges, { gap: 10_000 }).length, 1);
    assert.throws(() => planRanges([{ offset: 1.5, length: 1 }], { gap: 0 }), InvalidArgumentError);
  });
});

describe("parseUri and openStore", () => {
  it("parses local paths, file://, memory:// and s3://", () => {
    assert.deepEqual(parseUri("data/tables"), { scheme: "file", path: "data/tables" });
    assert.deepEqual(parseUri("/abs/path"), { scheme: "file", path: "/abs/path" });
    assert.deepEqual(parseUri("file:///tmp/t%20x"), { scheme: "file", path: "/tmp/t x" });
    assert.deepEqual(parseUri("memory://name/a/b"), { scheme: "memory", name: "name", prefix: "a/b" });
    assert.deepEqual(parseUri("s3://bucket/pre/fix/"), { scheme: "s3", bucket: "bucket", prefix: "pre/fix" });
    assert.deepEqual(parseUri("S3://bucket"), { scheme: "s3", bucket: "bucket", prefix: "" });
  });

  it("rejects bad URIs with InvalidArgumentError", () => {
    assert.throws(() => parseUri("gs://bucket/x"), (err: unknown) => err instanceof InvalidArgumentError && /gs:\/\/bucket/.test(err.message));
    assert.throws(() => parseUri("s3:///nobucket"), InvalidArgumentError);
    assert.throws(() => parseUri("memory://"), InvalidArgumentError);
    assert.throws(() => parseUri(""), InvalidArgumentError);
    assert.throws(() => parseUri("file://relative/x"), InvalidArgumentError);
  });

  it("opens the matching backend", async () => {
    const dir = await tempDir();
    const server = await startS3Server();
    const opened: Array<{ close(): Promise<void> }> = [];
    try {
      const local = await openStore(dir);
      opened.push(local);
      assert.ok(local instanceof LocalStore);
      assert.equal(local.uri, pathToFileURL(dir).href);
      const viaUrl = await openStore(pathToFileURL(dir).href);
      opened.push(viaUrl);
      await local.put("k", text("v"));
      assert.deepEqual(await viaUrl.get("k"), text("v"));

      const name = `open-${process.pid}`;
      const mem = await openStore(`memory://${name}/p`);
      opened.push(mem);
      assert.ok(mem instanceof MemoryStore);
      assert.equal(mem.uri, `memory://${name}/p`);
      clearMemoryStore(name);

      const s3 = await openStore("s3://opened/some/prefix", server.storageOptions());
      opened.push(s3);
      assert.ok(s3 instanceof S3Store);
      assert.equal(s3.uri, "s3://opened/some/prefix");
      await s3.put("k", text("s3"));
      assert.deepEqual(server.keys("opened"), ["some/prefix/k"]);

      await assert.rejects(openStore("ftp://host/x"), InvalidArgumentError);
    } finally {
      await Promise.all(opened.map((s) => s.close()));
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
