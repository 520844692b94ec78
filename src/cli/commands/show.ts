// `tessera show <table>`: rows of a table version, with a filter, chosen columns and a limit.

import type * as A from "apache-arrow";
import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";
import { plural, rowsOf } from "../output.js";
import { tableText } from "../table-text.js";

/** Options of `show`. */
export interface ShowCommandOptions {
  where?: string;
  columns?: string[];
  /** Rows to show. Default 20. */
  limit?: number;
  offset?: number;
  version?: number;
  tag?: string;
  /** Add the `_rowid` column (to use with `search --row`). */
  rowId?: boolean;
}

/** What `show` returns. */
export interface ShowResult {
  uri: string;
  version: number;
  /** Rows matching the filter (all live rows without one). */
  matching: number;
  rows: Record<string, unknown>[];
  /** The rows as Arrow, for the human table (not printed by --json). */
  table?: A.Table;
}

/** Reads the asked rows. */
export async function show(uri: string, o: ShowCommandOptions, ctx: CommandContext): Promise<ShowResult> {
  const open = { ...(o.version !== undefined ? { version: o.version } : {}), ...(o.tag !== undefined ? { tag: o.tag } : {}), storage: ctx.storage };
  const t = await Table.open(uri, open);
  const scan = {
    ...(o.columns ? { columns: o.columns } : {}),
    ...(o.where !== undefined ? { filter: o.where } : {}),
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
    limit: o.limit ?? 20,
    withRowId: o.rowId === true,
  };
  const table = await t.toArrow(scan);
  const matching = o.where === undefined ? t.rows : await t.countRows(o.where);
  return { uri: t.uri, version: t.version, matching, rows: rowsOf(table), table };
}

/** `show` without the Arrow table: what --json prints. */
export function showJson(r: ShowResult): Omit<ShowResult, "table"> {
  const { table: _t, ...rest } = r;
  return rest;
}

/** Human lines of `show`. */
export function formatShow(r: ShowResult): string[] {
  const shown = r.rows.length;
  return [...(r.table ? tableText(r.table) : []), `${plural(shown, "row")} of ${r.matching} shown (version ${r.version})`];
}
