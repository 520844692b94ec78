// pushDownProjection: walks the plan from the top with the set of columns each node's consumer reads, so only
// those flow: projections and aggregates drop outputs nobody reads (UDF outputs included: an unread UDF is not
// called), projections that change nothing disappear, scans read only what is needed (a filter pushed into a scan
// is the source's business: it reads the filter's columns itself), and join and aggregate inputs get a Project
// narrowing them when their input cannot narrow itself. A node never ends with no column: Arrow JS batches without
// columns lose their row count, which count(*) needs, so one (preferably narrow) column is kept.

import * as A from "apache-arrow";
import type { ExprNode } from "../../../expr/node.js";
import * as B from "../../build.js";
import { withInputs, type NamedExpr, type PlanNode } from "../../logical.js";
import { colNode, columnsIn, hasCostly } from "../expr-tools.js";
import { isIdentity, outputNames } from "../plan-tools.js";

type Need = ReadonlySet<string>;

/** Prunes unread columns everywhere (see the module comment); the plan's own output is unchanged. */
export function pushDownProjection(plan: PlanNode): PlanNode {
  return prune(plan, new Set(outputNames(plan)));
}

type Pruner<K extends PlanNode["kind"]> = (p: Extract<PlanNode, { kind: K }>, need: Need) => PlanNode;

/**
 * `p` with every output in `need` (and maybe more, in the same order), reading as little as it can. `p` itself
 * when nothing changes.
 */
function prune(p: PlanNode, need: Need): PlanNode {
  return (PRUNERS[p.kind] as Pruner<PlanNode["kind"]>)(p, need);
}

const PRUNERS: { [K in PlanNode["kind"]]: Pruner<K> } = {
  scan: (p, need) => {
    if (!p.source.supports.projection) return p;
    const cols = atLeastOne(outputNames(p).filter((n) => need.has(n)), p.schema);
    if (cols.length === p.schema.fields.length) return p;
    const fields = p.schema.fields.filter((f) => cols.includes(f.name));
    return { ...p, pushdown: { ...p.pushdown, columns: fields.map((f) => f.name) }, schema: new A.Schema(fields, p.source.schema.metadata) };
  },
  project: (p, need) => pruneProject(p.exprs, p.input, need, "project", p),
  udfProject: (p, need) => pruneProject(p.exprs, p.input, need, "udfProject", p),
  filter: (p, need) => {
    const input = prune(p.input, union(need, columnsIn(p.predicate, p.input.schema)));
    return input === p.input ? p : B.filter(input, p.predicate);
  },
  sort: (p, need) => {
    const input = prune(p.input, union(need, p.keys.flatMap((k) => columnsIn(k.node, p.input.schema))));
    return input === p.input ? p : B.sort(input, p.keys);
  },
  topN: (p, need) => {
    const input = prune(p.input, union(need, p.keys.flatMap((k) => columnsIn(k.node, p.input.schema))));
    return input === p.input ? p : B.topN(input, p.keys, p.limit, p.offset);
  },
  limit: (p, need) => {
    const input = prune(p.input, need);
    return input === p.input ? p : B.limit(input, p.limit, p.offset);
  },
  sample: (p, need) => {
    const input = prune(p.input, need);
    if (input === p.input) return p;
    return B.sample(input, p.fraction !== undefined ? { fraction: p.fraction, seed: p.seed } : { size: p.size!, seed: p.seed });
  },
  // Without columns every column makes a row distinct, so all of them are read.
  distinct: (p, need) => {
    const input = prune(p.input, p.columns === undefined ? new Set(outputNames(p.input)) : union(need, p.columns));
    return input === p.input ? p : B.distinct(input, p.columns);
  },
  explode: (p, need) => {
    const input = prune(p.input, union(need, [p.column]));
    return input === p.input ? p : B.explode(input, p.column);
  },
  aggregate: (p, need) => {
    const read = p.aggs.filter((a) => need.has(a.name));
    // Keep one aggregation even when none is read: a grouping with no aggregation is a different operator.
    const aggs = read.length > 0 || p.aggs.length === 0 ? read : [p.aggs[0]!];
    const inputNeed = new Set([...p.keys, ...aggs].flatMap((e) => columnsIn(e.node, p.input.schema)));
    const input = narrow(prune(p.input, inputNeed), inputNeed);
    return input === p.input && aggs.length === p.aggs.length ? p : B.aggregate(input, p.keys, aggs);
  },
  join: (p, need) => {
    const leftNeed = union(
      outputNames(p.left).filter((n) => need.has(n)),
      p.leftOn.flatMap((k) => columnsIn(k, p.left.schema)),
    );
    const kept = p.rightColumns.filter((c) => need.has(c.to));
    const rightNeed = union(
      kept.map((c) => c.from),
      p.rightOn.flatMap((k) => columnsIn(k, p.right.schema)),
    );
    const left = narrow(prune(p.left, leftNeed), leftNeed);
    const right = narrow(prune(p.right, rightNeed), rightNeed);
    if (left === p.left && right === p.right && kept.length === p.rightColumns.length) return p;
    // Not rebuilt with B.join: it would rename right columns afresh (a dropped left column no longer clashes) and
    // forget a custom suffix. The output fields are the original ones the narrower inputs still make.
    const byName = new Map(p.schema.fields.map((f) => [f.name, f]));
    const fields = [...outputNames(left).map((n) => byName.get(n)!), ...kept.map((c) => byName.get(c.to)!)];
    return { ...p, left, right, rightColumns: kept, schema: new A.Schema(fields, p.schema.metadata) };
  },
  // Every input must make the same columns in the same order.
  concat: (p, need) => {
    const target = atLeastOne(outputNames(p).filter((n) => need.has(n)), p.schema);
    const inputs = p.inputs.map((i) => exactly(prune(i, new Set(target)), target));
    return inputs.every((x, k) => x === p.inputs[k]) ? p : B.concat(inputs);
  },
  write: (p) => {
    const input = prune(p.input, new Set(outputNames(p.input)));
    return input === p.input ? p : withInputs(p, [input]);
  },
};

