// Small helpers shared by benchmarks: options, timing (sides interleaved A B A B in one run), an aligned results
// table with Tessera/other ratios, and results JSON under .bench-data/results/.

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "node:util";
import type { PrintedEntry } from "./doc-report.js";

export type BenchSize = "small" | "full";

/** What every benchmark's `run` takes. */
export interface BenchOptions {
  /** "full" (default) for real figures; "small" for a quick smoke run. */
  size: BenchSize;
  /** Measured repetitions per case; each benchmark picks a default per size when unset. */
  repeat?: number;
  /** Write .bench-data/results/NAME.json. Default true. */
  writeResults?: boolean;
  /** Print tables to stdout. Default true. */
  print?: boolean;
}

/** A benchmark module's contract: run it and get back what it measured (also what goes to the JSON file). */
export interface Benchmark {
  run(options: BenchOptions): Promise<BenchReport>;
}

export interface BenchReport {
  name: string;
  size: BenchSize;
  [key: string]: unknown;
}

/** Median, min and max of the measured repetitions, in milliseconds. */
export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  samplesMs: number[];
}

/** The git-ignored scratch folder at the repo root. */
export function benchDataDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", ".bench-data");
}

/** Summarizes raw samples. */
export function summarize(samplesMs: number[]): Timing {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianMs, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]!, samplesMs };
}

/** Times one call in milliseconds. */
export async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Options for the timing helpers. */
export interface TimingOptions {
  /** Unmeasured calls first, per side (JIT, caches, lazy opens). Default 2. */
  warmup?: number;
  /** Measured calls per side. Default 10. */
  repeat?: number;
}

/** Times `fn` `repeat` times after `warmup` calls; `fn` gets the repetition index (negative while warming up). */
export async function timeIt(fn: (rep: number) => Promise<unknown>, options: TimingOptions = {}): Promise<Timing> {
  const timings = await timeInterleaved({ only: fn }, options);
  return timings.only!;
}

/**
 * Times several sides of one case, interleaved A B C A B C: a noisy neighbour or a GC pause then hurts every
 * side alike instead of one whole block. Each side gets the same repetition index, so sides given the same
 * index can be handed the same input (e.g. the same random offsets).
 */
export async function timeInterleaved(
  sides: Record<string, (rep: number) => Promise<unknown>>,
  options: TimingOptions = {},
): Promise<Record<string, Timing>> {
  const warmup = options.warmup ?? 2;
  const repeat = options.repeat ?? 10;
  const names = Object.keys(sides);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = -warmup; rep < repeat; rep++) {
    // Rotate the starting side so none always runs right after another's allocations.
    const order = names.map((_, k) => names[(k + Math.max(rep, 0)) % names.length]!);
    for (const name of order) {
      const ms = await timeOnce(() => sides[name]!(rep));
      if (rep >= 0) samples[name]!.push(ms);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(samples[n]!)]));
}

/** Formats a millisecond figure with about three significant digits. */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** What the running benchmark printed so far, while recordPrinted is on. */
let recorder: PrintedEntry[] | undefined;
let printingTable = false;

/**
 * Runs `fn` and records what it prints: tables from printTable as tables, other console.log lines as notes (the
 * "results: PATH" line aside). The output still goes to stdout as usual.
 */
export async function recordPrinted<T>(fn: () => Promise<T>): Promise<{ result: T; printed: PrintedEntry[] }> {
  const printed: PrintedEntry[] = [];
  const log = console.log;
  recorder = printed;
  console.log = (...args: unknown[]): void => {
    if (!printingTable) {
      const text = format(...args);
      if (!text.trim().startsWith("results:")) printed.push({ kind: "text", text });
    }
    log(...args);
  };
  try {
    return { result: await fn(), printed };
  } finally {
    console.log = log;
    recorder = undefined;
  }
}

/** Prints rows as an aligned table: first column left-aligned, the rest right-aligned. */
export function printTable(title: string, header: string[], rows: string[][]): void {
  recorder?.push({ kind: "table", title, header: [...header], rows: rows.map((r) => [...r]) });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  printingTable = true;
  try {
    console.log(`\n${title}`);
    console.log(line(header));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const row of rows) console.log(line(row));
  } finally {
    printingTable = false;
  }
}

/** One row of a side-by-side comparison: a case name, a timing per side and optional extra columns. */
export interface ComparisonRow {
  label: string;
  timings: Record<string, Timing>;
  extra?: Record<string, string>;
}

/**
 * Prints median ms per side and the ratio base/other for every other side (below 1 means the base is faster).
 * Extra columns (targets, bytes read) come last, in the order of their first appearance.
 */
export function printComparison(title: string, base: string, sides: string[], rows: ComparisonRow[]): void {
  const others = sides.filter((s) => s !== base);
  const extras = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))];
  const header = ["case", ...sides.map((s) => `${s} ms`), ...others.map((o) => `${base}/${o}`), ...extras];
  const body = rows.map((r) => [
    r.label,
    ...sides.map((s) => (r.timings[s] ? formatMs(r.timings[s].medianMs) : "-")),
    ...others.map((o) => (r.timings[o] && r.timings[base] ? ratio(r.timings[base], r.timings[o]).toFixed(2) : "-")),
    ...extras.map((e) => r.extra?.[e] ?? ""),
  ]);
  printTable(title, header, body);
}

/** Median of `a` over median of `b`. */
export function ratio(a: Timing, b: Timing): number {
  return a.medianMs / b.medianMs;
}

/** Writes a report to .bench-data/results/NAME.json and returns the path. */
export async function writeResults(report: BenchReport): Promise<string> {
  const path = join(benchDataDir(), "results", `${report.name}.json`);
  await mkdir(dirname(path), { recursive: true });
  const stamped = { ...report, node: process.version, date: new Date().toISOString() };
  await writeFile(path, `${JSON.stringify(stamped, null, 2)}\n`);
  return path;
}
