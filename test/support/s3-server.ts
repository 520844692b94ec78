// A small in-memory S3-compatible server on node:http for tests: path-style buckets, no signature checks, conditional
// writes (`If-None-Match: *`) enforced atomically, plus fault injection and per-operation request counts.

import { createHash, randomUUID } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { StorageOptions } from "../../format/store/object-store.js";

const OPERATIONS = [
  "CreateBucket",
  "HeadBucket",
  "PutObject",
  "GetObject",
  "HeadObject",
  "DeleteObject",
  "ListObjectsV2",
  "CreateMultipartUpload",
  "UploadPart",
  "CompleteMultipartUpload",
  "AbortMultipartUpload",
  "Unsupported",
] as const;
export type S3Operation = (typeof OPERATIONS)[number];

export interface S3ServerOptions {
  /** Largest page ListObjectsV2 returns whatever max-keys asks; real S3 caps at 1000. */
  maxListKeys?: number;
  /** Smallest allowed size of a multipart part other than the last; real S3 requires 5 MiB. */
  minPartSize?: number;
}

export interface S3Server {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Options that point an S3Store at this server (path-style, dummy credentials). */
  storageOptions(): StorageOptions;
  faults: S3Faults;
  /** Requests received per operation, including those answered by an injected fault. */
  readonly counts: Record<S3Operation, number>;
  resetCounts(): void;
  /** Multipart uploads created and neither completed nor aborted. */
  uploadsInProgress(): number;
  /** Keys stored in a bucket, sorted. */
  keys(bucket: string): string[];
  close(): Promise<void>;
}

interface StoredObject {
  bytes: Buffer;
  etag: string;
  lastModified: Date;
}

interface Upload {
  bucket: string;
  key: string;
  parts: Map<number, { bytes: Buffer; etag: string }>;
}

interface Fault {
  remaining: number;
  op: S3Operation | undefined;
  status?: number;
  delayMs?: number;
  drop?: boolean;
}

const ERROR_CODES: Record<number, string> = {
  400: "BadRequest",
  403: "AccessDenied",
  404: "NoSuchKey",
  409: "ConditionalRequestConflict",
  412: "PreconditionFailed",
  429: "TooManyRequests",
  500: "InternalError",
  501: "NotImplemented",
  502: "BadGateway",
  503: "SlowDown",
  504: "GatewayTimeout",
};

/** Faults applied to the next matching requests, in the order they were added. */
export class S3Faults {
  private rules: Fault[] = [];

  /** The next `n` requests (of operation `op`, if given) fail with `status` and an S3 error body. */
  failNext(n: number, status = 503, op?: S3Operation): void {
    this.rules.push({ remaining: n, op, status });
  }

  /** The next `n` requests wait `ms` before being served. */
  delayNext(n: number, ms: number, op?: S3Operation): void {
    this.rules.push({ remaining: n, op, delayMs: ms });
  }

  /** The next `n` requests have their connection destroyed without a response ("socket hang up"). */
  dropNext(n: number, op?: S3Operation): void {
    this.rules.push({ remaining: n, op, drop: true });
  }

  clear(): void {
    this.rules = [];
  }

  /** Consumes and returns the fault for one request, if any. */
  take(op: S3Operation): Fault | undefined {
    const i = this.rules.findIndex((f) => f.remaining > 0 && (f.op === undefined || f.op === op));
    if (i < 0) return undefined;
    const fault = this.rules[i]!;
    if (--fault.remaining === 0) this.rules.splice(i, 1);
    return fault;
  }
}

const md5 = (b: Buffer): Buffer => createHash("md5").update(b).digest();

const xmlEscape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);

const xmlUnescape = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[e]!);

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

function classify(method: string, key: string, q: URLSearchParams): S3Operation {
  if (key === "") {
    if (method === "PUT") return "CreateBucket";
    if (method === "HEAD") return "HeadBucket";
    if (method === "GET" && q.get("list-type") === "2") return "ListObjectsV2";
    return "Unsupported";
  }
  switch (method) {
    case "GET":
      return q.has("uploadId") || q.has("uploads") ? "Unsupported" : "GetObject";
    case "HEAD":
      return "HeadObject";
    case "PUT":
      if (q.has("uploadId")) return q.has("partNumber") ? "UploadPart" : "Unsupported";
      return "PutObject";
    case "POST":
      if (q.has("uploads")) return "CreateMultipartUpload";
      return q.has("uploadId") ? "CompleteMultipartUpload" : "Unsupported";
    case "DELETE":
      return q.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    default:
      return "Unsupported";
  }
}

/** Parses a Range header against an object size: [start, end] inclusive, "all" to ignore it, or "unsatisfiable". */
function parseRange(header: string | undefined, size: number): [number, number] | "all" | "unsatisfiable" {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Like S3: a missing, malformed or multi-range header is ignored and the whole object served.
  if (m === null || (m[1] === "" && m[2] === "")) return "all";
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return "unsatisfiable";
  if (end < start) return "all";
  return [start, end];
}

