// The two passes of an IVF-PQ build over a stream of vector chunks, and the writer of the finished file.
// Pass 1 draws a uniform sample (reservoir) and counts rows; pass 2 encodes every row into per-partition lists.
// Only the sample and the codes are held in memory: rows × (8 + m) bytes for the lists, never the vectors.

import { InvalidArgumentError } from "../../format/errors.js";
import type { ObjectStore } from "../../format/store/object-store.js";
import { unitCrc } from "../../format/file/checksum.js";
import { coarseForm, encodeRows, prepareRows, type IvfPqModel } from "./model.js";
import { seededRandom, shufflePrefix } from "./random.js";
import {
  align8,
  blockBytes,
  encodeBlock,
  encodeHeader,
  encodeMetadata,
  HEADER_BYTES,
  metadataBytes,
  type DirectoryEntry,
  transposeCodes,
  type PartitionBlock,
} from "./layout.js";

/** One chunk of the vector column: `ids.length` vectors of `dim` floats, row-major, and their row ids. */
export interface VectorChunk {
  vectors: Float32Array;
  ids: BigUint64Array;
}

/** A re-iterable stream of chunks: each call starts a fresh pass (a build reads the data twice). */
export type VectorSource = () => AsyncIterable<VectorChunk>;

function checkChunk(chunk: VectorChunk, dim: number): number {
  const n = chunk.ids.length;
  if (chunk.vectors.length !== n * dim) {
    throw new InvalidArgumentError(
      `a chunk has ${n} ids but ${chunk.vectors.length} floats; expected ${n * dim} for dimension ${dim}`,
    );
  }
  return n;
}

/** What pass 1 found: a uniform sample (the reservoir, in stream order while it filled) and the row count. */
export interface SamplePass {
  reservoir: Float32Array;
  sampled: number;
  rows: number;
  random: () => number;
}

/** Pass 1: a uniform sample of at most `capacity` vectors (Algorithm R) and the number of rows seen. */
export async function sampleSource(source: VectorSource, dim: number, capacity: number, seed: number): Promise<SamplePass> {
  const random = seededRandom(seed);
  let reservoir: Float32Array = new Float32Array(Math.min(capacity, 1024) * dim);
  let rows = 0;
  for await (const chunk of source()) {
    const n = checkChunk(chunk, dim);
    for (let i = 0; i < n; i++, rows++) {
      // Row t replaces a random slot with probability capacity / (t + 1).
      const slot = rows < capacity ? rows : Math.floor(random() * (rows + 1));
      if (slot >= capacity) continue;
      if ((slot + 1) * dim > reservoir.length) reservoir = grow(reservoir, Math.min(capacity * dim, 2 * reservoir.length));
      reservoir.set(chunk.vectors.subarray(i * dim, (i + 1) * dim), slot * dim);
    }
  }
  return { reservoir, sampled: Math.min(rows, capacity), rows, random };
}

/**
 * The first `count` training rows: a uniform random subset of the sample, in random order (so any prefix of it is
 * uniform too), copied and prepared for the metric.
 */
export function trainingRows(pass: SamplePass, dim: number, count: number, metric: IvfPqModel["metric"]): Float32Array {
  const n = Math.min(count, pass.sampled);
  shufflePrefix(pass.reservoir, pass.sampled, dim, n, pass.random);
  return prepareRows(pass.reservoir, n, dim, metric);
}

function grow(a: Float32Array, size: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(size);
  out.set(a);
  return out;
}

/** Growable per-partition lists of (row id, code). */
export class PartitionLists {
  readonly counts: Uint32Array;
  private readonly ids: BigUint64Array[];
  private readonly codes: Uint8Array[];

  constructor(
    readonly partitions: number,
    readonly m: number,
  ) {
    this.counts = new Uint32Array(partitions);
    this.ids = Array.from({ length: partitions }, () => new BigUint64Array(16));
    this.codes = Array.from({ length: partitions }, () => new Uint8Array(16 * m));
  }

