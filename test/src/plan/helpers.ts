// Test helpers for plans: an in-memory ScanSource whose capabilities are configurable and which records every
// pushdown it is asked for, an expensive registry function, and running a plan to row objects.

import assert from "node:assert/strict";
import * as A from "apache-arrow";
import { resolvePredicate } from "../../../format/expr/resolve.js";
import { filterIndices } from "../../../format/expr/evaluate.js";
import { collectTable } from "../../../src/exec/collect.js";
import { execContext } from "../../../src/exec/context.js";
import { physicalPlan } from "../../../src/exec/physical.js";
import { takeRows } from "../../../src/exec/project.js";
import { toRowObjects } from "../../../src/exec/rows.js";
import { Expr } from "../../../src/expr/expr.js";
import { registerFunctions } from "../../../src/expr/functions/registry.js";
import type { ExprNode } from "../../../src/expr/node.js";
import type { ScanContext, ScanPushdown, ScanSource, SourceCapabilities } from "../../../src/io/source.js";
import { DataFrame } from "../../../src/dataframe.js";
import * as B from "../../../src/plan/build.js";
import { displayPlan } from "../../../src/plan/display.js";
import type { PlanNode } from "../../../src/plan/logical.js";

/** Column name → values and their Arrow type. */
export type Columns = Readonly<Record<string, readonly [values: readonly unknown[], type: A.DataType]>>;

/** Options of `memorySource`. */
export interface MemorySourceOptions {
  /** Default: projection, exact filters and limits. */
  supports?: Partial<SourceCapabilities>;
  /** Rows per batch. Default 4. */
  batchRows?: number;
  /** What explain prints after the kind. Default "mem". */
  description?: string;
}

/** A ScanSource over batches in memory that records the pushdowns it receives. */
export interface MemorySource extends ScanSource {
  readonly requests: ScanPushdown[];
}

/**
 * A source over `columns`. It honours exactly what `supports` says: an "exact" filter drops every failing row, a
 * "prune" filter drops only whole batches with no matching row (as statistics would), a limit stops early.
 */
export function memorySource(columns: Columns, options: MemorySourceOptions = {}): MemorySource {
  const supports: SourceCapabilities = { projection: true, filter: "exact", limit: true, ...options.supports };
  const table = new A.Table(Object.fromEntries(Object.entries(columns).map(([n, [values, type]]) => [n, A.vectorFromArray(values as unknown[], type)])));
  const schema = table.schema;
  const rows = table.numRows;
  const step = options.batchRows ?? 4;
  const batches: A.RecordBatch[] = [];
  for (let i = 0; i < rows; i += step) batches.push(...table.slice(i, Math.min(rows, i + step)).batches);
  const requests: ScanPushdown[] = [];
  return {
    kind: "Memory",
    description: options.description ?? "mem",
    schema,
    supports,
    requests,
    async *scan(pushdown: ScanPushdown, _context: ScanContext): AsyncIterable<A.RecordBatch> {
      requests.push(pushdown);
      const pred = supports.filter !== "none" && pushdown.filter !== undefined ? resolvePredicate(pushdown.filter, schema) : undefined;
      const limited = supports.limit && pushdown.limit !== undefined && (pred === undefined || supports.filter === "exact");
      let left = limited ? pushdown.limit! : Infinity;
      for (let b of batches) {
        if (left <= 0) return;
        if (pred !== undefined) {
          const hits = filterIndices(pred, b);
          if (hits.length === 0) continue;
          if (supports.filter === "exact") b = takeRows(b, hits);
        }
        if (b.numRows > left) b = b.slice(0, left);
        left -= b.numRows;
        yield supports.projection && pushdown.columns !== undefined ? selectColumns(b, pushdown.columns) : b;
      }
    },
  };
}

/** The batch's columns `names`, in that order (RecordBatch.select loses the values of sliced batches). */
function selectColumns(b: A.RecordBatch, names: readonly string[]): A.RecordBatch {
  const fields = names.map((n) => b.schema.fields.find((f) => f.name === n)!);
  const children = names.map((n) => b.getChild(n)!.data[0]!);
  return new A.RecordBatch(new A.Schema(fields), A.makeData({ type: new A.Struct(fields), length: b.numRows, children }));
}

