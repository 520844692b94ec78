// `tessera versions <table>`: every kept version with its time, operation, rows and tags.

import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";

/** One version in the history. */
export interface VersionLine {
  version: number;
  timestamp: Date;
  operation: string;
  rows: number;
  tags: string[];
  latest: boolean;
}

/** What `versions` returns. */
export interface VersionsResult {
  uri: string;
  versions: VersionLine[];
}

/** Lists the versions of the table at `uri`. */
export async function versions(uri: string, ctx: CommandContext): Promise<VersionsResult> {
  const t = await Table.open(uri, { storage: ctx.storage });
  const [history, tags] = await Promise.all([t.versions(), t.tags.list()]);
  return {
    uri: t.uri,
    versions: history.map((v) => ({
      ...v,
      tags: tags.filter((g) => g.version === v.version).map((g) => g.name),
      latest: v.version === t.version,
    })),
  };
}

/** Human lines of `versions`. */
export function formatVersions(r: VersionsResult): string[] {
  const w = Math.max(7, ...r.versions.map((v) => String(v.version).length));
  const op = Math.max(9, ...r.versions.map((v) => v.operation.length));
  return [
    `${"version".padStart(w)}  ${"committed".padEnd(24)}  ${"operation".padEnd(op)}  ${"rows".padStart(8)}  tags`,
    ...r.versions.map(
      (v) =>
        `${String(v.version).padStart(w)}  ${v.timestamp.toISOString().padEnd(24)}  ${v.operation.padEnd(op)}  ${String(v.rows).padStart(8)}  ${[
          ...v.tags,
          ...(v.latest ? ["(latest)"] : []),
        ].join(", ")}`.trimEnd(),
    ),
  ];
}
