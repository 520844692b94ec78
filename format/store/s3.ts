// S3 backend (AWS S3 and S3-compatible servers) for `s3://bucket/prefix` URIs, over @aws-sdk/client-s3.
// Create-only writes send `If-None-Match: *`, so among racing writers exactly one wins.

import { addAbortSignal, Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { CompletedPart, S3ClientConfig } from "@aws-sdk/client-s3";
import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  RetryableError,
  StorageError,
  TesseraError,
} from "../errors.js";
import { BaseStore } from "./base-store.js";
import type { ByteRange, ObjectMeta, ObjectWriter, StorageOptions, WriterOptions } from "./object-store.js";
import { joinPath } from "./object-store.js";
import { withTimeout } from "./retry.js";

/** Streaming uploads switch to multipart past this size; S3 wants at least 5 MiB for every part but the last. */
export const PART_SIZE = 8 * 1024 * 1024;

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NAMES = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequests",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "ServiceUnavailable",
]);
// Connection-level failures. ECONNREFUSED is included because servers restart; if it persists, the retries run
// out and the caller gets the "cannot reach" message.
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
]);
const CREDENTIAL_NAMES = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "CredentialsProviderError",
]);

function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === "" ? undefined : v;
}

/** Turns an SDK or network error into a typed error naming the object and, for network trouble, the endpoint. */
function mapS3Error(err: unknown, uri: string, action: string, endpoint: string, conditional: boolean): TesseraError {
  if (err instanceof TesseraError) return err;
  const e = (err ?? {}) as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.Code ?? e.name ?? "Error";
  const message = e.message ?? String(err);
  const ctx = { uri, cause: err };

  if (conditional && (status === 412 || status === 409)) {
    return new AlreadyExistsError(`object already exists: ${uri}`, ctx);
  }
  if (name === "NoSuchBucket") {
    return new NotFoundError(`bucket of ${uri} does not exist (at endpoint ${endpoint})`, ctx);
  }
  if (status === 404 || name === "NoSuchKey" || name === "NotFound") {
    return new NotFoundError(`object not found: ${uri}`, ctx);
  }
  if (status === 403 || CREDENTIAL_NAMES.has(name)) {
    return new StorageError(
      `access denied to ${action} ${uri} (${name}): check the S3 credentials (accessKeyId/secretAccessKey or ` +
        `AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), their permissions on the bucket, and the region`,
      ctx,
    );
  }
  if (status === undefined) {
    if ((e.code !== undefined && NETWORK_CODES.has(e.code)) || name === "TimeoutError" || /socket hang up/i.test(message)) {
      return new RetryableError(
        `cannot reach S3 endpoint ${endpoint} to ${action} ${uri}: ${message}; check the endpoint and that the server is up`,
        ctx,
      );
    }
    if (e.code === "ENOTFOUND") {
      return new StorageError(`cannot resolve S3 endpoint ${endpoint} to ${action} ${uri}: ${message}`, ctx);
    }
  }
  if ((status !== undefined && RETRYABLE_STATUS.has(status)) || RETRYABLE_NAMES.has(name)) {
    return new RetryableError(`S3 ${action} of ${uri} failed temporarily (HTTP ${status ?? "-"} ${name}): ${message}`, ctx);
  }
  if (status === 416 || name === "InvalidRange") {
    return new StorageError(`requested range is past the end of ${uri}; the object is shorter than expected`, ctx);
  }
  return new StorageError(`S3 ${action} of ${uri} failed (HTTP ${status ?? "-"} ${name}): ${message}`, ctx);
}

/** Caps requests in flight; a request's time limit starts only once it holds a slot, so queueing is not a timeout. */
class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, or give it back.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }
}

/** Reads a response body into one fresh buffer (aligned for typed-array views), destroyed if the request is aborted. */
async function readBody(body: unknown, length: number | undefined, signal: AbortSignal, uri: string): Promise<Uint8Array> {
  if (!(body instanceof Readable)) throw new StorageError(`S3 response for ${uri} has no readable body`, { uri });
  addAbortSignal(signal, body);
  if (length === undefined) {
    const chunks: Uint8Array[] = [];
    for await (const c of body) chunks.push(c as Uint8Array);
    return new Uint8Array(Buffer.concat(chunks));
  }
  const out = new Uint8Array(length);
  let off = 0;
  for await (const c of body) {
    const chunk = c as Uint8Array;
    if (off + chunk.byteLength > length) {
      throw new StorageError(`S3 response for ${uri} is longer than its Content-Length ${length}`, { uri });
    }
    out.set(chunk, off);
    off += chunk.byteLength;
  }
  // A body cut short is a broken connection, not a short object: try again.
  if (off !== length) throw new RetryableError(`S3 response for ${uri} ended after ${off} of ${length} bytes`, { uri });
  return out;
}

