// Runs a resolved expression over a record batch, column at a time over the Arrow buffers (no per-row
// Vector.get), producing an Arrow vector of the resolved type or the indices of rows where a predicate holds.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import { concatRanges } from "../file/gather.js";
import { arithmetic, negateOrAbs } from "./arith.js";
import type { Bound, BoundColumn, Resolved } from "./bound.js";
import { castOperand } from "./cast.js";
import {
  andValid,
  broadcast,
  column,
  emptyValues,
  readColumn,
  scalar,
  toData,
  valueAt,
  type Col,
  type Operand,
} from "./columnar.js";
import { compareOperands, FLIPPED, safeNumbers, selectCompare } from "./compare.js";
import { FUNCTIONS } from "./functions.js";
import { inList } from "./in-list.js";
import { logic, not, isNull } from "./logic.js";
import { likeColumn } from "./strings.js";

/** What evaluate reads: a record batch, or a table (its columns may be chunked differently). */
export type BatchLike = A.RecordBatch | A.Table;

/** Where a bound tree gets its columns and row count from. */
export interface EvalContext {
  readonly rows: number;
  column(b: BoundColumn): Col;
}

type Evaluator<K extends Bound["kind"]> = (b: Extract<Bound, { kind: K }>, ctx: EvalContext) => Operand;

const EVAL: { [K in Bound["kind"]]: Evaluator<K> } = {
  column: (b, ctx) => ctx.column(b),
  literal: (b) => scalar(b.type, b.value),
  compare: (b, ctx) => compareOperands(b.op, run(b.left, ctx), run(b.right, ctx), ctx.rows),
  arith: (b, ctx) => arithmetic(b.op, run(b.left, ctx), run(b.right, ctx), b.type, ctx.rows, b.text),
  logic: (b, ctx) => logic(b.op, run(b.left, ctx), run(b.right, ctx), ctx.rows),
  not: (b, ctx) => not(run(b.operand, ctx), ctx.rows),
  neg: (b, ctx) => negateOrAbs("neg", run(b.operand, ctx), b.type, ctx.rows, b.text),
  isNull: (b, ctx) => isNull(run(b.operand, ctx), b.negated, ctx.rows),
  in: (b, ctx) => inList(run(b.operand, ctx), b.values, b.hasNull, b.negated, ctx.rows),
  like: (b, ctx) => {
    const a = run(b.operand, ctx);
    const like = (c: Col): Col => likeColumn(c, b.matcher, b.caseInsensitive, b.negated);
    if (a.kind === "col") return a.values.kind === "str" ? like(a) : broadcast(scalar(b.type, null), ctx.rows);
    return scalar(b.type, a.value === null ? null : valueAt(like(broadcast(a, 1)), 0));
  },
  between: (b, ctx) => {
    const x = run(b.operand, ctx);
    const ge = compareOperands(">=", x, run(b.low, ctx), ctx.rows);
    const le = compareOperands("<=", x, run(b.high, ctx), ctx.rows);
    const within = logic("and", ge, le, ctx.rows);
    return b.negated ? not(within, ctx.rows) : within;
  },
  cast: (b, ctx) => castOperand(run(b.operand, ctx), b.type),
  call: (b, ctx) => FUNCTIONS[b.name].run(b.args.map((a) => run(a, ctx)), b.type, ctx.rows, b.text),
};

/** Evaluates a bound node; a scalar result stands for every row. */
export function run(b: Bound, ctx: EvalContext): Operand {
  return (EVAL[b.kind] as Evaluator<Bound["kind"]>)(b, ctx);
}

/** One contiguous Data for a column, concatenating chunks when a table holds several. */
function contiguous(v: A.Vector): A.Data {
  if (v.data.length === 1) return v.data[0]!;
  return concatRanges(v.type, v.data.map((d) => ({ data: d, start: 0, count: d.length })));
}

/** A struct's child by name, padded with NULLs when Arrow JS left it shorter than its parent. */
function childData(parent: A.Data, name: string): A.Data {
  const idx = (parent.type as A.Struct).children.findIndex((f) => f.name === name);
  const child = parent.children[idx]!;
  if (child.length >= parent.length) return child;
  return concatRanges(child.type, [{ data: child, start: 0, count: parent.length }]);
}

