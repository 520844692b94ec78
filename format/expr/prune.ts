// mayMatch: can any row of a page satisfy a predicate, judging by its statistics alone? Only column-op-literal
// forms (and AND/OR/NOT of them) can answer no; anything else is "maybe", so a false answer is a proof.

import * as A from "apache-arrow";
import { statFromJson } from "../file/stats.js";
import type { ComparisonOp } from "./ast.js";
import type { Bound, BoundColumn, Resolved } from "./bound.js";
import type { ScalarValue } from "./columnar.js";
import { compareValues, FLIPPED, OP_HOLDS } from "./compare.js";
import { likePrefix } from "./like.js";
import { typeClass } from "./types.js";

/**
 * Statistics of one column over some rows, as format/file/stats.ts keeps them: min/max in their JSON form
 * (64-bit integers as decimal strings, infinite floats as "Infinity"), or already as bigints. `hasNaN` says a
 * float column holds NaN besides min..max; absent means it does not (as in PageStats).
 */
export interface ColumnStats {
  nullCount: number;
  rows: number;
  min?: unknown;
  max?: unknown;
  hasNaN?: boolean;
}

/** Statistics of a column by name (a struct field as "a.b"), or undefined when unknown. */
export type StatsLookup = (column: string) => ColumnStats | undefined;

type Value = Exclude<ScalarValue, null>;

/** What the statistics allow: may the node be TRUE, may it be FALSE. */
interface Maybe {
  t: boolean;
  f: boolean;
}

const UNKNOWN: Maybe = { t: true, f: true };
const NEITHER: Maybe = { t: false, f: false };

/** Values a column can hold: [min, max] (a missing end is unbounded), NaN if flagged, or nothing at all. */
interface Range {
  nonNull: number;
  nulls: number;
  min: Value | undefined;
  max: Value | undefined;
  nan: boolean;
}

/**
 * False only when the statistics prove no row can satisfy the predicate; true when some row might, or when
 * the statistics say too little to tell.
 * @example mayMatch(resolvePredicate("label = 3", schema), (c) => pageStats[c]) // false if 3 is outside min..max
 */
export function mayMatch(resolved: Resolved, stats: StatsLookup): boolean {
  return maybe(resolved.bound, stats).t;
}

function maybe(b: Bound, stats: StatsLookup): Maybe {
  switch (b.kind) {
    case "literal":
      return { t: b.value === true, f: b.value === false };
    case "logic": {
      const [x, y] = [maybe(b.left, stats), maybe(b.right, stats)];
      return b.op === "and" ? { t: x.t && y.t, f: x.f || y.f } : { t: x.t || y.t, f: x.f && y.f };
    }
    case "not": {
      const x = maybe(b.operand, stats);
      return { t: x.f, f: x.t };
    }
    case "compare":
      return compare(b.op, b.left, b.right, stats);
    case "between": {
      const within = and(compare(">=", b.operand, b.low, stats), compare("<=", b.operand, b.high, stats));
      return b.negated ? { t: within.f, f: within.t } : within;
    }
    case "in":
      return inList(b, stats);
    case "isNull":
      return isNull(b.operand, b.negated, stats);
    case "like":
      return like(b, stats);
    case "column":
      return boolColumn(b, stats);
    default:
      return UNKNOWN;
  }
}

function and(x: Maybe, y: Maybe): Maybe {
  return { t: x.t && y.t, f: x.f || y.f };
}

/** The value range of a column from its statistics; undefined when there are none. */
function rangeOf(c: BoundColumn, stats: StatsLookup): Range | undefined {
  const s = stats(c.path.join("."));
  if (s === undefined) return undefined;
  const nan = s.hasNaN === true && typeClass(c.type) === "float";
  return { nonNull: s.rows - s.nullCount, nulls: s.nullCount, min: bound(c.type, s.min), max: bound(c.type, s.max), nan };
}

/**
 * A min or max usable against our order. String statistics are ordered by UTF-16 units; a bound made only of
 * characters below U+D800 orders every string the same way in code point order, so only those are trusted.
 */
