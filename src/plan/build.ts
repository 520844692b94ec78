// Plan node constructors: each checks its expressions against its input's schema (unknown names with suggestions,
// type mismatches naming both types) and computes its output schema, so a DataFrame fails where it is built.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { commonType, typeClass, typeName } from "../../format/expr/types.js";
import { typesEqual } from "../../format/file/schema-json.js";
import type { JoinHow } from "../exec/types.js";
import { aggResultType } from "../expr/aggregate-types.js";
import { checkColumns, compileExpr } from "../expr/compile.js";
import { hasAgg, type AggNode, type ExprNode } from "../expr/node.js";
import type { ScanSource } from "../io/source.js";
import type * as L from "./logical.js";

function field(name: string, node: ExprNode, schema: A.Schema): A.Field {
  const c = compileExpr(node, schema, {}, name);
  return new A.Field(name, c.type, c.nullable, c.metadata ? new Map(c.metadata) : undefined);
}

function unique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new InvalidArgumentError(`${what}: column "${n}" appears twice; rename one with alias()`);
    seen.add(n);
  }
}

function noAgg(node: ExprNode, what: string): void {
  if (hasAgg(node)) throw new InvalidArgumentError(`${what}: aggregations can only be used in agg() or groupBy(...).agg()`);
}

export function scan(source: ScanSource): L.ScanNode {
  return { kind: "scan", source, pushdown: {}, schema: source.schema };
}

export function project(input: L.PlanNode, exprs: readonly L.NamedExpr[], kind: "project" | "udfProject" = "project"): L.ProjectNode | L.UdfProjectNode {
  exprs.forEach((e) => noAgg(e.node, "select"));
  unique(
    exprs.map((e) => e.name),
    "select",
  );
  const schema = new A.Schema(
    exprs.map((e) => field(e.name, e.node, input.schema)),
    input.schema.metadata,
  );
  return { kind, input, exprs, schema } as L.ProjectNode | L.UdfProjectNode;
}

export function filter(input: L.PlanNode, predicate: ExprNode): L.FilterNode {
  noAgg(predicate, "where");
  const c = compileExpr(predicate, input.schema);
  const k = typeClass(c.type);
  if (k !== "bool" && k !== "null") throw new InvalidArgumentError(`where() needs a condition, got an expression of type ${typeName(c.type)}`);
  return { kind: "filter", input, predicate, schema: input.schema };
}

/** The agg node under aliases, or undefined. */
export function aggOf(node: ExprNode): AggNode | undefined {
  if (node.kind === "agg") return node;
  if (node.kind === "alias") return aggOf(node.operand);
  return undefined;
}

export function aggregate(input: L.PlanNode, keys: readonly L.NamedExpr[], aggs: readonly L.NamedExpr[]): L.AggregateNode {
  keys.forEach((k) => noAgg(k.node, "groupBy"));
  const keyFields = keys.map((k) => field(k.name, k.node, input.schema));
  const aggFields = aggs.map((a) => {
    const agg = aggOf(a.node);
    if (agg === undefined) throw new InvalidArgumentError(`agg(): "${a.name}" is not an aggregation (use sum(), count(), ...)`);
    if (agg.operand !== undefined) noAgg(agg.operand, "agg");
    const inputType = agg.operand === undefined ? undefined : compileExpr(agg.operand, input.schema).type;
    return new A.Field(a.name, aggResultType(agg.fn, inputType), true);
  });
  unique([...keys, ...aggs].map((e) => e.name), "agg");
  return { kind: "aggregate", input, keys, aggs, schema: new A.Schema([...keyFields, ...aggFields]) };
}

/** Options of a join. */
export interface JoinSpec {
  leftOn: readonly ExprNode[];
  rightOn: readonly ExprNode[];
  how: JoinHow;
  /** Added to right column names that clash with left ones. Default "_right". */
  suffix?: string;
}

export function join(left: L.PlanNode, right: L.PlanNode, spec: JoinSpec): L.JoinNode {
  const { leftOn, rightOn, how } = spec;
  if (leftOn.length === 0 || leftOn.length !== rightOn.length) {
    throw new InvalidArgumentError(`join: give the same number of keys on both sides (got ${leftOn.length} and ${rightOn.length})`);
  }
  leftOn.forEach((k, i) => {
    const lt = compileExpr(k, left.schema).type;
    const rt = compileExpr(rightOn[i]!, right.schema).type;
    if (!typesEqual(lt, rt) && commonType(lt, rt) === undefined) {
      throw new InvalidArgumentError(`join: key ${i + 1} is ${typeName(lt)} on the left but ${typeName(rt)} on the right`);
    }
  });
  const suffix = spec.suffix ?? "_right";
  const leftNames = new Set(left.schema.fields.map((f) => f.name));
  // Right keys that are plain columns named like their left key are the same value: keep one copy (inner/left/semi).
  const dropRight = new Set(
    rightOn.flatMap((k, i) => {
      const l = leftOn[i]!;
      return k.kind === "column" && l.kind === "column" && k.path.length === 1 && l.path.length === 1 && k.path[0] === l.path[0] && how !== "right" && how !== "outer"
        ? [k.path[0]!]
        : [];
    }),
  );
  const semi = how === "semi" || how === "anti";
  const rightColumns = semi
    ? []
    : right.schema.fields
        .filter((f) => !dropRight.has(f.name))
        .map((f) => ({ from: f.name, to: leftNames.has(f.name) ? `${f.name}${suffix}` : f.name }));
  const nullLeft = how === "right" || how === "outer";
  const nullRight = how === "left" || how === "outer";
  const fields = [
    ...left.schema.fields.map((f) => (nullLeft ? new A.Field(f.name, f.type, true, f.metadata) : f)),
    ...rightColumns.map((c) => {
      const f = right.schema.fields.find((x) => x.name === c.from)!;
      return new A.Field(c.to, f.type, nullRight || f.nullable, f.metadata);
    }),
  ];
  unique(
    fields.map((f) => f.name),
    "join",
  );
  return { kind: "join", left, right, leftOn, rightOn, how, suffix, rightColumns, schema: new A.Schema(fields) };
}

