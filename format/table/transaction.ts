// The conflict matrix (docs/format/table.md §Conflicts): may an operation prepared on an older version be replayed
// on top of one that another writer committed first? Pure function of the two operation records.

import type { OperationRecord } from "./manifest.js";

type OpType = OperationRecord["type"];

/** Operations that write whole rows under the schema they were prepared with. */
const ROW_WRITERS: ReadonlySet<OpType> = new Set(["append", "update", "merge_insert"]);
/** Operations that replace the whole table state. */
const REPLACERS: ReadonlySet<OpType> = new Set(["create", "overwrite", "restore"]);
/** Operations that change existing fragments' rows (deletions) or remove fragments. */
const FRAGMENT_CHANGERS: ReadonlySet<OpType> = new Set(["delete", "update", "merge_insert", "rewrite"]);

function overlap(a: readonly number[] | undefined, b: readonly number[] | undefined): number[] {
  if (a === undefined || b === undefined) return [];
  const s = new Set(a);
  return b.filter((x) => s.has(x));
}

function schemaChanging(r: OperationRecord): boolean {
  return r.schemaChanged === true || r.type === "add_columns" || r.type === "drop_columns" || r.type === "rename_column";
}

/**
 * Why `mine` (prepared before `other` committed) cannot be replayed after `other`, or undefined when it can.
 * Replaying is done by the operation's own `build`, e.g. a delete merges its deletion vector with the other's.
 */
export function conflictBetween(mine: OperationRecord, other: OperationRecord): string | undefined {
  if (REPLACERS.has(other.type)) return `the table was replaced by ${other.type}; reopen it and retry`;
  if (mine.type === "overwrite" || mine.type === "restore") {
    return `${mine.type} replaces the whole table, and the table changed since it was prepared; reopen it and retry`;
  }
  if (schemaChanging(other)) {
    if (ROW_WRITERS.has(mine.type)) return "the schema changed since the rows were prepared; reopen the table and retry";
    if (schemaChanging(mine)) return "both operations change the schema; reopen the table and retry";
    if (mine.type === "rewrite") return "compaction would drop the columns just added; run it again";
  }
  if (other.type === "append") {
    // New keys may have arrived that this merge did not see, which could duplicate them.
    if (mine.type === "merge_insert") return "rows were appended that the merge did not see; retry the merge";
    return undefined;
  }
  if (FRAGMENT_CHANGERS.has(other.type)) {
    const both = overlap(mine.touchedFragments, other.touchedFragments);
    if (mine.type === "merge_insert" && (other.addedFragments?.length ?? 0) > 0) {
      return "rows were inserted that the merge did not see; retry the merge";
    }
    if (both.length === 0) {
      if (mine.type === "add_columns" && other.type === "rewrite") return "compaction replaced fragments the new columns were computed for";
      return undefined;
    }
    if (mine.type === "delete" && other.type === "delete") return undefined; // deletion vectors merge
    if (mine.type === "add_columns" && other.type !== "rewrite") return undefined; // new files do not touch deletions
    return `both change fragment${both.length > 1 ? "s" : ""} ${both.join(", ")}; reopen the table and retry`;
  }
  return undefined;
}
