// Local filesystem backend. Atomic create uses link(2) of a finished temp file, which has exactly one winner among
// racing writers (rename does not: every racer "wins"). Replacing writes go to a temp file and are renamed in.

import { randomBytes } from "node:crypto";
import { constants as fsc, readSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as nodePath from "node:path";
import { pathToFileURL } from "node:url";
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

const TEMP_MARK = ".tmp-";
/** Requests up to this many bytes are read synchronously (see fetchPlanned). */
const SYNC_READ_BYTES = 1024 * 1024;

/** Maps a Node fs error to a typed Tessera error naming the object. */
export function mapFsError(err: unknown, uri: string, action: string): TesseraError {
  if (err instanceof TesseraError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const msg = (err as Error | undefined)?.message ?? String(err);
  switch (code) {
    case "ENOENT":
      return new NotFoundError(`object not found: ${uri}`, { uri, cause: err });
    case "EEXIST":
      return new AlreadyExistsError(`object already exists: ${uri}`, { uri, cause: err });
    case "EMFILE":
    case "ENFILE":
    case "EAGAIN":
    case "EBUSY":
    case "EINTR":
      return new RetryableError(`${action} ${uri} failed temporarily (${code}): ${msg}`, { uri, cause: err });
    case "EACCES":
    case "EPERM":
      return new StorageError(`permission denied to ${action} ${uri}; check the file permissions`, { uri, cause: err });
    case "ENOTDIR":
    case "EISDIR":
      return new InvalidArgumentError(`${uri} is not a valid object path (${code})`, { uri, cause: err });
    default:
      return new StorageError(`${action} ${uri} failed: ${msg}`, { uri, cause: err });
  }
}

function tempName(file: string): string {
  return `${nodePath.dirname(file)}/${TEMP_MARK}${nodePath.basename(file)}.${randomBytes(6).toString("hex")}`;
}

/** Cached read handles are closed after this long without a read. */
const IDLE_CLOSE_MS = 2000;

/** Backend over a directory on local disk. */
export class LocalStore extends BaseStore {
  readonly uri: string;
  readonly root: string;
  private readonly handles = new Map<string, Promise<fs.FileHandle>>();
  /** Reads using a cached handle right now: idle closing waits for them. */
  private reading = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(root: string, options: StorageOptions = {}) {
    super({ coalesceGap: 16 * 1024, maxConcurrency: options.maxConcurrency ?? 8, retries: options.retries ?? 4 });
    this.root = nodePath.resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  private file(path: string): string {
    const full = nodePath.resolve(this.root, path);
    if (full !== this.root && !full.startsWith(this.root + nodePath.sep)) {
      throw new InvalidArgumentError(`path ${path} escapes the store root ${this.root}`);
    }
    return full;
  }

  private async wrap<T>(path: string, action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapFsError(err, this.describe(path), action);
    }
  }

  /**
   * Handles left open by a store nobody closes (a Table handle is never closed) would be closed by the garbage
   * collector, which Node warns about and will refuse: cached handles are closed after IDLE_CLOSE_MS without reads.
   */
  private touch(): void {
    if (this.idle !== undefined) {
      this.idle.refresh();
      return;
    }
    this.idle = setTimeout(() => {
      this.idle = undefined;
      if (this.reading > 0) this.touch();
      else this.evictAll();
    }, IDLE_CLOSE_MS);
    this.idle.unref();
  }

  /** `fn` with a cached handle of `path`, which stays open until it finishes. */
  private async withHandle<T>(path: string, fn: (fh: fs.FileHandle) => Promise<T> | T): Promise<T> {
    this.reading++;
    try {
      return await fn(await this.handle(path));
    } finally {
      this.reading--;
      this.touch();
    }
  }

  /** Open handles are cached because objects are immutable once written; writes through this store evict them. */
  private handle(path: string): Promise<fs.FileHandle> {
    this.touch();
    let h = this.handles.get(path);
    if (h === undefined) {
      if (this.handles.size >= 64) this.evictAll();
      h = fs.open(this.file(path), "r");
      h.catch(() => this.handles.delete(path));
      this.handles.set(path, h);
    }
    return h;
  }

  private evict(path: string): void {
    const h = this.handles.get(path);
    if (h !== undefined) {
      this.handles.delete(path);
      h.then((fh) => fh.close()).catch(() => undefined);
    }
  }

  private evictAll(): void {
    for (const path of [...this.handles.keys()]) this.evict(path);
  }

  protected rawGet(path: string): Promise<Uint8Array> {
    return this.wrap(path, "read", async () => {
      const buf = await fs.readFile(this.file(path));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    });
  }

  protected rawGetRange(path: string, range: ByteRange): Promise<Uint8Array> {
    return this.wrap(path, "read", () =>
      this.withHandle(path, async (fh) => {
        // Our own buffer, so typed-array views over it start 8-byte aligned.
        const out = new Uint8Array(range.length);
        let done = 0;
        while (done < range.length) {
          const { bytesRead } = await fh.read(out, done, range.length - done, range.offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === range.length ? out : out.subarray(0, done);
      }),
    );
  }

  /**
   * Small requests go through synchronous preads on the cached handle: for page-cached data a pread costs a few
   * microseconds, while a round trip through libuv's thread pool costs ~15–20 µs, which dominated random takes.
   * Large requests still go to the pool, in parallel, so one big read never blocks the event loop for long.
   */
  protected override async fetchPlanned(path: string, plan: readonly ByteRange[]): Promise<Uint8Array[]> {
    const large = plan.filter((r) => r.length > SYNC_READ_BYTES);
    const pooled = large.length > 0 ? super.fetchPlanned(path, large) : Promise.resolve([]);
    this.reading++; // the sync reads below run before any idle close can, but keep the count honest
    let fh: fs.FileHandle;
    try {
      fh = await this.wrap(path, "read", () => this.handle(path));
    } finally {
      this.reading--;
    }
    const out: Uint8Array[] = new Array(plan.length);
    try {
      plan.forEach((req, i) => {
        if (req.length > SYNC_READ_BYTES) return;
        const buf = new Uint8Array(req.length);
        let done = 0;
        while (done < req.length) {
          const n = readSync(fh.fd, buf, done, req.length - done, req.offset + done);
          if (n === 0) break;
          done += n;
        }
        const bytes = done === req.length ? buf : buf.subarray(0, done);
        this.checkLength(path, req, bytes);
        this.stats.requests++;
        this.stats.bytesRead += bytes.byteLength;
        out[i] = bytes;
      });
    } catch (err) {
      await pooled.catch(() => undefined);
      throw mapFsError(err, this.describe(path), "read");
    }
    const big = await pooled;
    let k = 0;
    plan.forEach((req, i) => {
      if (req.length > SYNC_READ_BYTES) out[i] = big[k++]!;
    });
    return out;
  }

  protected rawHead(path: string): Promise<ObjectMeta> {
    return this.wrap(path, "stat", async () => {
      const st = await fs.stat(this.file(path));
      if (!st.isFile()) throw new NotFoundError(`object not found: ${this.describe(path)} is a directory`);
      return { path, size: st.size, etag: `${st.ino}-${st.mtimeMs}-${st.size}`, lastModified: st.mtime };
    });
  }

  private async writeTemp(path: string, bytes: Uint8Array): Promise<string> {
    const file = this.file(path);
    await fs.mkdir(nodePath.dirname(file), { recursive: true });
    const tmp = tempName(file);
    await fs.writeFile(tmp, bytes, { flag: "wx" });
    return tmp;
  }

  /** Moves a finished temp file to its final name: link for create-only (one winner), rename for replace. */
  private async publish(tmp: string, path: string, ifAbsent: boolean): Promise<boolean> {
    const file = this.file(path);
    this.evict(path);
    if (!ifAbsent) {
      await fs.rename(tmp, file);
      return true;
    }
    try {
      await fs.link(tmp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    } finally {
      await fs.unlink(tmp).catch(() => undefined);
    }
  }

  protected rawPut(path: string, bytes: Uint8Array, ifAbsent: boolean): Promise<boolean> {
    return this.wrap(path, "write", async () => {
      const tmp = await this.writeTemp(path, bytes);
      try {
        return await this.publish(tmp, path, ifAbsent);
      } catch (err) {
        await fs.unlink(tmp).catch(() => undefined);
        throw err;
      }
    });
  }

  async openWriter(path: string, options: WriterOptions = {}): Promise<ObjectWriter> {
    const file = this.file(path);
    const tmp = tempName(file);
    const fh = await this.wrap(path, "create", async () => {
      await fs.mkdir(nodePath.dirname(file), { recursive: true });
      return fs.open(tmp, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY);
    });
    let size = 0;
    let state: "open" | "closed" | "aborted" = "open";
    const store = this;
    return {
      async write(bytes) {
        if (state !== "open") throw new InvalidArgumentError(`write to a ${state} writer of ${store.describe(path)}`);
        await store.wrap(path, "write", async () => {
          let done = 0;
          while (done < bytes.byteLength) {
            const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done);
            done += bytesWritten;
          }
        });
        size += bytes.byteLength;
        store.stats.bytesWritten += bytes.byteLength;
      },
      async close() {
        if (state !== "open") return size;
        state = "closed";
        await store.wrap(path, "write", async () => {
          await fh.sync();
          await fh.close();
        });
        const won = await store.wrap(path, "write", () => store.publish(tmp, path, options.ifAbsent === true));
        store.stats.requests++;
        if (!won) throw new AlreadyExistsError(`object already exists: ${store.describe(path)}`, { uri: store.describe(path) });
        return size;
      },
      async abort() {
        if (state !== "open") return;
        state = "aborted";
        await fh.close().catch(() => undefined);
        await fs.unlink(tmp).catch(() => undefined);
      },
    };
  }

  protected rawList(prefix: string): Promise<ObjectMeta[]> {
    return this.wrap(prefix, "list", async () => {
      // Walk only below the deepest directory the prefix names.
      const slash = prefix.lastIndexOf("/");
      const dir = slash < 0 ? "" : prefix.slice(0, slash);
      const out: ObjectMeta[] = [];
      const walk = async (rel: string): Promise<void> => {
        let entries;
        try {
          entries = await fs.readdir(this.file(rel), { withFileTypes: true });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return;
          throw err;
        }
        for (const e of entries) {
          const p = rel === "" ? e.name : `${rel}/${e.name}`;
          if (e.isDirectory()) {
            if (prefix.startsWith(p + "/") || p.startsWith(prefix) || prefix === "") await walk(p);
          } else if (e.isFile() && p.startsWith(prefix) && !e.name.startsWith(TEMP_MARK)) {
            const st = await fs.stat(this.file(p)).catch(() => undefined);
            if (st !== undefined) out.push({ path: p, size: st.size, lastModified: st.mtime });
          }
        }
      };
      await walk(dir);
      return out;
    });
  }

  protected rawDelete(path: string): Promise<void> {
    this.evict(path);
    return this.wrap(path, "delete", async () => {
      await fs.unlink(this.file(path)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "ENOENT") throw err;
      });
    });
  }

  /** Deletes temporary files (of writers that died before publishing) older than `before`. */
  async sweepUnfinished(before: Date): Promise<number> {
    let removed = 0;
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const p = nodePath.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.name.startsWith(TEMP_MARK)) {
          const st = await fs.stat(p).catch(() => undefined);
          if (st !== undefined && st.mtime < before) {
            await fs.unlink(p).catch(() => undefined);
            removed++;
          }
        }
      }
    };
    await walk(this.root);
    return removed;
  }

  async close(): Promise<void> {
    clearTimeout(this.idle);
    this.idle = undefined;
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(all.map((h) => h.then((fh) => fh.close()).catch(() => undefined)));
  }
}
