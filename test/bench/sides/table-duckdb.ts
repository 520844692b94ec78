// The Parquet side of the table benchmark's filtered scan: the file written by the take benchmark's Parquet side
// (parquet-wasm, snappy), queried with plain SQL through DuckDB.

import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type * as arrow from "apache-arrow";
import { ParquetDuckDbSide } from "./parquet-duckdb.js";
import type { ReadRows, ScanSide } from "./table-side.js";

/**
 * Rows per row group. DuckDB's own default (122 880), so the 70k-row table is one group: measured here, DuckDB
 * scanned `label = 3` in ~1.1 ms with it and 10 240-row groups, and ~3 ms with the take benchmark's 1 024-row groups.
 */
export const SCAN_ROW_GROUP_ROWS = 122_880;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export class DuckDbScanSide implements ScanSide {
  readonly name = "duckdb";

  private constructor(
    private readonly db: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly path: string,
    readonly writeMs: number,
    readonly diskBytes: number,
  ) {}

  /** Writes `table` as `dir`/data.parquet and opens DuckDB (in memory, footers cached) on it. */
  static async create(table: arrow.Table, dir: string, rowGroupRows = SCAN_ROW_GROUP_ROWS): Promise<DuckDbScanSide> {
    const writer = await ParquetDuckDbSide.create(table, dir, { rowGroupRows });
    await writer.close();
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run("SET parquet_metadata_cache = true");
    return new DuckDbScanSide(db, conn, join(dir, "data.parquet"), writer.writeMs, writer.diskBytes);
  }

  /** `SELECT columns FROM read_parquet(file) WHERE filter`, every row read into DuckDB's result chunks. */
  async filteredScan(filter: string, columns: readonly string[]): Promise<ReadRows> {
    const file = this.path.replaceAll("'", "''");
    const reader = await this.conn.runAndReadAll(`SELECT ${columns.map(quoteIdent).join(", ")} FROM read_parquet('${file}') WHERE ${filter}`);
    const at = columns.indexOf("id");
    return { numRows: reader.currentRowCount, ids: () => (at < 0 ? [] : reader.getColumns()[at]!.map(Number)) };
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.db.closeSync();
  }
}