export function sort(input: L.PlanNode, keys: readonly L.PlanSortKey[]): L.SortNode {
  if (keys.length === 0) throw new InvalidArgumentError("sort() needs at least one key");
  for (const k of keys) {
    noAgg(k.node, "sort");
    const t = compileExpr(k.node, input.schema).type;
    if (typeClass(t) === "other" && !A.DataType.isBinary(t)) throw new InvalidArgumentError(`sort: cannot order values of type ${typeName(t)}`);
  }
  return { kind: "sort", input, keys, schema: input.schema };
}

function count(n: number | undefined, what: string): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new InvalidArgumentError(`${what} must be a whole number ≥ 0, got ${n}`);
}

export function limit(input: L.PlanNode, n: number | undefined, offset = 0): L.LimitNode {
  count(n, "limit");
  count(offset, "offset");
  return n === undefined ? { kind: "limit", input, offset, schema: input.schema } : { kind: "limit", input, limit: n, offset, schema: input.schema };
}

export function topN(input: L.PlanNode, keys: readonly L.PlanSortKey[], n: number, offset: number): L.TopNNode {
  sort(input, keys);
  count(n, "limit");
  count(offset, "offset");
  return { kind: "topN", input, keys, limit: n, offset, schema: input.schema };
}

export function distinct(input: L.PlanNode, columns?: readonly string[]): L.DistinctNode {
  if (columns === undefined || columns.length === 0) return { kind: "distinct", input, schema: input.schema };
  for (const c of columns) checkColumns({ kind: "column", path: [c] }, input.schema);
  return { kind: "distinct", input, columns, schema: input.schema };
}

export function explode(input: L.PlanNode, column: string): L.ExplodeNode {
  checkColumns({ kind: "column", path: [column] }, input.schema);
  const fields = input.schema.fields.map((f) => {
    if (f.name !== column) return f;
    if (!A.DataType.isList(f.type) && !A.DataType.isFixedSizeList(f.type)) {
      throw new InvalidArgumentError(`explode: column "${column}" is ${typeName(f.type)}, not a list`);
    }
    const item = (f.type as A.List | A.FixedSizeList).children[0]!;
    return new A.Field(column, item.type, true, f.metadata);
  });
  return { kind: "explode", input, column, schema: new A.Schema(fields, input.schema.metadata) };
}

export function sample(input: L.PlanNode, options: { fraction?: number; size?: number; seed?: number }): L.SampleNode {
  const { fraction, size } = options;
  if ((fraction === undefined) === (size === undefined)) throw new InvalidArgumentError("sample: give exactly one of fraction or size");
  if (fraction !== undefined && !(fraction >= 0 && fraction <= 1)) throw new InvalidArgumentError(`sample: fraction must be in [0, 1], got ${fraction}`);
  count(size, "sample size");
  const seed = options.seed ?? 0;
  const base = { kind: "sample" as const, input, seed, schema: input.schema };
  return fraction !== undefined ? { ...base, fraction } : { ...base, size: size! };
}

export function concat(inputs: readonly L.PlanNode[]): L.ConcatNode {
  const [first, ...rest] = inputs;
  for (const [i, p] of rest.entries()) {
    const a = first!.schema.fields;
    const b = p.schema.fields;
    const same = a.length === b.length && a.every((f, j) => f.name === b[j]!.name && typesEqual(f.type, b[j]!.type));
    if (!same) {
      const show = (fs: readonly A.Field[]): string => fs.map((f) => `${f.name}: ${typeName(f.type)}`).join(", ");
      throw new InvalidArgumentError(`concat: input ${i + 2} has columns (${show(b)}) but the first has (${show(a)})`);
    }
  }
  const fields = first!.schema.fields.map((f, j) => new A.Field(f.name, f.type, inputs.some((p) => p.schema.fields[j]!.nullable), f.metadata));
  return { kind: "concat", inputs, schema: new A.Schema(fields) };
}

const WRITE_SCHEMA = new A.Schema([
  new A.Field("uri", new A.Utf8(), false),
  new A.Field("rows", new A.Int64(), false),
  new A.Field("bytes", new A.Int64(), true),
  new A.Field("version", new A.Int64(), true),
]);

export function write(input: L.PlanNode, sink: L.Sink): L.WriteNode {
  return { kind: "write", input, sink, schema: WRITE_SCHEMA };
}
