// The rule batches the optimizer runs, in order (each rule lives in its own file under rules/). UDFs are isolated
// first so that filters and limits can then move below them; the rewrites that enable each other (a folded
// constant, a pushed filter, a merged projection) run together to a fixed point; column pruning runs last, once
// the plan's shape is settled, so it sees every filter in its final place. Index use runs between the two: it needs
// the TopN and the scan filters the rewrites produce, and its search scan is then pruned like any other.

import type { RuleBatch } from "./optimize.js";
import { foldConstants } from "./rules/fold-constants.js";
import { isolateUdfs } from "./rules/isolate-udfs.js";
import { mergeProjections } from "./rules/merge-projections.js";
import { pushDownFilter } from "./rules/push-down-filter.js";
import { pushDownLimit } from "./rules/push-down-limit.js";
import { pushDownProjection } from "./rules/push-down-projection.js";
import { useVectorIndex } from "./rules/use-vector-index.js";

export const RULE_BATCHES: readonly RuleBatch[] = [
  { name: "isolate udfs", strategy: "once", rules: [{ name: "isolateUdfs", rule: isolateUdfs }] },
  {
    name: "rewrite",
    strategy: "fixedPoint",
    rules: [
      { name: "foldConstants", rule: foldConstants },
      { name: "pushDownFilter", rule: pushDownFilter },
      { name: "pushDownLimit", rule: pushDownLimit },
      { name: "mergeProjections", rule: mergeProjections },
    ],
  },
  { name: "use indexes", strategy: "once", rules: [{ name: "useVectorIndex", rule: useVectorIndex }] },
  { name: "prune columns", strategy: "once", rules: [{ name: "pushDownProjection", rule: pushDownProjection }] },
];
