// `tessera cleanup <table>`: removes versions older than a time (never the latest or tagged ones) and the files
// no kept version references (Table.cleanup).

import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";
import { formatBytes, plural } from "../output.js";

/** Options of `cleanup`. */
export interface CleanupCommandOptions {
  /** Versions committed before this may go. Default: 7 days ago. */
  olderThan?: Date;
  /** Unreferenced files younger than this (ms) are kept. Default 10 minutes. */
  gracePeriodMs?: number;
}

/** What `cleanup` removed. */
export interface CleanupResult {
  uri: string;
  olderThan: Date;
  removedVersions: number;
  removedFiles: number;
  removedBytes: number;
  versionsKept: number[];
}

const WEEK_MS = 7 * 86_400_000;

/** Cleans up the table at `uri`. */
export async function cleanup(uri: string, o: CleanupCommandOptions, ctx: CommandContext): Promise<CleanupResult> {
  const t = await Table.open(uri, { storage: ctx.storage });
  const olderThan = o.olderThan ?? new Date(Date.now() - WEEK_MS);
  const stats = await t.cleanup({ olderThan, ...(o.gracePeriodMs !== undefined ? { gracePeriodMs: o.gracePeriodMs } : {}) });
  const versionsKept = (await t.versions()).map((v) => v.version);
  return { uri: t.uri, olderThan, ...stats, versionsKept };
}

/** Human lines of `cleanup`. */
export function formatCleanup(r: CleanupResult): string[] {
  return [
    `removed ${plural(r.removedVersions, "version")} older than ${r.olderThan.toISOString()} and ${plural(r.removedFiles, "file")}: ${formatBytes(r.removedBytes)}`,
    `versions kept: ${r.versionsKept.join(", ")}`,
  ];
}
