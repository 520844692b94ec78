// HNSW through hnswlib-node: build from vector chunks, extend with new rows without rebuilding, persist through the
// object store (hnswlib only reads and writes local files, so bytes pass through a temp file), search with a filter.
// Layout (docs/format/index.md §HNSW): `hnsw.bin` is hnswlib's own file; `ids.bin` maps graph labels to row ids.

import { randomUUID } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hnswlib from "hnswlib-node";
import { CorruptFileError } from "../format/errors.js";
import { plainCrc } from "../format/file/checksum.js";
import type { ObjectStore } from "../format/store/object-store.js";
import type { Metric } from "./distance.js";
import type { SearchHit } from "./top-k.js";
import type { VectorChunk } from "./vectors.js";

/** Build parameters. */
export interface HnswParams {
  /** Graph degree. Default 16. */
  m?: number;
  /** Candidates kept while inserting; higher builds slower and searches better. Default 100. */
  efConstruction?: number;
  /** Seed of hnswlib's level generator. Default 42. */
  seed?: number;
}

const SPACE: Record<Metric, "l2" | "ip" | "cosine"> = { l2: "l2", dot: "ip", cosine: "cosine" };
const IDS_MAGIC = "TSRI";
/** The row id of a dropped node in ids.bin: no fragment has id 2^32 − 1 with 2^32 − 1 rows. */
const DROPPED = 0xffff_ffff_ffff_ffffn;

function encodeIds(ids: BigUint64Array): Uint8Array {
  const payload = new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength);
  const out = new Uint8Array(8 + payload.byteLength);
  out.set(new TextEncoder().encode(IDS_MAGIC), 0);
  new DataView(out.buffer).setUint32(4, plainCrc(payload), true);
  out.set(payload, 8);
  return out;
}

function decodeIds(bytes: Uint8Array, uri: string): BigUint64Array {
  const payload = bytes.subarray(8);
  if (bytes.byteLength < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== IDS_MAGIC || payload.byteLength % 8 !== 0) {
    throw new CorruptFileError(`index file ${uri} is truncated or not a row-id map`, { uri });
  }
  if (plainCrc(payload) !== new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)) {
    throw new CorruptFileError(`index file ${uri} fails its checksum`, { uri });
  }
  return new BigUint64Array(payload.slice().buffer);
}

/**
 * hnswlib-node takes plain number arrays only. A plain loop into an array (reused while building: the addon copies
 * it) costs ~1 µs per 784-d vector; `Array.from` on a Float32Array costs ~18 µs, which was 7% of a query.
 */
function toNumbers(src: Float32Array, at: number, dim: number, out: number[]): number[] {
  for (let j = 0; j < dim; j++) out[j] = src[at + j]!;
  return out;
}

/** An HNSW graph over some rows of a column. */
export class HnswIndex {
  private constructor(
    private readonly native: hnswlib.HierarchicalNSW,
    private ids: BigUint64Array,
    private count: number,
    readonly dim: number,
    readonly metric: Metric,
  ) {}

  /** Rows the graph returns (dropped ones aside). */
  get rows(): number {
    let dropped = 0;
    for (let i = 0; i < this.count; i++) if (this.ids[i] === DROPPED) dropped++;
    return this.count - dropped;
  }

  /**
   * Drops the rows of every fragment not in `keep` (row id >> 32): hnswlib marks their nodes deleted (still walked,
   * never returned) and their ids become DROPPED, which ids.bin keeps, so a reloaded graph knows them.
   */
  keepFragments(keep: ReadonlySet<number>): void {
    for (let label = 0; label < this.count; label++) {
      const id = this.ids[label]!;
      if (id === DROPPED || keep.has(Number(id >> 32n))) continue;
      this.native.markDelete(label);
      this.ids[label] = DROPPED;
    }
  }

