// The options of url.download and url.upload: their documented defaults, their checks (run when the plan is built,
// so a bad option fails where it is written) and how storage credentials stay out of explain() output.

import { InvalidArgumentError } from "../../../format/errors.js";
import { parseUri } from "../../../format/store/open-store.js";
import type { StorageOptions } from "../../../format/store/object-store.js";

/** What a url function does with a row that fails. */
export type UrlOnError = "raise" | "null" | "dead-letter";

/** Options of `col(...).url.download()`. */
export interface DownloadOptions {
  /**
   * Requests in flight at once across the whole run: every batch of this expression shares one limit, however many
   * batches the engine computes at once. Default 16.
   */
  maxConnections?: number;
  /** Time limit of one attempt (connecting, headers and the whole body), in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /**
   * Attempts after the first for transient failures: network errors, timeouts, HTTP 5xx, 408 and 429 (exponential
   * backoff with jitter from 50 ms). Other answers (404, 403, ...) are not retried. For s3:// and memory:// this is
   * the store's retry count unless `storage.retries` says otherwise. Default 2.
   */
  retries?: number;
  /**
   * What a failing row does. "raise" (default): fail the query with a UrlError naming the row, the URL and the HTTP
   * status. "null": the row gets null and the failure is counted. "dead-letter": as "null", and each failure is
   * reported as a dead letter of the run.
   */
  onError?: UrlOnError;
  /**
   * Read local paths and file:// URLs anywhere on this machine. Default false: a dataset of URLs must not read
   * arbitrary files, so local paths fail unless this or `root` is set.
   */
  allowLocalFiles?: boolean;
  /**
   * Read local paths only inside this directory (relative paths are resolved against it). Paths are resolved with
   * symlinks followed, so neither `..` nor a symlink can reach outside. Setting it allows local files.
   */
  root?: string;
  /** Credentials and endpoint for s3:// URLs. Default: the AWS_* environment variables. */
  storage?: StorageOptions;
  /** Largest object to accept, in bytes; a larger one fails its row (not retried). Default: no limit. */
  maxBytes?: number;
}

/** How url.upload names the objects it writes. */
export type UploadNaming = "hash" | "row";

/** Options of `col(...).url.upload(prefix)`. */
export interface UploadOptions {
  /** Credentials and endpoint for an s3:// prefix. Default: the AWS_* environment variables. */
  storage?: StorageOptions;
  /** Writes in flight at once across the whole run. Default 16. */
  maxConnections?: number;
  /**
   * Object names. "hash" (default): the SHA-256 of the bytes in hex, so equal values share one object and a rerun
   * writes the same names. "row": the row's position among the rows the expression saw in its run. Either way the
   * extension is sniffed from the bytes' magic numbers (".png", ".jpg", ...; none when unknown).
   */
  name?: UploadNaming;
  /** As for download: "raise" (default), "null" or "dead-letter". */
  onError?: UrlOnError;
}

/**
 * Storage options inside an expression. explain() prints a function's options as JSON, and this prints them without
 * the secret key and session token.
 */
export class StorageRef {
  constructor(readonly options: StorageOptions) {
    Object.freeze(this);
  }

  toJSON(): StorageOptions {
    const o: StorageOptions = { ...this.options };
    if (o.secretAccessKey !== undefined) o.secretAccessKey = "***";
    if (o.sessionToken !== undefined) o.sessionToken = "***";
    return o;
  }
}

/** Download options with every default filled in. */
export interface DownloadConfig {
  readonly maxConnections: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly onError: UrlOnError;
  readonly allowLocalFiles: boolean;
  readonly root: string | undefined;
  readonly storage: StorageOptions;
  readonly maxBytes: number;
}

/** Upload options with every default filled in, plus the prefix. */
export interface UploadConfig {
  readonly prefix: string;
  readonly maxConnections: number;
  readonly name: UploadNaming;
  readonly onError: UrlOnError;
  readonly storage: StorageOptions;
}

/** Download options as they sit in the expression, checked and completed. */
export function downloadConfig(o: Readonly<Record<string, unknown>>): DownloadConfig {
  const fn = "url.download";
  known(fn, o, ["maxConnections", "timeoutMs", "retries", "onError", "allowLocalFiles", "root", "storage", "maxBytes"]);
  const root = o.root;
  if (root !== undefined && (typeof root !== "string" || root === "")) {
    throw new InvalidArgumentError(`${fn}: root must be a directory path, got ${JSON.stringify(root)}`);
  }
  if (o.allowLocalFiles !== undefined && typeof o.allowLocalFiles !== "boolean") {
    throw new InvalidArgumentError(`${fn}: allowLocalFiles must be true or false, got ${JSON.stringify(o.allowLocalFiles)}`);
  }
  return {
    maxConnections: count(fn, "maxConnections", o.maxConnections, 16, 1),
    timeoutMs: count(fn, "timeoutMs", o.timeoutMs, 30_000, 1),
    retries: count(fn, "retries", o.retries, 2, 0),
    onError: onError(fn, o.onError),
    allowLocalFiles: o.allowLocalFiles === true,
    root,
    storage: storageOf(fn, o.storage),
    maxBytes: count(fn, "maxBytes", o.maxBytes, Number.POSITIVE_INFINITY, 0),
  };
}

/** Upload options (with `prefix`) as they sit in the expression, checked and completed. */
export function uploadConfig(o: Readonly<Record<string, unknown>>): UploadConfig {
  const fn = "url.upload";
  known(fn, o, ["prefix", "storage", "maxConnections", "name", "onError"]);
  const prefix = o.prefix;
  if (typeof prefix !== "string" || prefix === "") {
    throw new InvalidArgumentError(`${fn} needs a prefix to write under (a directory, memory://NAME/... or s3://BUCKET/...)`);
  }
  if (/^https?:\/\//i.test(prefix)) {
    throw new InvalidArgumentError(`${fn} cannot write to ${prefix}: use a local directory, memory:// or s3:// prefix`);
  }
  parseUri(prefix); // an unsupported scheme fails now, with the schemes that work
  const name = o.name ?? "hash";
  if (name !== "hash" && name !== "row") {
    throw new InvalidArgumentError(`${fn}: name must be "hash" or "row", got ${JSON.stringify(name)}`);
  }
  return {
    prefix,
    maxConnections: count(fn, "maxConnections", o.maxConnections, 16, 1),
    name,
    onError: onError(fn, o.onError),
    storage: storageOf(fn, o.storage),
  };
}

function known(fn: string, o: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (!names.includes(k)) throw new InvalidArgumentError(`${fn}: unknown option "${k}"; known options: ${names.join(", ")}`);
  }
}

function count(fn: string, name: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new InvalidArgumentError(`${fn}: ${name} must be an integer of at least ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function onError(fn: string, v: unknown): UrlOnError {
  if (v === undefined) return "raise";
  if (v === "raise" || v === "null" || v === "dead-letter") return v;
  throw new InvalidArgumentError(`${fn}: onError must be "raise", "null" or "dead-letter", got ${JSON.stringify(v)}`);
}

function storageOf(fn: string, v: unknown): StorageOptions {
  if (v === undefined) return {};
  if (v instanceof StorageRef) return v.options;
  if (typeof v === "object" && v !== null) return v as StorageOptions;
  throw new InvalidArgumentError(`${fn}: storage must be an object of storage options`);
}