/** Columns read from a batch, each once per evaluation. */
export function batchContext(batch: BatchLike): EvalContext {
  const cache = new Map<string, Col>();
  return {
    rows: batch.numRows,
    column(b) {
      const key = JSON.stringify(b.path);
      let c = cache.get(key);
      if (c === undefined) cache.set(key, (c = readPath(batch, b)));
      return c;
    },
  };
}

/** A column, or a struct field that is NULL wherever one of its parents is. */
function readPath(batch: BatchLike, b: BoundColumn): Col {
  const v = batch.getChild(b.name);
  if (v === null) {
    throw new InvalidArgumentError(`column "${b.name}" is missing from the batch`, { column: b.name });
  }
  let data = contiguous(v);
  if (b.path.length === 1) return readColumn(data);
  let valid = readColumn(data).valid;
  for (const name of b.path.slice(1)) {
    data = childData(data, name);
    valid = andValid(valid, readColumn(data).valid);
  }
  const c = readColumn(data);
  return valid === c.valid ? c : column(c.type, c.length, c.values, valid);
}

/**
 * The value of `resolved` for every row of `batch`, as an Arrow vector of `resolved.type`.
 * A bare column comes back as the batch's own vector data, uncopied.
 * @example evaluate(resolveExpr(parseExpr("price * qty"), batch.schema), batch)
 */
export function evaluate(resolved: Resolved, batch: BatchLike): A.Vector {
  // No rows, nothing to compute: a constant part that would fail (say an overflowing cast) must not fail here.
  if (batch.numRows === 0) return A.makeVector(toData(column(resolved.type, 0, emptyValues(resolved.type, 0), undefined)));
  const out = run(resolved.bound, batchContext(batch));
  const col = out.kind === "scalar" ? broadcast(out, batch.numRows) : out;
  return A.makeVector(toData(col));
}

/**
 * Indices of the rows where the predicate is TRUE (NULL counts as not), ascending.
 * @example filterIndices(resolvePredicate("label = 3", batch.schema), batch) // Uint32Array [4, 17, ...]
 */
export function filterIndices(resolved: Resolved, batch: BatchLike): Uint32Array {
  const n = batch.numRows;
  if (n === 0) return new Uint32Array(0);
  const ctx = batchContext(batch);
  const fast = selectColumnVsNumber(resolved.bound, ctx);
  if (fast !== undefined) return fast;
  const out = run(resolved.bound, ctx);
  if (out.kind === "scalar") {
    return out.value === true ? Uint32Array.from({ length: n }, (_, i) => i) : new Uint32Array(0);
  }
  if (out.values.kind !== "bool") return new Uint32Array(0);
  return selected(out.values.data, out.valid);
}

/** `column op number` straight to indices, skipping the boolean mask; undefined when the filter is not one. */
function selectColumnVsNumber(b: Bound, ctx: EvalContext): Uint32Array | undefined {
  if (b.kind !== "compare") return undefined;
  const [c, lit, op] =
    b.left.kind === "column" && b.right.kind === "literal"
      ? [b.left, b.right, b.op]
      : b.right.kind === "column" && b.left.kind === "literal"
        ? [b.right, b.left, FLIPPED[b.op]]
        : [undefined, undefined, b.op];
  const x = lit?.value;
  if (c === undefined || (typeof x !== "number" && typeof x !== "bigint") || Number.isNaN(x)) return undefined;
  const col = ctx.column(c);
  const v = col.values;
  // Safe 64-bit values take any bigint (see safeNumbers); other numbers only one that converts exactly.
  if (v.kind === "big") {
    const data = safeNumbers(v.data, col.valid);
    return data === undefined ? undefined : selectCompare(op, data, Number(x), col.valid);
  }
  if (v.kind !== "num" || (typeof x === "bigint" && BigInt(Number(x)) !== x)) return undefined;
  return selectCompare(op, v.data, Number(x), col.valid);
}

/** Positions where the value is 1 and the row is valid: one pass to count, one to fill. */
function selected(v: Uint8Array, valid: Uint8Array | undefined): Uint32Array {
  const n = v.length;
  let count = 0;
  if (valid === undefined) for (let i = 0; i < n; i++) count += v[i]!;
  else for (let i = 0; i < n; i++) count += v[i]! & valid[i]!;
  const idx = new Uint32Array(count);
  let k = 0;
  if (valid === undefined) {
    for (let i = 0; i < n && k < count; i++) if (v[i] === 1) idx[k++] = i;
  } else {
    for (let i = 0; i < n && k < count; i++) if ((v[i]! & valid[i]!) === 1) idx[k++] = i;
  }
  return idx;
}
