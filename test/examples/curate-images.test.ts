// The curation example, run small: what it dead-letters, deduplicates, writes, finds, backfills and diffs must be
// exactly what its generator planted.

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CURATION_STEPS, runCuration } from "../../examples/curate-images.js";
import { checkDocQuotes } from "../support/doc-quotes.js";

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe("examples/curate-images.ts", () => {
  it("dead-letters, dedups, embeds, indexes, searches, backfills and diffs exactly the planted files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-curation-"));
    const lines: string[] = [];
    try {
      const out = await runCuration({ dir, images: 40, log: (line) => lines.push(line) });
      const p = out.planted;
      const copies = [...p.exact, ...p.near];
      const kept = p.originals.filter((f) => !p.small.includes(f));

      // Ingest: every file listed; the corrupt and too-small ones, and only they, dead-lettered with their reason.
      assert.equal(out.files, 40);
      assert.ok(out.folderBytes > 0);
      const reasonOf = new Map(out.deadLetter.map((d) => [d.file, d.reason]));
      assert.deepEqual(sorted([...reasonOf.keys()]), sorted([...p.corrupt.map((c) => c.file), ...p.small]));
      for (const c of p.corrupt) {
        const expected = { truncated: /^corrupt: a (png|jpeg|webp) header, but the pixels do not decode$/, garbage: /^not an image/, empty: /^empty file$/ }[c.kind];
        assert.match(reasonOf.get(c.file)!, expected, `${c.file} (${c.kind})`);
      }
      for (const f of p.small) assert.match(reasonOf.get(f)!, /^too small: \d+×\d+, under 32 pixels a side$/, f);
      const report = (await readFile(join(dir, "dead-letter.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { file: string });
      assert.deepEqual(report.map((r) => r.file), out.deadLetter.map((d) => d.file));
      assert.equal(out.decoded, 40 - p.corrupt.length - p.small.length);
      assert.equal(Object.values(out.formats).reduce((a, b) => a + b, 0), out.decoded);
      assert.deepEqual(Object.keys(out.formats), ["jpeg", "png", "webp"]);

      // Dedup: exactly the planted copies, each traced to the picture it copies; the originals stay.
      assert.deepEqual(
        sorted(out.duplicates.map((d) => `${d.file} ≈ ${d.keptAs}`)),
        sorted(copies.map((c) => `${c.file} ≈ ${c.of}`)),
      );
      for (const d of out.duplicates) assert.ok(d.bits >= 0 && d.bits <= 8, `${d.file}: ${d.bits} bits`);
      for (const c of p.exact) assert.equal(out.duplicates.find((d) => d.file === c.file)!.bits, 0, `${c.file} is a byte copy`);
      assert.equal(out.rowsAfterDedup, kept.length);

      // Embedding: one new file holding little more than the raw vectors, far below the table's size.
      const e = out.embedding;
      assert.equal(e.dimension, 768);
      assert.equal(e.files, 1);
      assert.equal(e.vectorBytes, out.decoded * 768 * 4, "a slot per stored row, deleted ones included");
      assert.ok(e.bytesWritten >= e.vectorBytes && e.bytesWritten < e.vectorBytes * 1.05, `${e.bytesWritten} bytes for ${e.vectorBytes} of vectors`);
      assert.ok(e.bytesWritten * 4 < e.tableBytes, `${e.bytesWritten} bytes written to a table of ${e.tableBytes}`);
      assert.deepEqual(out.index, { type: "hnsw", metric: "cosine" });

      // More like this: the deleted copy finds its original first; the filter keeps PNGs only.
      const s = out.search;
      assert.equal(s.query, p.near[0]!.file);
      assert.equal(s.queryCopyOf, p.near[0]!.of);
      assert.equal(s.hits.length, 5);
      assert.equal(s.hits[0]!.file, s.queryCopyOf);
      assert.ok(s.hits[0]!.distance < 0.02 && s.hits[1]!.distance > 2 * s.hits[0]!.distance, JSON.stringify(s.hits.slice(0, 2)));
      assert.ok(s.hits.every((h) => h.format === "png"), JSON.stringify(s.hits));
      assert.equal(s.unfiltered[0]!.file, s.queryCopyOf);
      assert.ok(s.unfiltered.some((h) => h.format !== "png"), "without the filter other formats come back");
      for (const h of [...s.hits, ...s.unfiltered]) assert.ok(!copies.some((c) => c.file === h.file), `${h.file} was deleted`);

      // Append: the new rows only are backfilled (in the new fragment), and the index covers them.
      const a = out.appended;
      assert.equal(a.rows, p.incoming.length);
      assert.equal(a.deadLettered, 0);
      assert.equal(a.backfilledRows, p.incoming.length);
      assert.equal(a.newFragments.length, 1);
      assert.deepEqual(a.backfilledFragments, a.newFragments);
      assert.ok(a.backfillBytes >= p.incoming.length * 768 * 4 && a.backfillBytes < p.incoming.length * 768 * 4 * 1.1, `${a.backfillBytes}`);
      assert.deepEqual(out.indexAfterAppend, { indexedRows: kept.length + p.incoming.length, unindexedRows: 0 });
      assert.equal(out.newImageFound, p.incoming.at(-1));

      // History: the versions and tags, and the diff between raw and the latest version.
      assert.deepEqual(
        out.versions.map((v) => `${v.version} ${v.operation} ${v.rows}`),
        [
          `1 create ${out.decoded}`,
          `2 delete ${kept.length}`,
          `3 add_columns ${kept.length}`,
          `4 create_index ${kept.length}`,
          `5 append ${kept.length + p.incoming.length}`,
          `6 add_columns ${kept.length + p.incoming.length}`,
          `7 create_index ${kept.length + p.incoming.length}`,
        ],
      );
      assert.deepEqual(out.tags, { dedup: 2, raw: 1 });
      assert.deepEqual(out.diff, {
        rawRows: out.decoded,
        latestRows: kept.length + p.incoming.length,
        removed: sorted(copies.map((c) => c.file)),
        added: sorted(p.incoming),
        columnsAdded: ["embedding"],
        columnsRemoved: [],
      });

      // One line per step, each with its wall time.
      assert.deepEqual(Object.keys(out.timings), [...CURATION_STEPS]);
      assert.equal(lines.length, CURATION_STEPS.length);
      CURATION_STEPS.forEach((step, i) => {
        assert.ok(Number.isInteger(out.timings[step]) && out.timings[step] >= 0, step);
        assert.ok(lines[i]!.startsWith(step) && lines[i]!.endsWith(`[${out.timings[step]} ms]`), lines[i]);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("docs/curation.md quotes examples/curate-images.ts verbatim", () => {
  it("every ts block is an excerpt of the example", () => checkDocQuotes("docs/curation.md", "examples/curate-images.ts"));
});
