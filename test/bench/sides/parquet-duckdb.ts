// The Parquet side: the table written once with parquet-wasm, rows read back through DuckDB, which prunes row
// groups on `file_row_number` (parquet-wasm alone reads whole row groups and decodes them to Arrow: several times
// slower here for 100 and 1000 rows).

import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import * as arrow from "apache-arrow";
import * as parquet from "parquet-wasm";
import { timeOnce } from "../harness.js";
import type { TakenRows, TakeSide } from "./take-side.js";

/** Options for the Parquet copy; the defaults are what the take benchmark uses. */
export interface ParquetSideOptions {
  /**
   * Rows per row group: the unit DuckDB reads whole for any row in it. Default 1024, the best all-round of 256,
   * 1024, 4096 and 10 240 on 70k Fashion-MNIST rows (256 wins at 100 rows but loses at 1000).
   */
  rowGroupRows?: number;
}

export class ParquetDuckDbSide implements TakeSide {
  readonly name = "parquet";
  readonly keepsOrder = false;

  private constructor(
    private readonly db: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly path: string,
    private readonly allColumns: readonly string[],
    readonly writeMs: number,
    readonly diskBytes: number,
    readonly rowGroupRows: number,
  ) {}

  /** Writes `table` as `dir`/data.parquet (snappy, parquet-wasm's other defaults) and opens DuckDB on it. */
  static async create(table: arrow.Table, dir: string, options: ParquetSideOptions = {}): Promise<ParquetDuckDbSide> {
    const rowGroupRows = options.rowGroupRows ?? 1024;
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const path = join(dir, "data.parquet");
    const writeMs = await timeOnce(async () => {
      const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(table, "stream"));
      const props = new parquet.WriterPropertiesBuilder()
        .setCompression(parquet.Compression.SNAPPY)
        .setMaxRowGroupSize(rowGroupRows)
        .build();
      await writeFile(path, parquet.writeParquet(wasmTable, props));
    });
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    // Keep the footer parsed between queries, as the other sides keep their files open.
    await conn.run("SET parquet_metadata_cache = true");
    const columns = table.schema.fields.map((f) => f.name);
    return new ParquetDuckDbSide(db, conn, path, columns, writeMs, (await stat(path)).size, rowGroupRows);
  }

  /** The rows as DuckDB values by column, in scan order (parallel scans do not even keep file order). */
  async takeColumns(offsets: readonly number[], columns?: readonly string[]): Promise<Map<string, unknown[]>> {
    const names = columns ?? this.allColumns;
    const select = names.map((n) => `"${n.replaceAll('"', '""')}"`).join(", ");
    const file = this.path.replaceAll("'", "''");
    const reader = await this.conn.runAndReadAll(
      `SELECT ${select} FROM read_parquet('${file}', file_row_number = true) WHERE file_row_number IN (${offsets.join(",")})`,
    );
    const values = reader.getColumns();
    return new Map(names.map((n, i) => [n, values[i]!]));
  }

  async take(offsets: readonly number[], columns?: readonly string[]): Promise<TakenRows> {
    const cols = await this.takeColumns(offsets, columns);
    const first = cols.values().next().value ?? [];
    const ids = cols.get("id");
    return { numRows: first.length, ids: ids?.map(Number) };
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.db.closeSync();
  }
}
