// The Table: a handle on one version of a versioned table at a URI. Reads go to that version; writes commit a new
// version and move the handle to it. Thin by design: each operation lives in its own module.

import type * as A from "apache-arrow";
import { AlreadyExistsError, InvalidArgumentError } from "../errors.js";
import { openStore } from "../store/open-store.js";
import type { ObjectStore, StorageOptions } from "../store/object-store.js";
import { TableSchema } from "../schema.js";
import { commit, latestVersion, readLatest, readManifest, type PendingCommit } from "./commit.js";
import { TableIo, type FragmentWriteOptions } from "./fragment-io.js";
import { checkWritable, manifestRows, type Manifest } from "./manifest.js";
import { compiler } from "./expressions.js";
import {
  prepareAddByRowId,
  prepareAddExpressions,
  prepareAddFunction,
  type AddColumnsFnOptions,
  type ColumnsFn,
} from "./ops/add-columns.js";
import { prepareAppend, prepareReplace } from "./ops/append.js";
import { prepareCompact, type CompactOptions, type CompactStats } from "./ops/compact.js";
import { prepareDelete } from "./ops/delete.js";
import { prepareMergeInsert, type MergeInsertOptions, type MergeStats } from "./ops/merge-insert.js";
import { prepareDropColumns, prepareRenameColumn } from "./ops/schema-ops.js";
import { prepareUpdate } from "./ops/update.js";
import {
  cleanup,
  createTag,
  deleteTag,
  listTags,
  listVersionInfo,
  prepareRestore,
  tagVersion,
  type CleanupOptions,
  type CleanupStats,
  type TagInfo,
  type VersionInfo,
} from "./ops/versions.js";
import type { ValueExpr } from "./values.js";
import {
  collect,
  countRows,
  scanTable,
  takeOffsets,
  takeRowIds,
  type RowFilter,
  type Snapshot,
  type TableScanOptions,
} from "./read.js";
import type { TableData } from "./write.js";

/** Options for `Table.create`. */
export interface CreateOptions extends FragmentWriteOptions {
  /** "create" (default) fails if a table exists; "overwrite" replaces its contents in a new version. */
  mode?: "create" | "overwrite";
  storage?: StorageOptions;
}

/** Options for `Table.open`. */
export interface OpenTableOptions {
  /** A version number to open instead of the latest. */
  version?: number;
  /** A tag to open instead of the latest. */
  tag?: string;
  storage?: StorageOptions;
}

/** A filter: SQL-like text (`label = 3 AND split = 'train'`), an expression tree, or a prepared RowFilter. */
export type FilterInput = string | object;

/** Options for `update`. */
export interface UpdateOptions extends FragmentWriteOptions {
  /** Rows to change; all rows when absent. */
  where?: FilterInput;
  /** New values: literals or expression trees. */
  values?: Record<string, unknown>;
  /** New values as SQL-like expressions over the row, e.g. `{ score: "score * 2" }`. */
  valuesSql?: Record<string, string>;
}

/** Tag operations of a table. */
export interface Tags {
  create(name: string, version?: number): Promise<void>;
  delete(name: string): Promise<void>;
  list(): Promise<TagInfo[]>;
}

function isRowFilter(f: unknown): f is RowFilter {
  return typeof f === "object" && f !== null && "select" in f && typeof (f as RowFilter).select === "function";
}

function isTableData(x: unknown): x is TableData {
  if (typeof x !== "object" || x === null) return false;
  return "schema" in x || Array.isArray(x) || Symbol.asyncIterator in x || Symbol.iterator in x;
}

/** Options for scans. */
export interface ScanOptions extends Omit<TableScanOptions, "filter"> {
  filter?: FilterInput;
}

/** How subclasses (index/ adds vector search) are constructed by the static factories. */
export type TableConstructor<T extends Table> = new (io: TableIo, manifest: Manifest, readOnly: boolean) => T;

const parsedSchemas = new WeakMap<object, TableSchema>();

/** A versioned table. */
export class Table {
  /** Internal: use `Table.create` or `Table.open`. */
  constructor(
    protected readonly io: TableIo,
    protected manifest: Manifest,
    /** Read-only handles come from checkout() and never move. */
    readonly readOnly: boolean,
  ) {}

  /** Creates a table from data (an Arrow table may have no rows, to set the schema). */
  static async create<T extends Table>(this: TableConstructor<T>, uri: string, data: TableData, options: CreateOptions = {}): Promise<T> {
    const store = await openStore(uri, options.storage);
    const io = new TableIo(store, store.uri);
    const current = await latestVersion(store);
    if (current !== undefined && (options.mode ?? "create") === "create") {
      throw new AlreadyExistsError(`a table already exists at ${store.uri} (version ${current}); use mode "overwrite" to replace it`, {
        uri: store.uri,
      });
    }
    const base = current === undefined ? undefined : await readManifest(store, current);
    const op = await prepareReplace(io, base, data, base === undefined ? "create" : "overwrite", options);
    return new this(io, await commit(store, base, op), false);
  }

