// The DataFrame: an immutable, lazy wrapper over a logical plan. Each method returns a new DataFrame with one more
// plan node (checked when built); nothing runs until collect, show, iteration or a write.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../format/errors.js";
import { execContext, type ExecOptions } from "./exec/context.js";
import { physicalPlan } from "./exec/physical.js";
import { toRowObjects } from "./exec/rows.js";
import { collectTable } from "./exec/collect.js";
import { col, count, sql } from "./expr/builders.js";
import { Expr } from "./expr/expr.js";
import { outputName } from "./expr/names.js";
import type { ExprNode } from "./expr/node.js";
import * as B from "./plan/build.js";
import { explainPlan, type ExplainOptions } from "./plan/explain.js";
import type { NamedExpr, PlanNode, Sink } from "./plan/logical.js";
import { optimize } from "./plan/optimizer/optimize.js";
import { renderTable, type ShowOptions } from "./show.js";
import type { DeadLetter } from "./udf/context.js";
import { splitAggregates } from "./plan/split-aggregates.js";
import type { WriteSummary } from "./io/source.js";
import { tableSink, type WriteTableOptions } from "./io/table-source.js";
import { writeCsv, type CsvWriteOptions } from "./io/write-csv.js";
import { writeJson, type JsonWriteOptions } from "./io/write-json.js";
import { writeParquet, type ParquetWriteOptions } from "./io/write-parquet.js";

/** A column given by name or as an expression. */
export type ColumnInput = string | Expr;

/** Options of `join`. */
export interface JoinOptions {
  /** Key columns with the same names on both sides. */
  on?: ColumnInput | readonly ColumnInput[];
  leftOn?: ColumnInput | readonly ColumnInput[];
  rightOn?: ColumnInput | readonly ColumnInput[];
  /** Default "inner". */
  how?: "inner" | "left" | "right" | "outer" | "semi" | "anti";
  /** Added to right column names that clash with left ones. Default "_right". */
  suffix?: string;
}

/** Options of `sort`. */
export interface SortOptions {
  /** Descending, for all keys or per key. Default false. */
  desc?: boolean | readonly boolean[];
  /** Nulls first, for all keys or per key. Default: last when ascending, first when descending. */
  nullsFirst?: boolean | readonly boolean[];
}

/** Options of `sample`. */
export interface SampleOptions {
  /** Keep each row with this probability. */
  fraction?: number;
  /** Keep exactly this many rows (or all when there are fewer). */
  size?: number;
  /** Seed of the random choice. Default 0. */
  seed?: number;
}

/** What a run reports besides its rows: failed UDF rows per UDF and, with onError "dead-letter", the failed rows. */
export interface RunReport {
  readonly table: A.Table;
  readonly failures: Readonly<Record<string, number>>;
  readonly deadLetters: readonly DeadLetter[];
}

/** Options of a collect or write. */
export interface RunOptions extends ExecOptions {
  /** Receives each dead letter as it happens (in addition to the report). */
  onDeadLetter?: (letter: DeadLetter) => void;
}

function toExpr(c: ColumnInput): Expr {
  return typeof c === "string" ? col(c) : c;
}

function named(c: ColumnInput): NamedExpr {
  const e = toExpr(c);
  return { name: outputName(e.node), node: e.node };
}

function list<T>(v: T | readonly T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? [...(v as readonly T[])] : [v as T];
}

/**
 * A lazy table of rows: build it with readers and methods, run it with collect/show/iteration/writes.
 * @example await (await readJson("data.jsonl")).where(col("label").eq(3)).select("id", "label").show()
 */
export class DataFrame {
  constructor(readonly plan: PlanNode) {
    Object.freeze(this);
  }

  /** The schema of the rows this DataFrame produces. */
  get schema(): A.Schema {
    return this.plan.schema;
  }

  /** Columns by name or computed by expressions, in this order. */
  select(...columns: ColumnInput[]): DataFrame {
    if (columns.length === 0) throw new InvalidArgumentError("select() needs at least one column");
    return new DataFrame(B.project(this.plan, columns.map(named)));
  }

  /** All columns plus `name` computed by `expr` (replacing a column of that name in place). */
  withColumn(name: string, expr: Expr | string): DataFrame {
    return this.withColumns({ [name]: expr });
  }

  /** All columns plus several computed ones. */
  withColumns(columns: Readonly<Record<string, Expr | string>>): DataFrame {
    const added = new Map(Object.entries(columns).map(([n, e]) => [n, typeof e === "string" ? sql(e) : e]));
    const exprs: NamedExpr[] = this.schema.fields.map((f) => {
      const e = added.get(f.name);
      if (e !== undefined) added.delete(f.name);
      return { name: f.name, node: (e ?? col(f.name)).node };
    });
    for (const [name, e] of added) exprs.push({ name, node: e.node });
    return new DataFrame(B.project(this.plan, exprs));
  }

