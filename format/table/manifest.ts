// One manifest per table version (docs/format/table.md §Manifest): the schema with field ids, the fragments with
// their data and deletion files, the operation that made the version, and feature flags. Stored as a checksummed
// JSON envelope; an unknown reader feature is refused rather than guessed at.

import { CorruptFileError, NotSupportedError } from "../errors.js";
import { plainCrc } from "../file/checksum.js";
import type { TableSchemaJson } from "../schema.js";

export const MANIFEST_MAGIC = "TSRM";
export const TABLE_FORMAT_VERSION: [number, number] = [1, 0];
/** Features this build can read and write; a manifest naming others is refused. */
export const KNOWN_READER_FEATURES: readonly string[] = [];
export const KNOWN_WRITER_FEATURES: readonly string[] = [];
export const WRITER_NAME = "tessera 0.1.0";

/** A data file of a fragment: which fields (by id, in file column order) it holds. */
export interface DataFileRef {
  path: string;
  fieldIds: number[];
  /** Bytes, so readers open it with one request. */
  size: number;
}

/** Rows of a fragment that are deleted, kept in a separate file. */
export interface DeletionRef {
  path: string;
  /** Rows deleted. */
  count: number;
}

/** Rows 0..physicalRows of a fragment, spread over data files that each hold some of the fields. */
export interface Fragment {
  id: number;
  physicalRows: number;
  files: DataFileRef[];
  deletion?: DeletionRef;
}

/** What made a version: the type plus what conflict checks need (docs/format/table.md §Conflicts). */
export interface OperationRecord {
  type:
    | "create"
    | "overwrite"
    | "append"
    | "delete"
    | "update"
    | "merge_insert"
    | "add_columns"
    | "drop_columns"
    | "rename_column"
    | "rewrite"
    | "restore"
    | "create_index"
    | "drop_index";
  /** Fragments whose rows or deletion files the operation changed or removed. */
  touchedFragments?: number[];
  /** Fragments the operation added. */
  addedFragments?: number[];
  /** True when the operation changed the schema. */
  schemaChanged?: boolean;
  /** Free-form details for people reading `versions()`. */
  detail?: Record<string, unknown>;
}

/** An index over a column (filled in by index/; kept here so the manifest names every file). */
export interface IndexRef {
  name: string;
  fieldId: number;
  type: string;
  path: string;
  /** Fragments the index covers; rows of other fragments are searched exactly. */
  fragments: number[];
  /**
   * Fragments whose rows the index still holds but must never return: rewritten by compaction (their rows live on
   * under new ids) or given new vectors by a backfill. Searches reject those rows; optimizeIndices drops them.
   */
  retired?: number[];
  version: number;
  detail?: Record<string, unknown>;
}

/** The manifest of one version. */
export interface Manifest {
  format: "tessera-table";
  formatVersion: [number, number];
  readerFeatures: string[];
  writerFeatures: string[];
  version: number;
  /** Milliseconds since the epoch when the version was committed. */
  timestamp: number;
  writer: string;
  /**
   * A random id of the commit attempt that wrote this manifest: a writer whose create-if-absent reply was lost
   * recognises its own manifest by it instead of committing the same change twice.
   */
  commitId?: string;
  operation: OperationRecord;
  schema: TableSchemaJson;
  nextFieldId: number;
  nextFragmentId: number;
  fragments: Fragment[];
  indices: IndexRef[];
}

/** `ref` without the fragments in `gone` among those it covers: they join the ones it holds but must not return. */
export function retireFragments(ref: IndexRef, gone: ReadonlySet<number>): IndexRef {
  const dropped = ref.fragments.filter((id) => gone.has(id));
  if (dropped.length === 0) return ref;
  // A flat entry holds no rows (it only names the metric): nothing to retire.
  if (ref.type === "flat") return { ...ref, fragments: ref.fragments.filter((id) => !gone.has(id)) };
  return { ...ref, fragments: ref.fragments.filter((id) => !gone.has(id)), retired: [...(ref.retired ?? []), ...dropped] };
}

/** Live rows of a fragment. */
export function liveRows(f: Fragment): number {
  return f.physicalRows - (f.deletion?.count ?? 0);
}

/** Live rows of a version. */
export function manifestRows(m: Manifest): number {
  return m.fragments.reduce((n, f) => n + liveRows(f), 0);
}

/** Manifest object path of `version`, zero-padded so names sort in version order. */
export function manifestPath(version: number): string {
  return `_versions/${String(version).padStart(20, "0")}.manifest`;
}

/** The version a manifest path names, or undefined for other objects. */
export function versionOfPath(path: string): number | undefined {
  const m = /^_versions\/(\d{20})\.manifest$/.exec(path);
  return m === null ? undefined : Number(m[1]);
}

/** The manifest as stored: magic, CRC-32 of the JSON, then the JSON. */
export function encodeManifest(m: Manifest): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(m));
  const out = new Uint8Array(8 + json.byteLength);
  out.set(new TextEncoder().encode(MANIFEST_MAGIC), 0);
  new DataView(out.buffer).setUint32(4, plainCrc(json), true);
  out.set(json, 8);
  return out;
}

/** Parses and checks a stored manifest; `uri` names it in errors. */
export function decodeManifest(bytes: Uint8Array, uri: string): Manifest {
  const corrupt = (what: string): CorruptFileError => new CorruptFileError(`manifest ${uri} ${what}; the table may be damaged`, { uri });
  if (bytes.byteLength < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MANIFEST_MAGIC) {
    throw corrupt("does not start with the manifest magic (truncated or not a manifest)");
  }
  const json = bytes.subarray(8);
  if (plainCrc(json) !== new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)) throw corrupt("fails its checksum");
  let m: Manifest;
  try {
    m = JSON.parse(new TextDecoder().decode(json)) as Manifest;
  } catch (err) {
    throw corrupt(`is not valid JSON (${(err as Error).message})`);
  }
  if (m?.format !== "tessera-table" || !Array.isArray(m.fragments) || typeof m.version !== "number" || !m.schema) {
    throw corrupt("is not shaped like a Tessera manifest");
  }
  if (m.formatVersion?.[0] !== TABLE_FORMAT_VERSION[0]) {
    throw new NotSupportedError(
      `table ${uri} uses table format ${m.formatVersion?.join(".")}; this build reads ${TABLE_FORMAT_VERSION[0]}.x — upgrade Tessera`,
      { uri },
    );
  }
  const unknown = (m.readerFeatures ?? []).filter((f) => !KNOWN_READER_FEATURES.includes(f));
  if (unknown.length > 0) {
    throw new NotSupportedError(`table ${uri} needs reader features this build lacks: ${unknown.join(", ")}; upgrade Tessera`, { uri });
  }
  return m;
}

/** Throws when this build may not write a table with these writer features. */
export function checkWritable(m: Manifest, uri: string): void {
  const unknown = (m.writerFeatures ?? []).filter((f) => !KNOWN_WRITER_FEATURES.includes(f));
  if (unknown.length > 0) {
    throw new NotSupportedError(
      `table ${uri} needs writer features this build lacks: ${unknown.join(", ")}; it can be read but not written — upgrade Tessera`,
      { uri },
    );
  }
}
