// The multimodal example runs and observes what docs/api/multimodal.md says it does, and that doc quotes only code
// from it, verbatim.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkDocQuotes } from "../support/doc-quotes.js";
import { main } from "../../examples/multimodal-basics.js";

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

describe("docs/api/multimodal.md quotes examples/multimodal-basics.ts verbatim", () => {
  it("every ts block is an excerpt of the example", () => checkDocQuotes("docs/api/multimodal.md", EXAMPLE));
});