  get rows(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** Appends row i of a chunk (its id, its code at codes[i·m]) to partition assign[i], for every i. */
  addRows(assign: Int32Array, ids: BigUint64Array, codes: Uint8Array): void {
    const m = this.m;
    for (let i = 0; i < assign.length; i++) {
      const p = assign[i]!;
      const at = this.reserve(p, 1);
      this.ids[p]![at] = ids[i]!;
      this.codes[p]!.set(codes.subarray(i * m, (i + 1) * m), at * m);
    }
  }

  /** Appends the rows of a stored block (sub-vector-major codes) to partition p. */
  addBlock(p: number, block: PartitionBlock): void {
    const n = block.ids.length;
    const at = this.reserve(p, n);
    this.ids[p]!.set(block.ids, at);
    this.codes[p]!.set(transposeCodes(block.codes, n, this.m, true), at * this.m);
  }

  /** Partition p's rows so far, codes sub-vector-major as stored. */
  block(p: number): PartitionBlock {
    const n = this.counts[p]!;
    return { ids: this.ids[p]!.subarray(0, n), codes: transposeCodes(this.codes[p]!.subarray(0, n * this.m), n, this.m) };
  }

  /** Makes room for `n` more rows in partition p; returns where they go. */
  private reserve(p: number, n: number): number {
    const at = this.counts[p]!;
    if (at + n > this.ids[p]!.length) {
      const size = Math.max(2 * this.ids[p]!.length, at + n);
      const ids = new BigUint64Array(size);
      ids.set(this.ids[p]!.subarray(0, at));
      const codes = new Uint8Array(size * this.m);
      codes.set(this.codes[p]!.subarray(0, at * this.m));
      this.ids[p] = ids;
      this.codes[p] = codes;
    }
    this.counts[p] = at + n;
    return at;
  }
}

/** Pass 2: encodes every chunk of `source` into `lists`. */
export async function encodeSource(source: VectorSource, model: IvfPqModel, lists: PartitionLists): Promise<void> {
  const form = coarseForm(model);
  for await (const chunk of source()) {
    const n = checkChunk(chunk, model.dim);
    if (n === 0) continue;
    const rows = prepareRows(chunk.vectors, n, model.dim, model.metric);
    const { assign, codes } = encodeRows(model, rows, n, form);
    lists.addRows(assign, chunk.ids, codes);
  }
}

/** Writes the index file: header, metadata, then each partition's block at an 8-byte boundary. */
export async function writeIndexFile(store: ObjectStore, path: string, model: IvfPqModel, lists: PartitionLists): Promise<number> {
  const { dim, partitions } = model;
  const m = model.pq.m;
  const dataOffset = align8(HEADER_BYTES + metadataBytes(dim, partitions));
  const directory: DirectoryEntry[] = [];
  let offset = dataOffset;
  for (let p = 0; p < partitions; p++) {
    // Blocks are encoded twice (for the CRC now, for writing later) rather than all held twice in memory.
    const block = lists.block(p);
    directory.push({ offset, count: block.ids.length, crc: unitCrc(encodeBlock(block), p) });
    offset = align8(offset + blockBytes(block.ids.length, m));
  }
  const header = encodeHeader({ dim, metric: model.metric, partitions, subVectors: m, rows: lists.rows, dataOffset, fileSize: offset });
  const metadata = encodeMetadata({ centroids: model.centroids, codebooks: model.pq.codebooks, directory });
  const writer = await store.openWriter(path);
  try {
    await writer.write(header);
    await writer.write(padded(metadata, dataOffset - HEADER_BYTES));
    for (let p = 0; p < partitions; p++) {
      if (lists.counts[p] === 0) continue;
      const block = encodeBlock(lists.block(p));
      await writer.write(padded(block, align8(block.byteLength)));
    }
    return await writer.close();
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}

/** `bytes` followed by zeros up to `size` (no copy when already that size). */
function padded(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.byteLength === size) return bytes;
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}
