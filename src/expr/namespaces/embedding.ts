// `col(...).embedding.*`: embedding functions (see docs/api/multimodal.md).

import type { Expr } from "../expr.js";

/** embedding functions of an expression. */
export class EmbeddingNamespace {
  constructor(protected readonly e: Expr) {}
}
