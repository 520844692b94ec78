// `tessera restore <table> <version|tag>`: commits a new version whose schema, rows and indexes equal the old
// one's (nothing is copied; the versions in between stay in the history).

import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";

/** What `restore` did. */
export interface RestoreResult {
  uri: string;
  /** The version (or tag) restored. */
  restored: number | string;
  restoredVersion: number;
  /** The new version it committed. */
  version: number;
  rows: number;
}

/** Restores `target` (a version number or a tag name) as a new version. */
export async function restore(uri: string, target: number | string, ctx: CommandContext): Promise<RestoreResult> {
  const t = await Table.open(uri, { storage: ctx.storage });
  const old = await t.checkout(target);
  await t.restore(target);
  return { uri: t.uri, restored: target, restoredVersion: old.version, version: t.version, rows: t.rows };
}

/** Human lines of `restore`. */
export function formatRestore(r: RestoreResult): string[] {
  const what = typeof r.restored === "string" ? `tag "${r.restored}" (version ${r.restoredVersion})` : `version ${r.restoredVersion}`;
  return [`restored ${what} as version ${r.version}: ${r.rows} rows`];
}
