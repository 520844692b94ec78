// The commit protocol (docs/format/table.md §Commits). A write puts its data first, then creates the next
// manifest with put-if-absent: exactly one writer wins each version number. A loser reads the versions committed
// since it started, checks each against its own operation (transaction.ts), and — when they do not conflict —
// rebuilds its manifest on the newest one and tries the next number, with jittered backoff. Nothing a loser wrote
// is visible until it wins, and a writer that dies leaves only unreferenced files that cleanup removes.

import { randomUUID } from "node:crypto";
import { CommitConflictError, CorruptFileError, NotFoundError, RetryableError } from "../errors.js";
import type { ObjectStore } from "../store/object-store.js";
import {
  checkWritable,
  decodeManifest,
  encodeManifest,
  manifestPath,
  TABLE_FORMAT_VERSION,
  versionOfPath,
  WRITER_NAME,
  type Manifest,
  type OperationRecord,
} from "./manifest.js";

/** The hint object naming the latest version; advisory, corrected by probing forward. */
export const LATEST_HINT = "_latest";

/** The parts of a manifest an operation decides; the commit fills in version, time and bookkeeping. */
export type ManifestBody = Pick<Manifest, "schema" | "nextFieldId" | "nextFragmentId" | "fragments" | "indices"> &
  Partial<Pick<Manifest, "readerFeatures" | "writerFeatures">>;

/** An operation ready to commit. */
export interface PendingCommit {
  readonly record: OperationRecord;
  /** The new table state built on `latest` (undefined when creating). May write files (e.g. merged deletions). */
  build(latest: Manifest | undefined): Promise<ManifestBody>;
  /** Why this operation cannot be replayed after `other` committed first, or undefined if it can. */
  conflictWith(other: OperationRecord): string | undefined;
}

/** Options for `commit`. */
export interface CommitOptions {
  /** Most attempts before giving up with a retryable error. Default 50. */
  maxAttempts?: number;
  /** Give up retrying after this long. Default 60 s. */
  timeoutMs?: number;
}

function describe(store: ObjectStore, path = ""): string {
  return path === "" ? store.uri : `${store.uri.replace(/\/$/, "")}/${path}`;
}

/** Reads and checks the manifest of `version`. */
export async function readManifest(store: ObjectStore, version: number): Promise<Manifest> {
  const path = manifestPath(version);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(path);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotFoundError(`version ${version} of table ${store.uri} does not exist`, { uri: describe(store, path), version, cause: err });
    }
    throw err;
  }
  const m = decodeManifest(bytes, describe(store, path));
  if (m.version !== version) {
    throw new CorruptFileError(`manifest ${describe(store, path)} claims version ${m.version}; the table is damaged`, {
      uri: describe(store, path),
      version,
    });
  }
  return m;
}

async function exists(store: ObjectStore, path: string): Promise<boolean> {
  try {
    await store.head(path);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/** Every committed version number, ascending (one listing). */
export async function listVersions(store: ObjectStore): Promise<number[]> {
  const objects = await store.list("_versions/");
  return objects.map((o) => versionOfPath(o.path)).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
}

/**
 * The latest version, or undefined for no table: read the hint, then probe forward (one HEAD per version the hint
 * is behind); without a hint, one listing.
 */
export async function latestVersion(store: ObjectStore): Promise<number | undefined> {
  let v: number | undefined;
  try {
    const hint = JSON.parse(new TextDecoder().decode(await store.get(LATEST_HINT))) as { version?: unknown };
    if (typeof hint.version === "number" && (await exists(store, manifestPath(hint.version)))) v = hint.version;
  } catch (err) {
    if (!(err instanceof NotFoundError) && !(err instanceof SyntaxError)) throw err;
  }
  if (v === undefined) v = (await listVersions(store)).at(-1);
  if (v === undefined) return undefined;
  while (await exists(store, manifestPath(v + 1))) v++;
  return v;
}

/** The latest manifest, or NotFoundError naming the table. */
export async function readLatest(store: ObjectStore): Promise<Manifest> {
  const v = await latestVersion(store);
  if (v === undefined) throw new NotFoundError(`no Tessera table at ${store.uri}`, { uri: store.uri });
  return readManifest(store, v);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Commits `op` on top of `base` (undefined to create the table). Returns the committed manifest.
 * Lost races are retried while the operations committed in between do not conflict with `op`.
 */
export async function commit(
  store: ObjectStore,
  base: Manifest | undefined,
  op: PendingCommit,
  options: CommitOptions = {},
): Promise<Manifest> {
  const maxAttempts = options.maxAttempts ?? 50;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  if (base !== undefined) checkWritable(base, store.uri);
  let latest = base;
  const commitId = randomUUID();
  for (let attempt = 0; ; attempt++) {
    const body = await op.build(latest);
    const version = (latest?.version ?? 0) + 1;
    const manifest: Manifest = {
      format: "tessera-table",
      formatVersion: TABLE_FORMAT_VERSION,
      readerFeatures: body.readerFeatures ?? latest?.readerFeatures ?? [],
      writerFeatures: body.writerFeatures ?? latest?.writerFeatures ?? [],
      version,
      timestamp: Date.now(),
      writer: WRITER_NAME,
      commitId,
      operation: op.record,
      schema: body.schema,
      nextFieldId: body.nextFieldId,
      nextFragmentId: body.nextFragmentId,
      fragments: body.fragments,
      indices: body.indices,
    };
    if (await store.putIfAbsent(manifestPath(version), encodeManifest(manifest))) {
      // Best effort: a stale or missing hint only costs readers a probe.
      await store.put(LATEST_HINT, new TextEncoder().encode(JSON.stringify({ version }))).catch(() => undefined);
      return manifest;
    }
    // Lost the race for `version`: catch up, checking every version committed since.
    let v = version;
    for (;;) {
      let other: Manifest;
      try {
        other = await readManifest(store, v);
      } catch (err) {
        if (err instanceof NotFoundError) break;
        throw err;
      }
      if (other.commitId === commitId) {
        // Our own manifest: the create succeeded but its reply was lost and the retry saw it as someone else's.
        await store.put(LATEST_HINT, new TextEncoder().encode(JSON.stringify({ version: v }))).catch(() => undefined);
        return other;
      }
      if (latest === undefined) {
        throw new CommitConflictError(`cannot create table ${store.uri}: another writer created it first (version ${v})`, {
          uri: store.uri,
          version: v,
        });
      }
      const reason = op.conflictWith(other.operation);
      if (reason !== undefined) {
        throw new CommitConflictError(
          `${op.record.type} on ${store.uri} conflicts with ${other.operation.type} committed as version ${v}: ${reason}`,
          { uri: store.uri, version: v },
        );
      }
      latest = other;
      v++;
    }
    if (attempt + 1 >= maxAttempts || Date.now() > deadline) {
      throw new RetryableError(
        `${op.record.type} on ${store.uri} lost the commit race ${attempt + 1} times; the table is very busy — try again`,
        { uri: store.uri },
      );
    }
    await sleep(Math.random() * Math.min(1000, 10 * 2 ** Math.min(attempt, 7)));
  }
}
