// Damaged files on real disk: every flipped byte a read touches, a truncation, a newer version or an unknown
// feature gives a clear typed error naming the file (and column and page) — never wrong data.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { CorruptFileError, NotFoundError, NotSupportedError } from "../../../format/errors.js";
import { encodeTrailer, TRAILER_BYTES, type FileMetadata } from "../../../format/file/layout.js";
import { DataFileReader } from "../../../format/file/reader.js";
import { writeDataFile } from "../../../format/file/writer.js";
import { LocalStore } from "../../../format/store/local.js";
import { vectorType } from "../../support/arrow-arbitrary.js";

const N = 3000;
let dir: string;
let store: LocalStore;
let pristine: Uint8Array;
let meta: FileMetadata;

function table(): A.Table {
  const id = A.makeVector(BigInt64Array.from({ length: N }, (_, i) => BigInt(i)));
  const tag = A.vectorFromArray(Array.from({ length: N }, (_, i) => `t${i % 17}`), new A.Utf8());
  const png = A.vectorFromArray(
    Array.from({ length: N }, (_, i) => new Uint8Array(150 + (i % 40)).fill(i % 256)),
    new A.Binary(),
  );
  const vec = A.makeVector(
    A.makeData({
      type: vectorType(32),
      length: N,
      child: A.makeData({ type: new A.Float32(), length: N * 32, data: Float32Array.from({ length: N * 32 }, (_, i) => i) }),
    }),
  );
  return new A.Table({ id, tag, png, vec });
}

async function withBytes(name: string, bytes: Uint8Array): Promise<string> {
  await writeFile(join(dir, name), bytes);
  return name;
}

/** The pristine file with its footer replaced by `footer` (and a matching trailer). */
function withFooter(footer: FileMetadata): Uint8Array {
  const metaBytes = new TextEncoder().encode(JSON.stringify(footer));
  const metaOffset = pristine.byteLength - TRAILER_BYTES - new TextEncoder().encode(JSON.stringify(meta)).byteLength;
  const file = new Uint8Array(metaOffset + metaBytes.byteLength + TRAILER_BYTES);
  file.set(pristine.subarray(0, metaOffset));
  file.set(metaBytes, metaOffset);
  file.set(encodeTrailer(metaOffset, metaBytes), metaOffset + metaBytes.byteLength);
  return file;
}

async function readAll(name: string, columns?: string[]): Promise<void> {
  const r = await DataFileReader.open(store, name);
  for await (const _ of r.scan(columns === undefined ? {} : { columns })) {
    // drain
  }
}

