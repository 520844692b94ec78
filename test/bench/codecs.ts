// Chunk codec benchmark: deflate/inflate of 8 KiB mini-block chunks (the unit a random read decodes) through
// node:zlib, which the data file uses, against fflate, the pure-JS library the design first proposed.

import { deflateRawSync, inflateRawSync } from "node:zlib";
import * as fflate from "fflate";
import { printComparison, timeInterleaved, writeResults, type BenchOptions, type BenchReport, type ComparisonRow } from "./harness.js";

/** 8 KiB of text like a string chunk: short words and numbers. */
function sampleChunk(): Uint8Array {
  const words = ["image", "of", "a", "cat", "dog", "bird", "ring", "radius", "train", "test"];
  let s = 0x1234;
  const parts: string[] = [];
  while (parts.join("").length < 9000) {
    s = (s * 1103515245 + 12345) >>> 0;
    parts.push(`${words[s % 10]} ${s % 1000}`);
  }
  return new TextEncoder().encode(parts.join("")).slice(0, 8192);
}

/** Runs each codec `perRep` times per repetition, so one repetition is long enough to time. */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const chunk = sampleChunk();
  const perRep = options.size === "small" ? 20 : 2000;
  const timing = { warmup: options.size === "small" ? 1 : 3, repeat: options.repeat ?? (options.size === "small" ? 2 : 15) };
  const zRaw = deflateRawSync(chunk, { level: 1 });
  const fRaw = fflate.deflateSync(chunk, { level: 1 });
  const loop = (fn: () => unknown) => async (): Promise<void> => {
    for (let i = 0; i < perRep; i++) fn();
  };
  const inflate = await timeInterleaved(
    { "node:zlib": loop(() => inflateRawSync(zRaw)), fflate: loop(() => fflate.inflateSync(fRaw)) },
    timing,
  );
  const deflate = await timeInterleaved(
    {
      "node:zlib": loop(() => deflateRawSync(chunk, { level: 1 })),
      fflate: loop(() => fflate.deflateSync(chunk, { level: 1 })),
    },
    timing,
  );
  const rows: ComparisonRow[] = [
    { label: `inflate 8 KiB chunk ×${perRep}`, timings: inflate },
    { label: `deflate 8 KiB chunk ×${perRep}`, timings: deflate },
  ];
  const report: BenchReport = {
    name: "codecs",
    size: options.size,
    chunkBytes: chunk.byteLength,
    compressedBytes: { "node:zlib": zRaw.byteLength, fflate: fRaw.byteLength },
    perRep,
    cases: rows,
  };
  if (options.print !== false) {
    printComparison("chunk codecs (median ms per repetition; ratio < 1 means node:zlib is faster)", "node:zlib", ["node:zlib", "fflate"], rows);
    console.log(`compressed size: node:zlib ${zRaw.byteLength} B, fflate ${fRaw.byteLength} B of ${chunk.byteLength} B`);
  }
  if (options.writeResults !== false) console.log(`\nresults: ${await writeResults(report)}`);
  return report;
}
