// Grouped and global aggregation, a blocking sink: a group id per row (see GroupKeys below), then one typed-array
// accumulator per aggregate indexed by group id. Only group state is held, never input batches (list/last aside).

import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../../format/errors.js";
import { type Col, type Values, packBits, readColumn, readValidity } from "../../format/expr/columnar.js";
import { nullData } from "../../format/file/gather.js";
import { typeName } from "../../format/expr/types.js";
import { OUTPUT_BATCH_ROWS, chunkBatch, concatData, makeBatch, plainData, readBinaries, readStrings, takeData, vectorData } from "./gather.js";
import { type KeyMode, keyMode, WordTable, ValueKeys, GroupKeys, firstRows } from "./group-keys.js";
import type { AggSpec, BatchStream, CompiledColumn } from "./types.js";

/** What hashAggregate computes: key columns then aggregates, named and typed by `schema` in that order. */
export interface HashAggregateSpec {
  readonly keys: readonly CompiledColumn[];
  readonly aggs: readonly AggSpec[];
  readonly schema: A.Schema;
}

/** The groups of one input batch, as every accumulator sees them. */
interface BatchGroups {
  /** Group of each row (a fresh array per batch: `list` keeps it). */
  readonly gids: Int32Array;
  readonly n: number;
  /** Groups known after this batch. */
  readonly groups: number;
  /** First row of each group that is new in this batch, in group order. */
  readonly newRows: Int32Array;
}

interface Accumulator {
  /** Adds a batch's values (undefined for countAll). */
  add(values: A.Data | undefined, g: BatchGroups): void;
  /** One value per group, of the aggregate's output type. */
  finish(groups: number): A.Data;
}

/**
 * Groups rows by `keys` and computes `aggs` per group; with no keys, one row over the whole input, even an empty
 * one (SQL: count 0, other aggregates null). Groups come out in order of first appearance.
 * @example hashAggregate(scan, { keys: [city], aggs: [{ name: "n", fn: "countAll", type: new Int64() }], schema })
 */
export async function* hashAggregate(input: BatchStream, spec: HashAggregateSpec): BatchStream {
  const { keys, aggs, schema } = spec;
  if (schema.fields.length !== keys.length + aggs.length) {
    throw new InvalidArgumentError(`aggregate schema has ${schema.fields.length} fields for ${keys.length} keys and ${aggs.length} aggregates`);
  }
  const accs = aggs.map(makeAccumulator);
  const grouping = keys.length === 0 ? undefined : new GroupKeys(keys.map((k) => keyMode(k.type)));
  const keyParts: A.Data[][] = keys.map(() => []);
  let groups = 0;
  for await (const batch of input) {
    const n = batch.numRows;
    if (n === 0) continue;
    let gids: Int32Array;
    let newRows: Int32Array;
    if (grouping === undefined) {
      gids = new Int32Array(n);
      newRows = groups === 0 ? Int32Array.of(0) : new Int32Array(0);
    } else {
      const keyData = await Promise.all(keys.map(async (k) => vectorData(await k.run(batch))));
      gids = grouping.ids(keyData, n, true, true);
      newRows = firstRows(gids, groups, grouping.count);
      if (newRows.length > 0) keyData.forEach((d, j) => keyParts[j]!.push(takeData(d, newRows)));
    }
    const bg: BatchGroups = { gids, n, groups: grouping?.count ?? 1, newRows };
    const values = await Promise.all(aggs.map(async (a) => (a.input === undefined ? undefined : vectorData(await a.input.run(batch)))));
    accs.forEach((acc, j) => acc.add(values[j], bg));
    groups = bg.groups;
  }
  if (grouping === undefined) groups = 1;
  if (groups === 0) return;
  const keyCols = keyParts.map((parts, j) => (parts.length === 0 ? nullData(schema.fields[j]!.type, 0) : concatData(parts[0]!.type, parts)));
  yield* chunkBatch(makeBatch(schema, [...keyCols, ...accs.map((a) => a.finish(groups))], groups));
}

