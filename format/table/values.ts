// What table operations need from expressions: a filter (read.ts RowFilter) and a computed value, plus the
// compiler that turns user input (SQL-like text, expression trees, literals) into them (see expressions.ts).

import type * as A from "apache-arrow";
import type { TableSchema } from "../schema.js";
import type { RowFilter } from "./read.js";

/** A value computed per row from a batch's columns. */
export interface ValueExpr {
  /** Columns the value reads. */
  readonly columns: readonly string[];
  /** The type of the values produced. */
  readonly type: A.DataType;
  /** One value per row of `batch`, of type `type`. */
  evaluate(batch: A.RecordBatch): A.Data;
}

/** Compiles filters and values for a schema. */
export interface ExpressionCompiler {
  /** A filter from SQL-like text (or an expression tree). */
  filter(input: unknown, schema: TableSchema): RowFilter;
  /**
   * A value from SQL-like text, an expression tree or (when `literal`) a plain literal; with `target`, the value is
   * cast to it or a clear error names both types.
   */
  value(input: unknown, schema: TableSchema, options: { target?: A.DataType; literal?: boolean; column?: string }): ValueExpr;
}
