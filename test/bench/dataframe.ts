// DataFrame benchmark: Tessera's lazy DataFrame engine against DuckDB and arquero on generated rows held in memory
// (int key with 1 000 groups, float value, short string) — filter + project, group-by aggregate, join with a
// 1 000-row dimension table (full, and followed by an aggregate), and sort + limit — sides interleaved per
// repetition in one process, every side's answer checked against DuckDB's. Plus a memory case: RSS while a
// filter + project streams a generated source far larger than the batches in flight.

import { loadavg } from "node:os";
import {
  formatMs,
  printComparison,
  printTable,
  ratio,
  timeInterleaved,
  timeOnce,
  writeResults,
  type BenchOptions,
  type BenchReport,
  type ComparisonRow,
  type TimingOptions,
} from "./harness.js";
import { ArqueroDataFrameSide } from "./sides/dataframe-arquero.js";
import { BATCH_ROWS, dimTable, factTable, GROUPS } from "./sides/dataframe-data.js";
import { DuckDbDataFrameSide } from "./sides/dataframe-duckdb.js";
import { measureStreamingMemory, SAMPLE_MS, type MemoryResult } from "./sides/dataframe-memory.js";
import { checkDigest, digest, QUERIES, QUERY_SQL, type DataFrameSide, type Digest, type QueryName } from "./sides/dataframe-side.js";
import { TesseraDataFrameSide } from "./sides/dataframe-tessera.js";

/** Rows of the in-memory fact table, and of the streamed source of the memory case, per size. */
export const ROWS = { small: 200_000, full: 10_000_000 } as const;
export const STREAM_ROWS = { small: 1_000_000, full: 10_000_000 } as const;

/** Targets: Tessera's median over each other side's, on every query. */
export const TARGETS = { vsArquero: 1, vsDuckdb: 3 } as const;

/**
 * Warm-ups and measured repetitions per size; the first warm-up of every side also carries the result check. Few at
 * full size: arquero alone needs ~5 s to join and ~8 s to sort 2M rows, so several times that on 10M.
 */
const DEFAULTS = { small: { warmup: 1, repeat: 3 }, full: { warmup: 1, repeat: 3 } } as const;

/** The reference the other sides' answers are compared with. */
const REFERENCE = "duckdb";

const LABELS: Readonly<Record<QueryName, string>> = {
  filterProject: "1. filter value > 0.5 and key < 500 → key, value * 2",
  groupBy: "2. groupBy(key).agg(sum, mean, count)",
  join: "3a. inner join dim on key (all rows)",
  joinAgg: "3b. inner join dim on key → count, sum(value)",
  topN: "4. sort by value desc, limit 100",
};

interface QueryResult extends ComparisonRow {
  query: QueryName;
  sql: string;
  rows: number;
}

interface TargetRow {
  target: string;
  value: number;
  limit: string;
  met: boolean;
}

/** Runs the dataframe benchmark and returns (and by default prints and saves) its figures. */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const base = DEFAULTS[options.size];
  const timing: Required<TimingOptions> = { warmup: base.warmup, repeat: options.repeat ?? base.repeat };
  // First, while the process is still small: nothing else allocated muddies the RSS figures.
  const memory = await measureStreamingMemory(STREAM_ROWS[options.size]);

  const rows = ROWS[options.size];
  let facts!: ReturnType<typeof factTable>;
  const generateMs = await timeOnce(async () => (facts = factTable(rows)));
  const dim = dimTable();
  let duckdb!: DuckDbDataFrameSide;
  const loadMs = { duckdb: await timeOnce(async () => (duckdb = await DuckDbDataFrameSide.create(facts, dim))) };
  const sides: DataFrameSide[] = [TesseraDataFrameSide.create(facts, dim), duckdb, ArqueroDataFrameSide.create(facts, dim)];
  try {
    const results: QueryResult[] = [];
    for (const query of QUERIES) results.push(await measureQuery(query, sides, timing));
    const report: BenchReport = {
      name: "dataframe",
      size: options.size,
      rows,
      groups: GROUPS,
      batchRows: BATCH_ROWS,
      timing,
      loadAverage: loadavg()[0], // the machine may be shared: a high figure explains noisy medians
      duckdbThreads: duckdb.threads,
      setupMs: { generate: generateMs, ...loadMs },
      queries: results,
      memory,
      targets: targetRows(results),
    };
    if (options.print !== false) printReport(report, results, memory);
    if (options.writeResults !== false) console.log(`\nresults: ${await writeResults(report)}`);
    return report;
  } finally {
    for (const side of sides) await side.close();
  }
}

