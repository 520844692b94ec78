// url.upload: writes each non-null bytes value of a Binary column as an object under a prefix (a local directory,
// memory:// or s3://) and returns the object's URI, at most maxConnections writes in flight over the whole run.

import { createHash } from "node:crypto";
import * as A from "apache-arrow";
import { type ArgValue, type EvalInfo, type ScalarFunction } from "../../expr/functions/registry.js";
import { checkArgs, type Param } from "../../expr/functions/vectors.js";
import { forEachBounded } from "../../udf/bounded.js";
import { rowValues, utf8Vector } from "./columns.js";
import { uploadConfig, type UploadConfig } from "./options.js";
import { sniffExtension } from "./sniff.js";
import { claimRows, failRow, runFacts, stateOf, type UrlState } from "./state.js";
import { storeAt } from "./stores.js";

const NAME = "url.upload";

const BINARY: Param = {
  what: "binary values",
  ok: (t) => t.typeId === A.Type.Binary || t.typeId === A.Type.LargeBinary || t.typeId === A.Type.Null,
};

/** `url.upload`: a Binary column to a Utf8 column of the URIs its values were written to. */
export const UPLOAD: ScalarFunction = {
  name: NAME,
  expensive: true,
  returnType(args, options) {
    checkArgs(NAME, args, [BINARY]);
    uploadConfig(options);
    return new A.Utf8();
  },
  evaluate: upload,
};

async function upload(args: readonly ArgValue[], options: Record<string, unknown>, info: EvalInfo): Promise<A.Vector> {
  const state = stateOf(options, (o) => uploadConfig(o as Record<string, unknown>));
  const c = state.config;
  const facts = runFacts(info);
  const base = claimRows(state, facts, info.rows);
  const values = rowValues<Uint8Array>(args[0]!, info.rows);
  const out = new Array<string | null>(info.rows).fill(null);
  if (values.every((v) => v === null)) return utf8Vector(out);
  const store = await storeAt(state, c.prefix, c.storage);
  // Equal values named by their hash are one object: write it once per batch, however many rows hold it.
  const writes = new Map<string, Promise<void>>();
  await forEachBounded(info.rows, c.maxConnections, (i) => {
    const bytes = values[i];
    if (bytes === null || bytes === undefined) return;
    const name = objectName(c, bytes, base + i);
    const uri = childUri(c.prefix, name);
    let write = writes.get(name);
    if (write === undefined) writes.set(name, (write = state.slots.run(() => store.put(name, bytes))));
    return write.then(
      () => void (out[i] = uri),
      (err: unknown) => failRow(state, facts, c.onError, NAME, base + i, uri, err),
    );
  });
  return utf8Vector(out);
}

/** The object's name under the prefix: its content hash or its row, plus the sniffed extension. */
function objectName(c: UploadConfig, bytes: Uint8Array, row: number): string {
  const stem = c.name === "row" ? String(row) : createHash("sha256").update(bytes).digest("hex");
  return stem + sniffExtension(bytes);
}

/** `name` under `prefix`, spelled as the prefix was (a path stays a path, a URI a URI). */
function childUri(prefix: string, name: string): string {
  return `${prefix.replace(/\/+$/, "")}/${name}`;
}
