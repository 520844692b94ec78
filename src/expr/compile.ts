// Binds an expression tree to an input schema: checks names and types (so a plan fails when it is built, not when
// it runs) and turns the tree into a closure over record batches. Subtrees format/expr understands are lowered and
// evaluated by it in one piece; engine-only nodes (when, fn, apply, udf) are evaluated here and handed to the
// format/ part above them as extra columns of the batch.

import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../../format/errors.js";
import type * as F from "../../format/expr/ast.js";
import { castTypeName } from "../../format/expr/ast.js";
import type { Resolved } from "../../format/expr/bound.js";
import { evaluate, filterIndices } from "../../format/expr/evaluate.js";
import { formatExpr } from "../../format/expr/format-expr.js";
import { resolveExpr } from "../../format/expr/resolve.js";
import { nearestNames, quoteList } from "../../format/expr/suggest.js";
import { commonType, typeName } from "../../format/expr/types.js";
import { typesEqual } from "../../format/file/schema-json.js";
import { packBits } from "../../format/expr/columnar.js";
import { concatRanges, nullData, takeIndices } from "../../format/file/gather.js";
import type { CompiledColumn } from "../exec/types.js";
import { getFunction, ScalarArg, type ArgInfo, type ArgValue } from "./functions/index.js";
import { typeMetadata } from "./data-type.js";
import { childNodes, mapChildren, type ExprNode } from "./node.js";
import { outputName } from "./names.js";
import { compileRowFunction, compileUdf, type UdfContext } from "../udf/compile-hooks.js";

/** Per-execution facts compiled expressions report to (UDF failures, dead letters). */
export type CompileContext = UdfContext;

/** A compiled expression; `resolved` is set when format/expr evaluates the whole tree (fast filters use it). */
export interface Compiled extends CompiledColumn {
  readonly resolved?: Resolved;
  /** Field metadata of the result (logical types such as images and embeddings; see data-type.ts). */
  readonly metadata?: ReadonlyMap<string, string>;
}

const SYNTHETIC = "\u0000e";

/** Whether format/expr can evaluate the whole tree. */
export function isLowerable(n: ExprNode): boolean {
  switch (n.kind) {
    case "alias":
    case "when":
    case "fn":
    case "apply":
    case "udf":
    case "agg":
      return false;
    case "cast":
      return castTypeName(n.to) !== undefined && isLowerable(n.operand);
    default:
      return childNodes(n).every(isLowerable);
  }
}

/** The format/expr tree of a lowerable node (see isLowerable). */
export function lower(n: ExprNode): F.Expr {
  switch (n.kind) {
    case "column":
    case "literal":
      return n;
    case "unary":
      return { kind: "unary", op: n.op, operand: lower(n.operand) };
    case "binary":
      return { kind: "binary", op: n.op, left: lower(n.left), right: lower(n.right) };
    case "in":
      return { kind: "in", operand: lower(n.operand), values: n.values, negated: n.negated };
    case "isNull":
      return { kind: "isNull", operand: lower(n.operand), negated: n.negated };
    case "like": {
      const base = { kind: "like" as const, operand: lower(n.operand), pattern: n.pattern, caseInsensitive: n.caseInsensitive, negated: n.negated };
      return n.escape === undefined ? base : { ...base, escape: n.escape };
    }
    case "between":
      return { kind: "between", operand: lower(n.operand), low: lower(n.low), high: lower(n.high), negated: n.negated };
    case "cast": {
      const to = castTypeName(n.to);
      if (to === undefined) throw new NotSupportedError(`cast to ${typeName(n.to)} cannot be lowered`);
      return { kind: "cast", operand: lower(n.operand), to };
    }
    case "call":
      return { kind: "call", name: n.name, args: n.args.map(lower) };
    default:
      throw new NotSupportedError(`${n.kind} expressions cannot be lowered to format/expr`);
  }
}

/** Every column the tree names exists in `schema`; otherwise a "did you mean" error naming the valid ones. */
export function checkColumns(n: ExprNode, schema: A.Schema): void {
  if (n.kind === "column") {
    const name = n.path[0]!;
    if (schema.fields.some((f) => f.name === name)) return;
    const valid = schema.fields.map((f) => f.name);
    const near = nearestNames(name, valid);
    const hint = near.length > 0 ? `; did you mean ${quoteList(near)}?` : valid.length > 0 ? `; columns are ${quoteList(valid.slice(0, 12))}` : "";
    throw new InvalidArgumentError(`no column "${name}"${hint}`, { column: name });
  }
  for (const c of childNodes(n)) checkColumns(c, schema);
}

