// The Tessera side of the dataframe benchmark: a DataFrame over the generated record batches held in memory (an
// arrowSource), each query built with the DataFrame API and timed through collect() (all rows in one Arrow table).

import type * as A from "apache-arrow";
import { DataFrame } from "../../../src/dataframe.js";
import { col, count } from "../../../src/expr/builders.js";
import { arrowSource } from "../../../src/io/arrow.js";
import { scan } from "../../../src/plan/build.js";
import type { DataFrameSide, QueryName, SideResult } from "./dataframe-side.js";

/** A DataFrame over an in-memory Arrow table (arrowSource: zero-copy projection). */
export function arrowFrame(table: A.Table, description: string): DataFrame {
  return new DataFrame(scan(arrowSource(table, description)));
}

/** Each query as DataFrame calls; the output columns are those of QUERY_COLUMNS. */
export const TESSERA_QUERIES: Readonly<Record<QueryName, (facts: DataFrame, dim: DataFrame) => DataFrame>> = {
  filterProject: (f) => f.where(col("value").gt(0.5).and(col("key").lt(500))).select("key", col("value").mul(2).alias("value2")),
  groupBy: (f) => f.groupBy("key").agg(col("value").sum().alias("sum"), col("value").mean().alias("mean"), count().alias("count")),
  join: (f, d) => f.join(d, { on: "key" }).select("key", "value", "tag", "name"),
  joinAgg: (f, d) => f.join(d, { on: "key" }).agg(count().alias("count"), col("value").sum().alias("sum")),
  topN: (f) => f.sort("value", { desc: true }).limit(100).select("key", "value", "tag"),
};

export class TesseraDataFrameSide implements DataFrameSide {
  readonly name = "tessera";

  constructor(
    readonly facts: DataFrame,
    readonly dim: DataFrame,
  ) {}

  static create(facts: A.Table, dim: A.Table): TesseraDataFrameSide {
    return new TesseraDataFrameSide(arrowFrame(facts, `facts (${facts.numRows} rows)`), arrowFrame(dim, `dim (${dim.numRows} rows)`));
  }

  /** The DataFrame of `query` (for explain()). */
  frame(query: QueryName): DataFrame {
    return TESSERA_QUERIES[query](this.facts, this.dim);
  }

  async run(query: QueryName): Promise<SideResult> {
    const table = await this.frame(query).collect();
    return {
      numRows: table.numRows,
      columns: () => table.schema.fields.map((f) => table.getChild(f.name)!.toArray() as ArrayLike<unknown>),
    };
  }

  async close(): Promise<void> {}
}
