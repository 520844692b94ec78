// `col(...).url.*`: url functions (evaluated by src/multimodal/url/; see docs/api/multimodal.md).

import type { Expr } from "../expr.js";
import type { StorageOptions } from "../../../format/store/object-store.js";
import { StorageRef, type DownloadOptions, type UploadOptions } from "../../multimodal/url/options.js";
import { fnExpr } from "./fn.js";

export type { DownloadOptions, UploadOptions, UploadNaming, UrlOnError } from "../../multimodal/url/options.js";

/** url functions of an expression: fetching the bytes URLs point at, and storing bytes as objects. */
export class UrlNamespace {
  constructor(protected readonly e: Expr) {}

  /**
   * The bytes behind each URL (http(s)://, s3://, memory://; local paths and file:// only when `allowLocalFiles` or
   * `root` allows them), as a Binary column; null URLs give null. Requests are bounded by `maxConnections` across
   * the whole run; keep batches small for large objects (RunOptions.batchSize), since a batch's bytes are held
   * together.
   * @example fromRows([{ url: "https://example.com/a.png" }]).withColumn("bytes", col("url").url.download({ maxConnections: 8 }))
   */
  download(options: DownloadOptions = {}): Expr {
    return fnExpr("url.download", this.e, [], withStorageRef(options));
  }

  /**
   * Writes each bytes value as an object under `prefix` (a local directory, memory://NAME/... or s3://BUCKET/...)
   * and gives its URI (spelled like the prefix); null values give null. Objects are named by content hash unless
   * `name: "row"`, with an extension sniffed from the bytes.
   * @example df.withColumn("uri", col("bytes").url.upload("s3://bucket/images", { storage }))
   */
  upload(prefix: string, options: UploadOptions = {}): Expr {
    return fnExpr("url.upload", this.e, [], { prefix, ...withStorageRef(options) });
  }
}

/** The options with storage credentials wrapped so explain() does not print the secrets. */
function withStorageRef(options: { readonly storage?: StorageOptions }): Record<string, unknown> {
  const { storage, ...rest } = options;
  return storage === undefined ? rest : { ...rest, storage: new StorageRef(storage) };
}
