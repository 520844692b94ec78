// The dataframe benchmark's data: a fact table of (key int32 with 1 000 groups, value float64 in [0, 1), tag a short
// string) generated batch by batch from a seed, and a 1 000-row dimension table (key → name). Any batch can be made
// alone (its own seed), so the memory case can stream a large source without ever holding it.

import * as A from "apache-arrow";
import { seededRandom } from "../random.js";

/** Distinct keys of the fact table, and rows of the dimension table (one per key). */
export const GROUPS = 1000;
/** Rows per generated record batch (the engine's default batch size). */
export const BATCH_ROWS = 65_536;
/** Distinct tag strings the rows draw from. */
const TAG_POOL = 4096;

export const FACT_SCHEMA = new A.Schema([
  new A.Field("key", new A.Int32(), false),
  new A.Field("value", new A.Float64(), false),
  new A.Field("tag", new A.Utf8(), false),
]);

export const DIM_SCHEMA = new A.Schema([new A.Field("key", new A.Int32(), false), new A.Field("name", new A.Utf8(), false)]);

/** Options of the generator; defaults are what the benchmark uses. */
export interface GenerateOptions {
  /** Seed of the whole table; batch k uses a seed derived from it. Default 20240601. */
  seed?: number;
  /** Rows per batch. Default BATCH_ROWS. */
  batchRows?: number;
}

const encoder = new TextEncoder();

/** The tag strings: 3–8 lowercase letters, always the same. */
const tagPool = ((): { bytes: Uint8Array; offsets: Int32Array } => {
  const next = seededRandom(7);
  const words = Array.from({ length: TAG_POOL }, () => {
    const len = 3 + Math.floor(next() * 6);
    return Array.from({ length: len }, () => String.fromCharCode(97 + Math.floor(next() * 26))).join("");
  });
  return utf8Parts(words);
})();

function utf8Parts(words: readonly string[]): { bytes: Uint8Array; offsets: Int32Array } {
  const encoded = words.map((w) => encoder.encode(w));
  const offsets = new Int32Array(words.length + 1);
  encoded.forEach((e, i) => (offsets[i + 1] = offsets[i]! + e.length));
  const bytes = new Uint8Array(offsets[words.length]!);
  encoded.forEach((e, i) => bytes.set(e, offsets[i]!));
  return { bytes, offsets };
}

function utf8Data(parts: { bytes: Uint8Array; offsets: Int32Array }, length: number): A.Data<A.Utf8> {
  return A.makeData({ type: new A.Utf8(), length, nullCount: 0, valueOffsets: parts.offsets, data: parts.bytes });
}

function batchOf(schema: A.Schema, children: A.Data[], length: number): A.RecordBatch {
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length, nullCount: 0, children }));
}

/** A float64 in [0, 1) with all 53 bits random, so 10M values have (almost surely) no ties to make a sort ambiguous. */
function double53(next: () => number): number {
  return (Math.floor(next() * 67_108_864) * 134_217_728 + Math.floor(next() * 134_217_728)) / 9_007_199_254_740_992;
}

/** Batch number `index` (rows `rows` long) of the fact table. */
export function factBatch(index: number, rows: number, seed = 20240601): A.RecordBatch {
  const next = seededRandom(Math.imul(seed ^ 0x9e3779b9, 31) + Math.imul(index + 1, 0x85ebca6b));
  const keys = new Int32Array(rows);
  const values = new Float64Array(rows);
  const picks = new Int32Array(rows);
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    keys[i] = Math.floor(next() * GROUPS);
    values[i] = double53(next);
    const t = Math.floor(next() * TAG_POOL);
    picks[i] = t;
    bytes += tagPool.offsets[t + 1]! - tagPool.offsets[t]!;
  }
  const offsets = new Int32Array(rows + 1);
  const data = new Uint8Array(bytes);
  for (let i = 0; i < rows; i++) {
    const t = picks[i]!;
    const from = tagPool.offsets[t]!;
    const len = tagPool.offsets[t + 1]! - from;
    data.set(tagPool.bytes.subarray(from, from + len), offsets[i]!);
    offsets[i + 1] = offsets[i]! + len;
  }
  const children = [
    A.makeData({ type: new A.Int32(), length: rows, nullCount: 0, data: keys }),
    A.makeData({ type: new A.Float64(), length: rows, nullCount: 0, data: values }),
    utf8Data({ bytes: data, offsets }, rows),
  ];
  return batchOf(FACT_SCHEMA, children, rows);
}

/** The batches of a `rows`-row fact table, made one at a time as they are pulled. */
export function* factBatches(rows: number, options: GenerateOptions = {}): Generator<A.RecordBatch> {
  const per = options.batchRows ?? BATCH_ROWS;
  for (let k = 0, start = 0; start < rows; k++, start += per) yield factBatch(k, Math.min(per, rows - start), options.seed);
}

/** The whole fact table in memory, as batches of `batchRows`. */
export function factTable(rows: number, options: GenerateOptions = {}): A.Table {
  return new A.Table(FACT_SCHEMA, [...factBatches(rows, options)]);
}

/** The dimension table: key k (0 ≤ k < GROUPS) → name "group-k". */
export function dimTable(): A.Table {
  const keys = Int32Array.from({ length: GROUPS }, (_, k) => k);
  const names = utf8Data(utf8Parts(Array.from(keys, (k) => `group-${k}`)), GROUPS);
  const keyData = A.makeData({ type: new A.Int32(), length: GROUPS, nullCount: 0, data: keys });
  return new A.Table(DIM_SCHEMA, [batchOf(DIM_SCHEMA, [keyData, names], GROUPS)]);
}

/** Bytes of a batch's buffers (values, offsets, validity), i.e. what streaming it moves. */
export function batchBytes(batch: A.RecordBatch): number {
  return batch.data.children.reduce((n, d) => n + dataBytes(d), 0);
}

function dataBytes(d: A.Data): number {
  const own = [d.values, d.valueOffsets, d.nullBitmap].reduce((n, b) => n + (b?.byteLength ?? 0), 0);
  return own + d.children.reduce((n, c) => n + dataBytes(c), 0);
}
