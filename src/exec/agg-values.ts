// The aggregates that keep values rather than numbers: min/max (numbers, 64-bit integers, strings and binaries),
// distinct counts, and first/last/list, which keep (or point into) input rows.

import * as A from "apache-arrow";
import { readColumn, readValidity } from "../../format/expr/columnar.js";
import { nullData } from "../../format/file/gather.js";
import { type Accumulator, type BatchGroups, countData, doublesOf, grown, numericData, plainType, validityOf } from "./agg-state.js";
import { OUTPUT_BATCH_ROWS, concatData, plainData, readBinaries, readStrings, takeData, vectorData } from "./gather.js";
import { type KeyMode, ValueKeys, WordTable } from "./group-keys.js";
import type { AggSpec } from "./types.js";

// ---- min / max ----

export function minMaxFor(spec: AggSpec, max: boolean): Accumulator {
  const t = plainType(spec.input!.type);
  switch (t.typeId) {
    case A.Type.Utf8:
    case A.Type.LargeUtf8:
    case A.Type.Binary:
    case A.Type.LargeBinary:
      return new ObjectMinMaxAcc(t, max);
    default: {
      const T = (t as A.DataType & { ArrayType?: unknown }).ArrayType;
      return T === BigInt64Array || T === BigUint64Array ? new BigMinMaxAcc(t, max) : new NumMinMaxAcc(t, max);
    }
  }
}

/** Min/max over doubles; NaN ranks above every number (as in sort), so max is NaN when any value is. */
class NumMinMaxAcc implements Accumulator {
  private best = new Float64Array(64);
  private has = new Uint8Array(64);
  constructor(
    private readonly type: A.DataType,
    private readonly max: boolean,
  ) {}
  add(values: A.Data | undefined, g: BatchGroups): void {
    const best = (this.best = grown(this.best, g.groups));
    const has = (this.has = grown(this.has, g.groups));
    const c = readColumn(values!);
    const v = doublesOf(c);
    const valid = c.valid;
    for (let i = 0; i < g.n; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const gid = g.gids[i]!;
      const x = v[i]!;
      const b = best[gid]!;
      if (has[gid] === 0) {
        best[gid] = x;
        has[gid] = 1;
      } else if (this.max ? x > b || x !== x : x < b || (b !== b && x === x)) best[gid] = x;
    }
  }
  finish(groups: number): A.Data {
    return numericData(this.type, grown(this.best, groups), grown(this.has, groups), groups);
  }
}

class BigMinMaxAcc implements Accumulator {
  private best: BigInt64Array | BigUint64Array;
  private has = new Uint8Array(64);
  constructor(
    private readonly type: A.DataType,
    private readonly max: boolean,
  ) {
    this.best = new (type as A.Int64).ArrayType(64);
  }
  add(values: A.Data | undefined, g: BatchGroups): void {
    if (g.groups > this.best.length) {
      const next = new (this.best.constructor as BigInt64ArrayConstructor)(Math.max(g.groups, this.best.length * 2));
      next.set(this.best as BigInt64Array);
      this.best = next;
    }
    const has = (this.has = grown(this.has, g.groups));
    const c = readColumn(values!);
    const v = (c.values as { data: BigInt64Array }).data;
    const best = this.best;
    for (let i = 0; i < g.n; i++) {
      if (c.valid !== undefined && c.valid[i] === 0) continue;
      const gid = g.gids[i]!;
      const x = v[i]!;
      if (has[gid] === 0 || (this.max ? x > best[gid]! : x < best[gid]!)) {
        best[gid] = x;
        has[gid] = 1;
      }
    }
  }
  finish(groups: number): A.Data {
    const data = new (this.best.constructor as BigInt64ArrayConstructor)(groups);
    data.set((this.best as BigInt64Array).subarray(0, groups));
    return A.makeData({ type: this.type as A.Int64, length: groups, data, ...validityOf(grown(this.has, groups), groups) });
  }
}

/** Min/max of strings (by UTF-16 code unit, as JS compares) and binaries (bytewise). */
class ObjectMinMaxAcc implements Accumulator {
  private best: (string | Uint8Array | null)[] = [];
  private readonly binary: boolean;
  constructor(
    private readonly type: A.DataType,
    private readonly max: boolean,
  ) {
    this.binary = type.typeId === A.Type.Binary || type.typeId === A.Type.LargeBinary;
  }
  add(values: A.Data | undefined, g: BatchGroups): void {
    const d = plainData(values!);
    const valid = readValidity(d);
    const v = this.binary ? readBinaries(d) : readStrings(d);
    const best = this.best;
    for (let i = 0; i < g.n; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const gid = g.gids[i]!;
      const b = best[gid] ?? null;
      if (b === null || this.better(v[i]!, b)) best[gid] = this.binary ? (v[i] as Uint8Array).slice() : v[i]!;
    }
  }
  private better(x: string | Uint8Array, b: string | Uint8Array): boolean {
    const c = typeof x === "string" ? (x < b ? -1 : x > b ? 1 : 0) : compareBytes(x, b as Uint8Array);
    return this.max ? c > 0 : c < 0;
  }
  finish(groups: number): A.Data {
    const out = Array.from({ length: groups }, (_, g) => this.best[g] ?? null);
    return vectorData(A.vectorFromArray(out as string[], this.type as A.Utf8));
  }
}

