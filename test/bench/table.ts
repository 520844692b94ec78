// Table benchmark: Tessera's versioned Table against LanceDB on Fashion-MNIST (or its stand-in), through each
// one's public API on local disk — create, random takes, a filtered scan (DuckDB on Parquet too), a column
// computed by a JavaScript function, and version listing and checkout. One run, sides interleaved per repetition.

import { mkdir, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import type * as arrow from "apache-arrow";
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
  type TimingOptions,
} from "./harness.js";
import { sampleOffsets } from "./random.js";
import { directoryBytes } from "./sides/disk-usage.js";
import { toLanceArrow } from "./sides/lancedb.js";
import { DuckDbScanSide, SCAN_ROW_GROUP_ROWS } from "./sides/table-duckdb.js";
import { LanceTableSide } from "./sides/table-lancedb.js";
import { fileSizes, newBytes, syncFiles, type AddColumnSpec, type ColumnChunk, type ReadRows, type ScanSide } from "./sides/table-side.js";
import { TesseraTableSide } from "./sides/table-tessera.js";
import { takeOffsets } from "./take.js";

/** Rows per take (all columns). */
export const TAKE_SIZES = [100, 1000] as const;
/** The filtered scan: Fashion-MNIST has 7 000 rows of each label (6 000 train + 1 000 test). */
export const SCAN = { filter: "label = 3", columns: ["id", "label"], label: 3, fullRows: 7000 } as const;
/** Commits made before the versions case (appends of a slice of the source rows), after create's version 1. */
export const APPENDS = 4;

/** Targets: Tessera's median over the other side's, and bytes written by addColumns over the new column's own bytes. */
export const TARGETS = {
  takeVsLance: { 100: 0.5, 1000: 0.7 } as Readonly<Record<number, number>>,
  scanVsDuckdb: 1,
  addWrittenOverColumn: 1.1,
} as const;

/**
 * Repetitions per case; writes get few. Reads need more warm-up than take.ts's 20: there the 1-row takes warm the
 * read path first, here the 100-row take is the process's first read. Alone, takes 20–39 still ran ~2× slower than
 * from the 40th on; interleaved with LanceDB (whose threads compete with V8's background compiler on 2 cores) the
 * first ~60 were slow. The scan settled after ~60 scans.
 */
const DEFAULTS = {
  small: {
    create: { warmup: 0, repeat: 1 },
    take: { warmup: 1, repeat: 3 },
    scan: { warmup: 1, repeat: 3 },
    add: { warmup: 0, repeat: 1 },
    versions: { warmup: 1, repeat: 3 },
  },
  full: {
    create: { warmup: 1, repeat: 3 },
    take: { warmup: 100, repeat: 30 },
    scan: { warmup: 60, repeat: 30 },
    add: { warmup: 1, repeat: 3 },
    versions: { warmup: 10, repeat: 30 },
  },
} as const;

type CaseTiming = Required<TimingOptions>;
type Timings = Record<keyof (typeof DEFAULTS)["full"], CaseTiming>;

/** 32-bit FNV-1a of each binary value (the PNG bytes). */
export function fnv1aHashes(chunks: readonly ColumnChunk[]): Uint32Array {
  const out = new Uint32Array(chunks.reduce((n, c) => n + c.length, 0));
  let row = 0;
  for (const chunk of chunks) {
    const offsets = chunk.valueOffsets!;
    const bytes = chunk.values;
    for (let i = 0; i < chunk.length; i++) {
      let h = 0x811c9dc5;
      for (let p = offsets[i]!, end = offsets[i + 1]!; p < end; p++) h = Math.imul(h ^ bytes[p]!, 0x01000193);
      out[row++] = h >>> 0;
    }
  }
  return out;
}

/** L2 norm of each fixed-size float vector. */
export function l2Norms(chunks: readonly ColumnChunk[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let row = 0;
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    const child = chunk.children[0]!;
    const dim = child.length / chunk.length;
    const v = child.values;
    for (let i = 0; i < chunk.length; i++) {
      let sum = 0;
      for (let k = i * dim, end = k + dim; k < end; k++) sum += v[k]! * v[k]!;
      out[row++] = Math.sqrt(sum);
    }
  }
  return out;
}

