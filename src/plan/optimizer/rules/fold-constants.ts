// foldConstants: subtrees that read no column and that format/expr can evaluate become the literal they evaluate
// to (typed as resolve types them, so nothing around them changes type); `x AND TRUE` and `x OR FALSE` become `x`;
// Filter(TRUE) disappears and Filter(FALSE or NULL) becomes Limit 0 over its input (which later rules push down).

import * as A from "apache-arrow";
import { resolveExpr } from "../../../../format/expr/resolve.js";
import { typeClass } from "../../../../format/expr/types.js";
import { exprType, isLowerable, lower } from "../../../expr/compile.js";
import { columnsOf, type ExprNode, type LiteralNode } from "../../../expr/node.js";
import * as B from "../../build.js";
import type { NamedExpr, PlanNode, PlanSortKey } from "../../logical.js";
import { mapChildrenKeep, sameRefs } from "../expr-tools.js";
import { transformUp } from "../plan-tools.js";

const NO_COLUMNS = new A.Schema([]);

/** Folds constant subexpressions of every node and simplifies trivially true or false filters. */
export function foldConstants(plan: PlanNode): PlanNode {
  return transformUp(plan, (p) => FOLDERS[p.kind]?.(p as never) ?? p);
}

type Folder<K extends PlanNode["kind"]> = (p: Extract<PlanNode, { kind: K }>) => PlanNode;

const FOLDERS: { [K in PlanNode["kind"]]?: Folder<K> } = {
  filter: (p) => {
    const pred = simplify(p.predicate, p.input.schema);
    if (pred.kind === "literal" && pred.value === true) return p.input;
    if (pred.kind === "literal" && pred.value === null) return B.limit(p.input, 0);
    if (pred.kind === "literal" && pred.value === false) return B.limit(p.input, 0);
    return pred === p.predicate ? p : B.filter(p.input, pred);
  },
  project: (p) => {
    const exprs = named(p.exprs, p.input.schema);
    return exprs === p.exprs ? p : B.project(p.input, exprs);
  },
  udfProject: (p) => {
    const exprs = named(p.exprs, p.input.schema);
    return exprs === p.exprs ? p : B.project(p.input, exprs, "udfProject");
  },
  sort: (p) => {
    const keys = sortKeys(p.keys, p.input.schema);
    return keys === p.keys ? p : B.sort(p.input, keys);
  },
  topN: (p) => {
    const keys = sortKeys(p.keys, p.input.schema);
    return keys === p.keys ? p : B.topN(p.input, keys, p.limit, p.offset);
  },
  aggregate: (p) => {
    const keys = named(p.keys, p.input.schema);
    const aggs = named(p.aggs, p.input.schema);
    return keys === p.keys && aggs === p.aggs ? p : B.aggregate(p.input, keys, aggs);
  },
};

function named(exprs: readonly NamedExpr[], schema: A.Schema): readonly NamedExpr[] {
  const out = exprs.map((e) => {
    const node = simplify(e.node, schema);
    return node === e.node ? e : { name: e.name, node };
  });
  return sameRefs(out, exprs) ? exprs : out;
}

function sortKeys(keys: readonly PlanSortKey[], schema: A.Schema): readonly PlanSortKey[] {
  const out = keys.map((k) => {
    const node = simplify(k.node, schema);
    return node === k.node ? k : { ...k, node };
  });
  return sameRefs(out, keys) ? keys : out;
}

/** `n` folded and simplified bottom-up; `n` itself when nothing applies. */
export function simplify(n: ExprNode, schema: A.Schema): ExprNode {
  if (n.kind === "literal" || n.kind === "column") return n;
  if (isLowerable(n) && columnsOf(n).length === 0) {
    const folded = foldLowered(n);
    if (folded !== undefined) return folded;
  }
  const m = mapChildrenKeep(n, (c) => simplify(c, schema));
  return m.kind === "binary" ? dropNeutral(m, schema) : m;
}

/** `x AND TRUE` → x and `x OR FALSE` → x (either side), when x is boolean so the type stays the same. */
function dropNeutral(n: Extract<ExprNode, { kind: "binary" }>, schema: A.Schema): ExprNode {
  const neutral = n.op === "and" ? true : n.op === "or" ? false : undefined;
  if (neutral === undefined) return n;
  const isNeutral = (e: ExprNode): boolean => e.kind === "literal" && e.value === neutral;
  const other = isNeutral(n.right) ? n.left : isNeutral(n.left) ? n.right : undefined;
  if (other === undefined) return n;
  try {
    return A.DataType.isBool(exprType(other, schema)) ? other : n;
  } catch {
    return n;
  }
}

/** The literal a column-free lowerable tree evaluates to, or undefined (an error, or a type a literal cannot hold). */
function foldLowered(n: ExprNode): LiteralNode | undefined {
  let bound;
  try {
    bound = resolveExpr(lower(n), NO_COLUMNS).bound; // resolve folds constant trees bottom-up
  } catch {
    return undefined; // leave the error to surface where it did before
  }
  return bound.kind === "literal" ? literalOf(bound.value, bound.type) : undefined;
}

/**
 * A literal node that binds to exactly `type`. Untyped literals are kept where binding gives the same type anyway
 * (booleans, NULL, strings, non-integral doubles) so explain stays readable; numbers otherwise carry their type,
 * since an untyped integer would adopt its neighbour's type and change the result's.
 */
function literalOf(value: unknown, type: A.DataType): LiteralNode | undefined {
  const k = typeClass(type);
  if (value === null && k === "null") return { kind: "literal", value: null };
  if (k === "bool" && (typeof value === "boolean" || value === null)) return value === null ? { kind: "literal", value: null, type } : { kind: "literal", value };
  if (k === "string" && A.DataType.isUtf8(type) && (typeof value === "string" || value === null)) {
    return value === null ? { kind: "literal", value: null, type } : { kind: "literal", value };
  }
  if (k === "float" && typeof value === "number") {
    const double = (type as A.Float).precision === A.Precision.DOUBLE;
    return double && !Number.isSafeInteger(value) ? { kind: "literal", value } : { kind: "literal", value, type };
  }
  if ((k === "int" || k === "bigint") && (typeof value === "number" || typeof value === "bigint" || value === null)) return { kind: "literal", value, type };
  if (k === "float" && value === null) return { kind: "literal", value: null, type };
  return undefined;
}
