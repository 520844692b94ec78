// The Table users import: the versioned, indexed table of index/ plus the DataFrame view of it (src/ is the one
// layer that knows DataFrames, so this subclass adds them; static factories return it through `this`).

import type * as A from "apache-arrow";
import { Table as IndexedTable } from "../index/table.js";
import { DataFrame } from "./dataframe.js";
import { tableSource } from "./io/table-source.js";
import { scan } from "./plan/build.js";
import { queryVector, searchFrame, type SearchQuery, type TableSearchOptions } from "./table-search.js";
import { ROW_ID } from "../format/table/read.js";
import { prepareBackfill, type BackfillOptions, type BackfillStats, type BackfillValues } from "./embed/backfill.js";
import type { FilterInput, UpdateOptions } from "../format/table/table.js";
import type { RowFilter } from "../format/table/read.js";
import { InvalidArgumentError } from "../format/errors.js";
import { Expr } from "./expr/expr.js";
import { isLowerable, lower } from "./expr/compile.js";
import { formatNode } from "./plan/display.js";

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
  /** Filters may also be engine expressions (`col("label").eq(3)`), as long as the table's own language can run them. */
  protected override filter(f: FilterInput | undefined): RowFilter | undefined {
    return super.filter(f instanceof Expr ? tableExpr(f, "filter") : f);
  }

  /** `values` may hold engine expressions (`col("score").mul(2)`) besides literals and expression trees. */
  override async update(options: UpdateOptions): Promise<void> {
    if (options.values === undefined) return super.update(options);
    const values = Object.fromEntries(
      Object.entries(options.values).map(([k, v]) => [k, v instanceof Expr ? tableExpr(v, `value of "${k}"`) : v]),
    );
    return super.update({ ...options, values });
  }

  /** This version of the table as a lazy DataFrame. */
  toDataFrame(options: ToDataFrameOptions = {}): DataFrame {
    return new DataFrame(scan(tableSource(this, options)));
  }

  /**
   * The k rows nearest to `query` in a vector column: the asked columns plus `_rowid` and `_distance`, nearest
   * first (index/table.ts's search: the index where it covers, exact search elsewhere, prefilter by default). A
   * text or image-bytes query is embedded first with `options.embedder`, else the column's recorded embedder.
   * @example const hits = await table.search("a red bicycle", { k: 5, filter: "split = 'test'" })
   */
  override async search(query: SearchQuery, options: TableSearchOptions = {}): Promise<A.Table> {
    const { embedder: _embedder, ...rest } = options;
    return super.search(await queryVector(this, query, options), rest);
  }

  /**
   * The same search as a lazy DataFrame (run when collected; explain shows `Scan VectorSearch`), to join, filter
   * or compute on. The query is embedded now, so the DataFrame's plan holds a plain vector.
   * @example const df = (await table.searchDataFrame(imageBytes, { k: 20 })).where(col("_distance").lt(0.5))
   */
  async searchDataFrame(query: SearchQuery, options: TableSearchOptions = {}): Promise<DataFrame> {
    const { embedder: _embedder, ...rest } = options;
    return searchFrame(this, await queryVector(this, query, options), rest);
  }

  // ---- backfill (src/embed/backfill.ts) ----

  /**
   * Computes `column` only where it is missing — null values of live rows, and fragments with no data for it —
   * writing one file holding just that column per such fragment (see src/embed/backfill.ts). A column not in the
   * schema yet is added for every row. Follow with `optimizeIndices()` so an index covers the new vectors.
   * @example await table.append(newRows); await table.backfill("embedding", col("image").embed(embedder))
   */
  async backfill(column: string, values: BackfillValues, options: BackfillOptions = {}): Promise<BackfillStats> {
    this.writable("backfill");
    if (!this.tableSchema.has(column)) return this.addForBackfill(column, values, options);
    const { op, stats } = await prepareBackfill(this.snapshot(), column, values, options);
    await this.commitOp(op);
    return stats;
  }

  /** backfill of a new column: every row is missing, so it is addColumns; stats from the files it added. */
  private async addForBackfill(column: string, values: BackfillValues, options: BackfillOptions): Promise<BackfillStats> {
    const before = new Set(this.currentManifest.fragments.flatMap((f) => f.files.map((d) => d.path)));
    if (typeof values === "function") {
      const { inputColumns, batchSize, ...write } = options;
      const fn = async (b: A.RecordBatch) => ({ [column]: (await values(b)) as A.Vector | ArrayLike<unknown> });
      await this.addColumns(fn, { ...write, ...(inputColumns ? { inputColumns } : {}), ...(batchSize ? { batchSize } : {}) });
    } else {
      await this.addColumns(this.toDataFrame({ withRowId: true }).select(ROW_ID, values.alias(column)));
    }
    const added = this.currentManifest.fragments.flatMap((f) => f.files.filter((d) => !before.has(d.path)).map((d) => ({ id: f.id, d })));
    return {
      fragments: added.map((a) => a.id),
      rows: this.rows,
      files: added.map((a) => a.d.path),
      bytes: added.reduce((n, a) => n + a.d.size, 0),
      staleIndexFragments: [],
    };
  }
}

/** The table language's tree for an engine expression; engine-only functions (UDFs, images, …) cannot run in a table. */
function tableExpr(e: Expr, what: string): object {
  if (!isLowerable(e.node)) {
    throw new InvalidArgumentError(
      `the ${what} uses functions only the DataFrame engine runs (${formatNode(e.node)}); ` +
        "filter a DataFrame instead (table.toDataFrame().where(...)), or write it as SQL-like text (e.g. name LIKE 'a%')",
    );
  }
  return lower(e.node);
}
