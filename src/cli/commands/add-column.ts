// `tessera add-column <table> <name> <expression>`: a column computed by the SQL-like expression language
// (docs/expressions.md), written zero-copy: one new data file per fragment holding only the new column.

import { typeName } from "../../../format/expr/types.js";
import { Table } from "../../../index/table.js"; // without the DataFrame engine: a quicker start
import type { CommandContext } from "../context.js";
import { withContext } from "../errors.js";
import { formatBytes } from "../output.js";

/** What `add-column` did. */
export interface AddColumnResult {
  uri: string;
  column: string;
  expression: string;
  type: string;
  version: number;
  rows: number;
  /** Bytes written: the new column's files plus the manifest. */
  bytesWritten: number;
}

/** Adds `name` computed by `expression` to every row. */
export async function addColumn(uri: string, name: string, expression: string, ctx: CommandContext): Promise<AddColumnResult> {
  const t = await Table.open(uri, { storage: ctx.storage });
  t.store.resetStats();
  try {
    await t.addColumns({ [name]: expression });
  } catch (err) {
    throw withContext(err, `add-column "${name}"`);
  }
  const field = t.schema.fields.find((f) => f.name === name)!;
  return {
    uri: t.uri,
    column: name,
    expression,
    type: typeName(field.type),
    version: t.version,
    rows: t.rows,
    bytesWritten: t.store.stats.bytesWritten,
  };
}

/** Human lines of `add-column`. */
export function formatAddColumn(r: AddColumnResult): string[] {
  return [`added column "${r.column}" (${r.type}) = ${r.expression} to ${r.rows} rows as version ${r.version}; wrote ${formatBytes(r.bytesWritten)}`];
}
