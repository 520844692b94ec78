// Reading an IVF-PQ file: the header and metadata once at open, partition blocks on demand. The blocks a query
// misses are fetched in ONE getRanges call so the store can coalesce neighbours; concurrent queries share
// in-flight reads, and blocks stay cached up to a byte budget.

import { CorruptFileError, StorageError } from "../../format/errors.js";
import type { ObjectStore } from "../../format/store/object-store.js";
import { ProductQuantizer } from "../pq.js";
import { ByteBudgetCache } from "./cache.js";
import {
  align8,
  blockBytes,
  decodeBlock,
  decodeHeader,
  decodeMetadata,
  HEADER_BYTES,
  metadataBytes,
  type DirectoryEntry,
  type IvfPqHeader,
  type PartitionBlock,
} from "./layout.js";
import type { IvfPqModel } from "./model.js";

/** The full URI of an object, for messages. */
function objectUri(store: ObjectStore, path: string): string {
  return store.uri.endsWith("/") ? store.uri + path : `${store.uri}/${path}`;
}

/** An open index file: its model, directory and partition cache. */
export class IndexFile {
  private readonly cache: ByteBudgetCache<number, PartitionBlock>;
  private readonly inflight = new Map<number, Promise<PartitionBlock>>();

  private constructor(
    readonly store: ObjectStore,
    readonly path: string,
    readonly uri: string,
    readonly header: IvfPqHeader,
    readonly model: IvfPqModel,
    readonly directory: readonly DirectoryEntry[],
    cacheBytes: number,
  ) {
    this.cache = new ByteBudgetCache(cacheBytes);
  }

  /** Reads and checks the header (one request) and the metadata (one more). */
  static async open(store: ObjectStore, path: string, cacheBytes: number): Promise<IndexFile> {
    const uri = objectUri(store, path);
    const [headBytes] = await store.getRanges(path, [{ offset: 0, length: HEADER_BYTES }]).catch((err: unknown) => {
      throw shortAsCorrupt(err, uri);
    });
    const header = decodeHeader(headBytes!, uri);
    const size = metadataBytes(header.dim, header.partitions);
    const [metaBytes] = await store.getRanges(path, [{ offset: HEADER_BYTES, length: size }]).catch((err: unknown) => {
      throw shortAsCorrupt(err, uri);
    });
    const meta = decodeMetadata(metaBytes!, header, uri);
    const pq = new ProductQuantizer(header.dim, header.subVectors, meta.codebooks);
    const model: IvfPqModel = {
      dim: header.dim,
      metric: header.metric,
      partitions: header.partitions,
      centroids: meta.centroids,
      pq,
    };
    return new IndexFile(store, path, uri, header, model, meta.directory, cacheBytes);
  }

  /** The blocks of `parts`, from the cache, a read in flight, or one coalesced read of the rest. */
  async blocks(parts: ArrayLike<number>): Promise<PartitionBlock[]> {
    const list = Array.from(parts);
    const missing = list.filter((p) => this.cache.get(p) === undefined && !this.inflight.has(p));
    if (missing.length > 0) {
      const read = this.fetch(missing);
      missing.forEach((p, i) => this.inflight.set(p, read.then((blocks) => blocks[i]!)));
      const settle = (): void => missing.forEach((p) => this.inflight.delete(p));
      read.then(settle, settle);
    }
    // Looked up now, synchronously: a block the budget evicts right after its read still comes from `inflight`.
    return Promise.all(list.map((p) => this.cache.get(p) ?? this.inflight.get(p)!));
  }

  /** Synchronous cache probe, so a fully cached query never waits on a promise. */
  cached(parts: ArrayLike<number>): PartitionBlock[] | undefined {
    const out: PartitionBlock[] = [];
    for (let i = 0; i < parts.length; i++) {
      const b = this.cache.get(parts[i]!);
      if (b === undefined) return undefined;
      out.push(b);
    }
    return out;
  }

  private async fetch(parts: number[]): Promise<PartitionBlock[]> {
    const m = this.header.subVectors;
    const ranges = parts.map((p) => ({ offset: this.directory[p]!.offset, length: blockBytes(this.directory[p]!.count, m) }));
    const bytes = await this.store.getRanges(this.path, ranges).catch((err: unknown) => {
      throw shortAsCorrupt(err, this.uri);
    });
    return parts.map((p, i) => {
      const block = decodeBlock(bytes[i]!, p, this.directory[p]!, m, this.uri);
      this.cache.set(p, block, align8(block.ids.byteLength + block.codes.byteLength));
      return block;
    });
  }
}

/** A short read means a truncated file: report it as corrupt, naming the object. */
function shortAsCorrupt(err: unknown, uri: string): unknown {
  if (err instanceof StorageError && /short read/.test(err.message)) {
    return new CorruptFileError(`IVF-PQ index ${uri} is corrupt: the file is truncated; rebuild the index`, { uri, cause: err });
  }
  return err;
}
