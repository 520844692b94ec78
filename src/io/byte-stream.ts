// Streams one object's bytes through the ObjectStore in fixed-size ranged reads (the store has no streaming GET),
// one read ahead of the consumer, and gunzips ".gz" objects on the way. Memory stays at about two chunks plus
// the gunzip buffer (1 MB).

import { Readable, type TransformOptions } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { CorruptFileError, TesseraError } from "../../format/errors.js";
import type { ObjectStore } from "../../format/store/object-store.js";
import type { FileRef } from "./file-set.js";

/** Bytes per ranged read. Large enough that per-request cost (S3 latency) is small, small enough to bound memory. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/** Bytes per gunzip output chunk, and decompressed bytes buffered ahead of the consumer. */
export const GUNZIP_CHUNK_BYTES = 256 * 1024;
export const GUNZIP_BUFFER_BYTES = 1024 * 1024;

/** Counters a streaming reader keeps; tests read them to check that a limit stopped reading early. */
export interface ReadStats {
  /** Bytes fetched from storage (compressed bytes for .gz). */
  bytesRead: number;
  /** Records (lines, rows, array elements) parsed. */
  recordsParsed: number;
  /** Records skipped under `onError: "skip"`. */
  recordsSkipped: number;
  /** Batches produced. */
  batches: number;
}

/** A fresh zeroed ReadStats. */
export function emptyReadStats(): ReadStats {
  return { bytesRead: 0, recordsParsed: 0, recordsSkipped: 0, batches: 0 };
}

/** Raw bytes of `file` in chunks of `chunkBytes`, the next chunk fetched while the current one is consumed. */
export async function* objectChunks(
  store: ObjectStore,
  file: FileRef,
  stats: ReadStats,
  chunkBytes = READ_CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  const fetch = (offset: number): Promise<Uint8Array> => {
    const length = Math.min(chunkBytes, file.size - offset);
    return store.getRanges(file.path, [{ offset, length }]).then(([b]) => {
      stats.bytesRead += b!.byteLength;
      return b!;
    });
  };
  let offset = 0;
  let next = file.size > 0 ? fetch(0) : undefined;
  try {
    while (next !== undefined) {
      const current = await next;
      offset += current.byteLength;
      next = offset < file.size ? fetch(offset) : undefined;
      yield current;
    }
  } finally {
    // A consumer that stops early leaves one read in flight; its failure no longer matters to anyone.
    next?.catch(() => undefined);
  }
}

/** True when the object is gzip-compressed, judged by its name. */
export function isGzip(uri: string): boolean {
  return /\.gz$/i.test(uri);
}

/**
 * The decompressed bytes of `chunks` when `file` is gzip (every member of a multi-member file, as `cat a.gz b.gz`
 * makes), else `chunks` unchanged. Corrupt gzip data is a CorruptFileError naming the file.
 */
export async function* decompressed(file: FileRef, chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (!isGzip(file.uri)) {
    yield* chunks;
    return;
  }
  const source = Readable.from(chunks, { objectMode: false });
  // Larger output chunks and a deeper buffer than zlib's 16 KB defaults let gunzip (on the libuv pool) run ahead while
  // this thread parses: with the defaults the two alternate, and a 47 MB NDJSON.gz read ~1.5× slower.
  // (zlib streams take the Transform options too, though @types/node's ZlibOptions does not list them.)
  const options: ZlibOptions & TransformOptions = { chunkSize: GUNZIP_CHUNK_BYTES, readableHighWaterMark: GUNZIP_BUFFER_BYTES };
  const gunzip = createGunzip(options);
  source.on("error", (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (err) {
    if (err instanceof TesseraError) throw err;
    throw new CorruptFileError(`${file.uri} is not valid gzip (${(err as Error).message}); check the file or drop the .gz suffix`, {
      uri: file.uri,
      cause: err,
    });
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

/** Decoded text of `file` in chunks: ranged reads, gunzip when ".gz", UTF-8 decoding across chunk borders. */
export async function* textChunks(store: ObjectStore, file: FileRef, stats: ReadStats): AsyncGenerator<string> {
  // StringDecoder keeps a character split across chunks for the next call, and decodes ASCII-heavy text several
  // times faster than TextDecoder's streaming mode.
  const decoder = new StringDecoder("utf8");
  let first = true;
  for await (const bytes of decompressed(file, objectChunks(store, file, stats))) {
    let text = decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark is not data
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const tail = decoder.end();
  if (tail.length > 0) yield tail;
}