  /** Opens the latest version, or the one named by `version` or `tag`. */
  static async open<T extends Table>(this: TableConstructor<T>, uri: string, options: OpenTableOptions = {}): Promise<T> {
    const store = await openStore(uri, options.storage);
    const io = new TableIo(store, store.uri);
    if (options.version !== undefined && options.tag !== undefined) {
      throw new InvalidArgumentError("give either version or tag, not both");
    }
    let manifest: Manifest;
    if (options.tag !== undefined) manifest = await readManifest(store, await tagVersion(store, options.tag));
    else if (options.version !== undefined) manifest = await readManifest(store, options.version);
    else manifest = await readLatest(store);
    return new this(io, manifest, options.version !== undefined || options.tag !== undefined);
  }

  get uri(): string {
    return this.io.uri;
  }
  get store(): ObjectStore {
    return this.io.store;
  }
  get version(): number {
    return this.manifest.version;
  }
  /** The committed manifest of this handle's version (read-only data). */
  get currentManifest(): Manifest {
    return this.manifest;
  }
  get tableSchema(): TableSchema {
    // Parsed once per manifest schema object: every read builds a snapshot from it.
    let s = parsedSchemas.get(this.manifest.schema);
    if (s === undefined) parsedSchemas.set(this.manifest.schema, (s = TableSchema.fromJson(this.manifest.schema)));
    return s;
  }
  get schema(): A.Schema {
    return this.tableSchema.toArrow();
  }

  protected snapshot(): Snapshot {
    return { io: this.io, manifest: this.manifest, schema: this.tableSchema };
  }

  /** Compiled filters by text, per schema object (a schema change gets a fresh map). */
  private readonly compiled = new WeakMap<object, Map<string, RowFilter>>();

  protected filter(f: FilterInput | undefined): RowFilter | undefined {
    if (f === undefined) return undefined;
    if (isRowFilter(f)) return f;
    if (typeof f !== "string") return compiler.filter(f, this.tableSchema);
    let cache = this.compiled.get(this.manifest.schema);
    if (cache === undefined) this.compiled.set(this.manifest.schema, (cache = new Map()));
    let compiled = cache.get(f);
    if (compiled === undefined) {
      compiled = compiler.filter(f, this.tableSchema);
      if (cache.size < 256) cache.set(f, compiled);
    }
    return compiled;
  }

  /** Live rows, or rows matching `filter`. */
  async countRows(filter?: FilterInput): Promise<number> {
    return countRows(this.snapshot(), this.filter(filter));
  }

  /** Streams rows. */
  scan(options: ScanOptions = {}): AsyncIterable<A.RecordBatch> {
    const { filter, ...rest } = options;
    const f = this.filter(filter);
    return scanTable(this.snapshot(), f === undefined ? rest : { ...rest, filter: f });
  }

  /** Rows as one Arrow table. */
  async toArrow(options: ScanOptions = {}): Promise<A.Table> {
    const { filter, ...rest } = options;
    const f = this.filter(filter);
    return collect(this.snapshot(), f === undefined ? rest : { ...rest, filter: f });
  }

  /** Rows at live offsets, in the order asked. */
  async take(offsets: readonly number[], options: { columns?: readonly string[]; withRowId?: boolean } = {}): Promise<A.Table> {
    return takeOffsets(this.snapshot(), offsets, options);
  }

  /** Rows by `_rowid`, in the order asked. */
  async takeRowIds(rowIds: readonly bigint[], options: { columns?: readonly string[]; withRowId?: boolean } = {}): Promise<A.Table> {
    return takeRowIds(this.snapshot(), rowIds, options);
  }

  /** Commits `op` on this handle's version and moves the handle to the result. */
  protected async commitOp(op: PendingCommit | undefined): Promise<void> {
    if (op === undefined) return;
    this.manifest = await commit(this.io.store, this.manifest, op);
  }

  protected writable(what: string): void {
    if (this.readOnly) {
      throw new InvalidArgumentError(`${what}: this handle is a read-only checkout of version ${this.version}; open the table to write`);
    }
    checkWritable(this.manifest, this.io.uri); // before any data file is written
  }

  /** Adds rows; the schema must match the table's. */
  async append(data: TableData, options: FragmentWriteOptions = {}): Promise<void> {
    this.writable("append");
    await this.commitOp(await prepareAppend(this.io, this.manifest, data, options));
  }

  /** Replaces all rows (and the schema) in a new version. */
  async overwrite(data: TableData, options: FragmentWriteOptions = {}): Promise<void> {
    this.writable("overwrite");
    await this.commitOp(await prepareReplace(this.io, this.manifest, data, "overwrite", options));
  }

  /** Moves this handle to the latest committed version. */
  async refresh(): Promise<void> {
    this.manifest = await readLatest(this.io.store);
  }

