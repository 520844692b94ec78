// The Tessera side of the table benchmark: a versioned Table on local disk, used through its public API.

import { cp, rm } from "node:fs/promises";
import type * as arrow from "apache-arrow";
import { Table } from "../../../format/table/table.js";
import type { StoreStats } from "../../../format/store/object-store.js";
import { idsOf } from "./take-side.js";
import type { AddColumnSpec, ColumnChunk, ReadRows, TableSide } from "./table-side.js";

function rowsOf(table: arrow.Table): ReadRows {
  return { numRows: table.numRows, ids: () => idsOf(table) ?? [] };
}

export class TesseraTableSide implements TableSide {
  readonly name = "tessera";

  private constructor(
    readonly table: Table,
    readonly dir: string,
  ) {}

  /** Creates the table at `dir`, which must not hold one. */
  static async create(data: arrow.Table, dir: string): Promise<TesseraTableSide> {
    return new TesseraTableSide(await Table.create(dir, data), dir);
  }

  static async open(dir: string): Promise<TesseraTableSide> {
    return new TesseraTableSide(await Table.open(dir), dir);
  }

  /** A copy of the whole table directory at `dir`, opened (its store counters start at zero). */
  async copyTo(dir: string): Promise<TesseraTableSide> {
    await rm(dir, { recursive: true, force: true });
    await cp(this.dir, dir, { recursive: true });
    return TesseraTableSide.open(dir);
  }

  /** The store's request counters since the last `resetStats()`. */
  get stats(): StoreStats {
    return { ...this.table.store.stats };
  }

  resetStats(): void {
    this.table.store.resetStats();
  }

  async take(offsets: readonly number[]): Promise<ReadRows> {
    return rowsOf(await this.table.take(offsets));
  }

  async filteredScan(filter: string, columns: readonly string[]): Promise<ReadRows> {
    return rowsOf(await this.table.toArrow({ columns, filter }));
  }

  /** One `addColumns` call with a function over batches of the input column. */
  async addColumn(spec: AddColumnSpec): Promise<Record<string, number>> {
    await this.table.addColumns(
      (batch) => ({ [spec.name]: spec.compute(batch.getChild(spec.input)!.data as unknown as ColumnChunk[]) }),
      { inputColumns: [spec.input] },
    );
    return {};
  }

  async append(rows: arrow.Table): Promise<void> {
    await this.table.append(rows);
  }

  async versions(): Promise<number[]> {
    return (await this.table.versions()).map((v) => v.version);
  }

  async checkoutCount(version: number, filter?: string): Promise<number> {
    const old = await this.table.checkout(version);
    return filter === undefined ? old.countRows() : old.countRows(filter);
  }

  async valuesAt(offsets: readonly number[], column: string): Promise<Map<number, number>> {
    const t = await this.table.take(offsets, { columns: ["id", column] });
    const ids = t.getChild("id")!.toArray() as Int32Array;
    const values = t.getChild(column)!.toArray() as ArrayLike<number>;
    return new Map(Array.from(ids, (id, i) => [id, values[i]!]));
  }

  async close(): Promise<void> {
    await this.table.store.close();
  }
}
