// The tessera command: `info` on a real file (text and --json), a clear error and exit code for a missing file,
// and `demo` end to end on a small size.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runDemo } from "../../../src/cli/demo.js";

const FIXTURE = "test/fixtures/file/v1.0/mixed.tsf";

function tessera(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("tessera CLI", () => {
  it("info describes a data file, as text and as JSON", () => {
    const text = tessera("info", FIXTURE);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /format 1\.0, 200 rows/);
    assert.match(text.stdout, /vec: FixedSizeList\[32\]<Float32>/);
    const json = tessera("info", FIXTURE, "--json");
    assert.equal(json.status, 0, json.stderr);
    const info = JSON.parse(json.stdout) as { rows: number; columns: { name: string; layouts: string[] }[] };
    assert.equal(info.rows, 200);
    assert.deepEqual(
      info.columns.map((c) => c.name),
      ["id", "label", "score", "flag", "name", "doc", "png", "vec", "tags", "meta", "day", "ts"],
    );
  });

  it("exits 1 with one actionable line for a missing file", () => {
    const r = tessera("info", "test/fixtures/file/v1.0/nope.tsf");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^tessera: object not found: file:\/\/.*nope\.tsf\n$/);
  });

  it("exits 1 for a file that is not a data file", () => {
    const r = tessera("info", "package.json");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /package\.json .*(magic|too small)/);
  });

  it("demo writes, takes and scans a generated image dataset", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-demo-"));
    const lines: string[] = [];
    try {
      const out = await runDemo({ dir, rows: 300, log: (l) => lines.push(l) });
      assert.equal(out.rows, 300);
      assert.equal(out.takeRows, 100);
      assert.deepEqual(out.labelCounts, Array(10).fill(30));
      assert.ok(lines.some((l) => /png .* variable/.test(l)), lines.join("\n"));
      assert.ok(lines.some((l) => /vector .* fixed/.test(l)), lines.join("\n"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
