// Sorting, a blocking sink: the input is held and ordered through an index permutation, then gathered into
// batches of at most 64k rows. With a limit it is a TopN that holds only about offset+limit rows.
//
// A TopN on one numeric key (the common "top 100 by score") works in typed arrays: each row ranks as a tier
// (nulls, NaN, numbers — in output order) and a number, a partial sort is a quickselect of the k-th rank, and
// later batches are filtered against that threshold in one tight loop, so only rows that may still make the top
// are copied. Held rows stay in input order, which keeps ties stable. Other keys compare rows through closures.

import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../../format/errors.js";
import { type NumArray, readColumn, readValidity } from "../../format/expr/columnar.js";
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
  /** A single numeric key: how its rows rank; after a truncation, the rank of the worst row kept. */
  private readonly tiers: Tiers | undefined;
  private threshold: Rank | undefined;
  private scratch = new Int32Array(0);
  rows = 0;

  constructor(private readonly keys: readonly SortKey[]) {
    this.keyParts = keys.map(() => []);
    this.tiers = keys.length === 1 && isNumericKey(keys[0]!.column.type) ? tiersOf(keys[0]!) : undefined;
  }

  async add(batch: A.RecordBatch): Promise<void> {
    let keyData = await Promise.all(this.keys.map(async (k) => vectorData(await k.column.run(batch))));
    const better = this.threshold !== undefined ? this.beatThreshold(keyData[0]!) : this.worst !== undefined ? this.beatWorst(keyData, batch.numRows) : undefined;
    if (better !== undefined) {
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

  /** Rows of a new batch whose numeric key ranks strictly before the threshold (a tie loses: it came later). */
  private beatThreshold(key: A.Data): Int32Array {
    const { values, valid } = numericKey(key);
    if (this.scratch.length < values.length) this.scratch = new Int32Array(values.length);
    const n = beating(values, valid, this.tiers!, this.threshold!, this.scratch);
    return this.scratch.slice(0, n);
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
    if (this.tiers !== undefined) return this.selectTop(keep);
    const s = this.sorted()!;
    const top = s.order.subarray(0, Math.min(keep, s.order.length));
    this.batches = [takeRows(s.batch, top)];
    this.keyParts = s.keys.map((d) => [takeData(d, top)]);
    this.rows = top.length;
    if (top.length === keep) this.worst = this.keyParts.map(([d]) => takeData(d!, Int32Array.of(keep - 1)));
  }

  /** Keeps the best `keep` rows of a single numeric key, in input order, and their worst rank as the threshold. */
  private selectTop(keep: number): void {
    const batch = concatBatches(this.batches[0]!.schema, this.batches);
    const key = concatData(this.keyParts[0]![0]!.type, this.keyParts[0]!);
    const { values, valid } = numericKey(key);
    const { kept, threshold } = selectBest(values, valid, this.tiers!, keep);
    this.batches = [takeRows(batch, kept)];
    this.keyParts = [[takeData(key, kept)]];
    this.rows = kept.length;
    this.threshold = threshold;
  }
}

/**
 * Where a row of a single numeric key ranks: first by tier (numbers are tier 1; nulls and NaN sit before or after
 * them), then, within the numbers, by `dir * value` ascending.
 */
interface Rank {
  readonly tier: number;
  readonly r: number;
}

/** The tiers of null and NaN rows under a key, and its direction (1 ascending, -1 descending). */
interface Tiers {
  readonly nul: number;
  readonly nan: number;
  readonly dir: number;
}

const NUM_TIER = 1;

/** NaN follows the numbers ascending (so leads descending); nulls go first or last whatever the direction. */
function tiersOf(key: SortKey): Tiers {
  return { nul: key.nullsFirst ? -1 : 3, nan: key.desc ? 0 : 2, dir: key.desc ? -1 : 1 };
}

/** Types whose values readColumn gives as a plain number array (64-bit integers are bigints: the general path). */
function isNumericKey(type: A.DataType): boolean {
  if (type.typeId === A.Type.Float) return true;
  return type.typeId === A.Type.Int && (type as A.Int).bitWidth <= 32;
}

function numericKey(d: A.Data): { values: NumArray; valid: Uint8Array | undefined } {
  const c = readColumn(plainData(d));
  if (c.values.kind !== "num") throw new NotSupportedError(`a sort key of type ${typeName(d.type)} did not read as numbers; this is a bug in the TopN fast path`);
  return { values: c.values.data, valid: c.valid };
}

/** Writes to `out` the rows ranking strictly before `t`, returning how many. */
function beating(v: NumArray, valid: Uint8Array | undefined, tiers: Tiers, t: Rank, out: Int32Array): number {
  const n = v.length;
  const nullWins = tiers.nul < t.tier;
  const nanWins = tiers.nan < t.tier;
  const numWins = NUM_TIER < t.tier;
  const numTies = NUM_TIER === t.tier;
  const { dir } = tiers;
  const r = t.r;
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== undefined && valid[i] === 0) {
      if (nullWins) out[o++] = i;
      continue;
    }
    const x = v[i]!;
    if (x !== x) {
      if (nanWins) out[o++] = i;
    } else if (numWins || (numTies && dir * x < r)) out[o++] = i;
  }
  return o;
}

