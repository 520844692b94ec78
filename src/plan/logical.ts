// The logical plan: immutable nodes, each knowing its output schema (computed and checked when it is built, see
// build.ts). DataFrame methods add nodes; optimizer rules rewrite trees; the physical planner runs them.

import type * as A from "apache-arrow";
import type { Expr as FilterExpr } from "../../format/expr/ast.js";
import type { JoinHow } from "../exec/types.js";
import type { ExprNode } from "../expr/node.js";
import type { ScanSource, WriteSummary } from "../io/source.js";

/** An expression and the name of the column it makes. */
export interface NamedExpr {
  readonly name: string;
  readonly node: ExprNode;
}

/** A sort key of the plan. */
export interface PlanSortKey {
  readonly node: ExprNode;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

/** What a scan is asked to do (set by the optimizer's pushdown rules). */
export interface PlanPushdown {
  readonly columns?: readonly string[];
  /** A filter the source applies (exactly, or by pruning: see ScanSource.supports). */
  readonly filter?: FilterExpr;
  readonly limit?: number;
}

interface Base {
  readonly schema: A.Schema;
}

export interface ScanNode extends Base {
  readonly kind: "scan";
  readonly source: ScanSource;
  readonly pushdown: PlanPushdown;
}

export interface ProjectNode extends Base {
  readonly kind: "project";
  readonly input: PlanNode;
  readonly exprs: readonly NamedExpr[];
}

/** A projection holding costly expressions (UDFs, downloads), kept apart so nothing is pushed into or past it. */
export interface UdfProjectNode extends Base {
  readonly kind: "udfProject";
  readonly input: PlanNode;
  readonly exprs: readonly NamedExpr[];
}

export interface FilterNode extends Base {
  readonly kind: "filter";
  readonly input: PlanNode;
  readonly predicate: ExprNode;
}

export interface AggregateNode extends Base {
  readonly kind: "aggregate";
  readonly input: PlanNode;
  readonly keys: readonly NamedExpr[];
  /** Each an `agg` node (named). */
  readonly aggs: readonly NamedExpr[];
}

export interface JoinNode extends Base {
  readonly kind: "join";
  readonly left: PlanNode;
  readonly right: PlanNode;
  readonly leftOn: readonly ExprNode[];
  readonly rightOn: readonly ExprNode[];
  readonly how: JoinHow;
  /** Added to right column names that clash with left ones. */
  readonly suffix: string;
  /** Right columns kept in the output and their output names (empty for semi/anti). */
  readonly rightColumns: readonly { readonly from: string; readonly to: string }[];
}

export interface SortNode extends Base {
  readonly kind: "sort";
  readonly input: PlanNode;
  readonly keys: readonly PlanSortKey[];
}

export interface LimitNode extends Base {
  readonly kind: "limit";
  readonly input: PlanNode;
  readonly limit?: number;
  readonly offset: number;
}

/** A sort that keeps only `offset + limit` rows (what `sort(...).limit(n)` becomes). */
export interface TopNNode extends Base {
  readonly kind: "topN";
  readonly input: PlanNode;
  readonly keys: readonly PlanSortKey[];
  readonly limit: number;
  readonly offset: number;
}

export interface DistinctNode extends Base {
  readonly kind: "distinct";
  readonly input: PlanNode;
  /** Columns that make a row distinct; absent: all. */
  readonly columns?: readonly string[];
}

export interface ExplodeNode extends Base {
  readonly kind: "explode";
  readonly input: PlanNode;
  readonly column: string;
}

export interface SampleNode extends Base {
  readonly kind: "sample";
  readonly input: PlanNode;
  readonly fraction?: number;
  readonly size?: number;
  readonly seed: number;
}

export interface ConcatNode extends Base {
  readonly kind: "concat";
  readonly inputs: readonly PlanNode[];
}

/** Where a Write node sends its input. */
export interface Sink {
  /** For explain(): "Parquet", "Table(merge)", ... */
  readonly kind: string;
  readonly uri: string;
  write(stream: AsyncIterable<A.RecordBatch>, schema: A.Schema): Promise<WriteSummary>;
}

export interface WriteNode extends Base {
  readonly kind: "write";
  readonly input: PlanNode;
  readonly sink: Sink;
}

export type PlanNode =
  | ScanNode
  | ProjectNode
  | UdfProjectNode
  | FilterNode
  | AggregateNode
  | JoinNode
  | SortNode
  | LimitNode
  | TopNNode
  | DistinctNode
  | ExplodeNode
  | SampleNode
  | ConcatNode
  | WriteNode;

/** The inputs of a node. */
export function inputsOf(p: PlanNode): readonly PlanNode[] {
  switch (p.kind) {
    case "scan":
      return [];
    case "join":
      return [p.left, p.right];
    case "concat":
      return p.inputs;
    default:
      return [p.input];
  }
}

/** `p` with its inputs replaced (same count and order as inputsOf). The schema is kept: callers keep it valid. */
export function withInputs(p: PlanNode, inputs: readonly PlanNode[]): PlanNode {
  switch (p.kind) {
    case "scan":
      return p;
    case "join":
      return { ...p, left: inputs[0]!, right: inputs[1]! };
    case "concat":
      return { ...p, inputs };
    default:
      return { ...p, input: inputs[0]! } as PlanNode;
  }
}