/** The two computed columns: a hash of the PNG bytes, and the vector's norm. */
export const ADD_SPECS: readonly AddColumnSpec[] = [
  { name: "png_fnv1a", input: "png", type: "uint32", compute: fnv1aHashes },
  { name: "vector_norm", input: "vector", type: "float32", compute: l2Norms },
];

interface Sides {
  tessera: TesseraTableSide;
  lancedb: LanceTableSide;
}

interface CreateResult extends ComparisonRow {
  diskBytes: Record<string, number>;
}

interface TakeResult extends ComparisonRow {
  rowsPerTake: number;
  /** Tessera's store counters per take (mean over the measured repetitions). */
  io: { requests: number; bytesRead: number };
}

interface ScanResult extends ComparisonRow {
  rows: Record<string, number>;
  io: { requests: number; bytesRead: number };
}

interface AddResult extends ComparisonRow {
  column: string;
  input: string;
  /** Tessera: bytes the store wrote (median over repetitions), and the new data file's size. */
  tesseraBytesWritten: number;
  tesseraColumnBytes: number;
  tesseraBytesRead: number;
  /** LanceDB: bytes of new or rewritten files in the database directory. */
  lancedbBytesWritten: number;
  /** Median ms of each LanceDB phase. */
  lancedbPhases: Record<string, number>;
}

interface VersionsResult extends ComparisonRow {
  versions: number;
}