const FACTORIES: Record<AggSpec["fn"], (spec: AggSpec) => Accumulator> = {
  count: () => new CountAcc(true),
  countAll: () => new CountAcc(false),
  sum: (s) => (s.type.typeId === A.Type.Float ? new FloatSumAcc() : new IntSumAcc(s.name)),
  mean: () => new MeanAcc(),
  var: (s) => new VarAcc(ddofOf(s), false),
  std: (s) => new VarAcc(ddofOf(s), true),
  min: (s) => minMaxFor(s, false),
  max: (s) => minMaxFor(s, true),
  countDistinct: (s) => new CountDistinctAcc(keyMode(s.input!.type)),
  first: (s) => new FirstAcc(s.type),
  last: (s) => new LastAcc(s.type),
  list: (s) => new ListAcc(s.type as A.List),
};

function makeAccumulator(spec: AggSpec): Accumulator {
  if (spec.fn !== "countAll" && spec.input === undefined) {
    throw new InvalidArgumentError(`aggregate "${spec.name}" (${spec.fn}) needs an input column`);
  }
  return FACTORIES[spec.fn](spec);
}

function ddofOf(spec: AggSpec): number {
  const ddof = spec.ddof ?? 1;
  if (!Number.isInteger(ddof) || ddof < 0) throw new InvalidArgumentError(`ddof of "${spec.name}" must be a non-negative integer, got ${ddof}`);
  return ddof;
}

// ---- typed state helpers ----

type Growable = Float64Array | Int32Array | Uint8Array;

/** `a`, or a copy at least `size` long (doubling, so growth is amortised); new slots hold `fill`. */
function grown<T extends Growable>(a: T, size: number, fill = 0): T {
  if (size <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  (next as Float64Array).set(a as Float64Array);
  if (fill !== 0) next.fill(fill, a.length);
  return next;
}

/** Validity (makeData props) from one byte per group. */
function validityOf(has: Uint8Array, n: number): { nullBitmap?: Uint8Array; nullCount: number } {
  let nulls = 0;
  for (let i = 0; i < n; i++) nulls += has[i] === 0 ? 1 : 0;
  return nulls === 0 ? { nullCount: 0 } : { nullBitmap: packBits(has.subarray(0, n), n), nullCount: nulls };
}

function float64Data(values: Float64Array, has: Uint8Array | undefined, n: number): A.Data {
  const validity = has === undefined ? { nullCount: 0 } : validityOf(has, n);
  return A.makeData({ type: new A.Float64(), length: n, data: values.slice(0, n), ...validity });
}

/** Numbers held as doubles, back in `type` (ints, floats incl. float16, day dates, bools). */
function numericData(type: A.DataType, values: Float64Array, has: Uint8Array, n: number): A.Data {
  const validity = validityOf(has, n);
  if (type.typeId === A.Type.Bool) {
    const bytes = Uint8Array.from(values.subarray(0, n), (v) => (v !== 0 ? 1 : 0));
    return A.makeData({ type: type as A.Bool, length: n, data: packBits(bytes, n), ...validity });
  }
  if (type.typeId === A.Type.Float && (type as A.Float).precision === A.Precision.HALF) {
    const half = Uint16Array.from(values.subarray(0, n), A.util.float64ToUint16);
    return A.makeData({ type: type as A.Float16, length: n, data: half, ...validity });
  }
  const T = (type as A.DataType & { ArrayType: new (n: number) => Float64Array }).ArrayType;
  const data = new T(n);
  data.set(values.subarray(0, n));
  return A.makeData({ type: type as A.Float64, length: n, data, ...validity });
}

/** The values of a column as doubles row by row (bigints converted), for the float-valued aggregates. */
function doublesOf(c: Col): ArrayLike<number> {
  const v = c.values;
  if (v.kind === "num" || v.kind === "bool") return v.data;
  if (v.kind === "big") return Float64Array.from(v.data, Number);
  if (v.kind === "null") return new Float64Array(c.length);
  throw new NotSupportedError(`aggregating ${typeName(c.type)} values as numbers is not supported; cast the column to a number type first`);
}

// ---- counts and sums ----

class CountAcc implements Accumulator {
  private counts = new Float64Array(64);
  constructor(private readonly nonNull: boolean) {}
  add(values: A.Data | undefined, g: BatchGroups): void {
    const counts = (this.counts = grown(this.counts, g.groups));
    const gids = g.gids;
    const valid = this.nonNull && values !== undefined ? readValidity(values) : undefined;
    if (valid === undefined) for (let i = 0; i < g.n; i++) counts[gids[i]!]!++;
    else for (let i = 0; i < g.n; i++) counts[gids[i]!]! += valid[i]!;
  }
  finish(groups: number): A.Data {
    return countData(grown(this.counts, groups), groups);
  }
}

function countData(counts: Float64Array, groups: number): A.Data {
  const out = new BigInt64Array(groups);
  for (let i = 0; i < groups; i++) out[i] = BigInt(counts[i]!);
  return A.makeData({ type: new A.Int64(), length: groups, data: out });
}

/** Adds each valid value to its group's sum in `sums`, marking `has`. */
function addValues(sums: Float64Array, has: Uint8Array, gids: Int32Array, v: ArrayLike<number>, valid: Uint8Array | undefined, from: number, to: number): void {
  if (valid === undefined) {
    for (let i = from; i < to; i++) {
      const g = gids[i]!;
      sums[g]! += v[i]!;
      has[g] = 1;
    }
    return;
  }
  for (let i = from; i < to; i++) {
    if (valid[i] === 0) continue;
    const g = gids[i]!;
    sums[g]! += v[i]!;
    has[g] = 1;
  }
}

class FloatSumAcc implements Accumulator {
  private sums = new Float64Array(64);
  private has = new Uint8Array(64);
  add(values: A.Data | undefined, g: BatchGroups): void {
    this.sums = grown(this.sums, g.groups);
    this.has = grown(this.has, g.groups);
    const c = readColumn(values!);
    addValues(this.sums, this.has, g.gids, doublesOf(c), c.valid, 0, g.n);
  }
  finish(groups: number): A.Data {
    return float64Data(grown(this.sums, groups), grown(this.has, groups), groups);
  }
}

/** Rows summed into doubles before they move to bigints: each term is below 2^32, so sums stay below 2^52. */
const FOLD_ROWS = 1 << 20;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Exact integer sums: each group's sum is hi·2^32 + lo in doubles, folded into bigints every FOLD_ROWS rows (int64
 * values are split into their two 32-bit words), so the per-row work stays on doubles.
 */
