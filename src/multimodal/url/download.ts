// url.download: the bytes behind each URL of a string column (http(s)://, s3://, memory://, and local paths when
// allowed), fetched with at most maxConnections requests in flight over the whole run, retried when transient.

import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../../../format/errors.js";
import { withRetry } from "../../../format/store/retry.js";
import { ScalarArg, type ArgValue, type EvalInfo, type ScalarFunction } from "../../expr/functions/registry.js";
import { checkArgs, dataOf, repeatRow, STRING } from "../../expr/functions/vectors.js";
import { forEachBounded } from "../../udf/bounded.js";
import { binaryVector, rowValues } from "./columns.js";
import { httpGet } from "./http.js";
import { LocalFilePolicy, readLocalFile } from "./local-files.js";
import { downloadConfig, type DownloadConfig } from "./options.js";
import { claimRows, failRow, runFacts, stateOf, type RunFacts, type UrlState } from "./state.js";
import { locate, readObject, storeAt } from "./stores.js";

const NAME = "url.download";

/** The checked options plus the local file policy they imply. */
interface Download extends DownloadConfig {
  readonly local: LocalFilePolicy;
}

type State = UrlState<Download>;

function configure(o: object): Download {
  const c = downloadConfig(o as Record<string, unknown>);
  return { ...c, local: new LocalFilePolicy(c.allowLocalFiles, c.root) };
}

/** `url.download`: a string column of URLs to a Binary column of their bytes. */
export const DOWNLOAD: ScalarFunction = {
  name: NAME,
  expensive: true,
  returnType(args, options) {
    checkArgs(NAME, args, [STRING]);
    downloadConfig(options);
    return new A.Binary();
  },
  evaluate: download,
};

async function download(args: readonly ArgValue[], options: Record<string, unknown>, info: EvalInfo): Promise<A.Vector> {
  const state = stateOf(options, configure);
  const facts = runFacts(info);
  const base = claimRows(state, facts, info.rows);
  const arg = args[0]!;
  // A constant URL is fetched once and repeated, not once per row.
  const rows = arg instanceof ScalarArg ? Math.min(1, info.rows) : info.rows;
  const urls = rowValues<string>(arg, rows);
  const out = new Array<Uint8Array | null>(rows).fill(null);
  await forEachBounded(rows, state.config.maxConnections, (i) => {
    const url = urls[i];
    if (url === null || url === undefined) return;
    return fetchUrl(url, state, facts).then(
      (bytes) => void (out[i] = bytes),
      (err: unknown) => failRow(state, facts, state.config.onError, NAME, base + i, url, err),
    );
  });
  const v = binaryVector(out);
  return rows === info.rows ? v : A.makeVector(repeatRow(dataOf(v), info.rows));
}

/** Schemes by the part before "://" (lower case); a string without one is a local path. */
function schemeOf(url: string): string | undefined {
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
}

function fetchUrl(url: string, state: State, facts: RunFacts): Promise<Uint8Array> {
  const c = state.config;
  switch (schemeOf(url)) {
    case "http":
    case "https":
      return fetchHttp(url, state, facts);
    case "s3":
    case "memory":
      return fetchObject(url, state);
    case "file":
    case undefined:
      return c.local.resolve(url).then((real) => state.slots.run(() => readLocalFile(real, c.maxBytes)));
    default:
      return Promise.reject(
        new NotSupportedError(`unsupported URL scheme; url.download reads http(s)://, s3://, memory://, file:// and local paths`),
      );
  }
}

function fetchHttp(url: string, state: State, facts: RunFacts): Promise<Uint8Array> {
  const c = state.config;
  if (!URL.canParse(url)) return Promise.reject(new InvalidArgumentError(`not a valid URL`));
  const limits = { timeoutMs: c.timeoutMs, maxBytes: c.maxBytes, ...(facts.signal ? { signal: facts.signal } : {}) };
  // Each attempt takes its own slot, so a row waiting out its backoff does not hold a connection others could use.
  return withRetry(() => state.slots.run(() => httpGet(url, limits)), { retries: c.retries });
}

async function fetchObject(url: string, state: State): Promise<Uint8Array> {
  const c = state.config;
  const { root, key } = locate(url);
  // The store retries and times out by the download's options unless `storage` sets its own.
  const store = await storeAt(state, root, { retries: c.retries, timeoutMs: c.timeoutMs, ...c.storage });
  return state.slots.run(() => readObject(store, key, c.maxBytes));
}