  /** Rows where the condition is true (an Expr or SQL-like text such as "label = 3 AND score > 0.5"). */
  where(condition: Expr | string): DataFrame {
    const node = typeof condition === "string" ? sql(condition).node : condition.node;
    return new DataFrame(B.filter(this.plan, node));
  }

  /** Alias of `where`. */
  filter(condition: Expr | string): DataFrame {
    return this.where(condition);
  }

  /** All columns but these. */
  exclude(...names: string[]): DataFrame {
    for (const n of names) B.distinct(this.plan, [n]); // checks the name exists, with suggestions
    const drop = new Set(names);
    return this.select(...this.schema.fields.filter((f) => !drop.has(f.name)).map((f) => f.name));
  }

  /** Columns renamed by `{ from: to }`. */
  rename(mapping: Readonly<Record<string, string>>): DataFrame {
    for (const n of Object.keys(mapping)) B.distinct(this.plan, [n]);
    return this.select(...this.schema.fields.map((f) => (mapping[f.name] === undefined ? f.name : col(f.name).alias(mapping[f.name]!))));
  }

  /** Groups by key columns; follow with `.agg(...)`. */
  groupBy(...keys: ColumnInput[]): GroupedDataFrame {
    if (keys.length === 0) throw new InvalidArgumentError("groupBy() needs at least one key");
    const named_ = keys.map(named);
    for (const k of named_) B.project(this.plan, [k]); // check now, not at agg()
    return new GroupedDataFrame(this, named_);
  }

  /** One row of aggregates over all rows, e.g. `agg(col("x").sum(), count())`. */
  agg(...aggs: Expr[]): DataFrame {
    return new DataFrame(splitAggregates(this.plan, [], aggs));
  }

  /** Joins with `other` on key columns. */
  join(other: DataFrame, options: JoinOptions): DataFrame {
    const on = list(options.on);
    const leftOn = on.length > 0 ? on : list(options.leftOn);
    const rightOn = on.length > 0 ? on : list(options.rightOn);
    if (leftOn.length === 0) throw new InvalidArgumentError("join() needs `on`, or `leftOn` and `rightOn`");
    const spec: B.JoinSpec = {
      leftOn: leftOn.map((c) => toExpr(c).node),
      rightOn: rightOn.map((c) => toExpr(c).node),
      how: options.how ?? "inner",
      ...(options.suffix !== undefined ? { suffix: options.suffix } : {}),
    };
    return new DataFrame(B.join(this.plan, other.plan, spec));
  }

  /** Rows ordered by one or more keys. */
  sort(by: ColumnInput | readonly ColumnInput[], options: SortOptions = {}): DataFrame {
    const keys = list(by);
    const pick = (v: boolean | readonly boolean[] | undefined, i: number): boolean | undefined => (Array.isArray(v) ? v[i] : (v as boolean | undefined));
    return new DataFrame(
      B.sort(
        this.plan,
        keys.map((k, i) => {
          const desc = pick(options.desc, i) ?? false;
          return { node: toExpr(k).node, desc, nullsFirst: pick(options.nullsFirst, i) ?? desc };
        }),
      ),
    );
  }

  /** At most `n` rows. */
  limit(n: number): DataFrame {
    return new DataFrame(B.limit(this.plan, n));
  }

  /** All rows after the first `n`. */
  offset(n: number): DataFrame {
    return new DataFrame(B.limit(this.plan, undefined, n));
  }

  /** Distinct rows (over `columns` when given, keeping each first row). */
  distinct(...columns: string[]): DataFrame {
    return new DataFrame(B.distinct(this.plan, columns));
  }

  /** One row per item of a list column. */
  explode(column: string): DataFrame {
    return new DataFrame(B.explode(this.plan, column));
  }

  /** A random subset of rows. */
  sample(options: SampleOptions): DataFrame {
    return new DataFrame(B.sample(this.plan, options));
  }

  /** The rows of this DataFrame followed by those of `others` (same columns and types). */
  concat(...others: DataFrame[]): DataFrame {
    return new DataFrame(B.concat([this.plan, ...others.map((o) => o.plan)]));
  }

  /** The plan as text: logical; with `{ optimized: true }` also the optimized and physical plans. */
  explain(options: ExplainOptions = {}): string {
    return explainPlan(this.plan, options);
  }

  /**
   * Runs the plan and streams its batches. Rows a UDF failed on (onError "null" / "dead-letter") are counted and
   * reported as a process warning at the end unless `onDeadLetter` receives them; collectReport returns the counts.
   */
  async *iterBatches(options: RunOptions = {}): AsyncGenerator<A.RecordBatch> {
    const failures = new Map<string, number>();
    const ctx = execContext(options, options.onDeadLetter ? { deadLetter: options.onDeadLetter, failures } : { failures });
    yield* physicalPlan(optimize(this.plan)).run(ctx);
    if (options.onDeadLetter === undefined) warnFailures(failures);
  }

