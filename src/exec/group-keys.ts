// Group keys for hash-aggregate, hash-join and distinct: each key column maps its values to dense ids in order of
// first appearance (numbers through an open-addressing table over their 64-bit words, strings through a Map); several
// columns combine pairwise through further tables, so a group id is found without building a per-row key object.

import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../../format/errors.js";
import { type Col, type Values, readColumn, readValidity } from "../../format/expr/columnar.js";
import { typeName } from "../../format/expr/types.js";
import { plainData, readBinaries, readStrings } from "./gather.js";


/**
 * How a key column's values are compared: as float64 values (ints, floats, bools, day dates: equal by value, NaN
 * equal to NaN, -0 to 0), as raw 64-bit words (int64 and 64-bit temporal types), as strings, binary bytes, or a
 * serialised value (nested types); "null" for a column of the Null type.
 */
export type KeyMode = "f64" | "i64" | "str" | "bin" | "opaque" | "null";

export function keyMode(type: A.DataType): KeyMode {
  switch (type.typeId) {
    case A.Type.Dictionary:
      return keyMode((type as A.Dictionary).dictionary);
    case A.Type.Null:
      return "null";
    case A.Type.Bool:
    case A.Type.Float:
      return "f64";
    case A.Type.Int:
    case A.Type.Date:
    case A.Type.Timestamp: {
      const T = (type as A.Int).ArrayType as unknown;
      return T === BigInt64Array || T === BigUint64Array ? "i64" : "f64";
    }
    case A.Type.Utf8:
    case A.Type.LargeUtf8:
      return "str";
    case A.Type.Binary:
    case A.Type.LargeBinary:
      return "bin";
    default:
      return "opaque";
  }
}

const EMPTY = -1;

