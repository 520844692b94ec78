// Vector benchmark: k-nearest-neighbour search on Fashion-MNIST (the train images as 784-d float vectors, L2) with
// the first test images as queries, k = 10, against exact ground truth the benchmark computes itself. Tessera
// through Table.search (no index, HNSW, IVF-PQ), LanceDB (no index, IVF_HNSW_SQ, IVF_PQ) and raw hnswlib-node (the
// graph Tessera's HNSW index wraps, as the anchor for what Table.search adds). Each index is built once (timed); then
// every query setting runs whole passes over the queries as a sequential single client — one query at a time, in
// order — with passes interleaved across settings, so a noisy neighbour hurts every setting alike.

import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import * as arrow from "apache-arrow";
import { flatSearch } from "../../index/flat.js";
import { INDEX_KINDS } from "../../index/kinds.js";
import { loadFashionMnist } from "./data/fashion-mnist.js";
import { benchDataDir, formatMs, printTable, summarize, timeOnce, writeResults, type BenchOptions, type BenchReport } from "./harness.js";
import { HnswlibSide } from "./sides/vector-hnswlib.js";
import { LanceVectorSide } from "./sides/vector-lancedb.js";
import { vectorsOf, type Found, type Knobs, type VectorSide } from "./sides/vector-side.js";
import { TesseraVectorSide } from "./sides/vector-tessera.js";

/** Neighbours per query. */
export const K = 10;
/** HNSW build parameters, the same for Tessera, hnswlib and LanceDB's IVF_HNSW_SQ (one partition: one graph). */
export const HNSW_BUILD = { m: 16, efConstruction: 100 } as const;
/** hnswlib's level-generator seed; Tessera's default, so raw hnswlib builds the very graph Tessera does. */
export const HNSW_SEED = 42;
/** The HNSW ef sweep (every HNSW side). */
export const EF_SWEEP = [16, 24, 32, 48, 64, 96] as const;
/** Tessera's IVF-PQ sweep: nprobes × refineFactor. */
export const TESSERA_IVF_PQ_SWEEP: readonly Knobs[] = [10, 20, 40].flatMap((nprobes) => [5, 10].map((refineFactor) => ({ nprobes, refineFactor })));
/** LanceDB's IVF_PQ sweep: the reference setting (nprobes 7, refine 10) and its neighbours. */
export const LANCE_IVF_PQ_SWEEP: readonly Knobs[] = [
  { nprobes: 7, refineFactor: 5 },
  { nprobes: 7, refineFactor: 10 },
  { nprobes: 20, refineFactor: 5 },
  { nprobes: 20, refineFactor: 10 },
];
/** Recall floors at which the best QPS of each system is compared. */
export const RECALL_FLOORS = [0.99, 0.98] as const;

/** Targets. */
export const TARGETS = {
  /** Tessera exact search (no index), warm, queries per second. */
  flatQps: 50,
  /** At recall@10 ≥ 0.99: Tessera's best QPS through Table.search, and its ratio to LanceDB's best. */
  hnswQps: 2500,
  hnswVsLance: 4,
  /** Build time of the index that reached it, seconds. */
  buildS: 30,
  /** IVF-PQ with refine: recall ≥ 0.98 at ≥ 2× LanceDB IVF_PQ's best QPS at that recall. */
  ivfPqRecall: 0.98,
  ivfPqVsLance: 2,
} as const;

/**
 * Per size: queries for the indexed settings and for exact search (slow without an index: LanceDB's runs at a few
 * queries per second), and passes per setting. The first pass is a warm-up (JIT, caches), reported on its own.
 */
const DEFAULTS = {
  small: { queries: 50, flatQueries: 50, warmup: 1, repeat: 1 },
  full: { queries: 1000, flatQueries: 50, warmup: 1, repeat: 2 },
} as const;

/** One query setting of one side. */
interface Setting {
  side: VectorSide;
  knobs: Knobs;
  /** How many of the queries it runs. */
  queries: number;
}

