// The optimizer driver: rule batches, each run once or until the plan stops changing (Daft's RuleBatch), in order.

import type { PlanNode } from "../logical.js";
import { RULE_BATCHES } from "./rules.js";

/** A rewrite of a whole plan; returns the same object when nothing applies. */
export type Rule = (plan: PlanNode) => PlanNode;

/** Rules run together. */
export interface RuleBatch {
  readonly name: string;
  readonly rules: readonly { readonly name: string; readonly rule: Rule }[];
  /** "once", or "fixedPoint": repeat until no rule changes the plan (at most `maxPasses`). */
  readonly strategy: "once" | "fixedPoint";
  readonly maxPasses?: number;
}

/** The optimized plan. */
export function optimize(plan: PlanNode, batches: readonly RuleBatch[] = RULE_BATCHES): PlanNode {
  let p = plan;
  for (const batch of batches) {
    const passes = batch.strategy === "once" ? 1 : (batch.maxPasses ?? 20);
    for (let i = 0; i < passes; i++) {
      const before = p;
      for (const { rule } of batch.rules) p = rule(p);
      if (p === before) break;
    }
  }
  return p;
}
