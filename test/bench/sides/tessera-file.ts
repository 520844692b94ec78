// The Tessera side: one data file written with the lead's writer to a local directory, read with DataFileReader.
// Keeps the store's request counters of the last take so the benchmark can report ranges and bytes per take.

import { rm } from "node:fs/promises";
import type * as arrow from "apache-arrow";
import { DataFileReader } from "../../../format/file/reader.js";
import { writeDataFile } from "../../../format/file/writer.js";
import { openStore } from "../../../format/store/open-store.js";
import type { ObjectStore, StoreStats } from "../../../format/store/object-store.js";
import { timeOnce } from "../harness.js";
import { idsOf, type TakenRows, type TakeSide } from "./take-side.js";

const FILE = "fashion-mnist.tsf";

export class TesseraFileSide implements TakeSide {
  readonly name = "tessera";
  readonly keepsOrder = true;
  /** Store counters of the most recent take. */
  lastStats: StoreStats = { requests: 0, rangesRequested: 0, bytesRead: 0, bytesWritten: 0 };

  private constructor(
    readonly store: ObjectStore,
    readonly reader: DataFileReader,
    readonly writeMs: number,
    readonly diskBytes: number,
  ) {}

  /** Writes `table` to a fresh `dir` and opens it. */
  static async create(table: arrow.Table, dir: string): Promise<TesseraFileSide> {
    await rm(dir, { recursive: true, force: true });
    const store = await openStore(dir);
    let bytes = 0;
    const writeMs = await timeOnce(async () => {
      bytes = (await writeDataFile(store, FILE, table)).bytes;
    });
    const reader = await DataFileReader.open(store, FILE);
    return new TesseraFileSide(store, reader, writeMs, bytes);
  }

  /** The rows as Arrow, in the order asked. */
  async takeTable(offsets: readonly number[], columns?: readonly string[]): Promise<arrow.Table> {
    this.store.resetStats();
    const table = await this.reader.take(offsets, columns === undefined ? {} : { columns });
    this.lastStats = { ...this.store.stats };
    return table;
  }

  async take(offsets: readonly number[], columns?: readonly string[]): Promise<TakenRows> {
    const table = await this.takeTable(offsets, columns);
    return { numRows: table.numRows, ids: idsOf(table) };
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
