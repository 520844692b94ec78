// `col(...).url.*`: url functions (see docs/api/multimodal.md).

import type { Expr } from "../expr.js";

/** url functions of an expression. */
export class UrlNamespace {
  constructor(protected readonly e: Expr) {}
}