/** murmur3's finaliser over both words: the low word of a small integer held as a double is all zeros. */
function hashWords(lo: number, hi: number): number {
  let h = hi ^ Math.imul(lo, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** An open-addressing (linear probing, load ≤ 1/2) hash table from pairs of 32-bit words to ids. */
export class WordTable {
  private keys = new Int32Array(2048);
  private vals = new Int32Array(1024).fill(EMPTY);
  private mask = 1023;
  private size = 0;
  /** The next id to give; the owner may take ids from it too (the null group). */
  next = 0;

  /**
   * `out[i]` = id of the pair (w[2i], w[2i+1]) for rows i in [from, to) whose `use[i]` is not 0; an unseen pair
   * gets the next id when `insert`, else -1. One loop per batch with the probe inlined: a grouping hot path.
   */
  map(w: Int32Array, from: number, to: number, use: Uint8Array | undefined, out: Int32Array, insert: boolean): void {
    let keys = this.keys;
    let vals = this.vals;
    let mask = this.mask;
    let next = this.next;
    for (let i = from; i < to; i++) {
      if (use !== undefined && use[i] === 0) continue;
      const lo = w[2 * i]!;
      const hi = w[2 * i + 1]!;
      let h = hashWords(lo, hi) & mask;
      for (;;) {
        const id = vals[h]!;
        if (id === EMPTY) {
          if (!insert) {
            out[i] = -1;
            break;
          }
          keys[2 * h] = lo;
          keys[2 * h + 1] = hi;
          vals[h] = next;
          out[i] = next++;
          if (++this.size * 2 > mask) {
            this.grow();
            keys = this.keys;
            vals = this.vals;
            mask = this.mask;
          }
          break;
        }
        if (keys[2 * h] === lo && keys[2 * h + 1] === hi) {
          out[i] = id;
          break;
        }
        h = (h + 1) & mask;
      }
    }
    this.next = next;
  }

  /** Adds the pair with a given id (moving ids in from elsewhere); the pair must be absent. */
  put(lo: number, hi: number, id: number): void {
    let h = hashWords(lo, hi) & this.mask;
    while (this.vals[h] !== EMPTY) h = (h + 1) & this.mask;
    this.keys[2 * h] = lo;
    this.keys[2 * h + 1] = hi;
    this.vals[h] = id;
    if (++this.size * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const { keys, vals } = this;
    const cap = vals.length * 2;
    this.keys = new Int32Array(cap * 2);
    this.vals = new Int32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    const { mask } = this;
    for (let s = 0; s < vals.length; s++) {
      if (vals[s] === EMPTY) continue;
      const lo = keys[2 * s]!;
      const hi = keys[2 * s + 1]!;
      let h = hashWords(lo, hi) & mask;
      while (this.vals[h] !== EMPTY) h = (h + 1) & mask;
      this.keys[2 * h] = lo;
      this.keys[2 * h + 1] = hi;
      this.vals[h] = vals[s]!;
    }
  }
}

/** Integer columns up to 32 bits (and booleans): the ones a direct array can index. */
type SmallIntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The widest value range indexed directly (4 MiB of ids); wider ranges go through the hash table. */
const DIRECT_SPAN = 1 << 20;

function smallInts(v: Values): SmallIntArray | undefined {
  if (v.kind !== "num" && v.kind !== "bool") return undefined;
  return v.data instanceof Float64Array || v.data instanceof Float32Array ? undefined : v.data;
}

/** Dense ids for the distinct values of one column, in order of first appearance; null has an id of its own. */
export class ValueKeys {
  private readonly table = new WordTable();
  private readonly strings = new Map<string, number>();
  private nullId = -1;
  private scratch = new Float64Array(0);
  /** While every value seen is a small-range integer: ids by value, no hashing (see directRun). */
  private direct: { base: number; ids: Int32Array } | undefined;
  /** Set once the hash table holds the ids; the direct array is not used again. */
  private hashed = false;
  constructor(readonly mode: KeyMode) {}

  /** Ids given so far. */
  get count(): number {
    return this.table.next;
  }

  /**
   * Writes the id of each row of `d` to `out`. Unseen values get new ids when `insert`, else -1; null rows get the
   * null id when `nullIsValue` (grouping), else -1 (join keys never match on null).
   */
  ids(d: A.Data, out: Int32Array, insert: boolean, nullIsValue: boolean): void {
    const plain = plainData(d);
    const n = plain.length;
    if (this.mode === "null" || plain.typeId === A.Type.Null) return this.nulls(out, new Uint8Array(n), insert, nullIsValue);
    const valid = readValidity(plain);
    const run = this.runner(plain, valid, out, insert);
    // The null group's id is taken where the first null row is, so ids stay in order of first appearance.
    const split = nullIsValue && insert && this.nullId < 0 && valid !== undefined ? valid.indexOf(0) : -1;
    if (split < 0) run(0, n);
    else {
      run(0, split);
      this.nullId = this.table.next++;
      run(split, n);
    }
    if (valid !== undefined) this.nulls(out, valid, insert, nullIsValue);
  }

  private nulls(out: Int32Array, valid: Uint8Array, insert: boolean, nullIsValue: boolean): void {
    if (nullIsValue && insert && this.nullId < 0 && valid.includes(0)) this.nullId = this.table.next++;
    const id = nullIsValue ? this.nullId : -1;
    for (let i = 0; i < valid.length; i++) if (valid[i] === 0) out[i] = id;
  }

  /** How to map rows [from, to) of this batch: directly, through the hash table, or by interning strings. */
  private runner(d: A.Data, valid: Uint8Array | undefined, out: Int32Array, insert: boolean): (from: number, to: number) => void {
    if (this.mode !== "f64" && this.mode !== "i64") {
      const values = this.strings_(d);
      return (from, to) => this.intern(values, from, to, valid, out, insert);
    }
    const c = readColumn(d);
    let words: { words: Int32Array; use: Uint8Array | undefined } | undefined;
    const hashed = (from: number, to: number): void => {
      this.toHashed();
      words ??= this.words(c, valid);
      const use = words.use;
      this.table.map(words.words, from, to, use, out, insert);
      // An int64 with no exact double matches nothing, unlike a null.
      if (use !== valid) for (let i = from; i < to; i++) if (use![i] === 0 && valid?.[i] !== 0) out[i] = -1;
    };
    const ints = smallInts(c.values);
    if (ints === undefined) return hashed;
    return (from, to) => {
      const stop = this.canDirect() ? this.directRun(ints, valid, from, to, out, insert) : from;
      if (stop < to) hashed(stop, to);
    };
  }

  /** True while ids can live in the direct array: nothing but the null id was given through the hash table. */
  private canDirect(): boolean {
    if (this.hashed) return false;
    if (this.direct === undefined) {
      if (this.table.next > (this.nullId >= 0 ? 1 : 0)) return false;
      this.direct = { base: 0, ids: new Int32Array(0) };
    }
    return true;
  }

  /**
   * Ids by value through the direct array, widening it for new values; returns the row it stopped at (`to`, or
   * the first value that would make the array span more than DIRECT_SPAN). Lookups never widen it.
   */
  private directRun(v: SmallIntArray, valid: Uint8Array | undefined, from: number, to: number, out: Int32Array, insert: boolean): number {
    if (valid === undefined && insert) return this.directInsert(v, from, to, out);
    let { base, ids } = this.direct!;
    let next = this.table.next;
    for (let i = from; i < to; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const x = v[i]!;
      if (x < base || x >= base + ids.length) {
        if (!insert) {
          out[i] = -1;
          continue;
        }
        if (!this.widen(x)) {
          this.table.next = next;
          return i;
        }
        ({ base, ids } = this.direct!);
      }
      let id = ids[x - base]!;
      if (id < 0 && insert) ids[x - base] = id = next++;
      out[i] = id;
    }
    this.table.next = next;
    return to;
  }

  /**
   * directRun with no nulls, inserting: grouping's hot loop, so nothing but the lookup and a range check per row
   * (a value out of range leaves the loop to widen the array, then it resumes).
   */
  private directInsert(v: SmallIntArray, from: number, to: number, out: Int32Array): number {
    let i = from;
    for (;;) {
      const { base, ids } = this.direct!;
      loopNext = this.table.next;
      i = directLoop(v, base, ids, out, i, to);
      this.table.next = loopNext;
      if (i === to || !this.widen(v[i]!)) return i;
    }
  }

  /** Grows the direct array to cover `x`, doubling so growth is amortised; false past DIRECT_SPAN. */
  private widen(x: number): boolean {
    const cur = this.direct!;
    const empty = cur.ids.length === 0;
    let lo = empty ? x : Math.min(cur.base, x);
    let hi = empty ? x : Math.max(cur.base + cur.ids.length - 1, x);
    const need = hi - lo + 1;
    if (need > DIRECT_SPAN) return false;
    const extra = Math.min(DIRECT_SPAN, Math.max(need, 2 * cur.ids.length, 64)) - need;
    if (x < cur.base) lo -= extra;
    else hi += extra;
    const ids = new Int32Array(hi - lo + 1).fill(-1);
    if (!empty) ids.set(cur.ids, cur.base - lo);
    this.direct = { base: lo, ids };
    return true;
  }

  /** Moves the direct array's ids into the hash table, for a batch the direct array cannot take. */
  private toHashed(): void {
    if (this.hashed) return;
    this.hashed = true;
    const cur = this.direct;
    if (cur === undefined) return;
    const f = new Float64Array(1);
    const w = new Int32Array(f.buffer);
    for (let s = 0; s < cur.ids.length; s++) {
      if (cur.ids[s]! < 0) continue;
      f[0] = cur.base + s;
      this.table.put(w[0]!, w[1]!, cur.ids[s]!);
    }
    this.direct = undefined;
  }

  /** Rows as word pairs, and which rows to look up (a 64-bit integer with no exact double matches nothing). */
  private words(c: Col, valid: Uint8Array | undefined): { words: Int32Array; use: Uint8Array | undefined } {
    const v = c.values;
    const n = c.length;
    if (v.kind === "big" && this.mode === "i64") return { words: new Int32Array(v.data.buffer, v.data.byteOffset, 2 * n), use: valid };
    if (this.scratch.length < n) this.scratch = new Float64Array(Math.max(n, 1024));
    const f = this.scratch;
    let use = valid;
    if (v.kind === "num" || v.kind === "bool") {
      f.set(v.data);
      if (v.data instanceof Float64Array || v.data instanceof Float32Array) canonicalFloats(f, n);
    } else if (v.kind === "big") {
      // Only joins compare a 64-bit integer column with a float/32-bit one (by value).
      use = valid?.slice() ?? new Uint8Array(n).fill(1);
      for (let i = 0; i < n; i++) {
        const x = Number(v.data[i]!);
        f[i] = x;
        if (use[i] === 1 && BigInt(x) !== v.data[i]) use[i] = 0;
      }
    } else throw new NotSupportedError(`cannot use a ${typeName(c.type)} column as a ${this.mode} key`);
    return { words: new Int32Array(f.buffer, 0, 2 * n), use };
  }

  private strings_(d: A.Data): string[] {
    if (this.mode === "str") return readStrings(d);
    if (this.mode === "bin") return readBinaries(d).map(latin1);
    const vec = A.makeVector(d);
    return Array.from({ length: d.length }, (_, i) => opaqueKey(vec.get(i)));
  }

  private intern(values: string[], from: number, to: number, valid: Uint8Array | undefined, out: Int32Array, insert: boolean): void {
    const map = this.strings;
    for (let i = from; i < to; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      let id = map.get(values[i]!);
      if (id === undefined) {
        if (!insert) {
          out[i] = -1;
          continue;
        }
        id = this.table.next++;
        map.set(values[i]!, id);
      }
      out[i] = id;
    }
  }
}

/** The next id, in and out of directLoop (a module variable rather than an object: the loop returns the row). */
let loopNext = 0;

/**
 * Ids of rows [from, to) by value until one falls outside the direct array; returns that row (or `to`). A function
 * of its own so the JIT sees one tight loop with every input in a local.
 */
function directLoop(v: SmallIntArray, base: number, ids: Int32Array, out: Int32Array, from: number, to: number): number {
  const span = ids.length;
  let next = loopNext;
  let i = from;
  for (; i < to; i++) {
    const x = v[i]! - base;
    if (x < 0 || x >= span) break;
    let id = ids[x]!;
    if (id < 0) ids[x] = id = next++;
    out[i] = id;
  }
  loopNext = next;
  return i;
}

/** NaN with one bit pattern, and -0 as 0, so equal keys have equal words. */
function canonicalFloats(f: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = f[i]!;
    if (x !== x) f[i] = NaN;
    else if (x === 0) f[i] = 0;
  }
}

/** Bytes as a string of char codes 0–255: one-to-one, so binary keys can share the string path. */
function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/** A string that is equal for equal nested values (lists, structs, fixed-size binaries). */
function opaqueKey(v: unknown): string {
  return (
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === "bigint") return `${x}n`;
      if (typeof x === "number" && !Number.isFinite(x)) return String(x);
      return ArrayBuffer.isView(x) ? Array.from(x as Uint8Array) : x;
    }) ?? "null"
  );
}

