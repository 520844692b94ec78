// `col(...).embedding.*`: distances and similarities of embedding columns (evaluated by
// src/expr/functions/embedding.ts; see docs/api/multimodal.md).

import { checkMetric, type Metric } from "../../../index/distance.js";
import type { Expr } from "../expr.js";
import { QueryVector } from "../functions/embedding.js";
import { fnExpr } from "./fn.js";

/** What an embedding is compared with: a query vector, or another embedding column (row by row). */
export type EmbeddingOperand = Float32Array | readonly number[] | Expr;

/** Whether the operand is an expression (type-only import of Expr: expr.ts imports this module). */
function isExpr(x: EmbeddingOperand): x is Expr {
  return !Array.isArray(x) && !ArrayBuffer.isView(x) && typeof x === "object" && "node" in x;
}

/** Embedding functions of an expression (a fixed-size list of float32 or float64); null in, null out. */
export class EmbeddingNamespace {
  constructor(protected readonly e: Expr) {}

  /**
   * Distance to `other` under `metric` (default "l2", squared Euclidean; "cosine" is 1 − cos, "dot" 1 − a·b —
   * smaller is nearer, as vector search ranks). float32 for float32 embeddings, float64 if either holds float64.
   * A query vector must have the column's dimension, checked when the plan is built.
   * @example df.withColumn("d", col("embedding").embedding.distance(query, "cosine")).sort("d").limit(10)
   */
  distance(other: EmbeddingOperand, metric: Metric = "l2"): Expr {
    checkMetric(metric);
    return isExpr(other)
      ? fnExpr("embedding.distance", this.e, [other], { metric })
      : fnExpr("embedding.distance", this.e, [], { vector: new QueryVector(other), metric });
  }

  /**
   * Cosine similarity to `other` (a·b / (|a| |b|), 0 when either is all zeros): 1 − `distance(other, "cosine")`.
   * @example df.where(col("embedding").embedding.cosineSimilarity(query).gt(0.8))
   */
  cosineSimilarity(other: EmbeddingOperand): Expr {
    return isExpr(other)
      ? fnExpr("embedding.cosineSimilarity", this.e, [other])
      : fnExpr("embedding.cosineSimilarity", this.e, [], { vector: new QueryVector(other) });
  }
}