/** Runs the table benchmark and returns (and by default prints and saves) its figures. */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const { table, source } = await loadFashionMnist({ size: options.size });
  const dir = join(benchDataDir(), "table", `${source}-${options.size}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const timings = caseTimings(options);
  const expectFullCounts = source === "fashion-mnist" && options.size === "full";

  const created = await measureCreate(table, dir, timings.create);
  const sides = created.sides;
  let duckdb: DuckDbScanSide | undefined;
  try {
    duckdb = await DuckDbScanSide.create(table, join(dir, "parquet"));
    // Gigabytes were just written: flush them now, or the kernel's writeback competes with the timed reads below.
    for (const d of [sides.tessera.dir, sides.lancedb.dir, join(dir, "parquet")]) await syncFiles(d);
    const takes: TakeResult[] = [];
    for (const n of TAKE_SIZES) takes.push(await measureTake(sides, table.numRows, n, timings.take));
    const scan = await measureScan(sides, duckdb, table, expectFullCounts, timings.scan);
    const adds: AddResult[] = [];
    for (const spec of ADD_SPECS) adds.push(await measureAdd(sides, spec, table, join(dir, "add"), timings.add));
    const versions = await measureVersions(sides, table, timings.versions);
    const tableBytes = created.result.diskBytes.tessera!;

    const report: BenchReport = {
      name: "table",
      size: options.size,
      source,
      rows: table.numRows,
      timings,
      loadAverage: loadavg()[0], // the machine may be shared: a high figure explains noisy medians
      create: created.result,
      take: takes,
      scan: { ...scan, filter: SCAN.filter, columns: SCAN.columns, parquet: { rowGroupRows: SCAN_ROW_GROUP_ROWS, bytes: duckdb.diskBytes } },
      addColumns: adds.map((a) => ({ ...a, tableBytes })),
      versions,
      targets: targetRows(takes, scan, adds),
    };
    if (options.print !== false) printReport(report, created.result, takes, scan, adds, versions, tableBytes);
    if (options.writeResults !== false) console.log(`\nresults: ${await writeResults(report)}`);
    return report;
  } finally {
    await duckdb?.close();
    await sides.tessera.close();
    await sides.lancedb.close();
  }
}

function caseTimings(options: BenchOptions): Timings {
  const base = DEFAULTS[options.size];
  const pick = (t: { warmup: number; repeat: number }): CaseTiming => ({ warmup: t.warmup, repeat: options.repeat ?? t.repeat });
  return { create: pick(base.create), take: pick(base.take), scan: pick(base.scan), add: pick(base.add), versions: pick(base.versions) };
}

/** 1. Each side creates the table in a fresh directory per repetition; the last one is kept for the other cases. */
async function measureCreate(table: arrow.Table, dir: string, timing: CaseTiming): Promise<{ result: CreateResult; sides: Sides }> {
  const root = join(dir, "create");
  await mkdir(root, { recursive: true });
  const bridged = toLanceArrow(table); // LanceDB's CommonJS Arrow; bridging is not LanceDB's cost
  const made: { tessera: TesseraTableSide[]; lancedb: LanceTableSide[] } = { tessera: [], lancedb: [] };
  const at = (name: string, rep: number): string => join(root, `${name}-${rep + timing.warmup}`);
  const timings = await timeInterleaved(
    {
      tessera: async (rep) => made.tessera.push(await TesseraTableSide.create(table, at("tessera", rep))),
      lancedb: async (rep) => made.lancedb.push(await LanceTableSide.createBridged(bridged, at("lancedb", rep))),
    },
    timing,
  );
  const sides = { tessera: made.tessera.pop()!, lancedb: made.lancedb.pop()! };
  for (const old of [...made.tessera, ...made.lancedb]) {
    await old.close();
    await rm(old.dir, { recursive: true, force: true });
  }
  const diskBytes = { tessera: await directoryBytes(sides.tessera.dir), lancedb: await directoryBytes(sides.lancedb.dir) };
  return { result: { label: `create ${table.numRows} rows`, timings, diskBytes }, sides };
}

/** 2. Random takes of all columns, fresh offsets per repetition (the take benchmark's), the same for both sides. */
async function measureTake(sides: Sides, numRows: number, n: number, timing: CaseTiming): Promise<TakeResult> {
  const io = { requests: 0, bytesRead: 0 };
  const timings = await timeInterleaved(
    {
      tessera: async (rep) => {
        const offsets = takeOffsets(numRows, n, rep);
        sides.tessera.resetStats();
        const rows = await sides.tessera.take(offsets);
        if (rep < 0) checkTake("tessera", offsets, rows, true); // warm-ups are untimed, so they carry the check
        else {
          io.requests += sides.tessera.stats.requests;
          io.bytesRead += sides.tessera.stats.bytesRead;
        }
      },
      lancedb: async (rep) => {
        const offsets = takeOffsets(numRows, n, rep);
        const rows = await sides.lancedb.take(offsets);
        if (rep < 0) checkTake("lancedb", offsets, rows, false); // LanceDB returns rows sorted by offset
      },
    },
    timing,
  );
  io.requests /= timing.repeat;
  io.bytesRead /= timing.repeat;
  return { label: `take ${n} rows, all columns`, rowsPerTake: n, timings, io };
}

function checkTake(side: string, offsets: readonly number[], rows: ReadRows, keepsOrder: boolean): void {
  if (rows.numRows !== offsets.length) throw new Error(`${side} returned ${rows.numRows} rows for a take of ${offsets.length}`);
  const expected = keepsOrder ? [...offsets] : [...offsets].sort((a, b) => a - b);
  const got = keepsOrder ? rows.ids() : rows.ids().sort((a, b) => a - b);
  if (got.some((id, i) => id !== expected[i])) throw new Error(`${side} returned the wrong rows`);
}

/** 3. `label = 3` selecting id, label, fully materialized, on all three sides. */
async function measureScan(
  sides: Sides,
  duckdb: DuckDbScanSide,
  table: arrow.Table,
  expectFullCounts: boolean,
  timing: CaseTiming,
): Promise<ScanResult> {
  const labels = table.getChild("label")!.toArray() as Int8Array;
  const expected = [...labels.keys()].filter((i) => labels[i] === SCAN.label); // id = row offset
  if (expectFullCounts && expected.length !== SCAN.fullRows) {
    throw new Error(`Fashion-MNIST should have ${SCAN.fullRows} rows with ${SCAN.filter}, the source has ${expected.length}`);
  }
  const all: ScanSide[] = [sides.tessera, sides.lancedb, duckdb];
  const rows: Record<string, number> = {};
  const io = { requests: 0, bytesRead: 0 };
  const fns = Object.fromEntries(
    all.map((side) => [
      side.name,
      async (rep: number) => {
        if (side === sides.tessera) sides.tessera.resetStats();
        const got = await side.filteredScan(SCAN.filter, SCAN.columns);
        rows[side.name] = got.numRows;
        if (rep < 0) checkScan(side.name, got, expected);
        else if (side === sides.tessera) {
          io.requests += sides.tessera.stats.requests;
          io.bytesRead += sides.tessera.stats.bytesRead;
        }
      },
    ]),
  );
  const timings = await timeInterleaved(fns, timing);
  for (const [name, n] of Object.entries(rows)) {
    if (n !== expected.length) throw new Error(`${name} returned ${n} rows for ${SCAN.filter}, expected ${expected.length}`);
  }
  io.requests /= timing.repeat;
  io.bytesRead /= timing.repeat;
  return { label: `scan ${SCAN.filter} → ${SCAN.columns.join(", ")}`, timings, rows, io };
}

function checkScan(side: string, got: ReadRows, expected: readonly number[]): void {
  if (got.numRows !== expected.length) throw new Error(`${side} returned ${got.numRows} rows for ${SCAN.filter}, expected ${expected.length}`);
  const ids = got.ids().sort((a, b) => a - b);
  if (ids.some((id, i) => id !== expected[i])) throw new Error(`${side} returned the wrong rows for ${SCAN.filter}`);
}

/**
 * 4. One added column per repetition, each on its own fresh copy of the table made (and synced to disk) beforehand,
 * untimed.
 * Tessera: `addColumns(fn, { inputColumns })`. LanceDB: read → compute → add null column → mergeInsert("id").
 */
async function measureAdd(sides: Sides, spec: AddColumnSpec, table: arrow.Table, dir: string, timing: CaseTiming): Promise<AddResult> {
  const root = join(dir, spec.name);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  type Copy = { tessera: TesseraTableSide; lancedb: LanceTableSide; before: { tessera: FileMap; lancedb: FileMap }; phases: Record<string, number> };
  const copies: Copy[] = [];
  try {
    for (let k = 0; k < timing.warmup + timing.repeat; k++) {
      const tessera = await sides.tessera.copyTo(join(root, `tessera-${k}`));
      const lancedb = await sides.lancedb.copyTo(join(root, `lancedb-${k}`));
      await syncFiles(tessera.dir);
      await syncFiles(lancedb.dir);
      tessera.resetStats();
      copies.push({ tessera, lancedb, before: { tessera: await fileSizes(tessera.dir), lancedb: await fileSizes(lancedb.dir) }, phases: {} });
    }
    const copyOf = (rep: number): Copy => copies[rep + timing.warmup]!;
    const timings = await timeInterleaved(
      {
        tessera: (rep) => copyOf(rep).tessera.addColumn(spec),
        lancedb: async (rep) => {
          copyOf(rep).phases = await copyOf(rep).lancedb.addColumn(spec);
        },
      },
      timing,
    );
    // Bytes: the store's counter for Tessera; new or rewritten files for both.
    const measured = copies.slice(timing.warmup);
    const written: number[] = [];
    const column: number[] = [];
    const read: number[] = [];
    const lance: number[] = [];
    for (const c of measured) {
      const after = { tessera: await fileSizes(c.tessera.dir), lancedb: await fileSizes(c.lancedb.dir) };
      written.push(c.tessera.stats.bytesWritten);
      read.push(c.tessera.stats.bytesRead);
      column.push(newBytes(c.before.tessera, after.tessera, "data/"));
      lance.push(newBytes(c.before.lancedb, after.lancedb));
    }
    await checkAdded(measured.at(-1)!, spec, table);
    const phaseNames = Object.keys(measured[0]!.phases);
    return {
      label: `add ${spec.name} (${spec.input} → ${spec.type})`,
      column: spec.name,
      input: spec.input,
      timings,
      tesseraBytesWritten: median(written),
      tesseraColumnBytes: median(column),
      tesseraBytesRead: median(read),
      lancedbBytesWritten: median(lance),
      lancedbPhases: Object.fromEntries(phaseNames.map((p) => [p, median(measured.map((c) => c.phases[p]!))])),
    };
  } finally {
    for (const c of copies) {
      await c.tessera.close();
      await c.lancedb.close();
    }
    await rm(root, { recursive: true, force: true });
  }
}

type FileMap = Awaited<ReturnType<typeof fileSizes>>;

/** Both sides' new column holds the function's value for a sample of rows (id = row offset in the source). */
async function checkAdded(copy: { tessera: TesseraTableSide; lancedb: LanceTableSide }, spec: AddColumnSpec, table: arrow.Table): Promise<void> {
  const expected = spec.compute(table.getChild(spec.input)!.data as unknown as ColumnChunk[]);
  const offsets = sampleOffsets(table.numRows, Math.min(50, table.numRows), 42);
  for (const side of [copy.tessera, copy.lancedb]) {
    const got = await side.valuesAt(offsets, spec.name);
    if (got.size !== offsets.length) throw new Error(`${side.name}: ${got.size} values of ${spec.name} for ${offsets.length} rows`);
    for (const [id, value] of got) {
      if (value !== expected[id]) throw new Error(`${side.name}: ${spec.name} of row ${id} is ${value}, expected ${expected[id]}`);
    }
  }
}

/** 5. After APPENDS more commits: list versions, and check out a version (a different one each time) and count. */
async function measureVersions(sides: Sides, table: arrow.Table, timing: CaseTiming): Promise<VersionsResult[]> {
  const appendRows = Math.min(1000, Math.floor(table.numRows / 20));
  for (let k = 0; k < APPENDS; k++) {
    const rows = table.slice(k * appendRows, (k + 1) * appendRows);
    await sides.tessera.append(rows);
    await sides.lancedb.append(rows);
  }
  const list = { tessera: await sides.tessera.versions(), lancedb: await sides.lancedb.versions() };
  for (const [name, vs] of Object.entries(list)) {
    if (vs.length !== APPENDS + 1) throw new Error(`${name} lists ${vs.length} versions after create + ${APPENDS} appends`);
  }
  const labels = table.getChild("label")!.toArray() as Int8Array;
  // Version k (0-based) of either side holds the source rows plus k appended slices.
  const expectedRows = (k: number, filtered: boolean): number => {
    if (!filtered) return table.numRows + k * appendRows;
    const count = (from: number, to: number): number => labels.subarray(from, to).reduce((n, l) => n + (l === SCAN.label ? 1 : 0), 0);
    return count(0, table.numRows) + count(0, k * appendRows);
  };
  const pick = (rep: number): number => (((rep + timing.warmup) % list.tessera.length) + list.tessera.length) % list.tessera.length;

  const results: VersionsResult[] = [];
  const versionsTimings = await timeInterleaved(
    {
      tessera: async () => check("tessera versions()", (await sides.tessera.versions()).length, APPENDS + 1),
      lancedb: async () => check("lancedb listVersions()", (await sides.lancedb.versions()).length, APPENDS + 1),
    },
    timing,
  );
  results.push({ label: `list ${APPENDS + 1} versions`, timings: versionsTimings, versions: APPENDS + 1 });
  for (const filter of [undefined, SCAN.filter]) {
    const timings = await timeInterleaved(
      {
        tessera: async (rep) => {
          const k = pick(rep);
          check(`tessera checkout(${list.tessera[k]})`, await sides.tessera.checkoutCount(list.tessera[k]!, filter), expectedRows(k, filter !== undefined));
        },
        lancedb: async (rep) => {
          const k = pick(rep);
          check(`lancedb checkout(${list.lancedb[k]})`, await sides.lancedb.checkoutCount(list.lancedb[k]!, filter), expectedRows(k, filter !== undefined));
        },
      },
      timing,
    );
    results.push({ label: `checkout + countRows(${filter === undefined ? "" : `"${filter}"`})`, timings, versions: APPENDS + 1 });
  }
  return results;
}

function check(what: string, got: number, expected: number): void {
  if (got !== expected) throw new Error(`${what}: got ${got}, expected ${expected}`);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One line per target: what was measured, the limit, and whether it was met. */
interface TargetRow {
  target: string;
  value: number;
  limit: number;
  met: boolean;
}

function targetRows(takes: TakeResult[], scan: ScanResult, adds: AddResult[]): TargetRow[] {
  const rows: TargetRow[] = [];
  for (const t of takes) {
    const limit = TARGETS.takeVsLance[t.rowsPerTake];
    if (limit === undefined) continue;
    const value = ratio(t.timings.tessera!, t.timings.lancedb!);
    rows.push({ target: `take ${t.rowsPerTake}: Tessera/LanceDB time`, value, limit, met: value <= limit });
  }
  const scanValue = ratio(scan.timings.tessera!, scan.timings.duckdb!);
  rows.push({ target: `scan ${SCAN.filter}: Tessera/DuckDB time`, value: scanValue, limit: TARGETS.scanVsDuckdb, met: scanValue <= TARGETS.scanVsDuckdb });
  for (const a of adds) {
    const value = a.tesseraBytesWritten / a.tesseraColumnBytes;
    const limit = TARGETS.addWrittenOverColumn;
    rows.push({ target: `add ${a.column}: bytes written / column's own bytes`, value, limit, met: value <= limit });
  }
  return rows;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1);
}