/** The requests a streaming upload makes, each already limited, timed, retried and counted by the store. */
interface UploadIO {
  putWhole(bytes: Uint8Array, ifAbsent: boolean): Promise<boolean>;
  create(): Promise<string>;
  part(uploadId: string, partNumber: number, bytes: Uint8Array): Promise<CompletedPart>;
  complete(uploadId: string, parts: CompletedPart[], ifAbsent: boolean): Promise<void>;
  abort(uploadId: string): Promise<void>;
}

/**
 * Buffers writes into one part-sized buffer; a full buffer goes out as a multipart part only when more data follows,
 * so an object that fits in one part is a single PutObject. At most one part uploads while the next one fills.
 */
class S3Writer implements ObjectWriter {
  private buf = new Uint8Array(0);
  private used = 0;
  private size = 0;
  private state: "open" | "closing" | "closed" | "aborted" | "failed" = "open";
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    private readonly io: UploadIO,
    private readonly uri: string,
    private readonly ifAbsent: boolean,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    this.checkOpen("write to");
    try {
      let off = 0;
      while (off < bytes.byteLength) {
        if (this.used === PART_SIZE) await this.sendPart();
        const n = Math.min(PART_SIZE - this.used, bytes.byteLength - off);
        this.reserve(this.used + n);
        this.buf.set(bytes.subarray(off, off + n), this.used);
        this.used += n;
        off += n;
      }
      this.size += bytes.byteLength;
    } catch (err) {
      await this.fail();
      throw err;
    }
  }

  async close(): Promise<number> {
    if (this.state === "closed") return this.size;
    this.checkOpen("close");
    this.state = "closing"; // no writes may slip in while the last requests are out
    try {
      if (this.uploadId === undefined) {
        const won = await this.io.putWhole(this.buf.subarray(0, this.used), this.ifAbsent);
        if (!won) throw new AlreadyExistsError(`object already exists: ${this.uri}`, { uri: this.uri });
      } else {
        if (this.used > 0) await this.sendPart();
        await this.inflight;
        await this.io.complete(this.uploadId, this.parts, this.ifAbsent);
      }
    } catch (err) {
      await this.fail();
      throw err;
    }
    this.state = "closed";
    this.buf = new Uint8Array(0);
    return this.size;
  }

  async abort(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "aborted";
    this.buf = new Uint8Array(0);
    await this.inflight.catch(() => undefined);
    if (this.uploadId !== undefined) {
      await this.io.abort(this.uploadId).catch((err: unknown) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
    }
  }

  private checkOpen(action: string): void {
    if (this.state !== "open") throw new InvalidArgumentError(`${action} a ${this.state} writer of ${this.uri}`);
  }

  /** Grows the buffer by doubling, so small objects never allocate a whole part; once multipart, parts are full size. */
  private reserve(n: number): void {
    if (n <= this.buf.byteLength) return;
    const want = this.uploadId !== undefined ? PART_SIZE : Math.max(n, this.buf.byteLength * 2, 64 * 1024);
    const grown = new Uint8Array(Math.min(PART_SIZE, want));
    grown.set(this.buf.subarray(0, this.used));
    this.buf = grown;
  }

  /** Ships the buffer as the next part once the previous part is done (bounding memory to about two parts). */
  private async sendPart(): Promise<void> {
    await this.inflight;
    this.uploadId ??= await this.io.create();
    const bytes = this.buf.subarray(0, this.used);
    const partNumber = this.parts.length + 1;
    this.buf = new Uint8Array(0); // the next write allocates, so the last part allocates nothing
    this.used = 0;
    this.inflight = this.io.part(this.uploadId, partNumber, bytes).then((p) => void this.parts.push(p));
    // A failure is reported by the next write or close, which await `inflight`; this only silences the rejection.
    this.inflight.catch(() => undefined);
  }

  /** After a failure nothing more may be written; uploaded parts are discarded, best effort. */
  private async fail(): Promise<void> {
    if (this.state !== "open" && this.state !== "closing") return;
    this.state = "failed";
    this.buf = new Uint8Array(0);
    await this.inflight.catch(() => undefined);
    // Abandoned parts are invisible and bucket lifecycle rules remove them; do not hide the original error.
    if (this.uploadId !== undefined) await this.io.abort(this.uploadId).catch(() => undefined);
  }
}

