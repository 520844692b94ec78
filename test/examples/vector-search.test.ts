// The vector-search example shows what docs/vector-search.md says the knobs do, and that doc quotes only code from
// it, verbatim.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkDocQuotes } from "../support/doc-quotes.js";
import { main } from "../../examples/vector-search.js";

const EXAMPLE = "examples/vector-search.ts";

describe(EXAMPLE, () => {
  it("recall rises with ef, nprobes and refineFactor; prefilter returns k matching rows, postfilter fewer", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-vs-example-"));
    try {
      const out = await main(dir, 5000, 60);
      const hnsw = out.hnsw.map((m) => m.recall);
      assert.deepEqual(out.hnsw.map((m) => m.setting), ["hnsw ef=10", "hnsw ef=20", "hnsw ef=40", "hnsw ef=80"]);
      for (let i = 1; i < hnsw.length; i++) assert.ok(hnsw[i]! >= hnsw[i - 1]! - 0.01, `HNSW recall by ef: ${hnsw.join(", ")}`);
      assert.ok(hnsw[3]! >= 0.97, `HNSW ef=80 recall ${hnsw[3]}`);

      const ivf = new Map(out.ivfPq.map((m) => [m.setting, m.recall]));
      for (const nprobes of [2, 8, 32]) {
        const raw = ivf.get(`ivf_pq nprobes=${nprobes} refine=0`)!;
        const refined = ivf.get(`ivf_pq nprobes=${nprobes} refine=5`)!;
        assert.ok(refined > raw, `refine must raise recall at nprobes ${nprobes}: ${raw} → ${refined}`);
      }
      assert.ok(raw(ivf, 2) <= raw(ivf, 32) + 0.01, "more probes never lose recall");
      assert.ok(ivf.get("ivf_pq nprobes=32 refine=5")! >= 0.97);
      assert.ok(raw(ivf, 32) < 0.97, "compressed distances alone are approximate");

      assert.deepEqual(
        { rows: out.filtered.prefilter.rows, allMatch: out.filtered.prefilter.allMatch },
        { rows: 10, allMatch: true },
      );
      assert.ok(out.filtered.postfilter.allMatch);
      assert.ok(out.filtered.postfilter.rows < 5, `postfilter returned ${out.filtered.postfilter.rows} rows per query`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function raw(ivf: Map<string, number>, nprobes: number): number {
  return ivf.get(`ivf_pq nprobes=${nprobes} refine=0`)!;
}

describe("docs/vector-search.md quotes examples/vector-search.ts verbatim", () => {
  it("every ts block is an excerpt of the example", () => checkDocQuotes("docs/vector-search.md", EXAMPLE));
});
