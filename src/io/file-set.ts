// Turns what a user passes to a reader ("data/part-1.jsonl", "s3://bucket/logs/**/*.csv.gz") into a sorted list of
// objects in one store: a plain URI names one object, a glob lists the store below its literal directory.

import { InvalidArgumentError, NotFoundError } from "../../format/errors.js";
import type { ObjectStore, StorageOptions } from "../../format/store/object-store.js";
import { openStore } from "../../format/store/open-store.js";
import { firstGlobIndex, globToRegExp, literalPrefix } from "./glob-match.js";

/** One object a reader will read. */
export interface FileRef {
  /** The object as the user would pass it back (the glob's directory joined with the path). */
  readonly uri: string;
  /** Key inside the store opened at `FileSet.base`. */
  readonly path: string;
  readonly size: number;
  readonly modified?: Date;
}

/** The objects a URI or glob names, all inside the store opened at `base`. */
export interface FileSet {
  /** URI of the store root the paths are relative to. */
  readonly base: string;
  readonly files: readonly FileRef[];
}

/** A URI split at its last "/" before any glob character: the store root and the rest. */
export function splitUri(uri: string): { base: string; rest: string } {
  const g = firstGlobIndex(uri);
  const head = g < 0 ? uri : uri.slice(0, g);
  const slash = head.lastIndexOf("/");
  if (slash < 0) return { base: ".", rest: uri };
  const base = uri.slice(0, slash);
  // "/x.json" lives in "/"; "s3://b/x" in "s3://b". A bare "s3:/" or "memory:/" means the URI had no object part.
  if (base === "") return { base: "/", rest: uri.slice(1) };
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/?$/.test(base)) {
    throw new InvalidArgumentError(`${uri} names no object: use SCHEME://ROOT/path, e.g. s3://bucket/data/*.jsonl`, { uri });
  }
  return { base, rest: uri.slice(slash + 1) };
}

/** The URI of `path` below `base`, spelled as the user spelled `base`. */
export function joinUri(base: string, path: string): string {
  if (base === ".") return path;
  return base.endsWith("/") ? base + path : `${base}/${path}`;
}

/** Runs `fn` with the store at `base` open, closing it afterwards whatever happens. */
export async function withStore<T>(base: string, storage: StorageOptions | undefined, fn: (store: ObjectStore) => Promise<T>): Promise<T> {
  const store = await openStore(base, storage);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Resolves a URI or glob to the objects it names, sorted by path. A glob matching nothing and a missing object
 * are NotFoundErrors naming what was looked for. `what` names the reader in messages ("JSON", "CSV").
 */
export async function resolveFiles(uri: string, storage: StorageOptions | undefined, what: string): Promise<FileSet> {
  const { base, rest } = splitUri(uri);
  return withStore(base, storage, async (store) => {
    if (firstGlobIndex(rest) < 0) {
      const meta = await store.head(rest).catch((err: unknown) => {
        if (err instanceof NotFoundError) {
          throw new NotFoundError(`${what} input ${uri} not found; check the path (globs like data/*.jsonl are allowed)`, { uri, cause: err });
        }
        throw err;
      });
      return { base, files: [{ uri, path: rest, size: meta.size, modified: meta.lastModified }] };
    }
    const re = globToRegExp(rest);
    const listed = await store.list(literalPrefix(rest));
    const files = listed.filter((m) => re.test(m.path)).map((m) => ({ uri: joinUri(base, m.path), path: m.path, size: m.size, modified: m.lastModified }));
    if (files.length === 0) {
      throw new NotFoundError(`no ${what} files match ${uri}; check the pattern and that the directory holds such files`, { uri });
    }
    return { base, files };
  });
}