/**
 * Compiles `n` against `schema`; throws InvalidArgumentError for unknown columns and mismatched types.
 * @example (await compileExpr(col("x").add(1).node, batch.schema).run(batch)).toArray()
 */
export function compileExpr(n: ExprNode, schema: A.Schema, context: CompileContext = {}, name?: string): Compiled {
  checkColumns(n, schema);
  const c = compileNode(n, schema, context);
  return { ...c, name: name ?? outputName(n) };
}

/** Indices of the rows of `batch` where a compiled predicate is TRUE. */
export async function selectRows(pred: Compiled, batch: A.RecordBatch): Promise<Uint32Array> {
  if (pred.resolved !== undefined) return filterIndices(pred.resolved, batch);
  const v = await pred.run(batch);
  const d = v.data[0];
  const n = batch.numRows;
  if (d === undefined || n === 0) return new Uint32Array(0);
  const out = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) if (v.get(i) === true) out[k++] = i;
  return out.slice(0, k);
}

type Node<K extends ExprNode["kind"]> = Extract<ExprNode, { kind: K }>;

function compileNode(n: ExprNode, schema: A.Schema, ctx: CompileContext): Compiled {
  if (isLowerable(n)) return compileLowered(n, schema);
  switch (n.kind) {
    case "alias":
      return { ...compileNode(n.operand, schema, ctx), name: n.name };
    case "when":
      return compileWhen(n, schema, ctx);
    case "fn":
      return compileFn(n, schema, ctx);
    case "apply":
      return withMetadata(compileRowFunction(n, compileNode(n.operand, schema, ctx), ctx), typeMetadata(n.returnType));
    case "udf":
      return withMetadata(compileUdf(n, n.args.map((a) => compileNode(a, schema, ctx)), ctx), typeMetadata(n.udf.returnType));
    case "cast":
      if (castTypeName(n.to) !== undefined) return compileMixed(n, schema, ctx);
      return compileEngineCast(n, compileNode(n.operand, schema, ctx));
    case "agg":
      throw new InvalidArgumentError(`an aggregation (${n.fn}) can only be used inside agg() or groupBy(...).agg()`);
    default:
      return compileMixed(n, schema, ctx);
  }
}

function withMetadata(c: CompiledColumn, metadata: ReadonlyMap<string, string> | undefined): Compiled {
  return metadata === undefined ? c : { ...c, metadata };
}

/**
 * Casts format/expr cannot do: to the same physical type with another logical type (bytes to an image type), and
 * lists of numbers to fixed-size lists of float32/float64 (JSON arrays to embeddings; each list must have exactly
 * the size, else the cast fails naming the row).
 */
function compileEngineCast(n: Node<"cast">, operand: Compiled): Compiled {
  const from = operand.type;
  const to = n.to;
  const metadata = typeMetadata(to);
  const base = { name: operand.name, type: to, nullable: operand.nullable, columns: operand.columns, ...(metadata ? { metadata } : {}) };
  if (typesEqual(from, to)) return { ...base, run: (batch) => operand.run(batch) };
  const isList = (t: A.DataType): boolean => t.typeId === A.Type.List || t.typeId === A.Type.FixedSizeList;
  if (A.DataType.isFixedSizeList(to) && isList(from)) {
    const item = (to as A.FixedSizeList).children[0]!.type;
    const fromItem = (from as A.List).children[0]!.type;
    if (A.DataType.isFloat(item) && (A.DataType.isFloat(fromItem) || A.DataType.isInt(fromItem))) {
      return { ...base, run: async (batch) => listToFixed(await operand.run(batch), to as A.FixedSizeList) };
    }
  }
  throw new InvalidArgumentError(`cannot cast ${typeName(from)} to ${typeName(to)}`);
}

