// The built `tessera` binary on tables: info (table and data file), show, versions, tag, restore, add-column —
// human and --json output, exit codes, and the messages for bad input. Usage errors exit 2, data errors 1.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeImages, requireBuild, tempDir, tessera, tesseraJson, writeFixtureTable } from "./support.js";

let dir: string;
let uri: string;

before(async () => {
  requireBuild();
  dir = await tempDir();
  const pngs = await Promise.all((await makeImages(join(dir, "photos"), 4)).map(async (p) => new Uint8Array(await readFile(p))));
  uri = join(dir, "t.tsr");
  await writeFixtureTable(uri, 60, pngs);
});
after(() => rm(dir, { recursive: true, force: true }));

describe("tessera (usage)", () => {
  it("prints help, and exits 2 with a hint for usage errors", async () => {
    const [help, unknownCmd, unknownOpt, missing, badInt, badChoice, conflict, memory] = await Promise.all([
      tessera(["--help"]),
      tessera(["shwo", uri]),
      tessera(["show", uri, "--colums", "id"]),
      tessera(["show"]),
      tessera(["show", uri, "--limit", "ten"]),
      tessera(["index", uri, "vec", "--type", "annoy"]),
      tessera(["show", uri, "--version", "1", "--tag", "x"]),
      tessera(["ingest", "rows.jsonl", "memory://t"]),
    ]);
    assert.equal(help.code, 0);
    for (const c of ["demo", "ingest", "info", "show", "versions", "tag", "restore", "add-column", "embed", "index", "search", "compact", "cleanup", "export", "import-lancedb", "export-lancedb"]) {
      assert.match(help.stdout, new RegExp(`^  ${c} `, "m"), c);
    }
    for (const r of [unknownCmd, unknownOpt, missing, badInt, badChoice, conflict, memory]) {
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^tessera: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    }
    assert.match(unknownCmd.stderr, /unknown command 'shwo'\n\(Did you mean show\?\)/);
    assert.match(unknownOpt.stderr, /unknown option '--colums'\n\(Did you mean --columns\?\)/);
    assert.match(missing.stderr, /missing required argument 'table'/);
    assert.match(badInt.stderr, /option '-n, --limit <n>' argument 'ten' is invalid\. expected an integer ≥ 0/);
    assert.match(badChoice.stderr, /argument 'annoy' is invalid\. expected one of flat, hnsw, ivf-pq/);
    assert.match(conflict.stderr, /option '--version <n>' cannot be used with option '--tag <name>'/);
    assert.match(memory.stderr, /memory:\/\/t: memory:\/\/ tables live inside one process .*; use a local path or an s3:\/\/ URI/);
  });
});

describe("tessera as the README runs it", () => {
  it("`npx tessera` runs the built bin through its shebang (the build marks it executable)", async () => {
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
      execFile("npx", ["--no-install", "tessera", "--help"], { env: { ...process.env, npm_config_update_notifier: "false" } }, (err, stdout, stderr) =>
        done({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stdout, stderr }),
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: tessera /m);
  });
});