function bound(type: A.DataType, v: unknown): Value | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") return undefined;
  const x = statFromJson(type, v);
  if (typeof x === "string" && typeClass(type) === "string" && /[\uD800-\uFFFF]/.test(x)) return undefined;
  return x;
}

function asColumn(b: Bound): BoundColumn | undefined {
  return b.kind === "column" ? b : undefined;
}

function compare(op: ComparisonOp, left: Bound, right: Bound, stats: StatsLookup): Maybe {
  if (left.kind === "literal" && right.kind !== "literal") return compare(FLIPPED[op], right, left, stats);
  const col = asColumn(left);
  if (col === undefined || right.kind !== "literal") return UNKNOWN;
  if (right.value === null) return NEITHER;
  const r = rangeOf(col, stats);
  if (r === undefined) return UNKNOWN;
  if (r.nonNull === 0) return NEITHER;
  return { t: canHold(r, op, right.value), f: canHold(r, NEGATED[op], right.value) };
}

const NEGATED: Record<ComparisonOp, ComparisonOp> = { "=": "!=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<" };

/** Whether some value in the range (or NaN, if present) satisfies `v op lit`. */
function canHold(r: Range, op: ComparisonOp, lit: Value): boolean {
  if (r.nan && OP_HOLDS[op](compareValues(NaN, lit))) return true;
  const lo = r.min === undefined ? undefined : compareValues(r.min, lit);
  const hi = r.max === undefined ? undefined : compareValues(r.max, lit);
  switch (op) {
    case "=":
      return (lo === undefined || lo <= 0) && (hi === undefined || hi >= 0);
    case "!=":
      return !(lo === 0 && hi === 0);
    case "<":
      return lo === undefined || lo < 0;
    case "<=":
      return lo === undefined || lo <= 0;
    case ">":
      return hi === undefined || hi > 0;
    case ">=":
      return hi === undefined || hi >= 0;
  }
}

function inList(b: Extract<Bound, { kind: "in" }>, stats: StatsLookup): Maybe {
  const col = asColumn(b.operand);
  const r = col === undefined ? undefined : rangeOf(col, stats);
  if (r === undefined) return UNKNOWN;
  if (r.nonNull === 0) return NEITHER;
  const hit = b.values.some((v) => canHold(r, "=", v));
  // A miss is FALSE, or NULL when the list holds NULL; either way only the hits make IN true.
  const miss = !b.hasNull;
  return b.negated ? { t: miss, f: hit } : { t: hit, f: miss };
}

function isNull(operand: Bound, negated: boolean, stats: StatsLookup): Maybe {
  const col = asColumn(operand);
  const r = col === undefined ? undefined : rangeOf(col, stats);
  if (r === undefined) return UNKNOWN;
  const m = { t: r.nulls > 0, f: r.nonNull > 0 };
  return negated ? { t: m.f, f: m.t } : m;
}

/** LIKE 'abc%': no row can match when every value sorts before "abc" or after everything starting with it. */
function like(b: Extract<Bound, { kind: "like" }>, stats: StatsLookup): Maybe {
  const col = asColumn(b.operand);
  const r = col === undefined ? undefined : rangeOf(col, stats);
  if (r === undefined) return UNKNOWN;
  if (r.nonNull === 0) return NEITHER;
  const p = b.caseInsensitive ? "" : likePrefix(b.pattern, b.escape);
  if (p === "" || /[\uD800-\uFFFF]/.test(p)) return UNKNOWN;
  const { min, max } = r as { min?: string; max?: string };
  const none = (max !== undefined && compareValues(max, p) < 0) || (min !== undefined && compareValues(min, p) > 0 && !min.startsWith(p));
  return b.negated ? { t: true, f: !none } : { t: !none, f: true };
}

/** A boolean column used as the predicate itself. */
function boolColumn(b: BoundColumn, stats: StatsLookup): Maybe {
  if (typeClass(b.type) !== "bool") return UNKNOWN;
  const r = rangeOf(b, stats);
  if (r === undefined) return UNKNOWN;
  if (r.nonNull === 0) return NEITHER;
  return { t: r.max !== false, f: r.min !== true };
}
