// The Table users import: the versioned, indexed table of index/ plus the DataFrame view of it (src/ is the one
// layer that knows DataFrames, so this subclass adds them; static factories return it through `this`).

import { Table as IndexedTable } from "../index/table.js";
import { DataFrame } from "./dataframe.js";
import { tableSource } from "./io/table-source.js";
import { scan } from "./plan/build.js";

/** Options of `toDataFrame`. */
export interface ToDataFrameOptions {
  /** Include the `_rowid` column (to merge computed columns back with addColumns / writeTable merge). Default false. */
  withRowId?: boolean;
}

/**
 * A versioned table with vector search and a DataFrame view.
 * @example const df = (await Table.open("./images.tsr")).toDataFrame().where("label = 3")
 */
export class Table extends IndexedTable {
  /** This version of the table as a lazy DataFrame. */
  toDataFrame(options: ToDataFrameOptions = {}): DataFrame {
    return new DataFrame(scan(tableSource(this, options)));
  }
}
