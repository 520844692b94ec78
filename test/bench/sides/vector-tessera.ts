// The Tessera side of the vector benchmark: the base rows in a Table on local disk, with no index (exact search
// through the decoded-vector cache) or one index built with `createIndex`, queried through `Table.search` for
// `_rowid` and `_distance` only (`columns: []`). One table per index kind: a search uses the column's index.

import { rm } from "node:fs/promises";
import type * as arrow from "apache-arrow";
import { Table } from "../../../index/table.js";
import { timeOnce } from "../harness.js";
import type { Found, Knobs, VectorSide } from "./vector-side.js";

export type TesseraIndexSpec = { type: "flat" } | { type: "hnsw" | "ivf_pq"; params: Record<string, number> };

export interface TesseraVectorOptions {
  /** Rows per data file (and fragment); default Tessera's (one fragment for this table). */
  maxRowsPerFile?: number;
  /** Printed beside the index kind. */
  variant?: string;
}

export class TesseraVectorSide implements VectorSide {
  readonly system = "tessera";

  private constructor(
    readonly table: Table,
    /** Base row number of each `_rowid` (fragment id << 32 | offset), for recall; read once, untimed. */
    private readonly rowOf: Map<bigint, number>,
    readonly index: string,
    readonly params: string,
    readonly buildMs: number,
    readonly variant: string | undefined,
  ) {}

  /**
   * Creates the table at `dir` from `base` (whose `id` column holds each row's base row number; the write is not
   * timed, the table benchmark measures it) and builds the index (timed: createIndex builds, saves and commits).
   */
  static async create(base: arrow.Table, dir: string, spec: TesseraIndexSpec, options: TesseraVectorOptions = {}): Promise<TesseraVectorSide> {
    await rm(dir, { recursive: true, force: true });
    const createOptions = options.maxRowsPerFile === undefined ? {} : { maxRowsPerFile: options.maxRowsPerFile };
    const table = await Table.create(dir, base, createOptions);
    let buildMs = 0;
    let params = "";
    if (spec.type !== "flat") {
      buildMs = await timeOnce(() => table.createIndex("vector", { type: spec.type, metric: "l2", ...spec.params }));
      params = Object.entries(spec.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
    }
    const ids = await table.toArrow({ columns: ["id"], withRowId: true });
    const rowIds = ids.getChild("_rowid")!.toArray() as BigUint64Array;
    const rows = ids.getChild("id")!.toArray() as Int32Array;
    const rowOf = new Map(Array.from(rowIds, (r, i) => [r, rows[i]!]));
    return new TesseraVectorSide(table, rowOf, spec.type, params, buildMs, options.variant);
  }

  /** The table's indexes, as `listIndices` reports them. */
  listIndices(): ReturnType<Table["listIndices"]> {
    return this.table.listIndices();
  }

  async search(query: Float32Array, _i: number, k: number, knobs: Knobs): Promise<Found> {
    const result = await this.table.search(query, { k, columns: [], ...knobs });
    return {
      rows: () => Array.from(result.getChild("_rowid")!.toArray() as BigUint64Array, (r) => this.rowOf.get(r)!),
    };
  }

  async close(): Promise<void> {
    await this.table.store.close();
  }
}
