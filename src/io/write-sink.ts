// Where writers put bytes: a streaming ObjectStore writer (multipart on S3, a temp file renamed in on disk), fed in
// chunks of at least 1 MiB, optionally through gzip. Nothing is visible at the URI until `close()` succeeds; a
// failed write aborts, leaving nothing behind.

import { once } from "node:events";
import { createGzip, type Gzip } from "node:zlib";
import { InvalidArgumentError } from "../../format/errors.js";
import type { ObjectStore, ObjectWriter, StorageOptions } from "../../format/store/object-store.js";
import { openStore } from "../../format/store/open-store.js";
import { isGzip } from "./byte-stream.js";
import { splitUri } from "./file-set.js";
import { hasGlob } from "./glob-match.js";

/** Output bytes are handed to the store in pieces at least this large (S3 parts, fewer syscalls). */
const FLUSH_BYTES = 1024 * 1024;

/** Compression of text outputs. */
export type TextCompression = "gzip" | "none";

/** Byte sink over one object. */
export class ByteSink {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private gzip: Gzip | undefined;
  private pump: Promise<void> | undefined;
  private failed: unknown;

  private constructor(
    private readonly store: ObjectStore,
    private readonly writer: ObjectWriter,
    compress: boolean,
  ) {
    if (compress) {
      const gz = createGzip();
      this.gzip = gz;
      this.pump = (async () => {
        for await (const chunk of gz) await this.buffer(chunk as Uint8Array);
      })();
      // Failures surface from write()/close(); this keeps an early one from being reported as unhandled.
      this.pump.catch((err: unknown) => (this.failed ??= err));
    }
  }

  /** Opens a sink for `uri`; `compression` defaults to gzip when the name ends in ".gz". */
  static async open(uri: string, storage: StorageOptions | undefined, compression?: TextCompression): Promise<ByteSink> {
    const { base, rest } = splitUri(uri);
    if (hasGlob(rest) || rest === "" || rest.endsWith("/")) {
      throw new InvalidArgumentError(`cannot write to ${uri}: give one object path, without glob characters`, { uri });
    }
    const store = await openStore(base, storage);
    try {
      const writer = await store.openWriter(rest);
      return new ByteSink(store, writer, (compression ?? (isGzip(uri) ? "gzip" : "none")) === "gzip");
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** Writes bytes (or text, as UTF-8); waits when the compressor or the store is behind. */
  async write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (this.failed !== undefined) throw this.failed;
    if (this.gzip === undefined) return this.buffer(bytes);
    if (!this.gzip.write(bytes)) await Promise.race([once(this.gzip, "drain"), this.pump]);
    if (this.failed !== undefined) throw this.failed;
  }

  private async buffer(bytes: Uint8Array): Promise<void> {
    this.pending.push(bytes);
    this.pendingBytes += bytes.byteLength;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.writer.write(joined);
  }

  /** Finishes the object; returns its size in bytes. */
  async close(): Promise<number> {
    try {
      if (this.gzip !== undefined) {
        this.gzip.end();
        await this.pump;
      }
      if (this.failed !== undefined) throw this.failed;
      await this.flush();
      return await this.writer.close();
    } catch (err) {
      await this.writer.abort().catch(() => undefined);
      throw err;
    } finally {
      await this.store.close();
    }
  }

  /** Gives up: no object is created. */
  async abort(): Promise<void> {
    this.gzip?.destroy();
    await this.pump?.catch(() => undefined);
    await this.writer.abort().catch(() => undefined);
    await this.store.close();
  }
}

/**
 * Runs `body` against a sink for `uri`: closes it when the body finishes, aborts it when the body throws.
 * Returns the body's result and the object's size.
 */
export async function withSink<T>(
  uri: string,
  storage: StorageOptions | undefined,
  compression: TextCompression | undefined,
  body: (sink: ByteSink) => Promise<T>,
): Promise<{ result: T; bytes: number }> {
  const sink = await ByteSink.open(uri, storage, compression);
  let result: T;
  try {
    result = await body(sink);
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return { result, bytes: await sink.close() };
}