/** A DataFrame scanning `source`. */
export function frame(source: ScanSource): DataFrame {
  return new DataFrame(B.scan(source));
}

/** The plan as explain prints it. */
export function show(plan: PlanNode | DataFrame): string {
  return displayPlan(plan instanceof DataFrame ? plan.plan : plan);
}

/** Runs a plan as it is (no optimizer) and returns its rows. */
export async function runPlan(plan: PlanNode): Promise<Record<string, unknown>[]> {
  return toRowObjects(await collectTable(physicalPlan(plan).run(execContext()), plan.schema));
}

/** A registered function marked expensive: `test.slow(x)` is x * 2 for int32 x. */
export const SLOW_FN = "test.slow";
let registered = false;

/** `test.slow(operand)` as an Expr (registers the function on first use). */
export function slow(operand: Expr): Expr {
  if (!registered) {
    registered = true;
    registerFunctions({
      name: SLOW_FN,
      expensive: true,
      returnType: () => new A.Int32(),
      evaluate: (args) => {
        const v = args[0] as A.Vector;
        return A.vectorFromArray([...v].map((x) => (x === null ? null : Number(x) * 2)), new A.Int32());
      },
    });
  }
  const node: ExprNode = { kind: "fn", name: SLOW_FN, args: [operand.node], options: {} };
  return new Expr(node);
}

/** A row-wise UDF adding 100 to an int32 (`apply[plus100: int32]` in explain). */
export function plus100(operand: Expr): Expr {
  return operand.apply((v) => (v === null ? null : Number(v) + 100), new A.Int32(), { name: "plus100" });
}

/** The common test data: ids 1..8, a group key, a score, a name and a list column. */
export function people(options: MemorySourceOptions = {}): MemorySource {
  return memorySource(
    {
      id: [[1, 2, 3, 4, 5, 6, 7, 8], new A.Int32()],
      grp: [["a", "b", "a", "b", "a", "c", null, "c"], new A.Utf8()],
      score: [[0.5, 1.5, null, 3.5, 4.5, 5.5, 6.5, 7.5], new A.Float64()],
      name: [["ann", "bob", "cy", "dee", "eve", "fay", "gus", "hal"], new A.Utf8()],
    },
    options,
  );
}

/** Options of `checkRewrite`. */
export interface RewriteCheck {
  /** Turns the DataFrame's plan into the rule's input (e.g. runs an earlier rule). Default: as is. */
  prepare?: (p: PlanNode) => PlanNode;
  /** Also require the output schema (names and types) to be unchanged. Default false. */
  sameSchema?: boolean;
}

/**
 * `rule` applied to a plan, shown as explain text, after checking what every rule must keep: a second pass returns
 * the same object, the rows are those of the input plan (and, when asked, the schema too).
 */
export async function checkRewrite(rule: (p: PlanNode) => PlanNode, q: DataFrame | PlanNode, check: RewriteCheck = {}): Promise<string> {
  const before = (check.prepare ?? ((p) => p))("plan" in q ? q.plan : q);
  const after = rule(before);
  assert.equal(rule(after), after, "a second pass must return the same object");
  if (check.sameSchema) {
    assert.deepEqual(
      after.schema.fields.map((f) => `${f.name}: ${f.type}`),
      before.schema.fields.map((f) => `${f.name}: ${f.type}`),
    );
  }
  assert.deepEqual(await runPlan(after), await runPlan(before));
  return show(after);
}

/** A second small table (id, grade, name) for join and filter tests. */
export function grades(): DataFrame {
  return frame(
    memorySource(
      { id: [[1, 2, 3, 9], new A.Int32()], grade: [[10, 20, 30, 90], new A.Int32()], name: [["x", "y", "z", "w"], new A.Utf8()] },
      { description: "grades" },
    ),
  );
}
