// `tessera import-lancedb <dir> <name> <table>` and `tessera export-lancedb <table> <dir> <name>`: move a table
// between a LanceDB database and Tessera with its schema (types, nullability, field metadata) and rows intact,
// streamed batch by batch (lancedb.ts bridges the two Arrow builds).

import * as A from "apache-arrow";
import { AlreadyExistsError, NotFoundError } from "../../../format/errors.js";
import { typeName } from "../../../format/expr/types.js";
import { Table } from "../../table.js";
import type { CommandContext } from "../context.js";
import { batchesFromLance, lanceCall, loadLanceDb, schemaFromLance, toLance } from "../lancedb.js";
import { withTask } from "../progress.js";

/** Options of both commands. */
export interface LanceOptions {
  /** "create" (default) fails when the target exists; "overwrite" replaces it. */
  mode?: "create" | "overwrite";
  /** Rows per batch written to LanceDB (each add is one LanceDB fragment). Default 65 536. */
  batchSize?: number;
}

/** What a move did. */
export interface LanceResult {
  from: string;
  to: string;
  rows: number;
  columns: { name: string; type: string; nullable: boolean }[];
  /** The Tessera version written (import) or read (export). */
  version: number;
}

function columnsOf(schema: A.Schema): LanceResult["columns"] {
  return schema.fields.map((f) => ({ name: f.name, type: typeName(f.type), nullable: f.nullable }));
}

/** Copies the LanceDB table `name` in the database at `dir` into a new Tessera table at `uri`. */
export async function importLanceDb(dir: string, name: string, uri: string, o: LanceOptions, ctx: CommandContext): Promise<LanceResult> {
  const db = await loadLanceDb("import-lancedb");
  const conn = await lanceCall(`opening database ${dir}`, () => db.lancedb.connect(dir));
  try {
    const names = await lanceCall(`listing tables of ${dir}`, () => conn.tableNames());
    if (!names.includes(name)) {
      throw new NotFoundError(`LanceDB database ${dir} has no table "${name}"; its tables are: ${names.length > 0 ? names.join(", ") : "(none)"}`, { path: dir });
    }
    const lt = await lanceCall(`opening table "${name}"`, () => conn.openTable(name));
    try {
      const schema = schemaFromLance(db, await lanceCall("reading the schema", () => lt.schema()));
      const total = await lanceCall("counting rows", () => lt.countRows());
      const t = await withTask(ctx.progress, `import ${name}`, total, async (task) => {
        let done = 0;
        const batches = (async function* () {
          for await (const b of lt.query()) {
            for (const ours of batchesFromLance(db, b)) {
              done += ours.numRows;
              task.update(done);
              yield ours;
            }
          }
        })();
        // An empty LanceDB table still has a schema: an empty Arrow table of it creates the Tessera table.
        const data = total === 0 ? new A.Table(schema) : batches;
        return Table.create(uri, data, { mode: o.mode ?? "create", storage: ctx.storage });
      });
      return { from: `${dir} (${name})`, to: t.uri, rows: t.rows, columns: columnsOf(t.schema), version: t.version };
    } finally {
      lt.close();
    }
  } finally {
    conn.close();
  }
}

/** Copies a Tessera table version into the LanceDB database at `dir` as table `name`. */
export async function exportLanceDb(uri: string, dir: string, name: string, o: LanceOptions, ctx: CommandContext): Promise<LanceResult> {
  const t = await Table.open(uri, { storage: ctx.storage });
  const db = await loadLanceDb("export-lancedb");
  const conn = await lanceCall(`opening database ${dir}`, () => db.lancedb.connect(dir));
  try {
    const mode = o.mode ?? "create";
    if (mode === "create" && (await lanceCall(`listing tables of ${dir}`, () => conn.tableNames())).includes(name)) {
      throw new AlreadyExistsError(`LanceDB database ${dir} already has a table "${name}"; pass --mode overwrite to replace it`, { path: dir });
    }
    const lt = await lanceCall(`creating table "${name}"`, () => conn.createEmptyTable(name, toLance(db, t.schema).schema, { mode }));
    try {
      await withTask(ctx.progress, `export ${name}`, t.rows, async (task) => {
        for await (const batch of t.scan({ batchSize: o.batchSize ?? 65_536 })) {
          if (batch.numRows === 0) continue;
          await lanceCall(`adding rows to "${name}"`, () => lt.add(toLance(db, batch)));
          task.increment(batch.numRows);
        }
      });
      const rows = await lanceCall("counting rows", () => lt.countRows());
      return { from: t.uri, to: `${dir} (${name})`, rows, columns: columnsOf(schemaFromLance(db, await lt.schema())), version: t.version };
    } finally {
      lt.close();
    }
  } finally {
    conn.close();
  }
}

/** Human lines of both commands. */
export function formatLance(r: LanceResult): string[] {
  return [`copied ${r.rows} rows from ${r.from} to ${r.to}`, `columns: ${r.columns.map((c) => `${c.name} ${c.type}${c.nullable ? "" : " not null"}`).join(", ")}`];
}