describe("tessera info", () => {
  it("describes a table, as text and as JSON", async () => {
    const [text, json] = await Promise.all([tessera(["info", uri]), tesseraJson<Record<string, unknown>>(["info", uri])]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /version 2 \(latest\), 60 rows in 2 fragments, 2 versions kept/);
    assert.match(text.stdout, /^  vec +fixed_size_list<float32, 8>$/m);
    assert.match(text.stdout, /size: .* read by this version; .* stored in all/);
    assert.equal(json.kind, "table");
    assert.equal(json.rows, 60);
    assert.equal(json.fragments, 2);
    assert.equal(json.versions, 2);
    assert.deepEqual(
      (json.schema as { name: string }[]).map((c) => c.name),
      ["id", "label", "caption", "score", "vec", "png"],
    );
    assert.ok((json.versionBytes as number) > 0 && (json.totalBytes as number) >= (json.versionBytes as number));
  });

  it("describes a data file (.tsf) as before", async () => {
    const [text, json] = await Promise.all([
      tessera(["info", "test/fixtures/file/v1.0/mixed.tsf"]),
      tesseraJson<{ kind: string; rows: number; columns: { name: string }[] }>(["info", "test/fixtures/file/v1.0/mixed.tsf"]),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /format 1\.0, 200 rows/);
    assert.match(text.stdout, /vec: FixedSizeList\[32\]<Float32>/);
    assert.equal(json.kind, "file");
    assert.equal(json.rows, 200);
    assert.equal(json.columns[0]!.name, "id");
  });

  it("exits 1 naming what is missing or wrong", async () => {
    const [noTable, noFile, notAFile, badScheme] = await Promise.all([
      tessera(["info", join(dir, "nope.tsr")]),
      tessera(["info", "test/fixtures/file/v1.0/nope.tsf"]),
      tessera(["info", "package.json"]),
      tessera(["info", "ftp://host/t"]),
    ]);
    assert.equal(noTable.code, 1);
    assert.match(noTable.stderr, /^tessera: no Tessera table at file:\/\/.*nope\.tsr\n$/);
    assert.equal(noFile.code, 1);
    assert.match(noFile.stderr, /^tessera: object not found: file:\/\/.*nope\.tsf\n$/);
    assert.equal(notAFile.code, 1);
    assert.match(notAFile.stderr, /package\.json .*(magic|too small)/);
    assert.equal(badScheme.code, 1);
    assert.match(badScheme.stderr, /unsupported storage URI scheme "ftp"/);
  });
});

describe("tessera show", () => {
  it("prints rows with a filter, columns, limit and version", async () => {
    const [text, json, old, rowIds] = await Promise.all([
      tessera(["show", uri, "--where", "label = 'cat' AND id >= 30", "--columns", "id,label,png", "--limit", "3"]),
      tesseraJson<{ matching: number; rows: Record<string, unknown>[] }>(["show", uri, "-w", "label = 'dog'", "-c", "id,vec,png", "-n", "2"]),
      tesseraJson<{ version: number; matching: number }>(["show", uri, "--version", "1", "--limit", "0"]),
      tesseraJson<{ rows: { id: number; _rowid: number }[] }>(["show", uri, "--row-id", "-c", "id", "--offset", "31", "-n", "1"]),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /│ 30 +│ cat +│ <\d+ B> +│/);
    assert.match(text.stdout, /3 rows of 10 shown \(version 2\)/);
    assert.equal(json.matching, 20);
    assert.equal(json.rows.length, 2);
    assert.equal(json.rows[0]!.id, 1);
    assert.equal((json.rows[0]!.vec as number[]).length, 8);
    assert.equal(typeof json.rows[0]!.png, "string", "bytes as base64");
    assert.deepEqual([old.version, old.matching], [1, 30]);
    assert.deepEqual(rowIds.rows, [{ id: 31, _rowid: 2 ** 32 + 1 }]);
  });

  it("names an unknown column with a suggestion, and a bad filter", async () => {
    const [col, filter, syntax] = await Promise.all([
      tessera(["show", uri, "--columns", "id,lable"]),
      tessera(["show", uri, "--where", "lable = 'cat'"]),
      tessera(["show", uri, "--where", "label = "]),
    ]);
    assert.equal(col.code, 1);
    assert.match(col.stderr, /^tessera: no column "lable"; did you mean "label"\?/);
    assert.equal(filter.code, 1);
    assert.match(filter.stderr, /no column "lable"; did you mean "label"\?/);
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /unexpected end of input/);
  });
});

describe("tessera versions, tag, restore, add-column", () => {
  it("adds a column, tags, lists versions and restores", async () => {
    const added = await tessera(["add-column", uri, "caption_len", "length(caption)"]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /added column "caption_len" \(int32\) = length\(caption\) to 60 rows as version 3; wrote /);
    const addedJson = await tesseraJson<{ version: number; type: string; bytesWritten: number }>(["add-column", uri, "double_score", "score * 2"]);
    assert.deepEqual([addedJson.version, addedJson.type], [4, "float64"]);
    assert.ok(addedJson.bytesWritten > 0 && addedJson.bytesWritten < 5000, `${addedJson.bytesWritten} bytes: only the new column`);

    const [tagged, taggedJson] = [await tessera(["tag", uri, "raw", "--version", "1"]), await tesseraJson<{ tags: unknown[] }>(["tag", uri, "latest-one"])];
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.equal(tagged.stdout, 'tagged version 1 as "raw"\n');
    assert.deepEqual(taggedJson.tags, [
      { name: "latest-one", version: 4 },
      { name: "raw", version: 1 },
    ]);
    const [list, versions, versionsJson, dup, badName] = await Promise.all([
      tessera(["tag", uri]),
      tessera(["versions", uri]),
      tesseraJson<{ versions: { version: number; operation: string; rows: number; tags: string[] }[] }>(["versions", uri]),
      tessera(["tag", uri, "raw"]),
      tessera(["tag", uri, "bad name"]),
    ]);
    assert.equal(list.stdout, "latest-one  → version 4\nraw  → version 1\n");
    assert.match(versions.stdout, /^ +1 +\S+ +create +30 +raw$/m);
    assert.match(versions.stdout, /^ +4 +\S+ +add_columns +60 +latest-one, \(latest\)$/m);
    assert.deepEqual(
      versionsJson.versions.map((v) => [v.version, v.operation, v.rows, v.tags]),
      [
        [1, "create", 30, ["raw"]],
        [2, "append", 60, []],
        [3, "add_columns", 60, []],
        [4, "add_columns", 60, ["latest-one"]],
      ],
    );
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /tag "raw" already exists in table .*; delete it first to move it/);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /tag names use letters, digits/);

    const restored = await tessera(["restore", uri, "raw"]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(restored.stdout, 'restored tag "raw" (version 1) as version 5: 30 rows\n');
    const byNumber = await tesseraJson<{ version: number; rows: number; restoredVersion: number }>(["restore", uri, "4"]);
    assert.deepEqual([byNumber.version, byNumber.rows, byNumber.restoredVersion], [6, 60, 4]);
    const [deleted, gone, noVersion, deleteWithoutName] = await Promise.all([
      tessera(["tag", uri, "raw", "--delete"]),
      tessera(["restore", uri, "nosuchtag"]),
      tessera(["restore", uri, "99"]),
      tessera(["tag", uri, "--delete"]),
    ]);
    assert.equal(deleted.stdout, 'deleted tag "raw" (it pinned version 1)\n');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no tag "nosuchtag" in table/);
    assert.equal(noVersion.code, 1);
    assert.match(noVersion.stderr, /version 99 of table .* does not exist/);
    assert.equal(deleteWithoutName.code, 2);
    assert.match(deleteWithoutName.stderr, /--delete needs a tag name/);
  });

  it("explains a bad expression, naming the column it was for", async () => {
    const [fn, column, exists] = await Promise.all([
      tessera(["add-column", uri, "n", "lenght(caption)"]),
      tessera(["add-column", uri, "n", "length(captoin)"]),
      tessera(["add-column", uri, "label", "upper(label)"]),
    ]);
    assert.equal(fn.code, 1);
    // The caret still points at the function once the prefixes are added.
    const lines = fn.stderr.split("\n");
    assert.match(lines[0]!, /^tessera: add-column "n": unknown function "lenght" at 0: lenght\(caption\)$/);
    assert.equal(lines[1]!.indexOf("^"), lines[0]!.indexOf("lenght(caption)"));
    assert.match(lines[2]!, /^ +did you mean length\(\)\?$/);
    assert.equal(column.code, 1);
    assert.match(column.stderr, /add-column "n": no column "captoin"; did you mean "caption"\?/);
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /column "label" already exists/);
  });
});
