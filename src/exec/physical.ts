// The physical plan: one operator per logical node, chosen here, printed by explain({ optimized: true }) and run as
// a tree of pulled batch streams. Expressions are compiled per run so UDF failures land in that run's context.

import type * as A from "apache-arrow";
import { formatExpr } from "../../format/expr/format-expr.js";
import { formatNode } from "../plan/display.js";
import { compileExpr, type Compiled } from "../expr/compile.js";
import { aggOf } from "../plan/build.js";
import type * as L from "../plan/logical.js";
import { rowsToBatch } from "./rows.js";
import { concatStreams } from "./concat.js";
import type { ExecContext } from "./context.js";
import { distinct } from "./distinct.js";
import { explode } from "./explode.js";
import { hashAggregate } from "./hash-aggregate.js";
import { hashJoin } from "./hash-join.js";
import { limitStream } from "./limit.js";
import { filterStream, projectStream, projectStreamOrdered } from "./project.js";
import { sample } from "./sample.js";
import { sortStream } from "./sort.js";
import type { AggSpec, BatchStream, SortKey } from "./types.js";

/** A node of the physical plan. */
export interface PhysicalOp {
  /** Operator name, e.g. "HashAggregate". */
  readonly name: string;
  /** What explain prints after the name. */
  readonly detail: string;
  readonly inputs: readonly PhysicalOp[];
  readonly schema: A.Schema;
  run(ctx: ExecContext): BatchStream;
}

const PROGRESS_MS = 100;

/** `stream` reporting its row count to ctx.onProgress as `stage`. */
async function* tap(stream: BatchStream, stage: string, ctx: ExecContext): BatchStream {
  const report = ctx.onProgress;
  if (report === undefined) return yield* stream;
  let rows = 0;
  let last = 0;
  for await (const b of stream) {
    rows += b.numRows;
    const now = Date.now();
    if (now - last >= PROGRESS_MS) {
      last = now;
      report({ stage, rows });
    }
    yield b;
  }
  report({ stage, rows, done: true });
}

function compileAll(exprs: readonly L.NamedExpr[], schema: A.Schema, ctx: ExecContext): Compiled[] {
  return exprs.map((e) => compileExpr(e.node, schema, ctx.udf, e.name));
}

function sortKeys(keys: readonly L.PlanSortKey[], schema: A.Schema, ctx: ExecContext): SortKey[] {
  return keys.map((k, i) => ({ column: compileExpr(k.node, schema, ctx.udf, `key${i}`), desc: k.desc, nullsFirst: k.nullsFirst }));
}

function aggSpecs(node: L.AggregateNode, ctx: ExecContext): AggSpec[] {
  return node.aggs.map((a, i) => {
    const agg = aggOf(a.node)!;
    const type = node.schema.fields[node.keys.length + i]!.type;
    const base = { name: a.name, fn: agg.fn, type, ...(agg.ddof !== undefined ? { ddof: agg.ddof } : {}) };
    return agg.operand === undefined ? base : { ...base, input: compileExpr(agg.operand, node.input.schema, ctx.udf) };
  });
}

function exprList(exprs: readonly L.NamedExpr[]): string {
  return exprs.map((e) => (e.node.kind === "column" && e.node.path.join(".") === e.name ? e.name : e.node.kind === "alias" ? formatNode(e.node) : `${formatNode(e.node)} AS ${e.name}`)).join(", ");
}

function sortList(keys: readonly L.PlanSortKey[]): string {
  return keys.map((k) => `${formatNode(k.node)}${k.desc ? " DESC" : ""}`).join(", ");
}

let counter = 0;

/** The physical plan of an (optimized) logical plan. */
export function physicalPlan(plan: L.PlanNode): PhysicalOp {
  counter = 0;
  return build(plan);
}

function op(name: string, detail: string, plan: L.PlanNode, inputs: PhysicalOp[], run: (ctx: ExecContext, ins: BatchStream[]) => BatchStream): PhysicalOp {
  const stage = `${name}#${++counter}`;
  return {
    name,
    detail,
    inputs,
    schema: plan.schema,
    run: (ctx) => tap(run(ctx, inputs.map((i) => i.run(ctx))), stage, ctx),
  };
}

