// Counts, sums, means and variances. The aggregates of one input share a ColumnStats: a single pass per batch keeps
// per-group counts, and sums and Welford moments only when asked, so sum + mean + count + std of a column cost one
// pass, not four. count(*) reads that state too (rows = non-null + null), and exact integer sums keep their own.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { readColumn, readValidity } from "../../format/expr/columnar.js";
import { type Accumulator, type AggOutput, type BatchGroups, type BatchSink, countData, doublesOf, float64Data, grown, validityOf } from "./agg-state.js";

/** What the aggregates over one input ask of its ColumnStats; counts of non-null values are always kept. */
export interface StatsNeeds {
  /** Sums of the values (sum of floats, mean). */
  sum: boolean;
  /** Welford's running means and squared deviations (var, std). */
  moments: boolean;
  /** Nulls per group, so count(*) = counts + nulls. */
  nulls: boolean;
}

/** Per-group state of one input column, updated in one pass per batch. */
export class ColumnStats implements BatchSink {
  counts = new Float64Array(64);
  sums = new Float64Array(0);
  means = new Float64Array(0);
  m2 = new Float64Array(0);
  nulls = new Float64Array(0);
  constructor(readonly needs: StatsNeeds) {}

  add(values: A.Data | undefined, g: BatchGroups): void {
    this.grow(g.groups);
    const { sum, moments } = this.needs;
    let valid: Uint8Array | undefined;
    if (!sum && !moments) {
      valid = readValidity(values!);
      this.addCounts(valid, g);
    } else {
      const c = readColumn(values!);
      const v = doublesOf(c);
      valid = c.valid;
      if (moments) addMoments(this.counts, this.means, this.m2, sum ? this.sums : undefined, g.gids, v, valid, g.n);
      else if (g.global) {
        this.sums[0] = sumAll(this.sums[0]!, v, valid, g.n);
        this.counts[0]! += valid === undefined ? g.n : countOnes(valid, g.n);
      } else if (valid === undefined) addSumCount(this.sums, this.counts, g.gids, v, g.n);
      else addSumCountValid(this.sums, this.counts, g.gids, v, valid, g.n);
    }
    if (valid !== undefined && this.needs.nulls) this.addNulls(valid, g);
  }

  private addCounts(valid: Uint8Array | undefined, g: BatchGroups): void {
    if (g.global) this.counts[0]! += valid === undefined ? g.n : countOnes(valid, g.n);
    else if (valid === undefined) countRows(this.counts, g.gids, g.n);
    else addCountValid(this.counts, g.gids, valid, g.n);
  }

  private addNulls(valid: Uint8Array, g: BatchGroups): void {
    if (g.global) this.nulls[0]! += g.n - countOnes(valid, g.n);
    else for (let i = 0; i < g.n; i++) this.nulls[g.gids[i]!]! += 1 - valid[i]!;
  }

  private grow(groups: number): void {
    this.counts = grown(this.counts, groups);
    if (this.needs.sum) this.sums = grown(this.sums, groups);
    if (this.needs.moments) {
      this.means = grown(this.means, groups);
      this.m2 = grown(this.m2, groups);
    }
    if (this.needs.nulls) this.nulls = grown(this.nulls, groups);
  }

  /** The state of `groups` groups (groups no batch has reached yet hold zeros). */
  settled(groups: number): this {
    this.grow(groups);
    return this;
  }

  /** 1 for the groups with a non-null value. */
  has(groups: number): Uint8Array {
    const has = new Uint8Array(groups);
    for (let g = 0; g < groups; g++) has[g] = this.counts[g]! > 0 ? 1 : 0;
    return has;
  }
}

// ---- the per-batch loops: one per case, so each stays monomorphic and free of per-row checks ----

function addSumCount(sums: Float64Array, counts: Float64Array, gids: Int32Array, v: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = gids[i]!;
    sums[g]! += v[i]!;
    counts[g]!++;
  }
}

function addSumCountValid(sums: Float64Array, counts: Float64Array, gids: Int32Array, v: ArrayLike<number>, valid: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) {
    if (valid[i] === 0) continue;
    const g = gids[i]!;
    sums[g]! += v[i]!;
    counts[g]!++;
  }
}

/** `s` plus the valid values in row order (the order a grouped sum adds them in, so both agree exactly). */
function sumAll(s: number, v: ArrayLike<number>, valid: Uint8Array | undefined, n: number): number {
  if (valid === undefined) for (let i = 0; i < n; i++) s += v[i]!;
  else for (let i = 0; i < n; i++) if (valid[i] !== 0) s += v[i]!;
  return s;
}

