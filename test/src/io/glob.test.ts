import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { clearMemoryStore, MemoryStore } from "../../../format/store/memory.js";
import { openGlobSource } from "../../../src/io/glob.js";
import { collect, fieldTypes, rows, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;

before(() => {
  ({ dir, cleanup } = tempDir());
  for (const [name, text] of [["a.jpg", "aa"], ["b.png", "bbb"], ["c.txt", "c"], ["sub/d.jpg", "dddd"], ["sub/deep/e.png", "e"]]) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  utimesSync(join(dir, "a.jpg"), new Date(1_700_000_000_000), new Date(1_700_000_000_000));
});
after(() => cleanup());

describe("openGlobSource", () => {
  it("lists matching files with path, size and modification time", async () => {
    const src = await openGlobSource(join(dir, "**/*.{jpg,png}"));
    assert.deepEqual(fieldTypes(src.schema), ["path: Utf8", "size: Int64", "modified: Timestamp<MILLISECOND>"]);
    const got = rows(await collect(src));
    assert.deepEqual(
      got.map((r) => [r.path, r.size]),
      [["a.jpg", "2n"], ["b.png", "3n"], ["sub/d.jpg", "4n"], ["sub/deep/e.png", "1n"]].map(([p, s]) => [join(dir, p!), s]),
    );
    assert.equal(got[0]!.modified, 1_700_000_000_000);
  });

  it("projects and limits", async () => {
    const src = await openGlobSource(join(dir, "*.*"));
    const batches = await collect(src, { columns: ["size"], limit: 2 }, 1);
    assert.deepEqual(rows(batches), [{ size: "2n" }, { size: "3n" }]);
  });

  it("gives no rows when nothing matches, and works on memory://", async () => {
    assert.equal((await collect(await openGlobSource(join(dir, "*.none")))).length, 0);
    clearMemoryStore("glob-test");
    const store = new MemoryStore("glob-test");
    await store.put("imgs/x.jpg", new Uint8Array(5));
    await store.put("imgs/y.txt", new Uint8Array(1));
    const got = rows(await collect(await openGlobSource("memory://glob-test/imgs/*.jpg")));
    assert.deepEqual(got.map((r) => [r.path, r.size]), [["memory://glob-test/imgs/x.jpg", "5n"]]);
  });

  it("rejects an unsupported scheme when opened", async () => {
    await assert.rejects(openGlobSource("ftp://host/*.csv"), /unsupported storage URI scheme/);
  });
});
