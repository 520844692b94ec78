// Take benchmark: random rows from Tessera's data file against LanceDB (takeOffsets) and Parquet (DuckDB), on
// Fashion-MNIST (or its stand-in). Each side writes the same Arrow table once; takes are interleaved per repetition.

import { loadavg } from "node:os";
import { join } from "node:path";
import { loadFashionMnist } from "./data/fashion-mnist.js";
import {
  benchDataDir,
  formatMs,
  printComparison,
  printTable,
  ratio,
  timeInterleaved,
  writeResults,
  type BenchOptions,
  type BenchReport,
  type ComparisonRow,
} from "./harness.js";
import { sampleOffsets } from "./random.js";
import { LanceDbSide } from "./sides/lancedb.js";
import { ParquetDuckDbSide } from "./sides/parquet-duckdb.js";
import type { TakenRows, TakeSide } from "./sides/take-side.js";
import { TesseraFileSide } from "./sides/tessera-file.js";

/** Rows per take. */
export const TAKE_SIZES = [1, 100, 1000] as const;
/** Column sets: all columns, and the PNG alone (the common "fetch the images" read). */
export const COLUMN_SETS: readonly { label: string; columns: readonly string[] | undefined }[] = [
  { label: "all columns", columns: undefined },
  { label: "png only", columns: ["png"] },
];
/** Targets for Tessera's median over LanceDB's, by take size. */
export const TARGETS: Readonly<Record<number, number>> = { 100: 0.5, 1000: 0.7 };

// Enough warm-up for V8 to optimise the JavaScript read path (native sides need none, but get the same).
const DEFAULTS = { small: { warmup: 1, repeat: 3 }, full: { warmup: 20, repeat: 30 } } as const;

/** The offsets of repetition `rep` (negative while warming up) of an n-row take: fresh per rep, same per side. */
export function takeOffsets(numRows: number, n: number, rep: number): number[] {
  return sampleOffsets(numRows, n, 1_000_003 * n + 1000 + rep);
}

/** Runs the take benchmark and returns (and by default prints and saves) its figures. */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const { table, source } = await loadFashionMnist({ size: options.size });
  const dir = join(benchDataDir(), "take", `${source}-${options.size}`);
  const tessera = await TesseraFileSide.create(table, join(dir, "tessera"));
  const sides: TakeSide[] = [tessera];
  try {
    sides.push(await LanceDbSide.create(table, join(dir, "lancedb")));
    sides.push(await ParquetDuckDbSide.create(table, join(dir, "parquet")));
    const timing = { ...DEFAULTS[options.size], ...(options.repeat ? { repeat: options.repeat } : {}) };
    const cases = [];
    for (const set of COLUMN_SETS) {
      for (const n of TAKE_SIZES) cases.push(await measureCase(sides, tessera, table.numRows, n, set, timing));
    }
    const report: BenchReport = {
      name: "take",
      size: options.size,
      source,
      rows: table.numRows,
      ...timing,
      loadAverage: loadavg()[0], // the machine may be shared: a high figure explains noisy medians
      sides: Object.fromEntries(sides.map((s) => [s.name, { writeMs: s.writeMs, diskBytes: s.diskBytes }])),
      parquet: { reader: "duckdb read_parquet, WHERE file_row_number IN (...)", rowGroupRows: parquetSide(sides).rowGroupRows },
      cases,
    };
    if (options.print !== false) printReport(report, sides, cases);
    if (options.writeResults !== false) console.log(`\nresults: ${await writeResults(report)}`);
    return report;
  } finally {
    for (const side of sides) await side.close();
  }
}

function parquetSide(sides: TakeSide[]): ParquetDuckDbSide {
  return sides.find((s): s is ParquetDuckDbSide => s instanceof ParquetDuckDbSide)!;
}

/** Tessera's store counters per take: summed over the measured repetitions, then averaged. */
interface IoPerTake {
  requests: number;
  rangesRequested: number;
  bytesRead: number;
}

interface CaseResult extends ComparisonRow {
  rowsPerTake: number;
  columns: string;
  io: IoPerTake;
}

async function measureCase(
  sides: TakeSide[],
  tessera: TesseraFileSide,
  numRows: number,
  n: number,
  set: (typeof COLUMN_SETS)[number],
  timing: { warmup: number; repeat: number },
): Promise<CaseResult> {
  const io: IoPerTake = { requests: 0, rangesRequested: 0, bytesRead: 0 };
  const fns = Object.fromEntries(
    sides.map((side) => [
      side.name,
      async (rep: number) => {
        const offsets = takeOffsets(numRows, n, rep);
        const taken = await side.take(offsets, set.columns);
        if (rep < 0) check(side, offsets, taken); // warm-ups are untimed, so they carry the correctness check
        if (side === tessera && rep >= 0) addIo(io, tessera);
      },
    ]),
  );
  const timings = await timeInterleaved(fns, timing);
  for (const key of ["requests", "rangesRequested", "bytesRead"] as const) io[key] /= timing.repeat;
  return { label: `${n} ${n === 1 ? "row" : "rows"}, ${set.label}`, rowsPerTake: n, columns: set.label, timings, io };
}

function addIo(io: IoPerTake, tessera: TesseraFileSide): void {
  io.requests += tessera.lastStats.requests;
  io.rangesRequested += tessera.lastStats.rangesRequested;
  io.bytesRead += tessera.lastStats.bytesRead;
}

/** A side must return exactly the asked rows (id = row offset in this table), in order if it keeps order. */
function check(side: TakeSide, offsets: readonly number[], taken: TakenRows): void {
  if (taken.numRows !== offsets.length) {
    throw new Error(`${side.name} returned ${taken.numRows} rows for a take of ${offsets.length}`);
  }
  if (taken.ids === undefined) return;
  const expected = side.keepsOrder ? [...offsets] : [...offsets].sort((a, b) => a - b);
  const got = side.keepsOrder ? taken.ids : [...taken.ids].sort((a, b) => a - b);
  if (got.some((id, i) => id !== expected[i])) throw new Error(`${side.name} returned the wrong rows`);
}

function printReport(report: BenchReport, sides: TakeSide[], cases: CaseResult[]): void {
  console.log(
    `${report.rows} rows of ${report.source}; median of ${report.repeat} takes after ${report.warmup} warm-ups; ` +
      `1-min load average ${(report.loadAverage as number).toFixed(1)}`,
  );
  printTable(
    "written once",
    ["side", "write ms", "on disk MB"],
    sides.map((s) => [s.name, formatMs(s.writeMs), (s.diskBytes / 1e6).toFixed(1)]),
  );
  const rows = cases.map((c) => ({ ...c, extra: extraColumns(c) }));
  printComparison(
    "take latency (median ms; ratio < 1 means Tessera is faster)",
    "tessera",
    sides.map((s) => s.name),
    rows,
  );
  console.log(`parquet: ${parquetSide(sides).rowGroupRows}-row groups (snappy) via DuckDB file_row_number`);
}

/** Target and Tessera I/O columns for one case. */
function extraColumns(c: CaseResult): Record<string, string> {
  const target = TARGETS[c.rowsPerTake];
  const vsLance = c.timings.tessera && c.timings.lancedb ? ratio(c.timings.tessera, c.timings.lancedb) : NaN;
  return {
    "target T/L": target === undefined ? "" : `<= ${target.toFixed(2)}`,
    met: target === undefined ? "" : vsLance <= target ? "yes" : "NO",
    "T requests": c.io.requests.toFixed(1),
    "T ranges": c.io.rangesRequested.toFixed(0),
    "T KiB read": (c.io.bytesRead / 1024).toFixed(1),
  };
}