/** One query on every side, interleaved; the first warm-up's answers are checked against the reference's. */
async function measureQuery(query: QueryName, sides: DataFrameSide[], timing: Required<TimingOptions>): Promise<QueryResult> {
  const digests = new Map<string, Digest>();
  const rows: Record<string, number> = {};
  const fns = Object.fromEntries(
    sides.map((side) => [
      side.name,
      async (rep: number) => {
        const result = await side.run(query);
        rows[side.name] = result.numRows;
        if (rep === -timing.warmup) digests.set(side.name, await digest(query, result));
      },
    ]),
  );
  const timings = await timeInterleaved(fns, timing);
  const expected = digests.get(REFERENCE)!;
  for (const side of sides) {
    if (side.name !== REFERENCE) checkDigest(query, side.name, digests.get(side.name)!, REFERENCE, expected);
    if (rows[side.name] !== expected.rows) throw new Error(`dataframe ${query}: ${side.name} returned ${rows[side.name]} rows, expected ${expected.rows}`);
  }
  return { label: LABELS[query], query, sql: QUERY_SQL[query], rows: expected.rows, timings };
}

function targetRows(results: QueryResult[]): TargetRow[] {
  return results.flatMap((r) => {
    const vsArquero = ratio(r.timings.tessera!, r.timings.arquero!);
    const vsDuckdb = ratio(r.timings.tessera!, r.timings.duckdb!);
    return [
      { target: `${r.query}: Tessera/arquero time`, value: vsArquero, limit: `< ${TARGETS.vsArquero}`, met: vsArquero < TARGETS.vsArquero },
      { target: `${r.query}: Tessera/DuckDB time`, value: vsDuckdb, limit: `<= ${TARGETS.vsDuckdb}`, met: vsDuckdb <= TARGETS.vsDuckdb },
    ];
  });
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function printReport(report: BenchReport, results: QueryResult[], memory: MemoryResult): void {
  const t = report.timing as Required<TimingOptions>;
  const setup = report.setupMs as { generate: number; duckdb: number };
  console.log(
    `${report.rows} generated rows in batches of ${BATCH_ROWS} (${GROUPS} keys); 1-min load average ${(report.loadAverage as number).toFixed(1)}; ` +
      `DuckDB threads ${report.duckdbThreads as number}`,
  );
  console.log(`medians of ${t.repeat} after ${t.warmup} warm-up${t.warmup === 1 ? "" : "s"}; generated in ${formatMs(setup.generate)} ms, DuckDB load ${formatMs(setup.duckdb)} ms (untimed)`);
  printComparison(
    "queries (median ms; ratio < 1 means Tessera is faster)",
    "tessera",
    ["tessera", "duckdb", "arquero"],
    results.map((r) => ({
      ...r,
      extra: {
        rows: String(r.rows),
        [`vs arquero < ${TARGETS.vsArquero}`]: ratio(r.timings.tessera!, r.timings.arquero!) < TARGETS.vsArquero ? "yes" : "NO",
        [`vs DuckDB <= ${TARGETS.vsDuckdb}`]: ratio(r.timings.tessera!, r.timings.duckdb!) <= TARGETS.vsDuckdb ? "yes" : "NO",
      },
    })),
  );
  printTable(`streaming filter + project, RSS sampled every ${SAMPLE_MS} ms (${memory.samples} samples)`, ["figure", "value"], [
    ["rows streamed (generated batch by batch)", `${memory.rowsStreamed} in ${memory.batches} batches`],
    ["data streamed, MB", mb(memory.bytesStreamed)],
    ["rows / MB out (dropped as they arrive)", `${memory.rowsOut} / ${mb(memory.bytesOut)}`],
    ["time, ms", formatMs(memory.ms)],
    ["baseline RSS, MB", mb(memory.baselineRss)],
    ["peak RSS, MB", mb(memory.peakRss)],
    ["peak - baseline, MB", mb(memory.peakRss - memory.baselineRss)],
    ["peak between batches, 1st / 2nd half of the stream, MB", `${mb(memory.halfPeaksRss[0])} / ${mb(memory.halfPeaksRss[1])}`],
    ["(peak - baseline) / data streamed", ((memory.peakRss - memory.baselineRss) / memory.bytesStreamed).toFixed(3)],
  ]);
  const targets = report.targets as TargetRow[];
  printTable("targets", ["target", "value", "limit", "met"], targets.map((r) => [r.target, r.value.toFixed(2), r.limit, r.met ? "yes" : "NO"]));
}
