// The LanceDB side of the vector benchmark: the base rows in a table of a local database, with no index (exact
// search), an IVF_HNSW_SQ index or an IVF_PQ index on "vector", queried with
// `table.search(q).limit(k).ef(..)/.nprobes(..)/.refineFactor(..)`. One table per index kind, since LanceDB uses
// the column's index for every search.

import { rm } from "node:fs/promises";
import type * as lancedb from "@lancedb/lancedb";
import type * as arrow from "apache-arrow";
import { timeOnce } from "../harness.js";
import { toLanceArrow } from "./lancedb.js";
import type { Found, Knobs, VectorSide } from "./vector-side.js";

/** IVF_HNSW_SQ build parameters (LanceDB's HnswSqOptions). */
export interface LanceHnswSqParams {
  numPartitions: number;
  m: number;
  efConstruction: number;
}

/** IVF_PQ build parameters (LanceDB's IvfPqOptions); unset ones keep LanceDB's defaults. */
export interface LanceIvfPqParams {
  numPartitions?: number;
  numSubVectors?: number;
}

export type LanceIndexSpec =
  | { type: "flat" }
  | { type: "ivf_hnsw_sq"; params: LanceHnswSqParams }
  | { type: "ivf_pq"; params: LanceIvfPqParams };

async function lanceModule(): Promise<typeof lancedb> {
  // Imported late: its Rust logger reads LANCEDB_LOG when the module loads, and warns on every fresh table.
  process.env.LANCEDB_LOG ??= "error";
  return import("@lancedb/lancedb");
}

function describe(spec: LanceIndexSpec): string {
  if (spec.type === "flat") return "";
  const set = Object.entries(spec.params).filter(([, v]) => v !== undefined);
  return set.length === 0 ? "LanceDB's defaults" : set.map(([k, v]) => `${k}=${v}`).join(" ");
}

export class LanceVectorSide implements VectorSide {
  readonly system = "lancedb";

  private constructor(
    private readonly db: lancedb.Connection,
    private readonly table: lancedb.Table,
    readonly index: string,
    readonly params: string,
    readonly buildMs: number,
  ) {}

  /**
   * Writes `base` (whose `id` column holds each row's base row number) into a fresh database at `dir` and builds
   * the index (timed). The write is not timed: the table benchmark measures it.
   */
  static async create(base: arrow.Table, dir: string, spec: LanceIndexSpec): Promise<LanceVectorSide> {
    await rm(dir, { recursive: true, force: true });
    const lance = await lanceModule();
    const db = await lance.connect(dir);
    const table = await db.createTable("vectors", toLanceArrow(base), { mode: "overwrite" });
    let buildMs = 0;
    if (spec.type !== "flat") {
      const config =
        spec.type === "ivf_hnsw_sq"
          ? lance.Index.hnswSq({ distanceType: "l2", ...spec.params })
          : lance.Index.ivfPq({ distanceType: "l2", ...definedOnly(spec.params) });
      buildMs = await timeOnce(() => table.createIndex("vector", { config }));
    }
    return new LanceVectorSide(db, table, spec.type, describe(spec), buildMs);
  }

  async search(query: Float32Array, _i: number, k: number, knobs: Knobs): Promise<Found> {
    let q = this.table.search(query).select(["id"]).limit(k) as lancedb.VectorQuery;
    if (knobs.ef !== undefined) q = q.ef(knobs.ef);
    if (knobs.nprobes !== undefined) q = q.nprobes(knobs.nprobes);
    if (knobs.refineFactor !== undefined) q = q.refineFactor(knobs.refineFactor);
    const result = await q.toArrow();
    return { rows: () => Array.from(result.getChild("id")!.toArray() as Int32Array) };
  }

  async close(): Promise<void> {
    this.table.close();
    this.db.close();
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
