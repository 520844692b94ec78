// In-process backend for `memory://name` URIs: every store opened with the same name shares one map of objects,
// so a table written through one handle is visible through another, as on disk.

import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from "../errors.js";
import { BaseStore } from "./base-store.js";
import type { ByteRange, ObjectMeta, ObjectWriter, WriterOptions } from "./object-store.js";
import { joinPath } from "./object-store.js";

interface MemoryObject {
  bytes: Uint8Array;
  etag: string;
  lastModified: Date;
}

const spaces = new Map<string, Map<string, MemoryObject>>();
let etagCounter = 0;

/** Drops every object under a memory:// name (tests use it to start clean). */
export function clearMemoryStore(name: string): void {
  spaces.delete(name);
}

/** Backend over a shared in-process map. */
export class MemoryStore extends BaseStore {
  readonly uri: string;
  private readonly objects: Map<string, MemoryObject>;
  private readonly prefix: string;

  /** `name` is the first segment after memory://; `prefix` the rest of the path. */
  constructor(name: string, prefix = "") {
    super({ coalesceGap: 0, maxConcurrency: 64, retries: 0 });
    let space = spaces.get(name);
    if (space === undefined) {
      space = new Map();
      spaces.set(name, space);
    }
    this.objects = space;
    this.prefix = joinPath(prefix);
    this.uri = `memory://${joinPath(name, this.prefix)}`;
  }

  private key(path: string): string {
    return joinPath(this.prefix, path);
  }

  private find(path: string): MemoryObject {
    const obj = this.objects.get(this.key(path));
    if (obj === undefined) throw new NotFoundError(`object not found: ${this.describe(path)}`, { uri: this.describe(path) });
    return obj;
  }

  protected async rawGet(path: string): Promise<Uint8Array> {
    return this.find(path).bytes.slice();
  }

  protected async rawGetRange(path: string, range: ByteRange): Promise<Uint8Array> {
    // A range past the end comes back short, and BaseStore reports it as every backend does.
    return this.find(path).bytes.slice(range.offset, range.offset + range.length);
  }

  protected async rawHead(path: string): Promise<ObjectMeta> {
    const obj = this.find(path);
    return { path, size: obj.bytes.byteLength, etag: obj.etag, lastModified: obj.lastModified };
  }

  protected async rawPut(path: string, bytes: Uint8Array, ifAbsent: boolean): Promise<boolean> {
    const key = this.key(path);
    if (ifAbsent && this.objects.has(key)) return false;
    this.objects.set(key, { bytes: new Uint8Array(bytes), etag: `m${++etagCounter}`, lastModified: new Date() });
    return true;
  }

  async openWriter(path: string, options: WriterOptions = {}): Promise<ObjectWriter> {
    const parts: Uint8Array[] = [];
    let done = false;
    return {
      write: async (bytes) => {
        if (done) throw new InvalidArgumentError(`write to a closed or aborted writer of ${this.describe(path)}`);
        parts.push(new Uint8Array(bytes));
      },
      close: async () => {
        if (done) return 0;
        done = true;
        const size = parts.reduce((n, p) => n + p.byteLength, 0);
        const all = new Uint8Array(size);
        let off = 0;
        for (const p of parts) {
          all.set(p, off);
          off += p.byteLength;
        }
        const won = await this.rawPut(path, all, options.ifAbsent === true);
        this.stats.requests++;
        if (!won) throw new AlreadyExistsError(`object already exists: ${this.describe(path)}`, { uri: this.describe(path) });
        this.stats.bytesWritten += size;
        return size;
      },
      abort: async () => {
        done = true;
        parts.length = 0;
      },
    };
  }

  protected async rawList(prefix: string): Promise<ObjectMeta[]> {
    const full = this.prefix === "" ? prefix : `${this.prefix}/${prefix}`;
    const out: ObjectMeta[] = [];
    for (const [key, obj] of this.objects) {
      if (!key.startsWith(full)) continue;
      const path = this.prefix === "" ? key : key.slice(this.prefix.length + 1);
      out.push({ path, size: obj.bytes.byteLength, etag: obj.etag, lastModified: obj.lastModified });
    }
    return out;
  }

  protected async rawDelete(path: string): Promise<void> {
    this.objects.delete(this.key(path));
  }

  async close(): Promise<void> {}
}
