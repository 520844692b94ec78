// The DuckDB side of the dataframe benchmark: the generated rows appended (untimed) into in-memory DuckDB tables,
// then each query as SQL, timed until every result row is in DuckDB's result chunks on the JS side.

import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType } from "@duckdb/node-api";
import type * as A from "apache-arrow";
import { QUERY_SQL, type DataFrameSide, type QueryName, type SideResult } from "./dataframe-side.js";

/** Rows per appended chunk: DuckDB's vector size, the most a data chunk holds. */
const CHUNK_ROWS = 2048;

const TYPES: Readonly<Record<string, DuckDBType>> = { Int32: INTEGER, Float64: DOUBLE, Utf8: VARCHAR };

function duckType(t: A.DataType): DuckDBType {
  const d = TYPES[String(t)];
  if (d === undefined) throw new Error(`the DuckDB side has no column type for ${t}`);
  return d;
}

export class DuckDbDataFrameSide implements DataFrameSide {
  readonly name = "duckdb";

  private constructor(
    private readonly db: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly threads: number,
  ) {}

  /** An in-memory database holding `facts` and `dim`. */
  static async create(facts: A.Table, dim: A.Table): Promise<DuckDbDataFrameSide> {
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await load(conn, "facts", facts);
    await load(conn, "dim", dim);
    const threads = Number((await conn.runAndReadAll("SELECT current_setting('threads')")).getColumns()[0]![0]);
    return new DuckDbDataFrameSide(db, conn, threads);
  }

  async run(query: QueryName): Promise<SideResult> {
    const reader = await this.conn.runAndReadAll(QUERY_SQL[query]);
    return { numRows: reader.currentRowCount, columns: () => reader.getColumns() };
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.db.closeSync();
  }
}

/** CREATE TABLE `name` with `table`'s columns, then append its rows chunk by chunk. */
async function load(conn: DuckDBConnection, name: string, table: A.Table): Promise<void> {
  const fields = table.schema.fields;
  const types = fields.map((f) => duckType(f.type));
  await conn.run(`CREATE TABLE ${name} (${fields.map((f, i) => `"${f.name}" ${types[i]} NOT NULL`).join(", ")})`);
  const appender = await conn.createAppender(name);
  for (const batch of table.batches) {
    const columns = fields.map((_, i) => batch.getChildAt(i)!);
    for (let start = 0; start < batch.numRows; start += CHUNK_ROWS) {
      const end = Math.min(start + CHUNK_ROWS, batch.numRows);
      const chunk = DuckDBDataChunk.create(types, end - start);
      chunk.setColumns(columns.map((c) => Array.from(c.slice(start, end))));
      appender.appendDataChunk(chunk);
    }
  }
  appender.flushSync();
  appender.closeSync();
}