/** Lists of numbers as a fixed-size list of floats; a list of another length fails naming the row. */
function listToFixed(v: A.Vector, to: A.FixedSizeList): A.Vector {
  const size = to.listSize;
  const n = v.length;
  const Values = (to.children[0]!.type as A.Float).precision === A.Precision.DOUBLE ? Float64Array : Float32Array;
  const values = new Values(n * size);
  const valid = new Uint8Array(n);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const item = v.get(i) as { length: number; [Symbol.iterator](): Iterator<unknown> } | null;
    if (item === null) {
      nulls++;
      continue;
    }
    if (item.length !== size) throw new InvalidArgumentError(`cannot cast row ${i} to ${typeName(to)}: it has ${item.length} values, not ${size}`);
    let j = 0;
    for (const x of item) values[i * size + j++] = x === null ? Number.NaN : Number(x);
    valid[i] = 1;
  }
  const child = A.makeData({ type: to.children[0]!.type as A.Float, length: n * size, data: values });
  const validity = nulls === 0 ? {} : { nullBitmap: packBits(valid, n), nullCount: nulls };
  return A.makeVector(A.makeData({ type: to, length: n, child, ...validity }));
}

function compileLowered(n: ExprNode, schema: A.Schema): Compiled {
  const resolved = resolveExpr(lower(n), schema);
  const source = n.kind === "column" && n.path.length === 1 ? schema.fields.find((f) => f.name === n.path[0]) : undefined;
  const metadata = source !== undefined && source.metadata.size > 0 ? source.metadata : undefined;
  return {
    name: outputName(n),
    type: resolved.type,
    nullable: source?.nullable ?? true,
    columns: resolved.columns,
    resolved,
    ...(metadata ? { metadata } : {}),
    run: async (batch) => evaluate(resolved, batch),
  };
}

/** A format/expr node with engine-only operands: those become synthetic columns of an extended batch. */
function compileMixed(n: ExprNode, schema: A.Schema, ctx: CompileContext): Compiled {
  const extra: { field: A.Field; compiled: Compiled }[] = [];
  const replace = (c: ExprNode): ExprNode => {
    if (isLowerable(c)) return c;
    const compiled = compileNode(c, schema, ctx);
    const field = new A.Field(`${SYNTHETIC}${extra.length}`, compiled.type, true);
    extra.push({ field, compiled });
    return { kind: "column", path: [field.name] };
  };
  const parent = mapChildren(n, replace);
  const extended = new A.Schema([...schema.fields, ...extra.map((e) => e.field)]);
  const resolved = resolveExpr(lower(parent), extended);
  const columns = [...new Set([...resolved.columns.filter((c) => !c.startsWith(SYNTHETIC)), ...extra.flatMap((e) => e.compiled.columns)])];
  return {
    name: outputName(n),
    type: resolved.type,
    nullable: true,
    columns,
    run: async (batch) => {
      const values = await Promise.all(extra.map((e) => e.compiled.run(batch)));
      return evaluate(resolved, extendBatch(batch, extended, values));
    },
  };
}

/** `batch` with `values` appended as the last fields of `schema`. */
function extendBatch(batch: A.RecordBatch, schema: A.Schema, values: readonly A.Vector[]): A.RecordBatch {
  const children = [...batch.data.children, ...values.map((v) => single(v))];
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: batch.numRows, children }));
}

/** One Data for a vector that may hold several chunks. */
export function single(v: A.Vector): A.Data {
  if (v.data.length === 1) return v.data[0]!;
  return concatRanges(v.type, v.data.map((d) => ({ data: d, start: 0, count: d.length })));
}

function compileFn(n: Node<"fn">, schema: A.Schema, ctx: CompileContext): Compiled {
  const fn = getFunction(n.name);
  const args = n.args.map((a) => (a.kind === "literal" ? undefined : compileNode(a, schema, ctx)));
  const info: ArgInfo[] = n.args.map((a, i) => {
    const c = args[i];
    if (c !== undefined) return c.metadata ? { type: c.type, nullable: c.nullable, metadata: c.metadata } : { type: c.type, nullable: c.nullable };
    const lit = a as Node<"literal">;
    return { type: lit.type ?? literalType(lit.value), nullable: lit.value === null, literal: { value: lit.value } };
  });
  const type = fn.returnType(info, n.options);
  const columns = [...new Set(args.flatMap((c) => c?.columns ?? []))];
  const metadata = fn.returnMetadata?.(info, n.options) ?? typeMetadata(type);
  let seen = 0; // rows numbered across the run's batches, as UDFs number them
  return {
    name: outputName(n),
    type,
    nullable: true,
    columns,
    ...(metadata ? { metadata } : {}),
    run: async (batch) => {
      const firstRow = seen; // claimed before awaiting the arguments, so concurrent batches number in order
      seen += batch.numRows;
      const values: ArgValue[] = await Promise.all(
        args.map((c, i) => (c === undefined ? new ScalarArg((n.args[i] as Node<"literal">).value, info[i]!.type) : c.run(batch))),
      );
      const extra = ctx.signal === undefined ? {} : { signal: ctx.signal };
      return fn.evaluate(values, n.options, { rows: batch.numRows, type, context: ctx, firstRow, ...extra });
    },
  };
}

