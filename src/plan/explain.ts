// explain(): the logical plan as built; with `optimized`, also the optimized logical plan and the physical plan.

import { physicalPlan } from "../exec/physical.js";
import { displayPhysical, displayPlan } from "./display.js";
import type { PlanNode } from "./logical.js";
import { optimize } from "./optimizer/optimize.js";

/** Options of `explain`. */
export interface ExplainOptions {
  /** Also show the optimized logical plan and the physical plan. Default false. */
  optimized?: boolean;
}

/** The text explain() returns. */
export function explainPlan(plan: PlanNode, options: ExplainOptions = {}): string {
  const logical = `== Logical plan ==\n${displayPlan(plan)}`;
  if (!options.optimized) return logical;
  const opt = optimize(plan);
  return `${logical}\n\n== Optimized logical plan ==\n${displayPlan(opt)}\n\n== Physical plan ==\n${displayPhysical(physicalPlan(opt))}`;
}
