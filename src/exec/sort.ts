// Sorting, a blocking sink: the input is held and ordered through an index permutation, then gathered into
// batches of at most 64k rows. With a limit it is a TopN that holds only about offset+limit rows.

import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../../format/errors.js";
import { readColumn, readValidity } from "../../format/expr/columnar.js";
import { typeName } from "../../format/expr/types.js";
import { OUTPUT_BATCH_ROWS, concatBatches, concatData, plainData, readBinaries, readStrings, takeData, takeRows, vectorData } from "./gather.js";
import { compareBytes } from "./hash-aggregate.js";
import type { BatchStream, SortKey } from "./types.js";

/** Rows to output after sorting. */
export interface SortOptions {
  /** Rows to output at most. Default: all. With a limit only offset+limit rows are held. */
  readonly limit?: number;
  /** Rows to skip first. Default 0. */
  readonly offset?: number;
}

/** Orders two rows of the held data: negative when row `a` comes first. */
type Compare = (a: number, b: number) => number;

/**
 * Sorts the whole input by `keys` (stable: ties keep input order); nulls go where each key says, NaN after every
 * number, strings by UTF-16 code unit.
 * @example sortStream(scan, [{ column: score, desc: true, nullsFirst: false }], { limit: 10 })
 */
export async function* sortStream(input: BatchStream, keys: readonly SortKey[], options: SortOptions = {}): BatchStream {
  const offset = options.offset ?? 0;
  checkCount("offset", offset);
  if (options.limit !== undefined) checkCount("limit", options.limit);
  const keep = options.limit === undefined ? Infinity : offset + options.limit;
  if (keep === 0) return;
  const buffer = new SortBuffer(keys);
  for await (const batch of input) {
    if (batch.numRows === 0) continue;
    await buffer.add(batch);
    // A partial sort keeps the best `keep` rows once twice that many are held (and a little more, so small
    // limits do not sort on every batch).
    if (buffer.rows >= 2 * keep + 1024) buffer.truncate(keep);
  }
  const sorted = buffer.sorted();
  if (sorted === undefined) return;
  const end = Math.min(sorted.order.length, keep);
  for (let s = Math.min(offset, end); s < end; s += OUTPUT_BATCH_ROWS) {
    yield takeRows(sorted.batch, sorted.order.subarray(s, Math.min(end, s + OUTPUT_BATCH_ROWS)));
  }
}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`sort ${what} must be a non-negative integer, got ${n}`);
}

/** The rows held so far with their computed sort keys. */
class SortBuffer {
  private batches: A.RecordBatch[] = [];
  private keyParts: A.Data[][];
  /** After a truncation: the keys of the worst row kept. Later rows that do not beat it are dropped at once. */
  private worst: A.Data[] | undefined;
  rows = 0;

  constructor(private readonly keys: readonly SortKey[]) {
    this.keyParts = keys.map(() => []);
  }

  async add(batch: A.RecordBatch): Promise<void> {
    let keyData = await Promise.all(this.keys.map(async (k) => vectorData(await k.column.run(batch))));
    if (this.worst !== undefined) {
      const better = this.beatWorst(keyData, batch.numRows);
      if (better.length === 0) return;
      if (better.length < batch.numRows) {
        batch = takeRows(batch, better);
        keyData = keyData.map((d) => takeData(d, better));
      }
    }
    this.batches.push(batch);
    keyData.forEach((d, j) => this.keyParts[j]!.push(d));
    this.rows += batch.numRows;
  }

  /** Rows of a new batch that sort strictly before the worst kept row (a tie loses: it came later). */
  private beatWorst(keyData: A.Data[], n: number): Int32Array {
    const joined = keyData.map((d, j) => concatData(d.type, [this.worst![j]!, d]));
    const cmp = compareRows(joined, this.keys);
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (cmp(0, i + 1) > 0) out.push(i);
    return Int32Array.from(out);
  }

  /** Everything held as one batch (the parts are let go), its keys, and the sorted order of its rows. */
  sorted(): { batch: A.RecordBatch; keys: A.Data[]; order: Int32Array } | undefined {
    if (this.batches.length === 0) return undefined;
    const batch = concatBatches(this.batches[0]!.schema, this.batches);
    const keys = this.keyParts.map((parts) => concatData(parts[0]!.type, parts));
    this.batches = [];
    this.keyParts = this.keys.map(() => []);
    this.rows = 0;
    const order = new Int32Array(batch.numRows);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort(compareRows(keys, this.keys));
    return { batch, keys, order };
  }

  /** Keeps only the first `keep` rows in sorted order (held in that order, so ties stay in input order). */
  truncate(keep: number): void {
    const s = this.sorted()!;
    const top = s.order.subarray(0, Math.min(keep, s.order.length));
    this.batches = [takeRows(s.batch, top)];
    this.keyParts = s.keys.map((d) => [takeData(d, top)]);
    this.rows = top.length;
    if (top.length === keep) this.worst = this.keyParts.map(([d]) => takeData(d!, Int32Array.of(keep - 1)));
  }
}

/** A comparator over rows of `data` (one Data per key) in key order, falling back to row order (stability). */
export function compareRows(data: readonly A.Data[], keys: readonly SortKey[]): Compare {
  const cmps = data.map((d, j) => keyCompare(d, keys[j]!));
  if (cmps.length === 1) {
    const c = cmps[0]!;
    return (a, b) => c(a, b) || a - b;
  }
  return (a, b) => {
    for (const c of cmps) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return a - b;
  };
}

/** One key: nulls placed by `nullsFirst` whatever the direction, values ordered and then reversed when `desc`. */
function keyCompare(data: A.Data, key: SortKey): Compare {
  const d = plainData(data);
  const cmp = valueCompare(d);
  const valid = readValidity(d);
  const dir = key.desc ? -1 : 1;
  const nullSide = key.nullsFirst ? -1 : 1;
  if (valid === undefined) return key.desc ? (a, b) => -cmp(a, b) : cmp;
  return (a, b) => {
    const va = valid[a]!;
    const vb = valid[b]!;
    if (va !== vb) return va === 0 ? nullSide : -nullSide;
    return va === 0 ? 0 : dir * cmp(a, b);
  };
}

/** Ascending order of the values of `d` (null rows compare arbitrarily; keyCompare places them). */
function valueCompare(d: A.Data): Compare {
  const c = readColumn(d);
  const v = c.values;
  switch (v.kind) {
    case "num":
    case "bool": {
      const x = v.data;
      // NaN is neither below nor above anything, so it is ranked after every number explicitly.
      return (a, b) => {
        const p = x[a]!;
        const q = x[b]!;
        if (p < q) return -1;
        if (p > q) return 1;
        return p === q ? 0 : (p !== p ? 1 : 0) - (q !== q ? 1 : 0);
      };
    }
    case "big": {
      const x = v.data;
      return (a, b) => (x[a]! < x[b]! ? -1 : x[a]! > x[b]! ? 1 : 0);
    }
    case "str": {
      const s = readStrings(d);
      return (a, b) => (s[a]! < s[b]! ? -1 : s[a]! > s[b]! ? 1 : 0);
    }
    case "null":
      return () => 0;
    default: {
      const t = d.type;
      if (t.typeId === A.Type.Binary || t.typeId === A.Type.LargeBinary) {
        const bytes = readBinaries(d);
        return (a, b) => compareBytes(bytes[a]!, bytes[b]!);
      }
      throw new NotSupportedError(`cannot sort by a ${typeName(t)} column; sort by a field or element of it instead`);
    }
  }
}
