// The LanceDB side: the table written with createTable into a local database, read with takeOffsets.

import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type * as lancedb from "@lancedb/lancedb";
import * as arrow from "apache-arrow";
import { timeOnce } from "../harness.js";
import { directoryBytes } from "./disk-usage.js";
import { idsOf, type TakenRows, type TakeSide } from "./take-side.js";

/**
 * LanceDB is CommonJS and loads apache-arrow's CommonJS build, while our ESM code has the ESM build: its
 * `instanceof Table` checks fail on our tables. Arrow IPC bytes carry the table across, zero-copy on read.
 */
export function toLanceArrow(table: arrow.Table): arrow.Table {
  const cjs = createRequire(import.meta.url)("apache-arrow") as typeof arrow;
  return cjs.tableFromIPC(arrow.tableToIPC(table, "file"));
}

export class LanceDbSide implements TakeSide {
  readonly name = "lancedb";
  readonly keepsOrder = false;

  private constructor(
    private readonly db: lancedb.Connection,
    readonly table: lancedb.Table,
    readonly writeMs: number,
    readonly diskBytes: number,
  ) {}

  /** Writes `table` into a fresh database at `dir`. */
  static async create(table: arrow.Table, dir: string): Promise<LanceDbSide> {
    await rm(dir, { recursive: true, force: true });
    // Imported late: its Rust logger reads LANCEDB_LOG when the module loads, and warns on every fresh table.
    process.env.LANCEDB_LOG ??= "error";
    const { connect } = await import("@lancedb/lancedb");
    const db = await connect(dir);
    let written: lancedb.Table | undefined;
    const bridged = toLanceArrow(table);
    const writeMs = await timeOnce(async () => {
      written = await db.createTable("fashion_mnist", bridged, { mode: "overwrite" });
    });
    return new LanceDbSide(db, written!, writeMs, await directoryBytes(dir));
  }

  /** The rows as Arrow; LanceDB returns them sorted by offset. */
  async takeTable(offsets: readonly number[], columns?: readonly string[]): Promise<arrow.Table> {
    const query = this.table.takeOffsets([...offsets]);
    if (columns !== undefined) query.select([...columns]);
    return query.toArrow();
  }

  async take(offsets: readonly number[], columns?: readonly string[]): Promise<TakenRows> {
    const table = await this.takeTable(offsets, columns);
    return { numRows: table.numRows, ids: idsOf(table) };
  }

  async close(): Promise<void> {
    this.table.close();
    this.db.close();
  }
}
