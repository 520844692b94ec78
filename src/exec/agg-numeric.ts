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

/**
 * Per-group state of one input column, updated in one pass per batch. Counts and sums sit side by side in one array
 * (`cs[2g]`, `cs[2g + 1]`): the pass touches one cache line and one bounds check per row, not two.
 */
export class ColumnStats implements BatchSink {
  cs = new Float64Array(128);
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
      if (moments) addMoments(this.cs, this.means, this.m2, g.gids, v, valid, g.n);
      else if (g.global) {
        this.cs[0]! += valid === undefined ? g.n : countOnes(valid, g.n);
        this.cs[1] = sumAll(this.cs[1]!, v, valid, g.n);
      } else if (valid === undefined) addSumCount(this.cs, g.gids, v, g.n);
      else addSumCountValid(this.cs, g.gids, v, valid, g.n);
    }
    if (valid !== undefined && this.needs.nulls) this.addNulls(valid, g);
  }

  private addCounts(valid: Uint8Array | undefined, g: BatchGroups): void {
    const { cs } = this;
    const { gids, n } = g;
    if (g.global) cs[0]! += valid === undefined ? n : countOnes(valid, n);
    else if (valid === undefined) for (let i = 0; i < n; i++) cs[2 * gids[i]!]!++;
    else for (let i = 0; i < n; i++) cs[2 * gids[i]!]! += valid[i]!;
  }

  private addNulls(valid: Uint8Array, g: BatchGroups): void {
    const { nulls } = this;
    const { gids, n } = g;
    if (g.global) nulls[0]! += n - countOnes(valid, n);
    else for (let i = 0; i < n; i++) nulls[gids[i]!]! += 1 - valid[i]!;
  }

  private grow(groups: number): void {
    this.cs = grown(this.cs, 2 * groups);
    if (this.needs.moments) {
      this.means = grown(this.means, groups);
      this.m2 = grown(this.m2, groups);
    }
    if (this.needs.nulls) this.nulls = grown(this.nulls, groups);
  }

  /** Non-null values per group, for `groups` groups (those no batch reached yet are 0); grows every array. */
  counts(groups: number): Float64Array {
    this.grow(groups);
    return Float64Array.from({ length: groups }, (_, g) => this.cs[2 * g]!);
  }

  /** Sums per group (0 where no value). */
  sums(groups: number): Float64Array {
    this.grow(groups);
    return Float64Array.from({ length: groups }, (_, g) => this.cs[2 * g + 1]!);
  }

  /** 1 for the groups with a non-null value. */
  has(groups: number): Uint8Array {
    this.grow(groups);
    return Uint8Array.from({ length: groups }, (_, g) => (this.cs[2 * g]! > 0 ? 1 : 0));
  }
}

// ---- the per-batch loops: one per case, so each stays monomorphic and free of per-row checks ----

function addSumCount(cs: Float64Array, gids: Int32Array, v: ArrayLike<number>, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = 2 * gids[i]!;
    cs[g]!++;
    cs[g + 1]! += v[i]!;
  }
}

function addSumCountValid(cs: Float64Array, gids: Int32Array, v: ArrayLike<number>, valid: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) {
    if (valid[i] === 0) continue;
    const g = 2 * gids[i]!;
    cs[g]!++;
    cs[g + 1]! += v[i]!;
  }
}

/** `s` plus the valid values in row order (the order a grouped sum adds them in, so both agree exactly). */
function sumAll(s: number, v: ArrayLike<number>, valid: Uint8Array | undefined, n: number): number {
  if (valid === undefined) for (let i = 0; i < n; i++) s += v[i]!;
  else for (let i = 0; i < n; i++) if (valid[i] !== 0) s += v[i]!;
  return s;
}

function countOnes(valid: Uint8Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) k += valid[i]!;
  return k;
}

/** Welford's update (accurate when the mean is large), with the plain sum alongside. */
function addMoments(cs: Float64Array, means: Float64Array, m2: Float64Array, gids: Int32Array, v: ArrayLike<number>, valid: Uint8Array | undefined, n: number): void {
  for (let i = 0; i < n; i++) {
    if (valid !== undefined && valid[i] === 0) continue;
    const g = gids[i]!;
    const x = v[i]!;
    const k = ++cs[2 * g]!;
    cs[2 * g + 1]! += x;
    const d = x - means[g]!;
    means[g]! += d / k;
    m2[g]! += d * (x - means[g]!);
  }
}

// ---- the aggregates read from ColumnStats ----

/** sum of a float column: null for a group with no non-null value. */
export class SumOutput implements AggOutput {
  constructor(private readonly stats: ColumnStats) {}
  finish(groups: number): A.Data {
    return float64Data(this.stats.sums(groups), this.stats.has(groups), groups);
  }
}

export class MeanOutput implements AggOutput {
  constructor(private readonly stats: ColumnStats) {}
  finish(groups: number): A.Data {
    const sums = this.stats.sums(groups);
    const counts = this.stats.counts(groups);
    for (let g = 0; g < groups; g++) sums[g]! /= counts[g]!;
    return float64Data(sums, this.stats.has(groups), groups);
  }
}

/** count(x): non-null values. */
export class CountOutput implements AggOutput {
  constructor(private readonly stats: ColumnStats) {}
  finish(groups: number): A.Data {
    return countData(this.stats.counts(groups), groups);
  }
}

/** count(*) from a ColumnStats that keeps nulls: each row is either counted or a null. */
export class RowsOutput implements AggOutput {
  constructor(private readonly stats: ColumnStats) {}
  finish(groups: number): A.Data {
    const rows = this.stats.counts(groups);
    const nulls = this.stats.nulls;
    for (let g = 0; g < groups; g++) rows[g]! += nulls[g]!;
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
    const counts = this.stats.counts(groups);
    const m2 = this.stats.m2;
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

/** count(*) when no ColumnStats is at hand: a pass over the group ids (none when global). */
export class RowCountAcc implements Accumulator {
  private rows = new Float64Array(64);
  add(_values: A.Data | undefined, g: BatchGroups): void {
    const rows = (this.rows = grown(this.rows, g.groups));
    const { gids, n } = g;
    if (g.global) rows[0]! += n;
    else for (let i = 0; i < n; i++) rows[gids[i]!]!++;
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
