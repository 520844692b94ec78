// Compiles user filters and values (SQL-like text, expression trees, literals) into what table operations run,
// with format/expr/ doing the parsing, type checking, evaluation and page pruning.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import { makeGatherer } from "../file/gather.js";
import { evaluate, filterIndices, lit, mayMatch, resolvePredicate, resolveValue, type Expr, type Resolved } from "../expr/index.js";
import type { TableSchema } from "../schema.js";
import type { RowFilter } from "./read.js";
import type { ExpressionCompiler, ValueExpr } from "./values.js";

function isExpr(x: unknown): x is Expr {
  return typeof x === "object" && x !== null && "kind" in x && typeof (x as { kind: unknown }).kind === "string";
}

/** One Data for a vector (evaluate yields one chunk per batch; concatenate if not). */
function single(v: A.Vector): A.Data {
  if (v.data.length === 1) return v.data[0]!;
  const g = makeGatherer(v.type, v.length);
  for (const d of v.data) g.appendRange(d, 0, d.length);
  return g.finish();
}

function fromResolved(r: Resolved): ValueExpr {
  return { columns: r.columns, type: r.type, evaluate: (batch) => single(evaluate(r, batch)) };
}

/** A value repeated on every row (vectors, byte strings and other non-scalar literals). */
function constant(value: unknown, type: A.DataType): ValueExpr {
  let one: A.Data;
  try {
    one = A.vectorFromArray([value] as never[], type as never).data[0]!;
  } catch (err) {
    throw new InvalidArgumentError(`cannot store ${String(value)} in a ${String(type)} column: ${(err as Error).message}`);
  }
  return {
    columns: [],
    type,
    evaluate(batch) {
      const g = makeGatherer(type, batch.numRows);
      for (let i = 0; i < batch.numRows; i++) g.appendRange(one, 0, 1);
      return g.finish();
    },
  };
}

function isScalar(v: unknown): v is number | bigint | string | boolean | null {
  return v === null || ["number", "bigint", "string", "boolean"].includes(typeof v);
}

function targetOf(options: { target?: A.DataType; column?: string }): { target?: A.DataType; column?: string } {
  const out: { target?: A.DataType; column?: string } = {};
  if (options.target !== undefined) out.target = options.target;
  if (options.column !== undefined) out.column = options.column;
  return out;
}

export const compiler: ExpressionCompiler = {
  filter(input, schema: TableSchema): RowFilter {
    if (typeof input !== "string" && !isExpr(input)) {
      throw new InvalidArgumentError(`a filter is SQL-like text such as "label = 3" or an expression; got ${typeof input}`);
    }
    const resolved = resolvePredicate(input, schema.toArrow());
    return {
      columns: resolved.columns,
      select: (batch) => filterIndices(resolved, batch),
      pageMayMatch: (column, stats) => mayMatch(resolved, (c) => (c === column ? stats : undefined)),
    };
  },

  value(input, schema: TableSchema, options): ValueExpr {
    const arrow = schema.toArrow();
    if (options.literal === true && !isExpr(input)) {
      if (input instanceof Date) input = input.toISOString();
      if (!isScalar(input)) {
        if (options.target === undefined) throw new InvalidArgumentError("a non-scalar literal needs a target column type");
        return constant(input, options.target);
      }
      return fromResolved(resolveValue(lit(input), arrow, targetOf(options)));
    }
    if (typeof input !== "string" && !isExpr(input)) {
      throw new InvalidArgumentError(`an expression is SQL-like text such as "score * 2" or an expression tree; got ${typeof input}`);
    }
    return fromResolved(resolveValue(input, arrow, targetOf(options)));
  },
};
