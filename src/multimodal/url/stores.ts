// Objects behind s3:// and memory:// URLs through the object store layer: one store per bucket (or memory name)
// opened on first use and kept by the expression, so a column of URLs into one bucket shares its connections.

import { InvalidArgumentError } from "../../../format/errors.js";
import { openStore, parseUri } from "../../../format/store/open-store.js";
import type { ObjectStore, StorageOptions } from "../../../format/store/object-store.js";
import { tooLarge } from "./http.js";
import type { UrlState } from "./state.js";

/** An object URL split into the store that holds it and its key there. */
export interface StoreLocation {
  readonly root: string;
  readonly key: string;
}

/** Where an s3:// or memory:// URL points. */
export function locate(url: string): StoreLocation {
  const p = parseUri(url);
  if (p.scheme === "s3") return checked(url, `s3://${p.bucket}`, p.prefix);
  if (p.scheme === "memory") return checked(url, `memory://${p.name}`, p.prefix);
  throw new InvalidArgumentError(`${url} is not an object store URL`);
}

function checked(url: string, root: string, key: string): StoreLocation {
  if (key === "") throw new InvalidArgumentError(`${url} names a bucket, not an object: add the object's key`);
  return { root, key };
}

/** The store at `root`, opened once per expression. */
export function storeAt(state: UrlState<unknown>, root: string, storage: StorageOptions): Promise<ObjectStore> {
  let s = state.stores.get(root);
  if (s === undefined) {
    s = openStore(root, storage);
    // A store that failed to open is not kept: the next row tries again.
    s.catch(() => state.stores.delete(root));
    state.stores.set(root, s);
  }
  return s;
}

/** The object's bytes; with a byte cap its size is checked first (one HEAD request more). */
export async function readObject(store: ObjectStore, key: string, maxBytes: number): Promise<Uint8Array> {
  if (Number.isFinite(maxBytes)) {
    const { size } = await store.head(key);
    if (size > maxBytes) throw tooLarge(maxBytes, size);
  }
  return store.get(key);
}
