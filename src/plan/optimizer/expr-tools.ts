// Expression helpers the optimizer rules share: conjunctions, which columns a tree reads (resolved against a
// schema), substituting columns by the expressions that made them, cost, and structural equality.

import * as A from "apache-arrow";
import { typesEqual } from "../../../format/file/schema-json.js";
import { getFunction } from "../../expr/functions/registry.js";
import { childNodes, mapChildren, someNode, type ColumnNode, type ExprNode } from "../../expr/node.js";

/** A plain column reference. */
export function colNode(name: string): ColumnNode {
  return { kind: "column", path: [name] };
}

/** The operands of a chain of ANDs, left to right (the node itself when it is not an AND). */
export function conjuncts(n: ExprNode): ExprNode[] {
  return n.kind === "binary" && n.op === "and" ? [...conjuncts(n.left), ...conjuncts(n.right)] : [n];
}

/** `a AND b AND ...`, left-nested; at least one operand. */
export function conjoin(ns: readonly ExprNode[]): ExprNode {
  return ns.slice(1).reduce<ExprNode>((acc, e) => ({ kind: "binary", op: "and", left: acc, right: e }), ns[0]!);
}

/** `n` without the aliases around it (an alias only names a projection's output; inside a tree it is noise). */
export function unalias(n: ExprNode): ExprNode {
  return n.kind === "alias" ? unalias(n.operand) : n;
}

/**
 * Whether this node itself is costly per row: a row-wise or batch UDF, or a registry function marked expensive.
 * Costly nodes run in UdfProject nodes and are never copied or moved into scans.
 */
export function isCostly(n: ExprNode): boolean {
  if (n.kind === "apply" || n.kind === "udf") return true;
  if (n.kind !== "fn") return false;
  try {
    return getFunction(n.name).expensive === true;
  } catch {
    return true; // an unknown function cannot be judged cheap
  }
}

/** Whether a costly node (or an aggregation, which only an Aggregate may evaluate) sits anywhere in the tree. */
export function hasCostly(n: ExprNode): boolean {
  return someNode(n, (e) => isCostly(e) || e.kind === "agg");
}

/** The top-level column a column node names, when it is one of `names`, and the struct path below it. */
export function columnOf(c: ColumnNode, names: ReadonlySet<string>): { name: string; rest: readonly string[] } | undefined {
  const first = c.path[0]!;
  return names.has(first) ? { name: first, rest: c.path.slice(1) } : undefined;
}

/** The names of `schema`'s fields, as a set. */
export function nameSet(schema: A.Schema): Set<string> {
  return new Set(schema.fields.map((f) => f.name));
}

/** Top-level columns of `schema` the tree reads, in order of first use. */
export function columnsIn(n: ExprNode, schema: A.Schema): string[] {
  const names = nameSet(schema);
  const out = new Set<string>();
  const walk = (e: ExprNode): void => {
    if (e.kind === "column") {
      const c = columnOf(e, names);
      if (c !== undefined) out.add(c.name);
    }
    childNodes(e).forEach(walk);
  };
  walk(n);
  return [...out];
}

/** `n` with operands replaced by `f` of each; `n` itself (same object) when `f` changed none of them. */
export function mapChildrenKeep(n: ExprNode, f: (c: ExprNode) => ExprNode): ExprNode {
  const kids = childNodes(n);
  const out = kids.map(f);
  if (out.every((c, i) => c === kids[i])) return n;
  let i = 0;
  return mapChildren(n, () => out[i++]!);
}

/**
 * `n` with each column named in `bindings` replaced by its expression (aliases removed). Undefined when a column
 * is not bound or a struct field is read from a computed binding (`s.x` where `s` is `f(y)`: no node says that).
 */
export function substitute(n: ExprNode, bindings: ReadonlyMap<string, ExprNode>): ExprNode | undefined {
  const names = new Set(bindings.keys());
  let ok = true;
  const walk = (e: ExprNode): ExprNode => {
    if (e.kind !== "column") return mapChildrenKeep(e, walk);
    const c = columnOf(e, names);
    if (c === undefined) {
      ok = false;
      return e;
    }
    const to = unalias(bindings.get(c.name)!);
    if (c.rest.length === 0) return to;
    if (to.kind !== "column") {
      ok = false;
      return e;
    }
    return { kind: "column", path: [...to.path, ...c.rest] };
  };
  const out = walk(n);
  return ok ? out : undefined;
}

/** Structural equality of plain data trees (expressions, lowered filters); functions compare by identity. */
export function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  // Arrow types keep their kind in the prototype (Utf8 and Bool have no own fields at all).
  if (a instanceof A.DataType || b instanceof A.DataType) return a instanceof A.DataType && b instanceof A.DataType && typesEqual(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && sameTree(ra[k], rb[k]));
}

/** Whether two lists hold the same objects in the same order. */
export function sameRefs<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
