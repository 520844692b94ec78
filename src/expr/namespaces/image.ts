// `col(...).image.*`: image functions (see docs/api/multimodal.md).

import type { Expr } from "../expr.js";

/** image functions of an expression. */
export class ImageNamespace {
  constructor(protected readonly e: Expr) {}
}