export async function startS3Server(opts: S3ServerOptions = {}): Promise<S3Server> {
  const maxListKeys = opts.maxListKeys ?? 1000;
  const minPartSize = opts.minPartSize ?? 5 * 1024 * 1024;
  const buckets = new Map<string, Map<string, StoredObject>>();
  const uploads = new Map<string, Upload>();
  const faults = new S3Faults();
  const newCounts = () => Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<S3Operation, number>;
  const counts = newCounts();
  // Pending delay timers, cancelled at close so a delayed request never keeps the test process alive.
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const entry = { timer: setTimeout(() => (timers.delete(entry), resolve()), ms), resolve };
      timers.add(entry);
    });

  const bucketOf = (name: string): Map<string, StoredObject> => {
    let b = buckets.get(name);
    if (b === undefined) buckets.set(name, (b = new Map()));
    return b;
  };

  const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });

  const send = (res: http.ServerResponse, status: number, headers: Record<string, string | number>, body?: Buffer | string) => {
    const buf = body === undefined ? undefined : typeof body === "string" ? Buffer.from(body) : body;
    res.writeHead(status, { "x-amz-request-id": randomUUID(), ...headers, "content-length": headers["content-length"] ?? buf?.byteLength ?? 0 });
    res.end(res.req.method === "HEAD" ? undefined : buf);
  };

  const xml = (res: http.ServerResponse, body: string) =>
    send(res, 200, { "content-type": "application/xml" }, XML_HEAD + body);

  const fail = (res: http.ServerResponse, status: number, code: string, message: string, resource: string) => {
    const body = `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><Resource>${xmlEscape(resource)}</Resource><RequestId>test</RequestId></Error>`;
    send(res, status, { "content-type": "application/xml" }, XML_HEAD + body);
  };

  const objectHeaders = (o: StoredObject, length: number): Record<string, string | number> => ({
    etag: o.etag,
    "last-modified": o.lastModified.toUTCString(),
    "accept-ranges": "bytes",
    "content-type": "application/octet-stream",
    "content-length": length,
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const [, bucket = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    const q = url.searchParams;
    const method = req.method ?? "GET";
    const op = classify(method, key, q);
    counts[op]++;
    const resource = `/${bucket}/${key}`;

    const fault = faults.take(op);
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
    if (fault?.drop || req.socket.destroyed) return void req.socket.destroy();
    const body = await readBody(req);
    if (res.destroyed) return;
    if (fault?.status !== undefined) {
      return fail(res, fault.status, ERROR_CODES[fault.status] ?? "InjectedFault", "injected fault", resource);
    }
    if (bucket === "") return fail(res, 501, "NotImplemented", "ListBuckets is not supported", "/");
    const objects = bucketOf(bucket);
    const ifNoneMatchAll = req.headers["if-none-match"] === "*";

    switch (op) {
      case "CreateBucket":
      case "HeadBucket":
        return send(res, 200, { location: `/${bucket}` });

      case "PutObject": {
        if (req.headers["x-amz-copy-source"] !== undefined) {
          return fail(res, 501, "NotImplemented", "CopyObject is not supported", resource);
        }
        // Check and store in one synchronous step: that is what makes the conditional write atomic here.
        if (ifNoneMatchAll && objects.has(key)) {
          return fail(res, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", resource);
        }
        const etag = `"${md5(body).toString("hex")}"`;
        objects.set(key, { bytes: body, etag, lastModified: new Date() });
        return send(res, 200, { etag });
      }

      case "GetObject":
      case "HeadObject": {
        const o = objects.get(key);
        if (o === undefined) return fail(res, 404, "NoSuchKey", "The specified key does not exist.", resource);
        const size = o.bytes.byteLength;
        const range = parseRange(req.headers.range, size);
        if (range === "unsatisfiable") {
          res.setHeader("content-range", `bytes */${size}`);
          return fail(res, 416, "InvalidRange", "The requested range is not satisfiable", resource);
        }
        if (range === "all") return send(res, 200, objectHeaders(o, size), o.bytes);
        const [start, end] = range;
        const headers = { ...objectHeaders(o, end - start + 1), "content-range": `bytes ${start}-${end}/${size}` };
        return send(res, 206, headers, o.bytes.subarray(start, end + 1));
      }

      case "DeleteObject":
        objects.delete(key);
        return send(res, 204, {});

      case "ListObjectsV2": {
        if (q.get("delimiter")) return fail(res, 501, "NotImplemented", "delimiter is not supported", resource);
        const prefix = q.get("prefix") ?? "";
        const maxKeys = Math.min(Number(q.get("max-keys") ?? 1000), maxListKeys);
        const token = q.get("continuation-token");
        const after = token !== null ? Buffer.from(token, "base64url").toString() : (q.get("start-after") ?? "");
        const urlEncode = q.get("encoding-type") === "url";
        const all = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
        const page = all.slice(0, maxKeys);
        const truncated = all.length > page.length;
        const enc = (s: string) => xmlEscape(urlEncode ? encodeURIComponent(s) : s);
        const contents = page.map((k) => {
          const o = objects.get(k)!;
          return (
            `<Contents><Key>${enc(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified>` +
            `<ETag>${xmlEscape(o.etag)}</ETag><Size>${o.bytes.byteLength}</Size><StorageClass>STANDARD</StorageClass></Contents>`
          );
        });
        const next = truncated ? Buffer.from(page[page.length - 1]!).toString("base64url") : undefined;
        return xml(
          res,
          `<ListBucketResult ${XMLNS}><Name>${xmlEscape(bucket)}</Name><Prefix>${enc(prefix)}</Prefix>` +
            `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
            (token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : "") +
            (next !== undefined ? `<NextContinuationToken>${next}</NextContinuationToken>` : "") +
            (urlEncode ? "<EncodingType>url</EncodingType>" : "") +
            contents.join("") +
            "</ListBucketResult>",
        );
      }

      case "CreateMultipartUpload": {
        const id = randomUUID();
        uploads.set(id, { bucket, key, parts: new Map() });
        return xml(
          res,
          `<InitiateMultipartUploadResult ${XMLNS}><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key>` +
            `<UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
        );
      }

      case "UploadPart":
      case "CompleteMultipartUpload":
      case "AbortMultipartUpload": {
        const id = q.get("uploadId")!;
        const upload = uploads.get(id);
        if (upload === undefined || upload.bucket !== bucket || upload.key !== key) {
          return fail(res, 404, "NoSuchUpload", "The specified upload does not exist.", resource);
        }
        if (op === "AbortMultipartUpload") {
          uploads.delete(id);
          return send(res, 204, {});
        }
        if (op === "UploadPart") {
          const n = Number(q.get("partNumber"));
          if (!Number.isInteger(n) || n < 1 || n > 10000) return fail(res, 400, "InvalidArgument", "bad partNumber", resource);
          const etag = `"${md5(body).toString("hex")}"`;
          upload.parts.set(n, { bytes: body, etag });
          return send(res, 200, { etag });
        }
        return complete(res, id, upload, body.toString("utf8"), ifNoneMatchAll, objects, resource);
      }

      case "Unsupported":
        return fail(res, 501, "NotImplemented", `${method} ${url.search} is not supported by the test server`, resource);
    }
  }

  function complete(
    res: http.ServerResponse,
    id: string,
    upload: Upload,
    xmlBody: string,
    ifNoneMatchAll: boolean,
    objects: Map<string, StoredObject>,
    resource: string,
  ): void {
    const listed = [...xmlBody.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
      n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(m[1]!)?.[1]),
      etag: xmlUnescape(/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1]!)?.[1] ?? "").replace(/"/g, ""),
    }));
    if (listed.length === 0) return fail(res, 400, "MalformedXML", "no parts listed", resource);
    const chosen: Buffer[] = [];
    for (const [i, p] of listed.entries()) {
      const part = upload.parts.get(p.n);
      if (part === undefined || part.etag.replace(/"/g, "") !== p.etag) {
        return fail(res, 400, "InvalidPart", `part ${p.n} was not uploaded or its ETag differs`, resource);
      }
      if (i > 0 && p.n <= listed[i - 1]!.n) return fail(res, 400, "InvalidPartOrder", "parts must ascend", resource);
      if (i < listed.length - 1 && part.bytes.byteLength < minPartSize) {
        return fail(res, 400, "EntityTooSmall", `part ${p.n} is smaller than ${minPartSize} bytes`, resource);
      }
      chosen.push(part.bytes);
    }
    // Like S3, a failed precondition leaves the upload in place (the client should abort it).
    if (ifNoneMatchAll && objects.has(upload.key)) {
      return fail(res, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", resource);
    }
    const etag = `"${md5(Buffer.concat(chosen.map(md5))).toString("hex")}-${chosen.length}"`;
    objects.set(upload.key, { bytes: Buffer.concat(chosen), etag, lastModified: new Date() });
    uploads.delete(id);
    xml(
      res,
      `<CompleteMultipartUploadResult ${XMLNS}><Location>${xmlEscape(resource)}</Location>` +
        `<Bucket>${xmlEscape(upload.bucket)}</Bucket><Key>${xmlEscape(upload.key)}</Key>` +
        `<ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`,
    );
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) fail(res, 500, "InternalError", String(err), req.url ?? "");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    storageOptions: () => ({
      endpoint,
      region: "us-east-1",
      accessKeyId: "test",
      secretAccessKey: "test",
      forcePathStyle: true,
    }),
    faults,
    counts,
    resetCounts: () => Object.assign(counts, newCounts()),
    uploadsInProgress: () => uploads.size,
    keys: (bucket) => [...(buckets.get(bucket)?.keys() ?? [])].sort(),
    close: async () => {
      for (const t of timers) {
        clearTimeout(t.timer);
        t.resolve();
      }
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