/** The Arrow type of a literal written without one (matches format/expr's choice for plain numbers). */
export function literalType(v: unknown): A.DataType {
  if (v === null || v === undefined) return new A.Null();
  if (typeof v === "boolean") return new A.Bool();
  if (typeof v === "bigint") return new A.Int64();
  if (typeof v === "number") return Number.isInteger(v) ? new A.Int64() : new A.Float64();
  if (typeof v === "string") return new A.Utf8();
  throw new InvalidArgumentError(`unsupported literal ${String(v)}`);
}

function compileWhen(n: Node<"when">, schema: A.Schema, ctx: CompileContext): Compiled {
  const conditions = n.branches.map((b) => compileNode(b.condition, schema, ctx));
  conditions.forEach((c, i) => {
    if (!A.DataType.isBool(c.type) && c.type.typeId !== A.Type.Null) {
      throw new InvalidArgumentError(`when(): condition ${i + 1} must be a condition, got ${typeName(c.type)}`);
    }
  });
  const valueNodes = [...n.branches.map((b) => b.value), ...(n.otherwise ? [n.otherwise] : [])];
  const rawTypes = valueNodes.map((v) => compileNode(v, schema, ctx).type);
  let type: A.DataType = rawTypes[0]!;
  for (const t of rawTypes.slice(1)) {
    const common = commonType(type, t);
    if (common === undefined) throw new InvalidArgumentError(`when(): branches have types ${typeName(type)} and ${typeName(t)} with no common type`);
    type = common;
  }
  if (type.typeId === A.Type.Null) type = new A.Utf8();
  const values = valueNodes.map((v, i) =>
    sameTypeId(rawTypes[i]!, type) ? compileNode(v, schema, ctx) : compileNode({ kind: "cast", operand: v, to: type }, schema, ctx),
  );
  const columns = [...new Set([...conditions, ...values].flatMap((c) => c.columns))];
  const hasOtherwise = n.otherwise !== undefined;
  return {
    name: outputName(n),
    type,
    nullable: true,
    columns,
    run: async (batch) => {
      const rows = batch.numRows;
      const conds = await Promise.all(conditions.map((c) => c.run(batch)));
      const vals = await Promise.all(values.map((v) => v.run(batch)));
      // Every branch value is computed for every row (like SQL CASE over columns); each row takes its branch's.
      const parts = vals.map((v) => ({ data: single(v), start: 0, count: rows }));
      if (!hasOtherwise) parts.push({ data: nullData(type, rows), start: 0, count: rows });
      const all = concatRanges(type, parts.map((p) => ({ ...p, data: retype(p.data, type) })));
      const pick = new Uint32Array(rows);
      const fallback = conditions.length;
      for (let i = 0; i < rows; i++) {
        let b = 0;
        while (b < conds.length && conds[b]!.get(i) !== true) b++;
        pick[i] = (b < conds.length ? b : fallback) * rows + i;
      }
      return A.makeVector(takeIndices(all, pick));
    },
  };
}

function sameTypeId(a: A.DataType, b: A.DataType): boolean {
  return typesEqual(a, b);
}

/** Data of a compatible type relabelled with `type` (nullability of struct children may differ). */
function retype(d: A.Data, type: A.DataType): A.Data {
  return d.type === type ? d : d.clone(type);
}

/** The type `n` would have over `schema` (checks it as compileExpr does). */
export function exprType(n: ExprNode, schema: A.Schema): A.DataType {
  return compileExpr(n, schema).type;
}

/** Text of a lowerable tree, for messages. */
export function describeLowered(n: ExprNode): string {
  return formatExpr(lower(n));
}
