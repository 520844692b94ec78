// Version history: listing versions, tags that pin a version, restore (a new commit equal to an old version),
// and cleanup of manifests and files that no kept version references.

import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../../errors.js";
import type { ObjectMeta, ObjectStore } from "../../store/object-store.js";
import { mapConcurrent } from "../../store/range-planner.js";
import { latestVersion, listVersions, readManifest, type PendingCommit } from "../commit.js";
import { manifestPath, manifestRows, type Manifest, type OperationRecord } from "../manifest.js";
import { conflictBetween } from "../transaction.js";

/** One entry of `versions()`. */
export interface VersionInfo {
  version: number;
  timestamp: Date;
  operation: OperationRecord["type"];
  rows: number;
}

/** Every version with when and how it was made (reads each manifest). */
export async function listVersionInfo(store: ObjectStore): Promise<VersionInfo[]> {
  const versions = await listVersions(store);
  // Manifests are independent objects: read them concurrently (on S3 each is a round trip).
  return mapConcurrent(versions, 16, async (v) => {
    const m = await readManifest(store, v);
    return { version: v, timestamp: new Date(m.timestamp), operation: m.operation.type, rows: manifestRows(m) };
  });
}

/** A commit whose content equals version `target`'s. */
export function prepareRestore(target: Manifest): PendingCommit {
  const record: OperationRecord = { type: "restore", detail: { restoredVersion: target.version } };
  return {
    record,
    async build(latest) {
      return {
        schema: target.schema,
        // Ids keep growing so a restored table never reuses an id of a later field or fragment.
        nextFieldId: Math.max(target.nextFieldId, latest?.nextFieldId ?? 0),
        nextFragmentId: Math.max(target.nextFragmentId, latest?.nextFragmentId ?? 0),
        fragments: target.fragments,
        indices: target.indices,
        readerFeatures: target.readerFeatures,
        writerFeatures: target.writerFeatures,
      };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
}

/** A tag: a name pinning a version. */
export interface TagInfo {
  name: string;
  version: number;
}

const TAGS = "_refs/tags/";

function tagFile(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new InvalidArgumentError(`tag names use letters, digits, ".", "_" and "-"; got "${name}"`);
  return `${TAGS}${name}.json`;
}

/** The version `name` points at. */
export async function tagVersion(store: ObjectStore, name: string): Promise<number> {
  try {
    return (JSON.parse(new TextDecoder().decode(await store.get(tagFile(name)))) as TagInfo).version;
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError(`no tag "${name}" in table ${store.uri}`, { uri: store.uri, cause: err });
    throw err;
  }
}

/** Creates a tag; the version must exist and the name must be new. */
export async function createTag(store: ObjectStore, name: string, version: number): Promise<void> {
  await readManifest(store, version); // NotFoundError for a version that does not exist
  const body = new TextEncoder().encode(JSON.stringify({ name, version }));
  if (!(await store.putIfAbsent(tagFile(name), body))) {
    throw new AlreadyExistsError(`tag "${name}" already exists in table ${store.uri}; delete it first to move it`, { uri: store.uri });
  }
}

export async function deleteTag(store: ObjectStore, name: string): Promise<void> {
  await tagVersion(store, name); // NotFoundError naming the tag
  await store.delete(tagFile(name));
}

export async function listTags(store: ObjectStore): Promise<TagInfo[]> {
  const objects = await store.list(TAGS);
  const tags = await Promise.all(
    objects
      .filter((o) => o.path.endsWith(".json"))
      .map(async (o) => JSON.parse(new TextDecoder().decode(await store.get(o.path))) as TagInfo),
  );
  return tags.sort((a, b) => a.name.localeCompare(b.name));
}

/** Options for `cleanup`. */
export interface CleanupOptions {
  /** Versions committed before this (a Date, or milliseconds ago) may be removed. Default: 7 days ago. */
  olderThan?: Date | number;
  /**
   * Unreferenced files younger than this many milliseconds are kept: they may belong to a commit still in flight.
   * Default 10 minutes.
   */
  gracePeriodMs?: number;
}

/** What cleanup removed. */
export interface CleanupStats {
  removedVersions: number;
  removedFiles: number;
  removedBytes: number;
}

const DATA_PREFIXES = ["data/", "_deletions/", "_indices/"];

function filesOf(m: Manifest): string[] {
  return [
    ...m.fragments.flatMap((f) => [...f.files.map((d) => d.path), ...(f.deletion ? [f.deletion.path] : [])]),
    ...m.indices.map((i) => i.path),
  ];
}

/**
 * Removes versions older than the cutoff — never the latest, never a tagged one — and every file under data/,
 * _deletions/ and _indices/ that no remaining version references and that is older than the grace period.
 */
export async function cleanup(store: ObjectStore, options: CleanupOptions = {}): Promise<CleanupStats> {
  const now = Date.now();
  const cutoff =
    options.olderThan instanceof Date ? options.olderThan.getTime() : now - (options.olderThan ?? 7 * 24 * 3600 * 1000);
  const grace = now - (options.gracePeriodMs ?? 10 * 60 * 1000);
  const latest = await latestVersion(store);
  if (latest === undefined) throw new NotFoundError(`no Tessera table at ${store.uri}`, { uri: store.uri });
  const tagged = new Set((await listTags(store)).map((t) => t.version));
  const referenced = new Set<string>();
  const doomed: number[] = [];
  for (const v of await listVersions(store)) {
    const m = await readManifest(store, v);
    if (v === latest || tagged.has(v) || m.timestamp >= cutoff || v > latest) {
      for (const p of filesOf(m)) referenced.add(p);
    } else {
      doomed.push(v);
    }
  }
  const stats: CleanupStats = { removedVersions: 0, removedFiles: 0, removedBytes: 0 };
  for (const v of doomed) {
    await store.delete(manifestPath(v));
    stats.removedVersions++;
  }
  const candidates: ObjectMeta[] = (await Promise.all(DATA_PREFIXES.map((p) => store.list(p)))).flat();
  // Index entries name a directory: every object below a referenced index directory is referenced too.
  const indexDirs = [...referenced].filter((p) => p.startsWith("_indices/")).map((p) => `${p.replace(/\/$/, "")}/`);
  for (const o of candidates) {
    if (referenced.has(o.path) || indexDirs.some((d) => o.path.startsWith(d))) continue;
    // A file's own modification time: too young means a writer may be about to commit a manifest naming it.
    const t = o.lastModified?.getTime() ?? 0;
    if (t >= grace) continue;
    await store.delete(o.path);
    stats.removedFiles++;
    stats.removedBytes += o.size;
  }
  stats.removedFiles += (await store.sweepUnfinished?.(new Date(grace))) ?? 0;
  return stats;
}