/** What one setting measured. */
export interface SettingResult {
  knobs: Knobs;
  /** e.g. "ef=32", "nprobes=10 refineFactor=5", "exact". */
  label: string;
  queries: number;
  /** Wall time of each measured pass over the queries. */
  passesMs: number[];
  /** Queries per second over the median pass. */
  qps: number;
  /** Median and 99th percentile of the single-query latencies of the measured passes. */
  p50Ms: number;
  p99Ms: number;
  /** Mean recall@k over the queries (of the last pass). */
  recall: number;
  /** QPS of the first (warm-up) pass: cold caches, unoptimised JavaScript. */
  firstPassQps: number;
}

/** One side: a system with one index kind, built once. */
export interface MethodResult {
  system: string;
  index: string;
  variant?: string;
  params: string;
  buildMs: number;
  settings: SettingResult[];
}

/** The best QPS of a system at a recall floor. */
interface Best {
  system: string;
  method: string;
  setting: string;
  qps: number;
  recall: number;
  buildMs: number;
}

interface TargetRow {
  target: string;
  value: number | undefined;
  limit: string;
  met: boolean | undefined;
}

/** Runs the vector benchmark and returns (and by default prints and saves) its figures. */
export async function run(options: BenchOptions): Promise<BenchReport> {
  const plan = { ...DEFAULTS[options.size], ...(options.repeat ? { repeat: options.repeat } : {}) };
  const loadAtStart = loadavg()[0]!;
  const { table, source } = await loadFashionMnist({ size: options.size });
  const { base, queries, dim } = split(table, plan.queries);
  const { vectors } = vectorsOf(base);
  const rows = base.numRows;

  // Exact ground truth: one batched pass of the flat kernel over all queries.
  let truth: { id: bigint; distance: number }[][] = [];
  const truthMs = await timeOnce(async () => {
    const ids = BigUint64Array.from({ length: rows }, (_, i) => BigInt(i));
    truth = await flatSearch(queries, [{ vectors, ids }], { k: K, metric: "l2", dim });
  });
  const recallOf = recallFn(truth, vectors, queries, dim);

  const dir = join(benchDataDir(), "vector", `${source}-${options.size}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const partitions = Math.max(1, Math.round(Math.sqrt(rows)));
  const subVectors = Math.round(dim / 16);
  const ivfPqAvailable = "ivf_pq" in INDEX_KINDS;
  // Enough rows per fragment to fill the default vector cache's share (128 MiB) without exceeding it.
  const cachedFragmentRows = Math.max(1, Math.floor((128 * 1024 * 1024) / (dim * 4 + 8)));

  const sides: VectorSide[] = [];
  try {
    // Built one after another, each timed alone.
    const tesseraFlat = await TesseraVectorSide.create(base, join(dir, "tessera-flat"), { type: "flat" });
    sides.push(tesseraFlat);
    let tesseraFlatSplit: TesseraVectorSide | undefined;
    if (rows * dim * 4 > 128 * 1024 * 1024) {
      tesseraFlatSplit = await TesseraVectorSide.create(base, join(dir, "tessera-flat-split"), { type: "flat" }, {
        maxRowsPerFile: Math.ceil(rows / Math.ceil(rows / cachedFragmentRows)),
        variant: `fragments of ≤ ${Math.ceil(rows / Math.ceil(rows / cachedFragmentRows))} rows`,
      });
      sides.push(tesseraFlatSplit);
    }
    const lanceFlat = await LanceVectorSide.create(base, join(dir, "lancedb-flat"), { type: "flat" });
    sides.push(lanceFlat);
    const tesseraHnsw = await TesseraVectorSide.create(base, join(dir, "tessera-hnsw"), { type: "hnsw", params: { ...HNSW_BUILD } });
    sides.push(tesseraHnsw);
    const hnswlib = await HnswlibSide.create(vectors, dim, { ...HNSW_BUILD, seed: HNSW_SEED });
    sides.push(hnswlib);
    const lanceHnsw = await LanceVectorSide.create(base, join(dir, "lancedb-hnsw"), {
      type: "ivf_hnsw_sq",
      params: { numPartitions: 1, ...HNSW_BUILD },
    });
    sides.push(lanceHnsw);
    let tesseraIvfPq: TesseraVectorSide | undefined;
    if (ivfPqAvailable) {
      tesseraIvfPq = await TesseraVectorSide.create(base, join(dir, "tessera-ivf-pq"), { type: "ivf_pq", params: { partitions, subVectors } });
      sides.push(tesseraIvfPq);
    }
    // LanceDB's defaults: they gave the reference figures (recall 0.998 at nprobes 7, refine 10). Setting
    // numPartitions = √rows (Tessera's default) built 2.3× slower here and needed more probes for that recall.
    const lanceIvfPq = await LanceVectorSide.create(base, join(dir, "lancedb-ivf-pq"), { type: "ivf_pq", params: {} });
    sides.push(lanceIvfPq);
    for (const side of sides) side.prepare?.(queries);

    const flatSettings: Setting[] = [tesseraFlat, ...(tesseraFlatSplit ? [tesseraFlatSplit] : []), lanceFlat].map((side) => ({
      side,
      knobs: {},
      queries: Math.min(plan.flatQueries, queries.length),
    }));
    const all = queries.length;
    const indexedSettings: Setting[] = [
      ...EF_SWEEP.map((ef) => ({ side: tesseraHnsw as VectorSide, knobs: { ef }, queries: all })),
      ...EF_SWEEP.map((ef) => ({ side: hnswlib as VectorSide, knobs: { ef }, queries: all })),
      ...EF_SWEEP.map((ef) => ({ side: lanceHnsw as VectorSide, knobs: { ef }, queries: all })),
      ...(tesseraIvfPq ? TESSERA_IVF_PQ_SWEEP.map((knobs) => ({ side: tesseraIvfPq as VectorSide, knobs, queries: all })) : []),
      ...LANCE_IVF_PQ_SWEEP.map((knobs) => ({ side: lanceIvfPq as VectorSide, knobs, queries: all })),
    ];
    const measured = new Map<Setting, SettingResult>();
    for (const group of [flatSettings, indexedSettings]) {
      for (const [s, r] of await measureGroup(group, queries, recallOf, plan)) measured.set(s, r);
    }

    const methods: MethodResult[] = sides.map((side) => ({
      system: side.system,
      index: side.index,
      ...(side.variant === undefined ? {} : { variant: side.variant }),
      params: side.params,
      buildMs: side.buildMs,
      settings: [...measured].filter(([s]) => s.side === side).map(([, r]) => r),
    }));
    const best = Object.fromEntries(RECALL_FLOORS.map((floor) => [floor, bestPerSystem(methods, floor)]));
    const targets = targetRows(methods, best);
    const report: BenchReport = {
      name: "vector",
      size: options.size,
      source,
      rows,
      dim,
      queries: queries.length,
      flatQueries: Math.min(plan.flatQueries, queries.length),
      k: K,
      passes: { warmup: plan.warmup, repeat: plan.repeat },
      loadAverage: { start: loadAtStart, end: loadavg()[0] }, // the machine may be shared: high figures explain noise
      groundTruth: { method: "index/flat.ts flatSearch, all queries in one batch", ms: truthMs },
      hnswlibAddon: hnswlibBuild(),
      ivfPq: ivfPqAvailable ? { partitions, subVectors } : { partitions, subVectors, tessera: "not available: index/kinds.ts has no ivf_pq" },
      tesseraIndices: await tesseraHnsw.listIndices(),
      methods,
      best,
      targets,
    };
    if (options.print !== false) printReport(report, methods, best, targets);
    if (options.writeResults !== false) console.log(`\nresults: ${await writeResults(report)}`);
    return report;
  } finally {
    for (const side of sides) await side.close();
  }
}

/** The train rows (id, label, vector) as the base, and the first `n` test rows' vectors as queries. */
function split(table: arrow.Table, n: number): { base: arrow.Table; queries: Float32Array[]; dim: number } {
  const splits = table.getChild("split")!;
  let trainRows = 0;
  while (trainRows < table.numRows && splits.get(trainRows) === "train") trainRows++;
  const base = table.slice(0, trainRows).select(["id", "label", "vector"]);
  const ids = base.getChild("id")!.toArray() as Int32Array;
  if (ids.some((id, i) => id !== i)) throw new Error("the base rows' ids must be their row numbers");
  const test = vectorsOf(table.slice(trainRows, Math.min(table.numRows, trainRows + n)));
  const queries = Array.from({ length: test.vectors.length / test.dim }, (_, i) => test.vectors.slice(i * test.dim, (i + 1) * test.dim));
  return { base, queries, dim: test.dim };
}

/**
 * Recall@k of one query's returned rows: a row counts when its exact distance is within the k-th true distance
 * (so a tie with the k-th neighbour is not a miss), each row once.
 */
function recallFn(truth: { distance: number }[][], vectors: Float32Array, queries: Float32Array[], dim: number): (q: number, rows: number[]) => number {
  return (q, rows) => {
    const kth = truth[q]![truth[q]!.length - 1]!.distance;
    const query = queries[q]!;
    let hits = 0;
    for (const row of new Set(rows)) {
      if (!(row >= 0 && row * dim < vectors.length)) continue;
      let d = 0;
      for (let j = 0, o = row * dim; j < dim; j++) {
        const x = query[j]! - vectors[o + j]!;
        d += x * x;
      }
      if (d <= kth * (1 + 1e-5) + 1e-6) hits++;
    }
    return Math.min(hits, K) / K;
  };
}

/**
 * Runs `warmup + repeat` rounds; in each, every setting makes one pass over its queries (the starting setting
 * rotates each round). Latencies are per query; QPS is queries over the median measured pass.
 */
async function measureGroup(
  settings: Setting[],
  queries: Float32Array[],
  recallOf: (q: number, rows: number[]) => number,
  plan: { warmup: number; repeat: number },
): Promise<Map<Setting, SettingResult>> {
  const passes = new Map(settings.map((s) => [s, { ms: [] as number[], latencies: [] as number[], first: NaN, recall: NaN }]));
  for (let rep = -plan.warmup; rep < plan.repeat; rep++) {
    const order = settings.map((_, i) => settings[(i + Math.max(rep, 0)) % settings.length]!);
    for (const s of order) {
      const record = passes.get(s)!;
      const latencies = new Float64Array(s.queries);
      const found: Found[] = new Array(s.queries);
      const start = performance.now();
      for (let q = 0; q < s.queries; q++) {
        const t0 = performance.now();
        found[q] = await s.side.search(queries[q]!, q, K, s.knobs);
        latencies[q] = performance.now() - t0;
      }
      const ms = performance.now() - start;
      if (rep === -plan.warmup) record.first = ms;
      if (rep < 0) continue;
      record.ms.push(ms);
      record.latencies.push(...latencies);
      let sum = 0;
      for (let q = 0; q < s.queries; q++) sum += recallOf(q, found[q]!.rows());
      record.recall = sum / s.queries;
    }
  }
  return new Map(
    settings.map((s) => {
      const r = passes.get(s)!;
      const lat = [...r.latencies].sort((a, b) => a - b);
      const median = summarize(r.ms).medianMs;
      return [
        s,
        {
          knobs: s.knobs,
          label: knobsLabel(s.knobs),
          queries: s.queries,
          passesMs: r.ms,
          qps: (s.queries / median) * 1000,
          p50Ms: summarize(lat).medianMs,
          p99Ms: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]!,
          recall: r.recall,
          firstPassQps: (s.queries / r.first) * 1000,
        },
      ];
    }),
  );
}

function knobsLabel(knobs: Knobs): string {
  const parts = Object.entries(knobs).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? "exact" : parts.join(" ");
}

function methodName(m: { system: string; index: string; variant?: string }): string {
  return `${m.system} ${m.index}${m.variant === undefined ? "" : ` (${m.variant})`}`;
}

/** Per system, the setting with the most QPS among those at or above the recall floor. */
function bestPerSystem(methods: MethodResult[], floor: number): Record<string, Best> {
  const out: Record<string, Best> = {};
  for (const m of methods) {
    for (const s of m.settings) {
      if (!(s.recall >= floor) || (out[m.system] !== undefined && out[m.system]!.qps >= s.qps)) continue;
      out[m.system] = { system: m.system, method: methodName(m), setting: s.label, qps: s.qps, recall: s.recall, buildMs: m.buildMs };
    }
  }
  return out;
}

/** The best setting of one method at a recall floor (optionally only settings matching `where`). */
function bestOf(m: MethodResult | undefined, floor: number, where: (s: SettingResult) => boolean = () => true): SettingResult | undefined {
  let best: SettingResult | undefined;
  for (const s of m?.settings ?? []) if (s.recall >= floor && where(s) && (best === undefined || s.qps > best.qps)) best = s;
  return best;
}

function targetRows(methods: MethodResult[], best: Record<string, Record<string, Best>>): TargetRow[] {
  const find = (system: string, index: string, variant?: string): MethodResult | undefined =>
    methods.find((m) => m.system === system && m.index === index && m.variant === variant);
  const rows: TargetRow[] = [];
  const flat = find("tessera", "flat")?.settings[0];
  rows.push({ target: "Tessera flat (no index), warm QPS", value: flat?.qps, limit: `>= ${TARGETS.flatQps}`, met: flat === undefined ? undefined : flat.qps >= TARGETS.flatQps });
  const t99 = best[0.99]?.tessera;
  const l99 = best[0.99]?.lancedb;
  rows.push({
    target: `Tessera best QPS at recall >= 0.99 (${t99 ? `${t99.method}, ${t99.setting}` : "none"})`,
    value: t99?.qps,
    limit: `>= ${TARGETS.hnswQps}`,
    met: t99 === undefined ? false : t99.qps >= TARGETS.hnswQps,
  });
  const vs = t99 && l99 ? t99.qps / l99.qps : undefined;
  rows.push({
    target: `  ... / LanceDB best at recall >= 0.99 (${l99 ? `${l99.method}, ${l99.setting}` : "none"})`,
    value: vs,
    limit: `>= ${TARGETS.hnswVsLance}`,
    met: vs === undefined ? undefined : vs >= TARGETS.hnswVsLance,
  });
  rows.push({
    target: "  ... its index build, s",
    value: t99 ? t99.buildMs / 1000 : undefined,
    limit: `<= ${TARGETS.buildS}`,
    met: t99 === undefined ? undefined : t99.buildMs / 1000 <= TARGETS.buildS,
  });
  const ivf = find("tessera", "ivf_pq");
  const tIvf = bestOf(ivf, TARGETS.ivfPqRecall, (s) => (s.knobs.refineFactor ?? 0) > 0);
  const lIvf = bestOf(find("lancedb", "ivf_pq"), TARGETS.ivfPqRecall);
  const ivfRatio = tIvf && lIvf ? tIvf.qps / lIvf.qps : undefined;
  rows.push({
    target:
      ivf === undefined
        ? "Tessera IVF-PQ + refine at recall >= 0.98 / LanceDB IVF_PQ (not run: no ivf_pq in index/kinds.ts)"
        : `Tessera IVF-PQ + refine at recall >= 0.98 (${tIvf?.label ?? "none"}) / LanceDB IVF_PQ (${lIvf?.label ?? "none"})`,
    value: ivfRatio,
    limit: `>= ${TARGETS.ivfPqVsLance}`,
    met: ivf === undefined ? undefined : ivfRatio !== undefined && ivfRatio >= TARGETS.ivfPqVsLance,
  });
  return rows;
}

function fmt(x: number | undefined, digits = 0): string {
  return x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(digits);
}

/** Queries per second: whole numbers, one decimal below 10. */
/** How the hnswlib-node addon was compiled (scripts/tune-native.mjs leaves a marker when it tuned it). */
function hnswlibBuild(): string {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve("hnswlib-node/package.json"));
    const marker = join(pkg, "build", "TESSERA_TUNED");
    return existsSync(marker) ? `tuned for this CPU (${readFileSync(marker, "utf8").trim()})` : "portable (node-gyp defaults)";
  } catch {
    return "unknown";
  }
}

function fmtQps(qps: number): string {
  return fmt(qps, qps < 10 ? 1 : 0);
}

function printReport(report: BenchReport, methods: MethodResult[], best: Record<string, Record<string, Best>>, targets: TargetRow[]): void {
  const load = report.loadAverage as { start: number; end: number };
  const passes = report.passes as { warmup: number; repeat: number };
  console.log(
    `${report.rows} base vectors (${report.dim}-d, L2) of ${report.source}; ${report.queries} queries (exact search: first ` +
      `${report.flatQueries}); k = ${K}; one query at a time, in order; QPS over the median of ${passes.repeat} pass(es) ` +
      `after ${passes.warmup} warm-up pass; 1-min load average ${load.start.toFixed(1)} → ${load.end.toFixed(1)}`,
  );
  console.log(`hnswlib-node addon (Tessera's HNSW and the raw hnswlib side): ${String(report.hnswlibAddon)}`);
  const truth = report.groundTruth as { ms: number };
  console.log(`ground truth: flatSearch of all ${report.queries} queries in one batch, ${formatMs(truth.ms)} ms`);
  const ivfPq = report.ivfPq as { partitions: number; subVectors: number; tessera?: string };
  if (ivfPq.tessera !== undefined) console.log(`Tessera IVF-PQ: ${ivfPq.tessera}`);
  if (methods.some((m) => m.system === "tessera" && m.index === "flat" && m.variant !== undefined)) {
    console.log(
      "Tessera flat runs twice: on the table as created (one fragment), and split into fragments small enough for the " +
        "decoded-vector cache (each at most a quarter of its budget, TESSERA_VECTOR_CACHE_MB, default 512 MiB)",
    );
  }
  for (const m of methods) {
    printTable(
      `${methodName(m)}${m.params ? ` — ${m.params}` : ""}; build ${m.index === "flat" ? "- (no index)" : `${(m.buildMs / 1000).toFixed(1)} s`}`,
      ["query params", "QPS", "p50 ms", "p99 ms", "recall@10", "1st-pass QPS"],
      m.settings.map((s) => [s.label, fmtQps(s.qps), formatMs(s.p50Ms), formatMs(s.p99Ms), s.recall.toFixed(4), fmtQps(s.firstPassQps)]),
    );
  }
  for (const floor of RECALL_FLOORS) {
    const b = best[floor]!;
    const t = b.tessera;
    printTable(
      `best QPS at recall@10 >= ${floor} (ratio: Tessera's best over the system's best; > 1 means Tessera is faster)`,
      ["system", "method", "setting", "QPS", "recall", "build s", "Tessera/system"],
      Object.values(b).map((x) => [x.system, x.method, x.setting, fmtQps(x.qps), x.recall.toFixed(4), (x.buildMs / 1000).toFixed(1), t ? (t.qps / x.qps).toFixed(2) : "-"]),
    );
  }
  printTable(
    report.size === "full" ? "targets" : "targets (set for size full; at this size they say little)",
    ["target", "value", "limit", "met"],
    targets.map((r) => [r.target, fmt(r.value, r.value !== undefined && r.value < 100 ? 2 : 0), r.limit, r.met === undefined ? "n/a" : r.met ? "yes" : "NO"]),
  );
}
