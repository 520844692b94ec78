// url.download of local paths and file:// URLs: refused by default (the message says how to allow them), read
// anywhere with allowLocalFiles, and with a root only inside it: `..` and symlinks pointing outside are refused.

import assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import * as nodePath from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { isTesseraError } from "../../../../format/errors.js";
import { col } from "../../../../src/expr/builders.js";
import type { DownloadOptions } from "../../../../src/multimodal/url/index.js";
import { UrlError } from "../../../../src/multimodal/url/index.js";
import { fromRows } from "../../../../src/read.js";

let dir: string;
let root: string;
let secret: string;

before(async () => {
  dir = await fs.mkdtemp(nodePath.join(tmpdir(), "tessera-url-"));
  root = nodePath.join(dir, "data");
  await fs.mkdir(nodePath.join(root, "sub"), { recursive: true });
  await fs.writeFile(nodePath.join(root, "a.txt"), "inside a");
  await fs.writeFile(nodePath.join(root, "sub", "b.txt"), "inside b");
  secret = nodePath.join(dir, "secret.txt");
  await fs.writeFile(secret, "outside");
  await fs.symlink(secret, nodePath.join(root, "link-out.txt"));
  await fs.symlink(nodePath.join(root, "a.txt"), nodePath.join(root, "link-in.txt"));
  await fs.symlink(dir, nodePath.join(root, "dir-out"));
});
after(() => fs.rm(dir, { recursive: true, force: true }));

const URLS = new A.Schema([new A.Field("url", new A.Utf8(), true)]);
const text = (v: unknown): string | null => (v === null ? null : new TextDecoder().decode(v as Uint8Array));

async function download(list: (string | null)[], options: DownloadOptions): Promise<(string | null)[]> {
  const t = await fromRows(list.map((url) => ({ url })), URLS).withColumn("b", col("url").url.download(options)).collect();
  return [...t.getChild("b")!].map(text);
}

async function refusal(list: string[], options: DownloadOptions): Promise<UrlError> {
  try {
    await download(list, options);
  } catch (err) {
    assert.ok(err instanceof UrlError, String(err));
    return err;
  }
  assert.fail("expected a refusal");
}

describe("url.download of local files", () => {
  it("refuses local paths and file:// URLs by default, saying how to allow them", async () => {
    for (const url of [secret, pathToFileURL(secret).href, "relative/path.txt"]) {
      const err = await refusal([url], {});
      assert.match(err.message, /refused to read the local file/);
      assert.match(err.message, /pass \{ root: "\/data\/dir" \} to read only under a directory, or \{ allowLocalFiles: true \}/);
      assert.ok(isTesseraError(err, "INVALID_ARGUMENT"));
    }
  });

  it("reads any local path or file:// URL with allowLocalFiles", async () => {
    assert.deepEqual(await download([secret, pathToFileURL(secret).href, null], { allowLocalFiles: true }), ["outside", "outside", null]);
  });

  it("reads paths inside root, relative ones resolved against it, symlinks that stay inside included", async () => {
    const got = await download(["a.txt", "sub/b.txt", nodePath.join(root, "a.txt"), pathToFileURL(nodePath.join(root, "sub", "b.txt")).href, "link-in.txt", "sub/../a.txt"], { root });
    assert.deepEqual(got, ["inside a", "inside b", "inside a", "inside b", "inside a", "inside a"]);
  });

  it("refuses `..` escapes from root, even to files that do not exist", async () => {
    for (const url of ["../secret.txt", "sub/../../secret.txt", secret, "../nope.txt", pathToFileURL(secret).href]) {
      const err = await refusal([url], { root });
      assert.match(err.message, /is outside root/, url);
    }
  });

  it("refuses symlinks that point outside root (to a file or through a directory)", async () => {
    for (const url of ["link-out.txt", "dir-out/secret.txt"]) {
      const err = await refusal([url], { root, allowLocalFiles: true });
      assert.match(err.message, /outside root .* through a symlink/, url);
    }
  });

  it("reports a missing file inside root as NOT_FOUND; onError null makes it null", async () => {
    const err = await refusal(["missing.txt"], { root });
    assert.ok(isTesseraError(err, "NOT_FOUND"));
    assert.deepEqual(await download(["missing.txt", "a.txt", "../secret.txt"], { root, onError: "null" }), [null, "inside a", null]);
  });

  it("refuses directories and files over maxBytes", async () => {
    assert.match((await refusal(["sub"], { root })).message, /is not a regular file/);
    assert.match((await refusal(["a.txt"], { root, maxBytes: 3 })).message, /8 bytes, over maxBytes \(3\)/);
  });

  it("fails the query when root itself does not exist", async () => {
    await assert.rejects(download(["a.txt"], { root: nodePath.join(dir, "nope"), onError: "null" }), /url\.download: root .*nope cannot be used/);
  });
});