function build(p: L.PlanNode): PhysicalOp {
  switch (p.kind) {
    case "scan": {
      const { columns, filter, limit } = p.pushdown;
      const parts = [p.source.description];
      if (columns) parts.push(`columns=[${columns.join(", ")}]`);
      if (filter) parts.push(`filter=${formatExpr(filter)}`);
      if (limit !== undefined) parts.push(`limit=${limit}`);
      return op(`Scan${p.source.kind}`, parts.join(" "), p, [], (ctx) => p.source.scan(p.pushdown, ctx));
    }
    case "project":
      return op("Project", exprList(p.exprs), p, [build(p.input)], (ctx, [input]) => projectStream(input!, compileAll(p.exprs, p.input.schema, ctx), p.schema));
    case "udfProject":
      // Up to readAhead + 1 batches are computed at once (a worker pool stays busy, reading overlaps the UDF), and
      // no more are pulled from below: that is the whole read-ahead bound.
      return op("UdfProject", exprList(p.exprs), p, [build(p.input)], (ctx, [input]) =>
        projectStreamOrdered(input!, compileAll(p.exprs, p.input.schema, ctx), p.schema, ctx.readAhead + 1),
      );
    case "filter":
      return op("Filter", formatNode(p.predicate), p, [build(p.input)], (ctx, [input]) => filterStream(input!, compileExpr(p.predicate, p.input.schema, ctx.udf)));
    case "aggregate":
      return op(p.keys.length > 0 ? "HashAggregate" : "Aggregate", `${p.keys.length ? `keys=[${exprList(p.keys)}] ` : ""}aggs=[${exprList(p.aggs)}]`, p, [build(p.input)], (ctx, [input]) =>
        hashAggregate(input!, { keys: compileAll(p.keys, p.input.schema, ctx), aggs: aggSpecs(p, ctx), schema: p.schema }),
      );
    case "join":
      return op("HashJoin", `how=${p.how} on=[${p.leftOn.map((k, i) => `${formatNode(k)} = ${formatNode(p.rightOn[i]!)}`).join(", ")}] build=right`, p, [build(p.left), build(p.right)], (ctx, [left, right]) =>
        hashJoin(left!, right!, {
          leftKeys: p.leftOn.map((k, i) => compileExpr(k, p.left.schema, ctx.udf, `lkey${i}`)),
          rightKeys: p.rightOn.map((k, i) => compileExpr(k, p.right.schema, ctx.udf, `rkey${i}`)),
          how: p.how,
          schema: p.schema,
          leftColumns: p.left.schema.fields.map((f) => f.name),
          rightColumns: [...p.rightColumns],
        }),
      );
    case "sort":
      return op("Sort", sortList(p.keys), p, [build(p.input)], (ctx, [input]) => sortStream(input!, sortKeys(p.keys, p.input.schema, ctx)));
    case "topN":
      return op("TopN", `limit=${p.limit}${p.offset ? ` offset=${p.offset}` : ""} by=[${sortList(p.keys)}]`, p, [build(p.input)], (ctx, [input]) =>
        sortStream(input!, sortKeys(p.keys, p.input.schema, ctx), { limit: p.limit, offset: p.offset }),
      );
    case "limit":
      return op("Limit", `${p.limit ?? "all"}${p.offset ? ` offset=${p.offset}` : ""}`, p, [build(p.input)], (_ctx, [input]) =>
        limitStream(input!, p.limit === undefined ? { offset: p.offset } : { limit: p.limit, offset: p.offset }),
      );
    case "distinct":
      return op("Distinct", p.columns ? `on=[${p.columns.join(", ")}]` : "", p, [build(p.input)], (_ctx, [input]) =>
        distinct(input!, p.columns ? [...p.columns] : undefined),
      );
    case "explode":
      return op("Explode", p.column, p, [build(p.input)], (_ctx, [input]) => explode(input!, p.column, p.schema));
    case "sample":
      return op("Sample", p.fraction !== undefined ? `fraction=${p.fraction}` : `size=${p.size}`, p, [build(p.input)], (_ctx, [input]) =>
        sample(input!, { ...(p.fraction !== undefined ? { fraction: p.fraction } : { size: p.size! }), seed: p.seed }),
      );
    case "concat":
      return op("Concat", "", p, p.inputs.map(build), (_ctx, inputs) => concatStreams(inputs, p.schema));
    case "write":
      return op(`Write${p.sink.kind}`, p.sink.uri, p, [build(p.input)], (_ctx, [input]) => writeStream(p, input!));
  }
}

async function* writeStream(p: L.WriteNode, input: BatchStream): BatchStream {
  const summary = await p.sink.write(input, p.input.schema);
  yield rowsToBatch(p.schema, [
    { uri: summary.uri, rows: BigInt(summary.rows), bytes: summary.bytes === undefined ? null : BigInt(summary.bytes), version: summary.version === undefined ? null : BigInt(summary.version) },
  ]);
}