  /** Live rows of this version, from the manifest alone. */
  get rows(): number {
    return manifestRows(this.manifest);
  }

  /** Deletes the rows matching `filter` (deletion vectors; no data is rewritten). */
  async delete(filter: FilterInput): Promise<void> {
    this.writable("delete");
    await this.commitOp(await prepareDelete(this.io, this.snapshot(), this.filter(filter)));
  }

  /**
   * Sets columns of the rows matching `where` (all rows without it). `values` maps columns to literals or
   * expression trees; `valuesSql` maps them to SQL-like expressions such as `"score * 2"`.
   */
  async update(options: UpdateOptions): Promise<void> {
    this.writable("update");
    const schema = this.tableSchema;
    const values = new Map<string, ValueExpr>();
    for (const [name, v] of Object.entries(options.values ?? {})) {
      values.set(name, compiler.value(v, schema, { target: schema.get(name).field.type, literal: true, column: name }));
    }
    for (const [name, v] of Object.entries(options.valuesSql ?? {})) {
      values.set(name, compiler.value(v, schema, { target: schema.get(name).field.type, column: name }));
    }
    await this.commitOp(await prepareUpdate(this.io, this.snapshot(), this.filter(options.where), values, options));
  }

  /** Upserts `data` on the key columns `on`; returns how many rows were updated, inserted and deleted. */
  async mergeInsert(on: string | readonly string[], data: TableData, options: MergeInsertOptions = {}): Promise<MergeStats> {
    this.writable("mergeInsert");
    const { op, stats } = await prepareMergeInsert(this.io, this.snapshot(), on, data, options);
    await this.commitOp(op);
    return stats;
  }

  /**
   * Adds columns without rewriting existing data: from expressions (`{ name: "sql expression" }`), from a function
   * over streamed batches (`addColumns(fn, { inputColumns, batchSize })`), or from data carrying `_rowid`.
   */
  async addColumns(spec: Record<string, unknown> | ColumnsFn | TableData, options: AddColumnsFnOptions = {}): Promise<void> {
    this.writable("addColumns");
    let op: PendingCommit;
    if (typeof spec === "function") {
      op = await prepareAddFunction(this.io, this.manifest, spec as ColumnsFn, options);
    } else if (isTableData(spec)) {
      op = await prepareAddByRowId(this.io, this.manifest, spec, options);
    } else {
      const schema = this.tableSchema;
      const exprs = new Map(Object.entries(spec).map(([name, e]) => [name, compiler.value(e, schema, { column: name })]));
      if (exprs.size === 0) throw new InvalidArgumentError("addColumns needs at least one column");
      op = await prepareAddExpressions(this.io, this.manifest, exprs, options);
    }
    await this.commitOp(op);
  }

  /** Removes columns from the schema (the manifest only). */
  async dropColumns(names: string | readonly string[]): Promise<void> {
    this.writable("dropColumns");
    await this.commitOp(prepareDropColumns(this.manifest, typeof names === "string" ? [names] : names));
  }

  /** Renames a column (the manifest only). */
  async renameColumn(from: string, to: string): Promise<void> {
    this.writable("renameColumn");
    if (from === to) {
      this.tableSchema.get(from);
      return;
    }
    await this.commitOp(prepareRenameColumn(this.manifest, from, to));
  }

  /** Every version: number, time, operation and live rows. */
  async versions(): Promise<VersionInfo[]> {
    return listVersionInfo(this.io.store);
  }

  /** Commits a new version equal to `version` (or a tag's version). */
  async restore(version: number | string): Promise<void> {
    this.writable("restore");
    const v = typeof version === "string" ? await tagVersion(this.io.store, version) : version;
    await this.commitOp(prepareRestore(await readManifest(this.io.store, v)));
  }

  /** Tags pin versions: cleanup never removes a tagged version. */
  get tags(): Tags {
    const store = this.io.store;
    return {
      create: (name, version) => createTag(store, name, version ?? this.version),
      delete: (name) => deleteTag(store, name),
      list: () => listTags(store),
    };
  }

  /** Merges small fragments and drops deleted rows; returns what it rewrote. */
  async compact(options: CompactOptions = {}): Promise<CompactStats> {
    this.writable("compact");
    const { op, stats } = await prepareCompact(this.io, this.snapshot(), options);
    await this.commitOp(op);
    return stats;
  }

  /** Removes old versions and unreferenced files (see CleanupOptions). */
  async cleanup(options: CleanupOptions = {}): Promise<CleanupStats> {
    return cleanup(this.io.store, options);
  }

  /** A read-only handle on another version of this table (by number or tag). */
  async checkout(versionOrTag: number | string): Promise<this> {
    const v = typeof versionOrTag === "string" ? await tagVersion(this.io.store, versionOrTag) : versionOrTag;
    const Ctor = this.constructor as TableConstructor<this>;
    return new Ctor(this.io, await readManifest(this.io.store, v), true);
  }
}