  /** Iterating a DataFrame runs it (so it can be passed wherever batches are taken, e.g. Table.create). */
  [Symbol.asyncIterator](): AsyncIterator<A.RecordBatch> {
    return this.iterBatches();
  }

  /** Runs the plan and returns all rows as one Arrow table (UDF failures are reported as for iterBatches). */
  async collect(options: RunOptions = {}): Promise<A.Table> {
    const report = await this.collectReport(options);
    if (options.onDeadLetter === undefined) warnFailures(new Map(Object.entries(report.failures)));
    return report.table;
  }

  /** Runs the plan; the rows plus UDF failure counts and dead letters. */
  async collectReport(options: RunOptions = {}): Promise<RunReport> {
    const deadLetters: DeadLetter[] = [];
    const failures = new Map<string, number>();
    const ctx = execContext(options, {
      deadLetter: (d) => {
        deadLetters.push(d);
        options.onDeadLetter?.(d);
      },
      failures,
    });
    const table = await collectTable(physicalPlan(optimize(this.plan)).run(ctx), this.schema);
    return { table, failures: Object.fromEntries(failures), deadLetters };
  }

  /** Runs the plan and returns the rows as plain objects. */
  async toRows(options: RunOptions = {}): Promise<Record<string, unknown>[]> {
    return toRowObjects(await this.collect(options));
  }

  /** Number of rows (reads only what counting needs). */
  async countRows(): Promise<number> {
    const t = await this.agg(count().alias("count")).collect();
    return Number(t.getChild("count")!.get(0));
  }

  /** Prints the first `n` rows (default 8) as a text table; reads only what it shows. */
  async show(n = 8, options: ShowOptions = {}): Promise<void> {
    const rows = await this.limit(n).collect();
    (options.write ?? ((s: string) => process.stdout.write(s)))(renderTable(rows, options) + "\n");
  }

  /** Runs the plan into a sink; what the sink reports (rows, bytes, version). */
  async writeTo(sink: Sink, options: RunOptions = {}): Promise<WriteSummary> {
    const row = toRowObjects(await new DataFrame(B.write(this.plan, sink)).collect(options))[0]!;
    const n = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
    return {
      uri: String(row.uri),
      rows: n(row.rows) ?? 0,
      ...(n(row.bytes) !== undefined ? { bytes: n(row.bytes)! } : {}),
      ...(n(row.version) !== undefined ? { version: n(row.version)! } : {}),
    };
  }

  /**
   * Writes the rows to a Tessera table: "create" (default), "append", "overwrite", or "merge" (add this
   * DataFrame's new columns to the table it was read from, aligned by `_rowid`, writing only those columns).
   */
  async writeTable(uri: string, options: WriteTableOptions & RunOptions = {}): Promise<WriteSummary> {
    return this.writeTo(tableSink(uri, options), options);
  }

  /** Writes the rows to one Parquet file (streamed, one row group per `rowGroupSize` rows). */
  async writeParquet(uri: string, options: ParquetWriteOptions & RunOptions = {}): Promise<WriteSummary> {
    return this.writeTo(fileSink("Parquet", uri, (stream) => writeParquet(stream, uri, options)), options);
  }

  /** Writes the rows as NDJSON (gzip-compressed when the name ends in .gz). */
  async writeJson(uri: string, options: JsonWriteOptions & RunOptions = {}): Promise<WriteSummary> {
    return this.writeTo(fileSink("Json", uri, (stream) => writeJson(stream, uri, options)), options);
  }

  /** Writes the rows as CSV with a header row. */
  async writeCsv(uri: string, options: CsvWriteOptions & RunOptions = {}): Promise<WriteSummary> {
    return this.writeTo(fileSink("Csv", uri, (stream) => writeCsv(stream, uri, options)), options);
  }
}

/** A failure count nobody asked for still reaches the user, as a process warning. */
function warnFailures(failures: ReadonlyMap<string, number>): void {
  for (const [name, n] of failures) {
    process.emitWarning(`UDF "${name}" failed on ${n} row${n === 1 ? "" : "s"} (their values are null); collectReport() lists them`, {
      code: "TESSERA_UDF_FAILURES",
    });
  }
}

function fileSink(kind: string, uri: string, write: (stream: AsyncIterable<A.RecordBatch>) => Promise<WriteSummary>): Sink {
  return { kind, uri, write: (stream) => write(stream) };
}

/** A DataFrame grouped by keys, waiting for `agg`. */
export class GroupedDataFrame {
  constructor(
    private readonly df: DataFrame,
    private readonly keys: readonly NamedExpr[],
  ) {}

  /** One row per group: the keys, then each aggregate. */
  agg(...aggs: Expr[]): DataFrame {
    if (aggs.length === 0) throw new InvalidArgumentError("agg() needs at least one aggregation");
    return new DataFrame(splitAggregates(this.df.plan, this.keys, aggs));
  }

  /** Rows per group, as a column "count". */
  count(): DataFrame {
    return this.agg(count().alias("count"));
  }
}

export type { ExprNode };
