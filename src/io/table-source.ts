// Tessera tables as engine sources and sinks: scans push columns, filters (evaluated with page statistics) and
// limits into the table; writes create, append, overwrite, or merge new columns back by `_rowid`.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { formatExpr } from "../../format/expr/format-expr.js";
import { ROW_ID } from "../../format/table/read.js";
import type { OpenTableOptions } from "../../format/table/table.js";
import { Table } from "../../index/table.js";
import type { Sink } from "../plan/logical.js";
import { projectBatch } from "./batch-utils.js";
import type { ScanContext, ScanPushdown, ScanSource, WriteSummary } from "./source.js";

/** Options of `readTable`. */
export interface ReadTableOptions extends OpenTableOptions {
  /** Include the `_rowid` column (needed to merge computed columns back). Default false. */
  withRowId?: boolean;
}

/** A table scan; `table` lets optimizer rules consult the table's indexes (see rules/use-vector-index.ts). */
export interface TableScanSource extends ScanSource {
  readonly table: Table;
}

/** A ScanSource over one version of a table. */
export function tableSource(table: Table, options: { withRowId?: boolean } = {}): TableScanSource {
  const withRowId = options.withRowId === true;
  const schema = withRowId ? new A.Schema([...table.schema.fields, new A.Field(ROW_ID, new A.Uint64(), false)]) : table.schema;
  return {
    kind: "Table",
    table,
    description: `${table.uri} v${table.version}`,
    schema,
    supports: { projection: true, filter: "exact", limit: true },
    rowCount: undefined,
    async *scan(pushdown: ScanPushdown, context: ScanContext): AsyncIterable<A.RecordBatch> {
      const columns = pushdown.columns ?? schema.fields.map((f) => f.name);
      const wantsRowId = columns.includes(ROW_ID);
      const plain = columns.filter((c) => c !== ROW_ID);
      // A scan of no column still needs rows: read the row ids and drop them.
      const read = plain.length === 0 && !wantsRowId ? [] : plain;
      const opts = {
        columns: read,
        withRowId: wantsRowId || read.length === 0,
        batchSize: context.batchSize,
        ...(pushdown.filter !== undefined ? { filter: pushdown.filter } : {}),
        ...(pushdown.limit !== undefined ? { limit: pushdown.limit } : {}),
      };
      for await (const b of table.scan(opts)) yield b;
    },
  };
}

/** Opens a table for reading as a source. */
export async function openTableSource(uri: string, options: ReadTableOptions = {}): Promise<ScanSource> {
  const { withRowId, ...open } = options;
  const table = await Table.open(uri, open);
  return tableSource(table, { withRowId: withRowId === true });
}

/** How `writeTable` treats an existing table. */
export type WriteTableMode = "create" | "append" | "overwrite" | "merge";

/** Options of `writeTable`. */
export interface WriteTableOptions extends Pick<OpenTableOptions, "storage"> {
  /** Default "create" (fails if a table exists). "merge" adds the DataFrame's new columns by `_rowid`. */
  mode?: WriteTableMode;
}

/** A sink writing into a table at `uri`. */
export function tableSink(uri: string, options: WriteTableOptions = {}): Sink {
  const mode = options.mode ?? "create";
  const storage = options.storage === undefined ? {} : { storage: options.storage };
  return {
    kind: `Table(${mode})`,
    uri,
    async write(stream: AsyncIterable<A.RecordBatch>, schema: A.Schema): Promise<WriteSummary> {
      let rows = 0;
      const counted = (async function* () {
        for await (const b of stream) {
          rows += b.numRows;
          yield b;
        }
      })();
      let table: Table;
      if (mode === "create" || mode === "overwrite") {
        if (schema.fields.some((f) => f.name === ROW_ID)) {
          throw new InvalidArgumentError(`writeTable: drop the ${ROW_ID} column before creating a table (exclude("${ROW_ID}"))`);
        }
        table = await Table.create(uri, counted, { mode, ...storage });
      } else if (mode === "append") {
        table = await Table.open(uri, storage);
        await table.append(counted);
      } else {
        if (!schema.fields.some((f) => f.name === ROW_ID)) {
          throw new InvalidArgumentError(`writeTable merge: the DataFrame needs the ${ROW_ID} column (readTable(uri, { withRowId: true }))`);
        }
        table = await Table.open(uri, storage);
        const existing = new Set(table.schema.fields.map((f) => f.name));
        const added = schema.fields.filter((f) => f.name !== ROW_ID && !existing.has(f.name)).map((f) => f.name);
        if (added.length === 0) throw new InvalidArgumentError("writeTable merge: the DataFrame has no column the table lacks; nothing to add");
        const only = (async function* () {
          for await (const b of counted) yield projectBatch(b, [ROW_ID, ...added]);
        })();
        await table.addColumns(only);
      }
      return { uri, rows, version: table.version };
    },
  };
}

/** A short text of a pushed filter (explain). */
export function describeFilter(f: ScanPushdown["filter"]): string {
  return f === undefined ? "" : formatExpr(f);
}
