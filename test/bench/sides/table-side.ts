// The shape every system in the table benchmark has: a versioned table on local disk that takes rows, scans with a
// filter, gains a column computed by a JavaScript function, and lists and checks out versions. DuckDB on Parquet
// only scans. Also: per-file sizes of a directory, to tell what an operation wrote.

import { open, readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";

/** What a read returned; `ids()` is called outside the timed part (or only on untimed warm-ups). */
export interface ReadRows {
  numRows: number;
  /** Values of the `id` column in the order returned. */
  ids(): number[];
}

/**
 * The part of an Arrow `Data` a column function reads. Both Arrow builds (our ESM one and LanceDB's CommonJS
 * one) hand out the same typed arrays, so one function serves both sides.
 */
export interface ColumnChunk {
  readonly length: number;
  /** Values (primitive), or the bytes of all values (binary). Already sliced to this chunk. */
  readonly values: ArrayLike<number> & { readonly length: number };
  /** Binary: `length + 1` offsets into `values` (absolute, not rebased by slicing). */
  readonly valueOffsets?: Int32Array;
  /** Fixed-size list: the one child, sliced to this chunk's rows. */
  readonly children: readonly ColumnChunk[];
}

/** A new column computed in JavaScript from one existing column. */
export interface AddColumnSpec {
  /** The new column's name. */
  name: string;
  /** The existing column it is computed from. */
  input: string;
  type: "uint32" | "float32";
  /** One value per row of the chunks, in order. */
  compute(chunks: readonly ColumnChunk[]): Uint32Array | Float32Array;
}

/** A side that answers the filtered scan. */
export interface ScanSide {
  readonly name: string;
  /** Rows matching the SQL-like `filter`, only `columns`, fully materialized. */
  filteredScan(filter: string, columns: readonly string[]): Promise<ReadRows>;
  close(): Promise<void>;
}

/** A full table side (Tessera, LanceDB). */
export interface TableSide extends ScanSide {
  /** The directory holding the table. */
  readonly dir: string;
  /** Rows at these offsets, all columns. */
  take(offsets: readonly number[]): Promise<ReadRows>;
  /** Adds `spec`'s column; returns the time of each phase in ms when the side has several. */
  addColumn(spec: AddColumnSpec): Promise<Record<string, number>>;
  /** Version numbers, oldest first. */
  versions(): Promise<number[]>;
  /** Rows (matching `filter`, when given) of `version`. */
  checkoutCount(version: number, filter?: string): Promise<number>;
  /** Values of `column` at `offsets`, as numbers keyed by id (for checking a computed column). */
  valuesAt(offsets: readonly number[], column: string): Promise<Map<number, number>>;
}

/** Size and modification time of every file under `dir`, by path relative to it. */
export async function fileSizes(dir: string): Promise<Map<string, { size: number; mtimeMs: number }>> {
  const out = new Map<string, { size: number; mtimeMs: number }>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const s = await stat(path);
    out.set(relative(dir, path), { size: s.size, mtimeMs: s.mtimeMs });
  }
  return out;
}

/** Bytes of the files that are new or changed in `after` (a changed file counts whole: it was rewritten). */
export function newBytes(
  before: ReadonlyMap<string, { size: number; mtimeMs: number }>,
  after: ReadonlyMap<string, { size: number; mtimeMs: number }>,
  under = "",
): number {
  let total = 0;
  for (const [path, f] of after) {
    if (!path.startsWith(under)) continue;
    const old = before.get(path);
    if (old === undefined || old.size !== f.size || old.mtimeMs !== f.mtimeMs) total += f.size;
  }
  return total;
}

/** fsyncs every file under `dir`, so writing back a fresh copy does not compete with the timed work that follows. */
export async function syncFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const fh = await open(join(entry.parentPath, entry.name), "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
