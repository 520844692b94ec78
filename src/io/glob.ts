// Lists the objects matching a glob (local, memory:// or s3://) as a table of one row per file: path, size and
// modification time. The listing happens at each scan, so a source opened once sees files added later.

import * as A from "apache-arrow";
import type { StorageOptions } from "../../format/store/object-store.js";
import { parseUri } from "../../format/store/open-store.js";
import { checkBatchSize, checkColumns, effectiveLimit, makeBatch, projectSchema, takeFirst } from "./batch-utils.js";
import { makeColumnBuilder } from "./column-builders.js";
import { joinUri, splitUri, withStore } from "./file-set.js";
import { globToRegExp, literalPrefix } from "./glob-match.js";
import type { ScanContext, ScanPushdown, ScanSource, SourceCapabilities } from "./source.js";

/** Options of `openGlobSource`. */
export interface GlobOptions {
  /** Credentials and endpoint for s3:// URIs. Default: the AWS_* environment. */
  readonly storage?: StorageOptions;
}

const SCHEMA = new A.Schema([
  new A.Field("path", new A.Utf8(), false),
  new A.Field("size", new A.Int64(), false),
  new A.Field("modified", new A.TimestampMillisecond(), true),
]);

/**
 * A source of one row per object matching `pattern`, sorted by path: `path` (the URI as you would pass it to a
 * reader), `size` (bytes) and `modified` (null where the store does not say). Patterns: `*` and `?` within a path
 * segment, `**` across segments, `[abc]`, `{a,b}`. A pattern matching nothing gives no rows.
 * @example
 * const files = await openGlobSource("s3://bucket/images/**\/*.{jpg,png}");
 */
export async function openGlobSource(pattern: string, options: GlobOptions = {}): Promise<ScanSource> {
  const { base, rest } = splitUri(pattern);
  parseUri(base); // an unsupported scheme fails now, not at the first scan
  return new GlobSource(pattern, base, rest, options);
}

class GlobSource implements ScanSource {
  readonly kind = "Glob";
  readonly schema = SCHEMA;
  readonly supports: SourceCapabilities = { projection: true, filter: "none", limit: true };

  constructor(
    readonly description: string,
    private readonly base: string,
    private readonly rest: string,
    private readonly options: GlobOptions,
  ) {}

  async *scan(pushdown: ScanPushdown, context: ScanContext): AsyncGenerator<A.RecordBatch> {
    checkBatchSize(context.batchSize, this.description);
    checkColumns(this.schema, pushdown, this.description);
    const re = globToRegExp(this.rest);
    const listed = await withStore(this.base, this.options.storage, (store) => store.list(literalPrefix(this.rest)));
    const matches = listed.filter((m) => re.test(m.path));
    const limit = Math.min(effectiveLimit(pushdown) ?? Infinity, matches.length);
    const schema = projectSchema(this.schema, pushdown.columns);
    for (let start = 0; start < limit; start += context.batchSize) {
      const rows = matches.slice(start, Math.min(limit, start + context.batchSize));
      const values: Record<string, (m: (typeof rows)[number]) => unknown> = {
        path: (m) => joinUri(this.base, m.path),
        size: (m) => m.size,
        modified: (m) => m.lastModified ?? null,
      };
      const children = schema.fields.map((f) => {
        const b = makeColumnBuilder(f.type);
        for (const m of rows) b.append(values[f.name]!(m));
        return b.finish();
      });
      yield takeFirst(makeBatch(schema, children, rows.length), limit - start);
    }
  }
}
