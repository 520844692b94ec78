// The bridge to LanceDB for import-lancedb / export-lancedb. @lancedb/lancedb is optional (a devDependency), so it
// is imported only when asked for. It is CommonJS and uses apache-arrow's CommonJS build, whose classes are not
// ours (`instanceof` fails across the two), so every schema and batch crosses as Arrow IPC bytes — a copy on the
// way out and zero-copy on the way in.

import { createRequire } from "node:module";
import * as A from "apache-arrow";
import { NotFoundError, NotSupportedError, StorageError, isTesseraError } from "../../format/errors.js";

type LanceModule = typeof import("@lancedb/lancedb");
/** LanceDB's own apache-arrow (the CommonJS build it requires). */
type LanceArrow = typeof A;

/** LanceDB and the Arrow build it speaks. */
export interface LanceDb {
  readonly lancedb: LanceModule;
  readonly arrow: LanceArrow;
}

/** Loads @lancedb/lancedb, or fails with what to install. */
export async function loadLanceDb(command: string): Promise<LanceDb> {
  // Its Rust logger reads LANCEDB_LOG when the module loads and otherwise warns on every fresh table.
  process.env.LANCEDB_LOG ??= "error";
  let lancedb: LanceModule;
  try {
    lancedb = await import("@lancedb/lancedb");
  } catch (err) {
    throw new NotSupportedError(`install @lancedb/lancedb to use ${command} (npm install @lancedb/lancedb)`, { cause: err });
  }
  const require = createRequire(createRequire(import.meta.url).resolve("@lancedb/lancedb"));
  return { lancedb, arrow: require("apache-arrow") as LanceArrow };
}

/** Our schema from LanceDB's. */
export function schemaFromLance(db: LanceDb, schema: unknown): A.Schema {
  const empty = new db.arrow.Table(schema as A.Schema);
  return A.tableFromIPC(db.arrow.tableToIPC(empty, "stream")).schema;
}

/** Our batches from one of LanceDB's. */
export function batchesFromLance(db: LanceDb, batch: unknown): A.RecordBatch[] {
  const table = new db.arrow.Table([batch as A.RecordBatch]);
  return A.tableFromIPC(db.arrow.tableToIPC(table, "stream")).batches;
}

/** One of our batches (or an empty table of `schema`) in LanceDB's Arrow. */
export function toLance(db: LanceDb, data: A.RecordBatch | A.Schema): A.Table {
  const table = data instanceof A.Schema ? new A.Table(data) : new A.Table([data]);
  return db.arrow.tableFromIPC(A.tableToIPC(table, "stream"));
}

/** Runs a LanceDB call, turning its plain errors into Tessera errors that say which call failed. */
export async function lanceCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isTesseraError(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/not found|does not exist/i.test(message)) throw new NotFoundError(`LanceDB: ${what}: ${message}`, { cause: err });
    throw new StorageError(`LanceDB: ${what} failed: ${message}`, { cause: err });
  }
}
