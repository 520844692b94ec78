// `tessera demo` with the built binary: the line docs/cli.md shows (small data), its summary and the next commands
// it suggests, and --json keeping stdout one document.

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { docExamples, runScript, tesseraShim } from "./doc-examples.js";
import { requireBuild, tempDir, tessera } from "./support.js";

let dir: string;
let bin: string;

before(async () => {
  requireBuild();
  dir = await tempDir("tessera-demo-");
  bin = await tesseraShim(dir);
});
after(() => rm(dir, { recursive: true, force: true }));

describe("tessera demo", () => {
  it("runs both examples as docs/cli.md shows, then says where things are and what to try", async () => {
    const [example] = docExamples("docs/cli.md").filter((e) => e.tags.includes("demo"));
    assert.ok(example !== undefined, "docs/cli.md shows the demo");
    const [text, json] = await Promise.all([
      runScript(example.script, dir, bin, true),
      tessera(["demo", "--small", "--dir", join(dir, "json-demo"), "--json"]),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stderr, "", "no progress bar on a pipe");
    assert.match(text.stdout, /^== MNIST feature pipeline → tessera-demo\/mnist$/m);
    assert.match(text.stdout, /^== Image curation → tessera-demo\/curation$/m);
    assert.match(text.stdout, /^Done\. Everything is in .*tessera-demo$/m);
    assert.match(text.stdout, /held-out accuracy \d+\.\d% on \d+ features, \d+\.\d% on the raw 784 pixels/);
    assert.match(text.stdout, /\d+ files: \d+ ingested, \d+ unreadable or too small \(dead-lettered\), \d+ near-duplicates removed → \d+ rows/);
    const next = [...text.stdout.matchAll(/^ {2}npx (tessera .*)$/gm)].map((m) => m[1]!);
    assert.ok(next.length >= 2, text.stdout);
    assert.equal(next[0], "tessera info ./tessera-demo/curation/table");
    const tried = await runScript(next.join("\n"), dir, bin, true);
    assert.equal(tried.code, 0, tried.stderr);
    assert.match(tried.stdout, /^file:\/\/.*tessera-demo\/curation\/table$/m);

    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout) as { dir: string; mnist: { result: { accuracy: number } }; curation: { result: { rowsAfterDedup: number } }; next: string[] };
    assert.ok(result.mnist.result.accuracy > 0.3);
    assert.ok(result.curation.result.rowsAfterDedup > 0);
    assert.match(json.stderr, /== Image curation/, "the narration goes to stderr with --json");
  });
});
