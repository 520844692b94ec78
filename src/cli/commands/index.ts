// `tessera index <table> <column> --type flat|hnsw|ivf-pq`: builds a vector index (replacing one of the same
// name); `--optimize` extends every index to rows appended since it was built; `--drop <name>` removes one.

import type { CreateIndexOptions } from "../../../index/manage.js";
import type { Metric } from "../../../index/distance.js";
import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { extendIndexes, withPhases } from "../progress.js";

/** Index types as the command line spells them (ivf-pq for the table API's ivf_pq). */
export const INDEX_TYPES = ["flat", "hnsw", "ivf-pq"] as const;

/** Options of `index`. */
export interface IndexCommandOptions {
  type?: (typeof INDEX_TYPES)[number];
  metric?: Metric;
  name?: string;
  /** hnsw: graph degree. */
  m?: number;
  /** hnsw: candidates while building. */
  efConstruction?: number;
  /** ivf-pq: IVF partitions. */
  partitions?: number;
  /** ivf-pq: PQ sub-vectors. */
  subVectors?: number;
  /** ivf-pq: training sample rows. */
  sampleSize?: number;
  seed?: number;
  optimize?: boolean;
  drop?: string;
}

/** What `index` did. */
export interface IndexResult {
  uri: string;
  action: "created" | "optimized" | "dropped";
  name?: string;
  column?: string;
  type?: string;
  metric?: string;
  params?: Record<string, unknown>;
  rows: number;
  version: number;
  seconds: number;
}

const PARAMS = ["m", "efConstruction", "partitions", "subVectors", "sampleSize", "seed"] as const;
const HNSW_ONLY = new Set(["m", "efConstruction"]);
const IVF_ONLY = new Set(["partitions", "subVectors", "sampleSize"]);

function buildParams(o: IndexCommandOptions): Record<string, number> {
  const params: Record<string, number> = {};
  for (const k of PARAMS) {
    const v = o[k];
    if (v === undefined) continue;
    const flag = `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if ((HNSW_ONLY.has(k) && o.type !== "hnsw") || (IVF_ONLY.has(k) && o.type !== "ivf-pq") || (k === "seed" && o.type === "flat")) {
      throw new UsageError(`${flag} does not apply to a ${o.type} index`);
    }
    params[k] = v;
  }
  return params;
}

/** Creates, extends or drops an index. */
export async function index(uri: string, column: string | undefined, o: IndexCommandOptions, ctx: CommandContext): Promise<IndexResult> {
  const modes = [column !== undefined || o.type !== undefined, o.optimize === true, o.drop !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("index: give a column and --type to build an index, or --optimize, or --drop <name>");
  const t = await Table.open(uri, { storage: ctx.storage });
  const started = performance.now();
  const seconds = (): number => Math.round((performance.now() - started) / 10) / 100;
  if (o.drop !== undefined) {
    await t.dropIndex(o.drop);
    return { uri: t.uri, action: "dropped", name: o.drop, rows: t.rows, version: t.version, seconds: seconds() };
  }
  if (o.optimize === true) {
    await extendIndexes(ctx.progress, t);
    return { uri: t.uri, action: "optimized", rows: t.rows, version: t.version, seconds: seconds() };
  }
  if (column === undefined) throw new UsageError("index: name the vector column to index: tessera index <table> <column> --type hnsw");
  if (o.type === undefined) throw new UsageError(`index: --type is required: one of ${INDEX_TYPES.join(", ")}`);
  const params = buildParams(o);
  const options: CreateIndexOptions = {
    type: o.type === "ivf-pq" ? "ivf_pq" : o.type,
    ...(o.metric !== undefined ? { metric: o.metric } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...params,
  };
  if (o.type === "flat") await t.createIndex(column, options); // nothing to build: a flat index is a manifest entry
  else await withPhases(ctx.progress, `${o.type} index on ${column}`, (onProgress) => t.createIndex(column, { ...options, onProgress }));
  const info = (await t.listIndices()).find((i) => i.name === (o.name ?? `${column}_idx`))!;
  return {
    uri: t.uri,
    action: "created",
    name: info.name,
    column,
    type: o.type,
    metric: info.metric,
    params,
    rows: o.type === "flat" ? t.rows : info.indexedRows,
    version: t.version,
    seconds: seconds(),
  };
}

/** Human lines of `index`. */
export function formatIndex(r: IndexResult): string[] {
  if (r.action === "dropped") return [`dropped index "${r.name}"; version ${r.version}`];
  if (r.action === "optimized") return [`extended every index to the table's ${r.rows} rows in ${r.seconds} s; version ${r.version}`];
  const params = Object.entries(r.params ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
  return [`built ${r.type} index "${r.name}" on ${r.column} (metric ${r.metric}${params ? `, ${params}` : ""}): ${r.rows} rows in ${r.seconds} s; version ${r.version}`];
}
