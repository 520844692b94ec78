// The multimodal example runs and observes what docs/api/multimodal.md says it does, and that doc quotes only code
// from it, verbatim.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../examples/multimodal-basics.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = "examples/multimodal-basics.ts";

describe(EXAMPLE, () => {
  it("reads images, finds near-duplicates, embeds, merges, indexes, searches and backfills", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-mm-example-"));
    try {
      const out = await main(dir);
      assert.equal(out.files, 61);
      assert.deepEqual(out.sizes, ["64x64", "96x96"]);
      assert.deepEqual(out.thumbnail, { width: 32, height: 32 });
      assert.deepEqual(out.duplicates, ["copy-of-7.jpg", "img-007.png"], "the smaller JPEG copy and the original only");
      assert.deepEqual(out.embeddingColumn, { type: "FixedSizeList[768]<Float32>", extension: "tessera.embedding" });
      assert.ok(out.mergeBytes >= out.vectorBytes && out.mergeBytes < out.vectorBytes * 1.05, `merge wrote ${out.mergeBytes} for ${out.vectorBytes} bytes of vectors`);
      assert.deepEqual(out.nearest.slice(0, 2).sort(), ["copy-of-7.jpg", "img-007.png"]);
      assert.deepEqual(out.backfill, { rows: 10, fragments: 1 });
      assert.deepEqual(out.afterAppend, ["img-065.png"]);
      assert.match(out.refused, /local files are refused|allowLocalFiles|root/i);
      assert.equal(out.downloaded, 1);
      assert.equal(out.captions[0], "two dogs playing in the snow");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function codeBlocks(md: string): { label: string; code: string[] }[] {
  const lines = md.split("\n");
  const out: { label: string; code: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```ts") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== "```") end++;
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === "") j--;
    out.push({ label: j >= 0 ? lines[j]! : "", code: lines.slice(start, end) });
    i = end;
  }
  return out;
}

function dedent(lines: readonly string[]): string[] {
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent).trimEnd());
}

function isExcerpt(snippet: readonly string[], source: readonly string[]): boolean {
  const want = dedent(snippet).join("\n");
  for (let i = 0; i + snippet.length <= source.length; i++) {
    if (dedent(source.slice(i, i + snippet.length)).join("\n") === want) return true;
  }
  return false;
}

describe("docs/api/multimodal.md quotes examples/multimodal-basics.ts verbatim", () => {
  it("every ts block is an excerpt of the example", async () => {
    const source = (await readFile(join(root, EXAMPLE), "utf8")).split("\n");
    const blocks = codeBlocks(await readFile(join(root, "docs/api/multimodal.md"), "utf8"));
    const quoted = blocks.filter((b) => b.label.includes(EXAMPLE));
    assert.ok(quoted.length > 0, `docs/api/multimodal.md quotes nothing from ${EXAMPLE}`);
    for (const b of quoted) assert.ok(isExcerpt(b.code, source), `not an excerpt of ${EXAMPLE}:\n${b.code.join("\n")}`);
    const unmarked = blocks.filter((b) => !b.label.includes(EXAMPLE));
    assert.deepEqual(unmarked.map((b) => b.code.join("\n")), [], `every ts block must be marked as quoted from ${EXAMPLE}`);
  });
});