describe("data file corruption", () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tessera-corrupt-"));
    store = new LocalStore(dir);
    const s = await writeDataFile(store, "good.tsf", table(), { pageBytes: 64 * 1024 });
    meta = s.metadata;
    pristine = new Uint8Array(await readFile(join(dir, "good.tsf")));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the pristine file", async () => {
    const r = await DataFileReader.open(store, "good.tsf");
    assert.equal((await r.toArrow()).numRows, N);
    assert.deepEqual(
      meta.columns.map((c) => c.pages[0]!.layout),
      ["mini-block", "mini-block", "variable", "fixed"],
      "all three layouts are exercised",
    );
  });

  it("names the file, column and page of a flipped byte in every page, on scan and on take", async () => {
    let n = 0;
    for (const col of meta.columns) {
      for (const [p, page] of col.pages.entries()) {
        const bad = pristine.slice();
        const at = page.offset + Math.floor(page.length / 2);
        bad[at]! ^= 0x5a;
        const name = await withBytes(`flip-${n++}.tsf`, bad);
        await assert.rejects(readAll(name, [col.name]), (err: unknown) => {
          assert.ok(err instanceof CorruptFileError, `expected CorruptFileError, got ${String(err)}`);
          assert.match(err.message, new RegExp(`${name}.*column "${col.name}", page ${p}`));
          return true;
        });
        // Take the row whose bytes hold the flipped byte (or the page's rows around it).
        const r = await DataFileReader.open(store, name);
        const rows = Array.from({ length: page.rows }, (_, i) => page.rowStart + i);
        await assert.rejects(r.take(rows, { columns: [col.name] }), CorruptFileError);
      }
    }
  });

  it("detects a damaged footer", async () => {
    const bad = pristine.slice();
    const metaStart = pristine.byteLength - TRAILER_BYTES - 10;
    bad[metaStart]! ^= 0x01;
    const name = await withBytes("footer.tsf", bad);
    await assert.rejects(DataFileReader.open(store, name), /footer.tsf: footer checksum mismatch/);
  });

  it("detects truncation anywhere", async () => {
    for (const cut of [1, TRAILER_BYTES, 1000, pristine.byteLength - 10]) {
      const name = await withBytes(`cut-${cut}.tsf`, pristine.subarray(0, pristine.byteLength - cut));
      await assert.rejects(DataFileReader.open(store, name), (err: unknown) => {
        assert.ok(err instanceof CorruptFileError, String(err));
        assert.match(err.message, new RegExp(`cut-${cut}.tsf`));
        assert.match(err.message, /truncated|too small/);
        return true;
      });
    }
  });

  it("refuses a newer major version and unknown features", async () => {
    const newer = pristine.slice();
    newer[newer.byteLength - 8] = 2; // major version in the trailer
    await assert.rejects(DataFileReader.open(store, await withBytes("v2.tsf", newer)), (err: unknown) => {
      assert.ok(err instanceof NotSupportedError);
      assert.match(err.message, /format version 2\.0.*upgrade Tessera/);
      return true;
    });
    const file = withFooter({ ...meta, features: ["zstd-chunks"] });
    await assert.rejects(DataFileReader.open(store, await withBytes("feat.tsf", file)), /needs reader features .*zstd-chunks/);
  });

  it("refuses footers that are well-formed JSON but not a valid file description", async () => {
    const cases: [string, unknown, RegExp][] = [
      ["no-columns", { ...meta, columns: undefined }, /footer lacks columns/],
      ["renamed", { ...meta, columns: meta.columns.map((c, i) => (i === 1 ? { ...c, name: "other" } : c)) }, /column 1 is "other" but the schema says "tag"/],
      ["layout", { ...meta, columns: meta.columns.map((c) => ({ ...c, pages: c.pages.map((p) => ({ ...p, layout: "zip" })) })) }, /unknown layout "zip"/],
      ["stride", { ...meta, columns: meta.columns.map((c) => ({ ...c, pages: c.pages.map((p) => (p.layout === "fixed" ? { ...p, stride: p.stride - 4 } : p)) })) }, /record size that does not match its type/],
      ["chunks", { ...meta, columns: meta.columns.map((c) => ({ ...c, pages: c.pages.map((p) => (p.layout === "mini-block" ? { ...p, chunkRows: 1 } : p)) })) }, /chunks that do not add up/],
      ["rows", { ...meta, numRows: N + 1 }, /pages hold 3000 rows, footer says 3001/],
    ];
    for (const [name, footer, message] of cases) {
      const bytes = withFooter(footer as FileMetadata);
      await assert.rejects(DataFileReader.open(store, await withBytes(`${name}.tsf`, bytes)), (err: unknown) => {
        assert.ok(err instanceof CorruptFileError, `${name}: ${String(err)}`);
        assert.match(err.message, message);
        return true;
      });
    }
  });

  it("says when a file is not a Tessera data file, or missing", async () => {
    const name = await withBytes("junk.tsf", new TextEncoder().encode("this is certainly not a data file at all"));
    await assert.rejects(DataFileReader.open(store, name), /does not end with the Tessera data file magic/);
    await assert.rejects(DataFileReader.open(store, "missing.tsf"), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /missing\.tsf/);
      return true;
    });
  });
});