function pruneProject(exprs: readonly NamedExpr[], input: PlanNode, need: Need, kind: "project" | "udfProject", p: PlanNode): PlanNode {
  const read = exprs.filter((e) => need.has(e.name));
  const keep = read.length > 0 ? read : [cheapest(exprs)];
  const newInput = prune(input, new Set(keep.flatMap((e) => columnsIn(e.node, input.schema))));
  // A UdfProject left with no UDF is an ordinary projection (which may then merge or vanish).
  const newKind = kind === "udfProject" && keep.some((e) => hasCostly(e.node)) ? "udfProject" : "project";
  if (newKind === "project" && isIdentity(keep, outputNames(newInput))) return newInput;
  if (keep.length === exprs.length && newInput === input && newKind === kind) return p;
  return B.project(newInput, keep, newKind);
}

/** The expression to keep when none is read: a plain column, else a cheap one, else the first. */
function cheapest(exprs: readonly NamedExpr[]): NamedExpr {
  return exprs.find((e) => e.node.kind === "column") ?? exprs.find((e) => !hasCostly(e.node)) ?? exprs[0]!;
}

/** `cols`, or when empty the narrowest column of `schema` (a fixed-width one if any). */
function atLeastOne(cols: string[], schema: A.Schema): string[] {
  if (cols.length > 0 || schema.fields.length === 0) return cols;
  const fixed = schema.fields.find((f) => FIXED_WIDTH.has(f.type.typeId));
  return [(fixed ?? schema.fields[0]!).name];
}

const FIXED_WIDTH = new Set<A.Type>([A.Type.Bool, A.Type.Int, A.Type.Float, A.Type.Date, A.Type.Timestamp, A.Type.Time]);

/** `node` restricted to the columns in `need` (in its order) when it makes more. */
function narrow(node: PlanNode, need: Need): PlanNode {
  const names = outputNames(node);
  const cols = atLeastOne(
    names.filter((n) => need.has(n)),
    node.schema,
  );
  return cols.length === names.length ? node : selectColumns(node, cols);
}

/** `node` making exactly `cols`, in that order. */
function exactly(node: PlanNode, cols: readonly string[]): PlanNode {
  const names = outputNames(node);
  return names.length === cols.length && names.every((n, i) => n === cols[i]) ? node : selectColumns(node, cols);
}

function selectColumns(node: PlanNode, cols: readonly string[]): PlanNode {
  return B.project(
    node,
    cols.map((n) => ({ name: n, node: colNode(n) as ExprNode })),
  );
}

function union(a: Iterable<string>, b: Iterable<string>): Set<string> {
  return new Set([...a, ...b]);
}