/**
 * The best `keep` rows (ascending row numbers; ties at the k-th rank go to the earliest rows) and the k-th rank
 * (undefined when there are no more than `keep` rows): the tier holding the k-th row from counts, then, when that
 * tier is the numbers, a quickselect inside it.
 */
function selectBest(v: NumArray, valid: Uint8Array | undefined, tiers: Tiers, keep: number): { kept: Int32Array; threshold: Rank | undefined } {
  const n = v.length;
  if (keep >= n) return { kept: Int32Array.from({ length: n }, (_, i) => i), threshold: undefined };
  const { dir } = tiers;
  const tier = new Int8Array(n);
  const counts = new Int32Array(5); // tiers -1 .. 3
  for (let i = 0; i < n; i++) {
    const t = valid !== undefined && valid[i] === 0 ? tiers.nul : v[i] !== v[i] ? tiers.nan : NUM_TIER;
    tier[i] = t;
    counts[t + 1]!++;
  }
  let t = -1;
  let need = keep; // rows still to keep once the tiers before t are kept whole
  while (need > counts[t + 1]!) {
    need -= counts[t + 1]!;
    t++;
  }
  let r = 0;
  let ties = need;
  if (t === NUM_TIER) {
    const nums = new Float64Array(counts[NUM_TIER + 1]!);
    for (let i = 0, j = 0; i < n; i++) if (tier[i] === NUM_TIER) nums[j++] = dir * v[i]!;
    r = kthSmallest(nums, need - 1);
    for (let j = 0; j < nums.length; j++) if (nums[j]! < r) ties--;
  }
  const kept = new Int32Array(keep);
  for (let i = 0, o = 0; o < keep && i < n; i++) {
    const ti = tier[i]!;
    if (ti > t) continue;
    if (ti < t || (t === NUM_TIER && dir * v[i]! < r)) kept[o++] = i;
    else if (ties > 0 && (t !== NUM_TIER || dir * v[i]! === r)) {
      kept[o++] = i;
      ties--;
    }
  }
  return { kept, threshold: { tier: t, r } };
}

/**
 * The k-th smallest (from 0) of `a` (no NaN; -0 equals 0), reordering `a`: quickselect with a three-way partition
 * (many equal keys stay linear) around pivots picked by a fixed LCG (no input order is a worst case by design).
 */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let seed = 0x2545f491;
  while (lo < hi) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const pivot = a[lo + (seed % (hi - lo + 1))]!;
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const x = a[i]!;
      if (x < pivot) {
        a[i++] = a[lt]!;
        a[lt++] = x;
      } else if (x > pivot) {
        a[i] = a[gt]!;
        a[gt--] = x;
      } else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return a[lo]!;
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
