// The data-file example runs and reads back what it wrote.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { main } from "../../examples/data-file.js";

it("examples/data-file.ts writes, takes and scans", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-example-"));
  try {
    const out = await main(dir);
    assert.equal(out.rows, 10_000);
    assert.deepEqual(out.taken, [9_999, 42, 7]);
    assert.deepEqual(out.captions, ["image 9999 of a cat", "image 42 of a cat", "image 7 of a dog"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
