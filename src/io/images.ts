// readImages: one row per image file matching a glob (local, memory://, s3://): its path and its encoded bytes,
// typed as tessera.image. Files are read with bounded concurrency, one batch ahead; a filter on `path` alone is
// applied before any bytes are read, and a projection to `path` reads none.

import * as A from "apache-arrow";
import { InvalidArgumentError, NotFoundError } from "../../format/errors.js";
import { filterIndices } from "../../format/expr/evaluate.js";
import { referencedColumns, resolvePredicate } from "../../format/expr/resolve.js";
import type { ObjectStore, StorageOptions } from "../../format/store/object-store.js";
import { openStore } from "../../format/store/open-store.js";
import { DataType, typeMetadata } from "../expr/data-type.js";
import { bytesData } from "../multimodal/image/columns.js";
import { sniffFormat } from "../multimodal/image/header.js";
import { forEachBounded } from "../udf/bounded.js";
import { checkBatchSize, checkColumns, makeBatch, projectSchema } from "./batch-utils.js";
import { makeColumnBuilder } from "./column-builders.js";
import { resolveFiles, type FileRef, type FileSet } from "./file-set.js";
import type { ScanContext, ScanPushdown, ScanSource, SourceCapabilities } from "./source.js";

/** Options of `readImages`. */
export interface ReadImagesOptions {
  /** Credentials and endpoint for s3:// URIs. Default: the AWS_* environment. */
  readonly storage?: StorageOptions;
  /**
   * The format every file has, recorded in the column's type. Default: inferred from the file extensions (and the
   * magic bytes of files without a known extension, up to 64 of them) when all agree, else left unset.
   */
  readonly format?: string;
  /** Files read at once. Default 16 (the store also caps its requests: 8 local, 16 S3). */
  readonly concurrency?: number;
  /** Most images per batch. Default 256 (a batch also ends before it passes 64 MB of files). */
  readonly batchRows?: number;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  png: "png",
  jpg: "jpeg",
  jpeg: "jpeg",
  jpe: "jpeg",
  webp: "webp",
  gif: "gif",
  tif: "tiff",
  tiff: "tiff",
  avif: "avif",
  heic: "heif",
  heif: "heif",
  svg: "svg",
  bmp: "bmp",
};

/** Files without a known extension whose first bytes are read to infer the column's format. */
const SNIFF_LIMIT = 64;
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * A source of one row per file matching `pattern` (sorted by path): `path` (utf8, as you would pass it to a reader)
 * and `image` (the file's bytes, DataType.image(format)). A pattern matching nothing is a NotFoundError.
 * @example const src = await openImagesSource("s3://bucket/photos/**\/*.jpg");
 */
export async function openImagesSource(pattern: string, options: ReadImagesOptions = {}): Promise<ScanSource> {
  checkOptions(pattern, options);
  const set = await resolveFiles(pattern, options.storage, "image");
  const format = options.format ?? (await inferFormat(set, options.storage));
  const schema = new A.Schema([
    new A.Field("path", new A.Utf8(), false),
    new A.Field("image", new A.Binary(), true, new Map(typeMetadata(DataType.image(format)))),
  ]);
  return new ImagesSource(pattern, set, schema, options);
}

function checkOptions(pattern: string, o: ReadImagesOptions): void {
  for (const key of ["concurrency", "batchRows"] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new InvalidArgumentError(`readImages: ${key} must be a positive integer, got ${String(v)} (reading ${pattern})`, { uri: pattern });
    }
  }
}

function extensionFormat(path: string): string | undefined {
  const dot = path.lastIndexOf(".");
  return dot < 0 || dot < path.lastIndexOf("/") ? undefined : EXTENSIONS[path.slice(dot + 1).toLowerCase()];
}

/** The one format all files share (by extension, or by magic bytes for a few without one), if they share one. */
async function inferFormat(set: FileSet, storage: StorageOptions | undefined): Promise<string | undefined> {
  const formats = new Set<string>();
  const unknown: FileRef[] = [];
  for (const f of set.files) {
    const ext = extensionFormat(f.path);
    if (ext === undefined) unknown.push(f);
    else formats.add(ext);
    if (formats.size > 1) return undefined;
  }
  if (unknown.length > SNIFF_LIMIT) return undefined;
  if (unknown.length > 0) {
    const store = await openStore(set.base, storage);
    try {
      await forEachBounded(unknown.length, 8, async (i) => {
        const f = unknown[i]!;
        const [head] = await store.getRanges(f.path, [{ offset: 0, length: Math.min(f.size, 512) }]);
        formats.add(sniffFormat(head!) ?? "unknown");
      });
    } finally {
      await store.close();
    }
  }
  return formats.size === 1 && !formats.has("unknown") ? [...formats][0] : undefined;
}

