// The Table: a handle on one version of a versioned table at a URI. Reads go to that version; writes commit a new
// version and move the handle to it. Thin by design: each operation lives in its own module.

import type * as A from "apache-arrow";
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../errors.js";
import { openStore } from "../store/open-store.js";
import type { ObjectStore, StorageOptions } from "../store/object-store.js";
import { TableSchema } from "../schema.js";
import { commit, latestVersion, readLatest, readManifest, type PendingCommit } from "./commit.js";
import { TableIo, type FragmentWriteOptions } from "./fragment-io.js";
import { manifestRows, type Manifest } from "./manifest.js";
import { prepareAppend, prepareReplace } from "./ops/append.js";
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

/** Something a filter can be given as: SQL-like text, or a prepared RowFilter. */
export type FilterInput = string | RowFilter;

/** Turns filter text into a RowFilter for a schema; supplied by the expression layer (see ./filter.ts). */
export type FilterCompiler = (filter: FilterInput, schema: TableSchema) => RowFilter;

let compileFilter: FilterCompiler = (f) => {
  if (typeof f !== "string") return f;
  throw new InvalidArgumentError("filter strings need the expression module; import tessera's package root");
};

/** Installs the filter compiler (done once by ./filter.ts). */
export function setFilterCompiler(c: FilterCompiler): void {
  compileFilter = c;
}

/** Options for scans. */
export interface ScanOptions extends Omit<TableScanOptions, "filter"> {
  filter?: FilterInput;
}

/** A versioned table. */
export class Table {
  private constructor(
    private readonly io: TableIo,
    private manifest: Manifest,
    /** Read-only handles come from checkout() and never move. */
    readonly readOnly: boolean,
  ) {}

  /** Creates a table from data (an Arrow table may have no rows, to set the schema). */
  static async create(uri: string, data: TableData, options: CreateOptions = {}): Promise<Table> {
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
    return new Table(io, await commit(store, base, op), false);
  }

  /** Opens the latest version, or the one named by `version` or `tag`. */
  static async open(uri: string, options: OpenTableOptions = {}): Promise<Table> {
    const store = await openStore(uri, options.storage);
    const io = new TableIo(store, store.uri);
    if (options.version !== undefined && options.tag !== undefined) {
      throw new InvalidArgumentError("give either version or tag, not both");
    }
    let manifest: Manifest;
    if (options.tag !== undefined) manifest = await readManifest(store, await tagVersion(store, options.tag));
    else if (options.version !== undefined) manifest = await readManifest(store, options.version);
    else manifest = await readLatest(store);
    return new Table(io, manifest, options.version !== undefined || options.tag !== undefined);
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
    return TableSchema.fromJson(this.manifest.schema);
  }
  get schema(): A.Schema {
    return this.tableSchema.toArrow();
  }

  private snapshot(): Snapshot {
    return { io: this.io, manifest: this.manifest, schema: this.tableSchema };
  }

  private filter(f: FilterInput | undefined): RowFilter | undefined {
    return f === undefined ? undefined : compileFilter(f, this.tableSchema);
  }

  /** Live rows, or rows matching `filter`. */
  countRows(filter?: FilterInput): Promise<number> {
    return countRows(this.snapshot(), this.filter(filter));
  }

  /** Streams rows. */
  scan(options: ScanOptions = {}): AsyncIterable<A.RecordBatch> {
    const { filter, ...rest } = options;
    const f = this.filter(filter);
    return scanTable(this.snapshot(), f === undefined ? rest : { ...rest, filter: f });
  }

  /** Rows as one Arrow table. */
  toArrow(options: ScanOptions = {}): Promise<A.Table> {
    const { filter, ...rest } = options;
    const f = this.filter(filter);
    return collect(this.snapshot(), f === undefined ? rest : { ...rest, filter: f });
  }

  /** Rows at live offsets, in the order asked. */
  take(offsets: readonly number[], options: { columns?: readonly string[]; withRowId?: boolean } = {}): Promise<A.Table> {
    return takeOffsets(this.snapshot(), offsets, options);
  }

  /** Rows by `_rowid`, in the order asked. */
  takeRowIds(rowIds: readonly bigint[], options: { columns?: readonly string[]; withRowId?: boolean } = {}): Promise<A.Table> {
    return takeRowIds(this.snapshot(), rowIds, options);
  }

  /** Commits `op` on this handle's version and moves the handle to the result. */
  private async commitOp(op: PendingCommit | undefined): Promise<void> {
    if (op === undefined) return;
    this.manifest = await commit(this.io.store, this.manifest, op);
  }

  private writable(what: string): void {
    if (this.readOnly) {
      throw new InvalidArgumentError(`${what}: this handle is a read-only checkout of version ${this.version}; open the table to write`);
    }
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

  /** A read-only handle on another version of this table (by number or tag). */
  async checkout(versionOrTag: number | string): Promise<Table> {
    const v = typeof versionOrTag === "string" ? await tagVersion(this.io.store, versionOrTag) : versionOrTag;
    return new Table(this.io, await readManifest(this.io.store, v), true);
  }
}

/** The version a tag points at. */
export async function tagVersion(store: ObjectStore, tag: string): Promise<number> {
  try {
    const json = JSON.parse(new TextDecoder().decode(await store.get(tagPath(tag)))) as { version: number };
    return json.version;
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError(`no tag "${tag}" in table ${store.uri}`, { uri: store.uri, cause: err });
    throw err;
  }
}

/** Where a tag is stored. */
export function tagPath(tag: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(tag)) {
    throw new InvalidArgumentError(`tag names use letters, digits, ".", "_" and "-"; got "${tag}"`);
  }
  return `_refs/tags/${tag}.json`;
}