/** Adds one per row to its group. */
export function countRows(counts: Float64Array, gids: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) counts[gids[i]!]!++;
}

function addCountValid(counts: Float64Array, gids: Int32Array, valid: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) counts[gids[i]!]! += valid[i]!;
}

function countOnes(valid: Uint8Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) k += valid[i]!;
  return k;
}

/** Welford's update (accurate when the mean is large), with the plain sum alongside when asked. */
function addMoments(
  counts: Float64Array,
  means: Float64Array,
  m2: Float64Array,
  sums: Float64Array | undefined,
  gids: Int32Array,
  v: ArrayLike<number>,
  valid: Uint8Array | undefined,
  n: number,
): void {
  for (let i = 0; i < n; i++) {
    if (valid !== undefined && valid[i] === 0) continue;
    const g = gids[i]!;
    const x = v[i]!;
    const k = ++counts[g]!;
    const d = x - means[g]!;
    means[g]! += d / k;
    m2[g]! += d * (x - means[g]!);
    if (sums !== undefined) sums[g]! += x;
  }
}

// ---- the aggregates read from ColumnStats ----

/** sum of a float column: null for a group with no non-null value. */
export class SumOutput implements AggOutput {
  constructor(private readonly stats: ColumnStats) {}
  finish(groups: number): A.Data {
    const s = this.stats.settled(groups);
    return float64Data(s.sums, s.has(groups), groups);
  }
}

export class MeanOutput implements AggOutput {
  constructor(private readonly stats: ColumnStats) {}
  finish(groups: number): A.Data {
    const s = this.stats.settled(groups);
    const out = new Float64Array(groups);
    for (let g = 0; g < groups; g++) out[g] = s.sums[g]! / s.counts[g]!;
    return float64Data(out, s.has(groups), groups);
  }
}

/** count(x): non-null values. */
export class CountOutput implements AggOutput {
  constructor(private readonly stats: ColumnStats) {}
  finish(groups: number): A.Data {
    return countData(this.stats.settled(groups).counts, groups);
  }
}

/** count(*) from a ColumnStats that keeps nulls: each row is either counted or a null. */
export class RowsOutput implements AggOutput {
  constructor(private readonly stats: ColumnStats) {}
  finish(groups: number): A.Data {
    const s = this.stats.settled(groups);
    const rows = new Float64Array(groups);
    for (let g = 0; g < groups; g++) rows[g] = s.counts[g]! + s.nulls[g]!;
    return countData(rows, groups);
  }
}

/** Variance (or its square root) with `ddof` delta degrees of freedom; null when counts ≤ ddof. */
export class VarOutput implements AggOutput {
  constructor(
    private readonly stats: ColumnStats,
    private readonly ddof: number,
    private readonly sqrt: boolean,
  ) {}
  finish(groups: number): A.Data {
    const s = this.stats.settled(groups);
    const out = new Float64Array(groups);
    const has = new Uint8Array(groups);
    for (let g = 0; g < groups; g++) {
      const dof = s.counts[g]! - this.ddof;
      has[g] = dof > 0 ? 1 : 0;
      const variance = Math.max(0, s.m2[g]! / dof);
      out[g] = this.sqrt ? Math.sqrt(variance) : variance;
    }
    return float64Data(out, has, groups);
  }
}

/** count(*) when no ColumnStats is at hand: a pass over the group ids (none when global). */
export class RowCountAcc implements Accumulator {
  private rows = new Float64Array(64);
  add(_values: A.Data | undefined, g: BatchGroups): void {
    const rows = (this.rows = grown(this.rows, g.groups));
    if (g.global) rows[0]! += g.n;
    else countRows(rows, g.gids, g.n);
  }
  finish(groups: number): A.Data {
    return countData(grown(this.rows, groups), groups);
  }
}

// ---- exact integer sums ----

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

/** Rows summed into doubles before they move to bigints: each term is below 2^32, so sums stay below 2^52. */
const FOLD_ROWS = 1 << 20;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Exact integer sums: each group's sum is hi·2^32 + lo in doubles, folded into bigints every FOLD_ROWS rows (int64
 * values are split into their two 32-bit words), so the per-row work stays on doubles.
 */
export class IntSumAcc implements Accumulator {
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