function printReport(
  report: BenchReport,
  create: CreateResult,
  takes: TakeResult[],
  scan: ScanResult,
  adds: AddResult[],
  versions: VersionsResult[],
  tableBytes: number,
): void {
  const t = report.timings as Timings;
  const reps = (c: CaseTiming): string => `${c.repeat} after ${c.warmup} warm-up${c.warmup === 1 ? "" : "s"}`;
  console.log(`${report.rows} rows of ${report.source}; 1-min load average ${(report.loadAverage as number).toFixed(1)}`);
  console.log(
    `medians of: create ${reps(t.create)}; take ${reps(t.take)}; scan ${reps(t.scan)}; ` +
      `add column ${reps(t.add)} (each on a fresh copy of the table); versions ${reps(t.versions)}`,
  );
  const sides2 = ["tessera", "lancedb"];
  const why = "ratio < 1 means Tessera is faster";
  printComparison(`1. create (median ms; ${why})`, "tessera", sides2, [
    {
      ...create,
      extra: { "T MB on disk": mb(create.diskBytes.tessera!), "L MB on disk": mb(create.diskBytes.lancedb!) },
    },
  ]);
  printComparison(
    `2. take (median ms; fresh random offsets per repetition)`,
    "tessera",
    sides2,
    takes.map((c) => {
      const limit = TARGETS.takeVsLance[c.rowsPerTake]!;
      return {
        ...c,
        extra: {
          "target T/L": `<= ${limit.toFixed(2)}`,
          met: ratio(c.timings.tessera!, c.timings.lancedb!) <= limit ? "yes" : "NO",
          "T requests": c.io.requests.toFixed(0),
          "T KiB read": (c.io.bytesRead / 1024).toFixed(0),
        },
      };
    }),
  );
  printComparison(`3. filtered scan (median ms; every side returned ${scan.rows.tessera} rows)`, "tessera", ["tessera", "lancedb", "duckdb"], [
    {
      ...scan,
      extra: {
        "target T/D": `<= ${TARGETS.scanVsDuckdb.toFixed(2)}`,
        met: ratio(scan.timings.tessera!, scan.timings.duckdb!) <= TARGETS.scanVsDuckdb ? "yes" : "NO",
        "T KiB read": (scan.io.bytesRead / 1024).toFixed(0),
      },
    },
  ]);
  console.log(`duckdb: SELECT ${SCAN.columns.join(", ")} FROM read_parquet(...) WHERE ${SCAN.filter}; ${SCAN_ROW_GROUP_ROWS}-row groups, snappy`);
  printComparison(
    `4. add a column computed by a JS function (median ms of ${t.add.repeat}, each on a fresh copy)`,
    "tessera",
    sides2,
    adds.map((a) => ({
      ...a,
      extra: {
        "T MB written": mb(a.tesseraBytesWritten),
        "column MB": mb(a.tesseraColumnBytes),
        "written/column": (a.tesseraBytesWritten / a.tesseraColumnBytes).toFixed(3),
        target: `<= ${TARGETS.addWrittenOverColumn.toFixed(2)}`,
        met: a.tesseraBytesWritten / a.tesseraColumnBytes <= TARGETS.addWrittenOverColumn ? "yes" : "NO",
        "L MB written": mb(a.lancedbBytesWritten),
      },
    })),
  );
  console.log(`table on disk: Tessera ${mb(tableBytes)} MB. Tessera written/table: ${adds.map((a) => `${a.column} ${(a.tesseraBytesWritten / tableBytes).toFixed(4)}`).join(", ")}; ` +
    `LanceDB written/table: ${adds.map((a) => `${a.column} ${(a.lancedbBytesWritten / create.diskBytes.lancedb!).toFixed(2)}`).join(", ")}`);
  for (const a of adds) {
    console.log(
      `lancedb ${a.column} phases (median ms): ${Object.entries(a.lancedbPhases)
        .map(([p, ms]) => `${p} ${formatMs(ms)}`)
        .join(", ")}; Tessera read ${mb(a.tesseraBytesRead)} MB`,
    );
  }
  printComparison(`5. versions and checkout (median ms; ${versions[0]!.versions} versions)`, "tessera", sides2, versions);
  const targets = report.targets as TargetRow[];
  printTable(
    "targets",
    ["target", "value", "limit", "met"],
    targets.map((r) => [r.target, r.value.toFixed(3), `<= ${r.limit.toFixed(2)}`, r.met ? "yes" : "NO"]),
  );
}