/** Backend over one bucket and key prefix. */
export class S3Store extends BaseStore {
  readonly uri: string;
  readonly bucket: string;
  readonly prefix: string;
  /** The endpoint requests go to, for messages. */
  readonly endpoint: string;
  private readonly client: S3Client;
  private readonly timeoutMs: number;
  private readonly limiter: Limiter;

  constructor(bucket: string, prefix: string, options: StorageOptions = {}) {
    const maxConcurrency = options.maxConcurrency ?? 16;
    // Coalesce ranges up to 1 MiB apart: one S3 round trip costs far more than reading a megabyte more.
    super({ coalesceGap: 1024 * 1024, maxConcurrency, retries: options.retries ?? 4 });
    this.bucket = bucket;
    this.prefix = joinPath(prefix);
    this.uri = this.prefix === "" ? `s3://${bucket}` : `s3://${bucket}/${this.prefix}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.limiter = new Limiter(maxConcurrency);

    // The SDK insists on a region; S3-compatible servers mostly ignore it.
    const region = options.region ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? "us-east-1";
    const endpoint = options.endpoint ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL");
    this.endpoint = endpoint ?? `https://s3.${region}.amazonaws.com`;
    const accessKeyId = options.accessKeyId ?? env("AWS_ACCESS_KEY_ID");
    const secretAccessKey = options.secretAccessKey ?? env("AWS_SECRET_ACCESS_KEY");
    const sessionToken = options.sessionToken ?? env("AWS_SESSION_TOKEN");

    const config: S3ClientConfig = {
      region,
      forcePathStyle: options.forcePathStyle ?? false,
      // BaseStore retries RetryableError itself; SDK retries underneath would multiply the attempts.
      maxAttempts: 1,
      // Checksums only where S3 demands them: many S3-compatible servers reject the newer checksum headers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: {
        httpAgent: { keepAlive: true, maxSockets: maxConcurrency },
        httpsAgent: { keepAlive: true, maxSockets: maxConcurrency },
      },
    };
    if (endpoint !== undefined) config.endpoint = endpoint;
    // Without explicit keys the SDK's default chain applies (profiles, SSO, instance roles).
    if (accessKeyId !== undefined && secretAccessKey !== undefined) {
      config.credentials = sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
    }
    this.client = new S3Client(config);
  }

  private key(path: string): string {
    return joinPath(this.prefix, path);
  }

  /** One S3 request: waits for a slot, then runs under the time limit, with errors mapped to Tessera errors. */
  private request<T>(
    path: string,
    action: string,
    fn: (signal: AbortSignal) => Promise<T>,
    conditional = false,
  ): Promise<T> {
    return this.limiter.run(async () => {
      const uri = this.describe(path);
      const ac = new AbortController();
      try {
        return await withTimeout(fn(ac.signal), this.timeoutMs, `S3 ${action} of ${uri} at ${this.endpoint}`, () => ac.abort());
      } catch (err) {
        throw mapS3Error(err, uri, action, this.endpoint, conditional);
      }
    });
  }

  protected rawGet(path: string): Promise<Uint8Array> {
    return this.request(path, "read", async (abortSignal) => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path) }), { abortSignal });
      return readBody(res.Body, res.ContentLength, abortSignal, this.describe(path));
    });
  }

  protected async rawGetRange(path: string, range: ByteRange): Promise<Uint8Array> {
    if (range.length === 0) {
      // An HTTP range cannot be empty; a HEAD keeps "missing object" and "offset past the end" errors the same.
      const meta = await this.rawHead(path);
      if (range.offset > meta.size) {
        throw new StorageError(`offset ${range.offset} is past the end of ${this.describe(path)} (size ${meta.size})`, {
          uri: this.describe(path),
        });
      }
      return new Uint8Array(0);
    }
    const end = range.offset + range.length - 1;
    return this.request(path, "read", async (abortSignal) => {
      const cmd = new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path), Range: `bytes=${range.offset}-${end}` });
      const res = await this.client.send(cmd, { abortSignal });
      const bytes = await readBody(res.Body, res.ContentLength, abortSignal, this.describe(path));
      // A server that ignores Range sends the whole object (200, no Content-Range): cut the asked bytes out.
      if (res.ContentRange === undefined && bytes.byteLength > range.length) {
        return bytes.slice(range.offset, range.offset + range.length);
      }
      return bytes;
    });
  }

  protected rawHead(path: string): Promise<ObjectMeta> {
    return this.request(path, "stat", async (abortSignal) => {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(path) }), { abortSignal });
      const meta: ObjectMeta = { path, size: res.ContentLength ?? 0 };
      if (res.ETag !== undefined) meta.etag = res.ETag;
      if (res.LastModified !== undefined) meta.lastModified = res.LastModified;
      return meta;
    });
  }

  protected async rawPut(path: string, bytes: Uint8Array, ifAbsent: boolean): Promise<boolean> {
    try {
      await this.request(
        path,
        "write",
        (abortSignal) =>
          this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: this.key(path),
              Body: bytes,
              ContentLength: bytes.byteLength,
              ...(ifAbsent ? { IfNoneMatch: "*" } : {}),
            }),
            { abortSignal },
          ),
        ifAbsent,
      );
      return true;
    } catch (err) {
      // 412 (or 409 for a concurrent conditional write): another writer committed first.
      if (ifAbsent && err instanceof AlreadyExistsError) return false;
      throw err;
    }
  }

  async openWriter(path: string, options: WriterOptions = {}): Promise<ObjectWriter> {
    const Bucket = this.bucket;
    const Key = this.key(path);
    const counted = async <T>(bytes: number, fn: () => Promise<T>): Promise<T> => {
      const out = await this.retry(fn);
      this.stats.requests++;
      this.stats.bytesWritten += bytes;
      return out;
    };
    const io: UploadIO = {
      putWhole: (bytes, ifAbsent) => (ifAbsent ? this.putIfAbsent(path, bytes) : this.put(path, bytes).then(() => true)),
      create: () =>
        counted(0, () =>
          this.request(path, "start upload of", async (abortSignal) => {
            const res = await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key }), { abortSignal });
            if (res.UploadId === undefined) throw new StorageError(`S3 returned no upload id for ${this.describe(path)}`);
            return res.UploadId;
          }),
        ),
      part: (UploadId, PartNumber, bytes) =>
        counted(bytes.byteLength, () =>
          this.request(path, "upload part of", async (abortSignal) => {
            const cmd = new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: bytes, ContentLength: bytes.byteLength });
            const res = await this.client.send(cmd, { abortSignal });
            return { PartNumber, ETag: res.ETag };
          }),
        ),
      complete: (UploadId, Parts, ifAbsent) =>
        counted(0, () =>
          this.request(
            path,
            "complete upload of",
            async (abortSignal) => {
              const cmd = new CompleteMultipartUploadCommand({
                Bucket,
                Key,
                UploadId,
                MultipartUpload: { Parts },
                ...(ifAbsent ? { IfNoneMatch: "*" } : {}),
              });
              await this.client.send(cmd, { abortSignal });
            },
            ifAbsent,
          ),
        ),
      abort: (UploadId) =>
        counted(0, () =>
          this.request(path, "abort upload of", async (abortSignal) => {
            await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }), { abortSignal });
          }),
        ),
    };
    return new S3Writer(io, this.describe(path), options.ifAbsent === true);
  }

  protected async rawList(prefix: string): Promise<ObjectMeta[]> {
    // Not joinPath: a trailing slash in the prefix is meaningful ("data/" must not match "database").
    const full = this.prefix === "" ? prefix : `${this.prefix}/${prefix}`;
    const strip = this.prefix === "" ? 0 : this.prefix.length + 1;
    const out: ObjectMeta[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await this.request(prefix, "list", (abortSignal) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            ...(full !== "" ? { Prefix: full } : {}),
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
          { abortSignal },
        ),
      );
      pages++;
      for (const o of page.Contents ?? []) {
        // Keys ending in "/" are folder markers made by consoles, not objects.
        if (o.Key === undefined || o.Key.endsWith("/")) continue;
        const meta: ObjectMeta = { path: o.Key.slice(strip), size: o.Size ?? 0 };
        if (o.ETag !== undefined) meta.etag = o.ETag;
        if (o.LastModified !== undefined) meta.lastModified = o.LastModified;
        out.push(meta);
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    // BaseStore counts the listing once; the counters promise every request, so add the further pages.
    this.stats.requests += pages - 1;
    return out;
  }

  protected async rawDelete(path: string): Promise<void> {
    try {
      await this.request(path, "delete", (abortSignal) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(path) }), { abortSignal }),
      );
    } catch (err) {
      // S3 answers 204 for a missing key, but some compatible servers say 404; either way it is gone.
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