  /** Builds a graph from the allowed rows of `chunks`. */
  static async build(chunks: AsyncIterable<VectorChunk>, dim: number, metric: Metric, params: HnswParams = {}): Promise<HnswIndex> {
    const native = new hnswlib.HierarchicalNSW(SPACE[metric], dim);
    native.initIndex(16384, params.m ?? 16, params.efConstruction ?? 100, params.seed ?? 42);
    const index = new HnswIndex(native, new BigUint64Array(16384), 0, dim, metric);
    await index.add(chunks);
    return index;
  }

  /** Adds the allowed rows of `chunks` (new fragments) to the graph. */
  async add(chunks: AsyncIterable<VectorChunk>): Promise<void> {
    const plain = new Array<number>(this.dim).fill(0);
    for await (const c of chunks) {
      const n = c.ids.length;
      for (let i = 0; i < n; i++) {
        if (c.allowed !== undefined && c.allowed[i] === 0) continue;
        if (this.count === this.native.getMaxElements()) this.grow();
        this.native.addPoint(toNumbers(c.vectors, i * this.dim, this.dim, plain), this.count);
        this.ids[this.count++] = c.ids[i]!;
      }
    }
  }

  private grow(): void {
    const size = Math.max(16384, this.native.getMaxElements() * 2);
    this.native.resizeIndex(size);
    const ids = new BigUint64Array(size);
    ids.set(this.ids.subarray(0, this.count));
    this.ids = ids;
  }

  /** The k nearest allowed rows; `ef` trades speed for recall (at least k). */
  search(query: Float32Array, k: number, ef: number, allow?: (id: bigint) => boolean): SearchHit[] {
    const take = Math.min(k, this.count);
    if (take === 0) return [];
    this.native.setEf(Math.max(ef, take));
    const ids = this.ids;
    const filter = allow === undefined ? undefined : (label: number) => allow(ids[label]!);
    const r = this.native.searchKnn(toNumbers(query, 0, this.dim, new Array<number>(this.dim)), take, filter);
    return r.neighbors.map((label, i) => ({ id: ids[label]!, distance: r.distances[i]! }));
  }

  /** Writes `hnsw.bin` and `ids.bin` under `dir` of the store. */
  async save(store: ObjectStore, dir: string): Promise<void> {
    const tmp = join(tmpdir(), `tessera-hnsw-${randomUUID()}.bin`);
    try {
      await this.native.writeIndex(tmp);
      await store.put(`${dir}/hnsw.bin`, new Uint8Array(await readFile(tmp)));
    } finally {
      await rm(tmp, { force: true });
    }
    await store.put(`${dir}/ids.bin`, encodeIds(this.ids.subarray(0, this.count)));
  }

  /** Loads a saved graph. */
  static async load(store: ObjectStore, dir: string, dim: number, metric: Metric): Promise<HnswIndex> {
    const uri = `${store.uri.replace(/\/$/, "")}/${dir}`;
    const [graph, idBytes] = await Promise.all([store.get(`${dir}/hnsw.bin`), store.get(`${dir}/ids.bin`)]);
    const ids = decodeIds(idBytes, `${uri}/ids.bin`);
    const native = new hnswlib.HierarchicalNSW(SPACE[metric], dim);
    const tmp = join(tmpdir(), `tessera-hnsw-${randomUUID()}.bin`);
    try {
      await writeFile(tmp, graph);
      try {
        await native.readIndex(tmp);
      } catch (err) {
        throw new CorruptFileError(`index file ${uri}/hnsw.bin cannot be read: ${(err as Error).message}`, { uri, cause: err });
      }
    } finally {
      await rm(tmp, { force: true });
    }
    if (native.getCurrentCount() !== ids.length) {
      throw new CorruptFileError(`index ${uri}: the graph holds ${native.getCurrentCount()} rows but ids.bin ${ids.length}`, { uri });
    }
    // The graph keeps room for getMaxElements() points and add() grows only when that is reached, so the label →
    // row id array needs the same capacity: a loaded index extended by optimizeIndices would else drop the new ids.
    const capacity = new BigUint64Array(Math.max(native.getMaxElements(), ids.length));
    capacity.set(ids);
    return new HnswIndex(native, capacity, ids.length, dim, metric);
  }
}
