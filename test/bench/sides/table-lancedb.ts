// The LanceDB side of the table benchmark: one table in a local database. LanceDB's addColumns only takes SQL
// expressions, so a column computed in JavaScript goes the way a LanceDB user must take: read the input column,
// compute, add the column as all-null, then mergeInsert on "id" with id + the new values, which rewrites the
// table's data files.

import { cp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type * as lancedb from "@lancedb/lancedb";
import type * as arrow from "apache-arrow";
import { toLanceArrow } from "./lancedb.js";
import { idsOf } from "./take-side.js";
import type { AddColumnSpec, ColumnChunk, ReadRows, TableSide } from "./table-side.js";

const TABLE = "fashion_mnist";

/** LanceDB's own (CommonJS) apache-arrow, for values handed to it directly. */
function lanceArrow(): typeof arrow {
  return createRequire(import.meta.url)("apache-arrow") as typeof arrow;
}

async function lanceConnect(dir: string): Promise<lancedb.Connection> {
  // Imported late: its Rust logger reads LANCEDB_LOG when the module loads, and warns on every fresh table.
  process.env.LANCEDB_LOG ??= "error";
  const { connect } = await import("@lancedb/lancedb");
  return connect(dir);
}

function rowsOf(table: arrow.Table): ReadRows {
  return { numRows: table.numRows, ids: () => idsOf(table) ?? [] };
}

export class LanceTableSide implements TableSide {
  readonly name = "lancedb";
  /** A second handle for checkouts, so the main one stays on the latest version. */
  private reader: lancedb.Table | undefined;

  private constructor(
    private readonly db: lancedb.Connection,
    readonly table: lancedb.Table,
    readonly dir: string,
  ) {}

  /** Creates the table in a new database at `dir` from a table already bridged with `toLanceArrow`. */
  static async createBridged(bridged: arrow.Table, dir: string): Promise<LanceTableSide> {
    const db = await lanceConnect(dir);
    return new LanceTableSide(db, await db.createTable(TABLE, bridged), dir);
  }

  static async create(data: arrow.Table, dir: string): Promise<LanceTableSide> {
    return LanceTableSide.createBridged(toLanceArrow(data), dir);
  }

  static async open(dir: string): Promise<LanceTableSide> {
    const db = await lanceConnect(dir);
    return new LanceTableSide(db, await db.openTable(TABLE), dir);
  }

  /** A copy of the whole database directory at `dir`, opened. */
  async copyTo(dir: string): Promise<LanceTableSide> {
    await rm(dir, { recursive: true, force: true });
    await cp(this.dir, dir, { recursive: true });
    return LanceTableSide.open(dir);
  }

  async take(offsets: readonly number[]): Promise<ReadRows> {
    return rowsOf(await this.table.takeOffsets([...offsets]).toArrow());
  }

  async filteredScan(filter: string, columns: readonly string[]): Promise<ReadRows> {
    return rowsOf(await this.table.query().where(filter).select([...columns]).toArrow());
  }

  /** read → compute → add an all-null column → mergeInsert("id"); returns each phase's ms. */
  async addColumn(spec: AddColumnSpec): Promise<Record<string, number>> {
    const cjs = lanceArrow();
    const phases: Record<string, number> = {};
    let mark = performance.now();
    const lap = (name: string): void => {
      const now = performance.now();
      phases[name] = now - mark;
      mark = now;
    };
    const input = await this.table.query().select(["id", spec.input]).toArrow();
    lap("read");
    const ids = input.getChild("id")!.toArray() as Int32Array;
    const values = spec.compute(input.getChild(spec.input)!.data as unknown as ColumnChunk[]);
    lap("compute");
    const type = spec.type === "uint32" ? new cjs.Uint32() : new cjs.Float32();
    await this.table.addColumns(new cjs.Field(spec.name, type, true));
    lap("add null column");
    const update = cjs.makeTable({ id: ids, [spec.name]: values } as Record<string, Int32Array | Uint32Array | Float32Array>);
    await this.table.mergeInsert("id").whenMatchedUpdateAll().execute(update);
    lap("mergeInsert");
    return phases;
  }

  async append(rows: arrow.Table): Promise<void> {
    await this.table.add(toLanceArrow(rows));
  }

  async versions(): Promise<number[]> {
    return (await this.table.listVersions()).map((v) => v.version);
  }

  async checkoutCount(version: number, filter?: string): Promise<number> {
    this.reader ??= await this.db.openTable(TABLE);
    await this.reader.checkout(version);
    return this.reader.countRows(filter);
  }

  async valuesAt(offsets: readonly number[], column: string): Promise<Map<number, number>> {
    const t = await this.table.takeOffsets([...offsets]).select(["id", column]).toArrow();
    const ids = t.getChild("id")!.toArray() as Int32Array;
    const values = t.getChild(column)!.toArray() as ArrayLike<number>;
    return new Map(Array.from(ids, (id, i) => [id, values[i]!]));
  }

  async close(): Promise<void> {
    this.reader?.close();
    this.table.close();
    this.db.close();
  }
}
