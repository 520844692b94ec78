// `tessera compact <table>`: merges small fragments and drops deleted rows (Table.compact), then extends the
// indexes to the rewritten fragments so searches use them again.

import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";
import { plural } from "../output.js";
import { extendIndexes, withPhases } from "../progress.js";

/** Options of `compact`. */
export interface CompactCommandOptions {
  /** Fragments with fewer live rows are merged up to this size. */
  targetRows?: number;
  /** Rewrite fragments whose deleted share exceeds this (0..1). */
  deletedShare?: number;
  /** false: keep fragments with deleted rows as they are. */
  materializeDeletions?: boolean;
  /** false: leave the indexes covering only the old fragments. */
  optimizeIndexes?: boolean;
}

/** What `compact` did. */
export interface CompactResult {
  uri: string;
  fragmentsRemoved: number;
  fragmentsAdded: number;
  rowsRewritten: number;
  fragments: number;
  version: number;
  /** Whether a version was committed. */
  changed: boolean;
  indexesOptimized: boolean;
}

/** Compacts the table at `uri`. */
export async function compact(uri: string, o: CompactCommandOptions, ctx: CommandContext): Promise<CompactResult> {
  const t = await Table.open(uri, { storage: ctx.storage });
  const before = t.version;
  const options = {
    ...(o.targetRows !== undefined ? { targetRowsPerFragment: o.targetRows } : {}),
    ...(o.deletedShare !== undefined ? { deletedShare: o.deletedShare } : {}),
    ...(o.materializeDeletions === false ? { materializeDeletions: false } : {}),
  };
  const stats = await withPhases(ctx.progress, "compact", (onProgress) => t.compact({ ...options, onProgress }));
  const changed = t.version !== before;
  const optimize = changed && o.optimizeIndexes !== false && t.currentManifest.indices.some((i) => i.type !== "flat");
  if (optimize) await extendIndexes(ctx.progress, t);
  return { uri: t.uri, ...stats, fragments: t.currentManifest.fragments.length, version: t.version, changed, indexesOptimized: optimize };
}

/** Human lines of `compact`. */
export function formatCompact(r: CompactResult): string[] {
  if (!r.changed) return [`nothing worth compacting: ${plural(r.fragments, "fragment")}; version ${r.version} unchanged`];
  return [
    `rewrote ${plural(r.rowsRewritten, "row")}: ${r.fragmentsRemoved} fragment(s) → ${r.fragmentsAdded}; ` +
      `the table now has ${plural(r.fragments, "fragment")}; version ${r.version}`,
    ...(r.indexesOptimized ? ["extended the indexes to the rewritten fragments"] : []),
    "old files stay for old versions until `tessera cleanup`",
  ];
}
