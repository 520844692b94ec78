// Neither the writer nor a scan holds a whole file or column: a file many times the page budget is written
// and scanned in a child process whose peak heap + array-buffer memory stays a small fraction of it.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env.TESSERA_MEMORY_TEST_MIB ?? 64);

describe("data file memory", () => {
  it(`writes and scans a ${SIZE_MIB} MiB file with bounded memory`, () => {
    const r = spawnSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "test/support/memory-probe.ts", String(SIZE_MIB)],
      { encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Record<string, number>;
    assert.equal(out.rows, out.expectedRows);
    assert.ok(out.fileBytes! >= SIZE_MIB * MiB * 0.9, `file is ${out.fileBytes} bytes`);
    // Measured between batches: what the writer keeps (pending pages) and what a scan keeps (a page or two per column).
    const bound = 12 * MiB;
    assert.ok(out.writePeak! < bound, `writer peak ${(out.writePeak! / MiB).toFixed(1)} MiB`);
    assert.ok(out.scanPeak! < bound, `scan peak ${(out.scanPeak! / MiB).toFixed(1)} MiB`);
    assert.ok(out.fileBytes! > 5 * bound, "the file is several times the bound");
  });
});
