// The name a computed column gets when none is given: an alias, else the first column the expression reads (as
// Daft and Polars do: `col("x") + 1` is "x"), else "literal"; count(*) is "count".

import { childNodes, type ExprNode } from "./node.js";

/**
 * The default output name of `n`.
 * @example outputName(col("price").mul(col("qty")).node) // "price"
 */
export function outputName(n: ExprNode): string {
  if (n.kind === "alias") return n.name;
  if (n.kind === "column") return n.path[n.path.length - 1]!;
  if (n.kind === "agg" && n.operand === undefined) return "count";
  for (const c of childNodes(n)) {
    const name = firstColumn(c);
    if (name !== undefined) return name;
  }
  return "literal";
}

function firstColumn(n: ExprNode): string | undefined {
  if (n.kind === "alias") return n.name;
  if (n.kind === "column") return n.path[n.path.length - 1]!;
  for (const c of childNodes(n)) {
    const name = firstColumn(c);
    if (name !== undefined) return name;
  }
  return undefined;
}
