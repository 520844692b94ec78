// Runs the examples of docs/cli.md with the built `tessera` binary, in order, in one directory holding the files
// the doc describes: each must exit as its marker says and print the output shown after it.

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { docExamples, docFixtures, missingLines, runScript, tesseraShim } from "./doc-examples.js";
import { requireBuild, tempDir } from "./support.js";

let dir: string;
let bin: string;

before(async () => {
  requireBuild();
  dir = await tempDir("tessera-doc-");
  await docFixtures(dir);
  bin = await tesseraShim(dir);
});
after(() => rm(dir, { recursive: true, force: true }));

describe("docs/cli.md", () => {
  it("every marked example runs as documented", async () => {
    const examples = docExamples("docs/cli.md").filter((e) => !e.tags.includes("demo"));
    assert.ok(examples.length >= 20, `only ${examples.length} examples found`);
    const commands = new Set(examples.flatMap((e) => [...e.script.matchAll(/^tessera ([a-z-]+)/gm)].map((m) => m[1]!)));
    for (const c of ["ingest", "info", "show", "versions", "tag", "restore", "add-column", "embed", "index", "search", "compact", "cleanup", "export", "import-lancedb", "export-lancedb"]) {
      assert.ok(commands.has(c), `docs/cli.md has no example of ${c}`);
    }
    for (const e of examples) {
      const r = await runScript(e.script, dir, bin, e.exit === 0);
      const where = `docs/cli.md:${e.line}\n${e.script}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
      assert.equal(r.code, e.exit, where);
      if (e.exit === 0) assert.equal(r.stderr, "", `nothing on stderr when it is a pipe: ${where}`);
      assert.deepEqual(missingLines(e.expected, r.stdout + r.stderr), [], where);
    }
  });
});