class IntSumAcc implements Accumulator {
  private lo = new Float64Array(64);
  private hi = new Float64Array(64);
  private has = new Uint8Array(64);
  private totals: bigint[] = [];
  private rows = 0;
  constructor(private readonly name: string) {}

  add(values: A.Data | undefined, g: BatchGroups): void {
    this.lo = grown(this.lo, g.groups);
    this.hi = grown(this.hi, g.groups);
    this.has = grown(this.has, g.groups);
    const c = readColumn(values!);
    const v = c.values;
    const doubles = v.kind === "big" ? undefined : doublesOf(c);
    // In slices of at most FOLD_ROWS rows, folding between them, however large the batch.
    for (let from = 0; from < g.n; ) {
      const to = Math.min(g.n, from + FOLD_ROWS - this.rows);
      if (v.kind === "big") this.addWords(v.data, c.valid, g, from, to);
      else addValues(this.lo, this.has, g.gids, doubles!, c.valid, from, to);
      this.rows += to - from;
      if (this.rows >= FOLD_ROWS) this.fold(g.groups);
      from = to;
    }
  }

  private addWords(data: BigInt64Array | BigUint64Array, valid: Uint8Array | undefined, g: BatchGroups, from: number, to: number): void {
    const words = new Uint32Array(data.buffer, data.byteOffset, g.n * 2);
    const signed = data instanceof BigInt64Array;
    const { lo, hi, has } = this;
    for (let i = from; i < to; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const gid = g.gids[i]!;
      lo[gid]! += words[2 * i]!;
      hi[gid]! += signed ? words[2 * i + 1]! | 0 : words[2 * i + 1]!;
      has[gid] = 1;
    }
  }

  private fold(groups: number): void {
    const { lo, hi, totals } = this;
    for (let g = 0; g < groups; g++) {
      if (lo[g] === 0 && hi[g] === 0) continue;
      totals[g] = (totals[g] ?? 0n) + (BigInt(hi[g]!) << 32n) + BigInt(lo[g]!);
      lo[g] = 0;
      hi[g] = 0;
    }
    this.rows = 0;
  }