/** Group ids over several key columns: each column's value ids, then (group so far, value id) pairs. */
export class GroupKeys {
  private readonly columns: ValueKeys[];
  private readonly pairs: WordTable[];
  private scratch = { ids: new Int32Array(0), words: new Int32Array(0), use: new Uint8Array(0) };
  constructor(modes: readonly KeyMode[]) {
    if (modes.length === 0) throw new InvalidArgumentError("grouping needs at least one key column");
    this.columns = modes.map((m) => new ValueKeys(m));
    this.pairs = modes.slice(1).map(() => new WordTable());
  }

  /** Groups seen so far; ids are 0..count-1 in order of first appearance. */
  get count(): number {
    return this.pairs.length > 0 ? this.pairs[this.pairs.length - 1]!.next : this.columns[0]!.count;
  }

  /**
   * The group of each of the `n` rows of the key columns `data`; -1 for a row whose key is unseen (when not
   * `insert`) or null (when not `nullIsValue`). Written to `out` when given (its first `n` entries, returned as a
   * view), so a caller that does not keep the ids can reuse one array; else to a fresh array.
   */
  ids(data: readonly A.Data[], n: number, insert: boolean, nullIsValue: boolean, out?: Int32Array): Int32Array {
    const acc = out === undefined ? new Int32Array(n) : out.subarray(0, n);
    this.columns[0]!.ids(data[0]!, acc, insert, nullIsValue);
    if (this.pairs.length === 0) return acc;
    const { ids, words, use } = this.scratchFor(n);
    for (let j = 1; j < this.columns.length; j++) {
      this.columns[j]!.ids(data[j]!, ids, insert, nullIsValue);
      for (let i = 0; i < n; i++) {
        const a = acc[i]!;
        const b = ids[i]!;
        use[i] = a < 0 || b < 0 ? 0 : 1;
        words[2 * i] = a;
        words[2 * i + 1] = b;
        if (use[i] === 0) acc[i] = -1;
      }
      this.pairs[j - 1]!.map(words, 0, n, use, acc, insert);
    }
    return acc;
  }

  /** Working arrays for combining columns, kept between batches (allocating them per batch feeds the GC). */
  private scratchFor(n: number): { ids: Int32Array; words: Int32Array; use: Uint8Array } {
    if (this.scratch.ids.length < n) this.scratch = { ids: new Int32Array(n), words: new Int32Array(2 * n), use: new Uint8Array(n) };
    const s = this.scratch;
    return { ids: s.ids.subarray(0, n), words: s.words.subarray(0, 2 * n), use: s.use.subarray(0, n) };
  }
}

/** The rows where groups `from`, `from+1`, … `to-1` first appear in `gids` (ids are given in row order). */
export function firstRows(gids: Int32Array, from: number, to: number): Int32Array {
  const out = new Int32Array(to - from);
  let want = from;
  for (let i = 0; i < gids.length && want < to; i++) if (gids[i] === want) out[want++ - from] = i;
  return out;
}
