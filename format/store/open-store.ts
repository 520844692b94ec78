// Picks the backend for a URI: local paths and file://, memory://name, s3://bucket/prefix.

import { fileURLToPath } from "node:url";
import { InvalidArgumentError } from "../errors.js";
import { LocalStore } from "./local.js";
import { MemoryStore } from "./memory.js";
import type { ObjectStore, StorageOptions } from "./object-store.js";

/** A URI split into its backend and location. */
export type ParsedUri =
  | { scheme: "file"; path: string }
  | { scheme: "memory"; name: string; prefix: string }
  | { scheme: "s3"; bucket: string; prefix: string };

/** Parses a storage URI; throws InvalidArgumentError for schemes we do not serve. */
export function parseUri(uri: string): ParsedUri {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(uri);
  if (m === null) {
    if (uri.length === 0) throw new InvalidArgumentError("empty storage URI");
    return { scheme: "file", path: uri };
  }
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  switch (scheme) {
    case "file":
      try {
        return { scheme: "file", path: fileURLToPath(uri) };
      } catch (err) {
        throw new InvalidArgumentError(`invalid file URI ${uri}: use file:///absolute/path or a plain path`, { uri, cause: err });
      }
    case "memory": {
      const [name, ...prefix] = rest.split("/");
      if (!name) throw new InvalidArgumentError(`memory URI needs a name: memory://NAME/..., got ${uri}`);
      return { scheme: "memory", name, prefix: prefix.join("/") };
    }
    case "s3": {
      const [bucket, ...prefix] = rest.split("/");
      if (!bucket) throw new InvalidArgumentError(`S3 URI needs a bucket: s3://BUCKET/prefix, got ${uri}`);
      return { scheme: "s3", bucket, prefix: prefix.filter((p) => p !== "").join("/") };
    }
    default:
      throw new InvalidArgumentError(
        `unsupported storage URI scheme "${scheme}" in ${uri}; use a local path, file://, memory:// or s3://`,
      );
  }
}

/** Opens the store a URI points at; for S3 the SDK is loaded only when needed. */
export async function openStore(uri: string, options: StorageOptions = {}): Promise<ObjectStore> {
  const parsed = parseUri(uri);
  switch (parsed.scheme) {
    case "file":
      return new LocalStore(parsed.path, options);
    case "memory":
      return new MemoryStore(parsed.name, parsed.prefix);
    case "s3": {
      const { S3Store } = await import("./s3.js");
      return new S3Store(parsed.bucket, parsed.prefix, options);
    }
  }
}