/** Bytewise order of two byte strings (a prefix first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// ---- distinct counts and value-keeping aggregates ----

/** Distinct non-null values per group: each value gets an id, then (group, value id) pairs are deduplicated. */
export class CountDistinctAcc implements Accumulator {
  private readonly values: ValueKeys;
  private readonly pairs = new WordTable();
  private counts = new Float64Array(64);
  constructor(mode: KeyMode) {
    this.values = new ValueKeys(mode);
  }
  add(values: A.Data | undefined, g: BatchGroups): void {
    const counts = (this.counts = grown(this.counts, g.groups));
    const ids = new Int32Array(g.n);
    this.values.ids(values!, ids, true, false);
    const words = new Int32Array(2 * g.n);
    const ok = new Uint8Array(g.n);
    for (let i = 0; i < g.n; i++) {
      if (ids[i]! < 0) continue;
      words[2 * i] = g.gids[i]!;
      words[2 * i + 1] = ids[i]!;
      ok[i] = 1;
    }
    let fresh = this.pairs.next;
    const pairIds = new Int32Array(g.n);
    this.pairs.map(words, 0, g.n, ok, pairIds, true);
    // New pairs get ids in row order, so the first sight of each is where the id equals the next unseen one.
    for (let i = 0; i < g.n; i++) {
      if (ok[i] === 1 && pairIds[i] === fresh) {
        counts[g.gids[i]!]!++;
        fresh++;
      }
    }
  }
  finish(groups: number): A.Data {
    return countData(grown(this.counts, groups), groups);
  }
}

/** The value at each group's first row (nulls included): taken when the group appears, so nothing is kept. */
export class FirstAcc implements Accumulator {
  private readonly parts: A.Data[] = [];
  private rows = 0;
  constructor(private readonly type: A.DataType) {}
  add(values: A.Data | undefined, g: BatchGroups): void {
    if (g.newRows.length === 0) return;
    this.parts.push(takeData(values!, g.newRows));
    this.rows += g.newRows.length;
  }
  finish(groups: number): A.Data {
    if (this.rows < groups) this.parts.push(nullData(this.parts[0]?.type ?? plainType(this.type), groups - this.rows));
    return concatData(this.parts[0]!.type, this.parts);
  }
}

/**
 * The value at each group's last row. Batches are kept while their rows are referenced; once they hold more than
 * twice the groups, the current values are gathered into one chunk (amortised O(groups) memory).
 */
export class LastAcc implements Accumulator {
  private chunks: A.Data[] = [];
  private retained = 0;
  private rowOf = new Int32Array(64).fill(-1);
  constructor(private readonly type: A.DataType) {}
  add(values: A.Data | undefined, g: BatchGroups): void {
    const rowOf = (this.rowOf = grown(this.rowOf, g.groups, -1));
    const base = this.retained;
    this.chunks.push(values!);
    this.retained += g.n;
    for (let i = 0; i < g.n; i++) rowOf[g.gids[i]!] = base + i;
    if (this.retained > 2 * g.groups + OUTPUT_BATCH_ROWS) this.compact(g.groups);
  }
  private compact(groups: number): void {
    const all = concatData(this.chunks[0]!.type, this.chunks);
    const rowOf = (this.rowOf = grown(this.rowOf, groups, -1));
    this.chunks = [takeData(all, rowOf.slice(0, groups))];
    this.retained = groups;
    for (let g = 0; g < groups; g++) if (rowOf[g]! >= 0) rowOf[g] = g;
  }
  finish(groups: number): A.Data {
    if (this.chunks.length === 0) return nullData(plainType(this.type), groups);
    this.compact(groups);
    return this.chunks[0]!;
  }
}

/** Every value per group in input order: keeps the input, then orders rows by group with a counting sort. */
export class ListAcc implements Accumulator {
  private readonly chunks: A.Data[] = [];
  private readonly gidChunks: Int32Array[] = [];
  constructor(private readonly type: A.List) {}
  add(values: A.Data | undefined, g: BatchGroups): void {
    this.chunks.push(values!);
    this.gidChunks.push(g.gids.slice());
  }
  finish(groups: number): A.Data {
    const offsets = new Int32Array(groups + 1);
    for (const gids of this.gidChunks) for (let i = 0; i < gids.length; i++) offsets[gids[i]! + 1]!++;
    const has = new Uint8Array(groups);
    for (let g = 0; g < groups; g++) {
      has[g] = offsets[g + 1]! > 0 ? 1 : 0;
      offsets[g + 1]! += offsets[g]!;
    }
    const cursor = offsets.slice(0, groups);
    const order = new Int32Array(offsets[groups]!);
    let base = 0;
    for (const gids of this.gidChunks) {
      for (let i = 0; i < gids.length; i++) order[cursor[gids[i]!]!++] = base + i;
      base += gids.length;
    }
    const itemType = plainType(this.type.children[0]!.type);
    const child = this.chunks.length === 0 ? nullData(itemType, 0) : takeData(concatData(this.chunks[0]!.type, this.chunks), order);
    const type = child.typeId === itemType.typeId ? this.type : new A.List(this.type.children[0]!.clone({ type: child.type }));
    return A.makeData({ type, length: groups, valueOffsets: offsets, child, ...validityOf(has, groups) });
  }
}