  finish(groups: number): A.Data {
    this.lo = grown(this.lo, groups);
    this.hi = grown(this.hi, groups);
    this.fold(groups);
    const out = new BigInt64Array(groups);
    for (let g = 0; g < groups; g++) {
      const t = this.totals[g] ?? 0n;
      if (t < INT64_MIN || t > INT64_MAX) {
        throw new InvalidArgumentError(`sum "${this.name}" overflows int64 (${t}); cast its input to float64 to sum it approximately`);
      }
      out[g] = t;
    }
    return A.makeData({ type: new A.Int64(), length: groups, data: out, ...validityOf(grown(this.has, groups), groups) });
  }
}

class MeanAcc implements Accumulator {
  private sums = new Float64Array(64);
  private counts = new Float64Array(64);
  add(values: A.Data | undefined, g: BatchGroups): void {
    const sums = (this.sums = grown(this.sums, g.groups));
    const counts = (this.counts = grown(this.counts, g.groups));
    const c = readColumn(values!);
    const v = doublesOf(c);
    const valid = c.valid;
    const gids = g.gids;
    for (let i = 0; i < g.n; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const gid = gids[i]!;
      sums[gid]! += v[i]!;
      counts[gid]!++;
    }
  }
  finish(groups: number): A.Data {
    const sums = grown(this.sums, groups);
    const counts = grown(this.counts, groups);
    const has = new Uint8Array(groups);
    const out = new Float64Array(groups);
    for (let g = 0; g < groups; g++) {
      has[g] = counts[g]! > 0 ? 1 : 0;
      out[g] = sums[g]! / counts[g]!;
    }
    return float64Data(out, has, groups);
  }
}

/** Sample variance (or its square root) by Welford's update, which stays accurate when the mean is large. */
class VarAcc implements Accumulator {
  private counts = new Float64Array(64);
  private means = new Float64Array(64);
  private m2 = new Float64Array(64);
  constructor(
    private readonly ddof: number,
    private readonly sqrt: boolean,
  ) {}
  add(values: A.Data | undefined, g: BatchGroups): void {
    const counts = (this.counts = grown(this.counts, g.groups));
    const means = (this.means = grown(this.means, g.groups));
    const m2 = (this.m2 = grown(this.m2, g.groups));
    const c = readColumn(values!);
    const v = doublesOf(c);
    const valid = c.valid;
    for (let i = 0; i < g.n; i++) {
      if (valid !== undefined && valid[i] === 0) continue;
      const gid = g.gids[i]!;
      const x = v[i]!;
      const k = ++counts[gid]!;
      const d = x - means[gid]!;
      means[gid]! += d / k;
      m2[gid]! += d * (x - means[gid]!);
    }
  }
  finish(groups: number): A.Data {
    const counts = grown(this.counts, groups);
    const m2 = grown(this.m2, groups);
    const out = new Float64Array(groups);
    const has = new Uint8Array(groups);
    for (let g = 0; g < groups; g++) {
      const dof = counts[g]! - this.ddof;
      has[g] = dof > 0 ? 1 : 0;
      const variance = Math.max(0, m2[g]! / dof);
      out[g] = this.sqrt ? Math.sqrt(variance) : variance;
    }
    return float64Data(out, has, groups);
  }
}

// ---- min / max ----

function minMaxFor(spec: AggSpec, max: boolean): Accumulator {
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

function plainType(t: A.DataType): A.DataType {
  return t.typeId === A.Type.Dictionary ? (t as A.Dictionary).dictionary : t;
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
class CountDistinctAcc implements Accumulator {
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
class FirstAcc implements Accumulator {
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
class LastAcc implements Accumulator {
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
class ListAcc implements Accumulator {
  private readonly chunks: A.Data[] = [];
  private readonly gidChunks: Int32Array[] = [];
  constructor(private readonly type: A.List) {}
  add(values: A.Data | undefined, g: BatchGroups): void {
    this.chunks.push(values!);
    this.gidChunks.push(g.gids);
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
