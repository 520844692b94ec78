// The README's quick start runs and does what the README says; the README quotes only code from it, verbatim.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkDocQuotes } from "../support/doc-quotes.js";
import { main } from "../../examples/quick-start.js";

const EXAMPLE = "examples/quick-start.ts";

describe(EXAMPLE, () => {
  it("drops the icon, writes a version per step, finds the copy's original, and time-travels to raw", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-quick-start-"));
    try {
      const out = await main(join(dir, "qs"));
      assert.equal(out.kept, 12, "12 photos: the 16×16 icon was filtered out and the copy deleted");
      assert.equal(out.rawRows, 13, "raw still has the copy");
      assert.deepEqual(out.versions, [1, 2, 3], "write, delete, index");
      assert.equal(out.nearest[0], "photo-3.png");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("README.md quotes examples/quick-start.ts verbatim", () => {
  it("every ts block is an excerpt of the example", () => checkDocQuotes("README.md", EXAMPLE));
});
