// The arquero side of the dataframe benchmark: the generated Arrow tables loaded (untimed) with aq.fromArrow, then
// each query as arquero verbs, timed until the result is materialized (reify() turns a filtered or sliced view into
// columns of its own; rollup and join already build new columns).
//
// Loaded from Arrow IPC bytes, which arquero decodes with its own Arrow library (flechette): on 1M rows its queries
// ran 1.3–1.7× faster over those columns than over apache-arrow's Vectors handed over directly.
//
// Expressions are given as text: arquero parses a function's source, which a transpiler may rewrite.

import * as aq from "arquero";
import * as A from "apache-arrow";
import type { DataFrameSide, QueryName, SideResult } from "./dataframe-side.js";
import { QUERY_COLUMNS } from "./dataframe-side.js";

type AqTable = ReturnType<typeof aq.fromArrow>;

const QUERIES: Readonly<Record<QueryName, (facts: AqTable, dim: AqTable) => AqTable>> = {
  filterProject: (t) => t.filter("d => d.value > 0.5 && d.key < 500").derive({ value2: "d => d.value * 2" }).select("key", "value2").reify(),
  groupBy: (t) => t.groupby("key").rollup({ sum: "d => op.sum(d.value)", mean: "d => op.mean(d.value)", count: "d => op.count()" }),
  join: (t, dim) => t.join(dim, "key").select("key", "value", "tag", "name"),
  joinAgg: (t, dim) => t.join(dim, "key").rollup({ count: "d => op.count()", sum: "d => op.sum(d.value)" }),
  topN: (t) => t.orderby(aq.desc("value")).slice(0, 100).select("key", "value", "tag").reify(),
};

export class ArqueroDataFrameSide implements DataFrameSide {
  readonly name = "arquero";

  private constructor(
    private readonly facts: AqTable,
    private readonly dim: AqTable,
  ) {}

  /** Loads the tables through aq.fromArrow of their IPC stream bytes (arquero then reads the columns in place). */
  static create(facts: A.Table, dim: A.Table): ArqueroDataFrameSide {
    const load = (t: A.Table): AqTable => aq.fromArrow(A.tableToIPC(t, "stream"));
    return new ArqueroDataFrameSide(load(facts), load(dim));
  }

  async run(query: QueryName): Promise<SideResult> {
    const out = QUERIES[query](this.facts, this.dim);
    return { numRows: out.numRows(), columns: () => QUERY_COLUMNS[query].map((c) => out.array(c)) };
  }

  async close(): Promise<void> {}
}