class ImagesSource implements ScanSource {
  readonly kind = "Images";
  readonly supports: SourceCapabilities = { projection: true, filter: "prune", limit: true };
  readonly rowCount: number;
  readonly description: string;

  constructor(
    pattern: string,
    private readonly set: FileSet,
    readonly schema: A.Schema,
    private readonly options: ReadImagesOptions,
  ) {
    this.rowCount = set.files.length;
    this.description = `${pattern} (${set.files.length} files)`;
  }

  async *scan(pushdown: ScanPushdown, context: ScanContext): AsyncGenerator<A.RecordBatch> {
    checkBatchSize(context.batchSize, this.description);
    checkColumns(this.schema, pushdown, this.description);
    const { files, exact } = this.selectFiles(pushdown);
    // A limit counts rows after the filter: only when the filter was applied exactly here may it cut the files.
    const limit = pushdown.filter === undefined || exact ? pushdown.limit : undefined;
    const chosen = limit === undefined ? files : files.slice(0, limit);
    const schema = projectSchema(this.schema, pushdown.columns);
    const readBytes = schema.fields.some((f) => f.name === "image");
    const batches = planBatches(chosen, Math.min(context.batchSize, this.options.batchRows ?? 256));
    const store = await openStore(this.set.base, this.options.storage);
    try {
      // One batch is read ahead while the consumer works on the previous one.
      let next = readBytes && batches.length > 0 ? this.read(store, batches[0]!) : undefined;
      for (let b = 0; b < batches.length; b++) {
        const bytes = readBytes ? await next! : undefined;
        next = readBytes && b + 1 < batches.length ? this.read(store, batches[b + 1]!) : undefined;
        next?.catch(() => undefined); // observed when awaited; a failure here must not go unhandled if we stop early
        yield this.batch(schema, batches[b]!, bytes);
        if (context.signal?.aborted === true) return;
      }
    } finally {
      await store.close();
    }
  }

  /** The files to read: all, or those a filter on `path` alone keeps (then exactly the filter's rows). */
  private selectFiles(pushdown: ScanPushdown): { files: readonly FileRef[]; exact: boolean } {
    const files = this.set.files;
    const filter = pushdown.filter;
    if (filter === undefined) return { files, exact: true };
    const cols = referencedColumns(filter);
    if (cols.some((c) => c !== "path")) return { files, exact: false };
    const schema = new A.Schema([this.schema.fields[0]!]);
    const batch = makeBatch(schema, [pathData(files)], files.length);
    const keep = filterIndices(resolvePredicate(filter, schema), batch);
    return { files: Array.from(keep, (i) => files[i]!), exact: true };
  }

  private async read(store: ObjectStore, files: readonly FileRef[]): Promise<Uint8Array[]> {
    const out = new Array<Uint8Array>(files.length);
    await forEachBounded(files.length, this.options.concurrency ?? 16, async (i) => {
      const f = files[i]!;
      try {
        out[i] = await store.get(f.path);
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw new NotFoundError(`readImages: ${f.uri} was listed but is gone; list again (call readImages anew)`, { uri: f.uri, cause: err });
        }
        throw err;
      }
    });
    return out;
  }

  private batch(schema: A.Schema, files: readonly FileRef[], bytes: Uint8Array[] | undefined): A.RecordBatch {
    const children = schema.fields.map((f) => (f.name === "path" ? pathData(files) : bytesData(new A.Binary(), bytes!)));
    return makeBatch(schema, children, files.length);
  }
}

function pathData(files: readonly FileRef[]): A.Data {
  const b = makeColumnBuilder(new A.Utf8());
  for (const f of files) b.append(f.uri);
  return b.finish();
}

/** Files cut into batches of at most `rows` files and about BATCH_BYTES (a bigger file gets a batch of its own). */
function planBatches(files: readonly FileRef[], rows: number): FileRef[][] {
  const out: FileRef[][] = [];
  let cur: FileRef[] = [];
  let bytes = 0;
  for (const f of files) {
    if (cur.length > 0 && (cur.length >= rows || bytes + f.size > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(f);
    bytes += f.size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
