// Equi-join: the right side is read whole into a hash table of key → right rows, then the left side streams
// through it batch by batch. Null keys never match (SQL); right and outer joins emit unmatched right rows last.
//
// When the right side's keys turn out unique (a dimension table: known once it is built), each left row has at
// most one match, so a batch needs one lookup per row and no pair lists: the left columns pass through whole (or
// through one selection when some rows drop out) and each right column is one take by match index. Semi and anti
// joins never need pairs. Duplicate right keys take the general path, which lists every (left, right) pair.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { readColumn } from "../../format/expr/columnar.js";
import { typeName } from "../../format/expr/types.js";
import { IndexList, OUTPUT_BATCH_ROWS, chunkBatch, columnData, concatData, makeBatch, nullColumn, takeColumns, vectorData } from "./gather.js";
import { GroupKeys, keyMode, type KeyMode } from "./group-keys.js";
import type { BatchStream, CompiledColumn, JoinHow } from "./types.js";

/** What hashJoin matches and outputs. */
export interface HashJoinSpec {
  readonly leftKeys: readonly CompiledColumn[];
  readonly rightKeys: readonly CompiledColumn[];
  readonly how: JoinHow;
  /** Output: the left columns, then the right ones renamed (semi/anti: the left columns only). */
  readonly schema: A.Schema;
  readonly leftColumns: readonly string[];
  readonly rightColumns: readonly { readonly from: string; readonly to: string }[];
}

/** The right side, read whole: its output columns, and its rows grouped by key id (CSR: rows of id k are
 * rows[start[k] .. start[k+1]), in input order). */
interface BuildSide {
  readonly keys: GroupKeys;
  readonly columns: A.Data[];
  readonly rowCount: number;
  readonly start: Int32Array;
  readonly rows: Int32Array;
  /** Every key id has one row (then `rows[k]` is the row of id k, as start[k] = k). */
  readonly unique: boolean;
  /** Unique small-integer keys on both sides over a narrow range: the right row of key `base + j` is `slots[j]`. */
  readonly dense: { readonly base: number; readonly slots: Int32Array } | undefined;
}

/**
 * Joins `left` with `right` on `leftKeys[i] = rightKeys[i]`. Output rows follow the left input (each left row's
 * matches in right-input order); duplicate keys on both sides give every pair.
 * @example hashJoin(orders, customers, { leftKeys: [custId], rightKeys: [id], how: "left", schema, leftColumns, rightColumns })
 */
export async function* hashJoin(left: BatchStream, right: BatchStream, spec: HashJoinSpec): BatchStream {
  const modes = joinModes(spec.leftKeys, spec.rightKeys);
  const build = await buildSide(right, spec, modes);
  const matched = spec.how === "right" || spec.how === "outer" ? new Uint8Array(build.rowCount) : undefined;
  const leftTypes = spec.schema.fields.slice(0, spec.leftColumns.length).map((f) => f.type);
  let scratch = new Int32Array(0);
  for await (const batch of left) {
    const n = batch.numRows;
    if (n === 0) continue;
    const keyData = await Promise.all(spec.leftKeys.map(async (k) => vectorData(await k.run(batch))));
    const leftCols = spec.leftColumns.map((name) => columnData(batch, name));
    const semi = spec.how === "semi" || spec.how === "anti";
    if (build.unique) {
      if (scratch.length < n) scratch = new Int32Array(n);
      const match = scratch.subarray(0, n);
      const misses = matchRows(keyData, build, match);
      const out = semi ? semiBatch(match, leftCols, spec.schema, spec.how === "semi") : probeUnique(match, misses, leftCols, build, spec, matched);
      if (out !== undefined) yield* chunkBatch(out);
      continue;
    }
    const ids = build.keys.ids(keyData, n, false, false);
    if (!semi) yield* probe(ids, leftCols, build, spec, matched);
    else {
      const kept = semiBatch(ids, leftCols, spec.schema, spec.how === "semi");
      if (kept !== undefined) yield kept;
    }
  }
  if (matched !== undefined) yield* unmatchedRight(build, matched, leftTypes, spec.schema);
}

/** Key comparison modes for each key pair; a 64-bit integer meeting a narrower or float key compares as a number. */
function joinModes(leftKeys: readonly CompiledColumn[], rightKeys: readonly CompiledColumn[]): KeyMode[] {
  if (leftKeys.length !== rightKeys.length || leftKeys.length === 0) {
    throw new InvalidArgumentError(`a join needs the same number of left and right keys (at least one), got ${leftKeys.length} and ${rightKeys.length}`);
  }
  return leftKeys.map((l, i) => {
    const r = rightKeys[i]!;
    const a = keyMode(l.type);
    const b = keyMode(r.type);
    if (a === "null") return b;
    if (b === "null" || (a === b && (a !== "i64" || sameInt64(l.type, r.type)))) return a;
    if ((a === "f64" || a === "i64") && (b === "f64" || b === "i64")) return "f64";
    throw new InvalidArgumentError(
      `join key ${i + 1} compares ${typeName(l.type)} (${l.name}) with ${typeName(r.type)} (${r.name}); cast one side so both have the same kind of type`,
    );
  });
}

/** Raw 64-bit words are comparable only between types of one signedness. */
function sameInt64(a: A.DataType, b: A.DataType): boolean {
  const signed = (t: A.DataType): boolean => (t as A.Int).ArrayType !== (BigUint64Array as unknown);
  return signed(a) === signed(b);
}

async function buildSide(right: BatchStream, spec: HashJoinSpec, modes: KeyMode[]): Promise<BuildSide> {
  const keyParts: A.Data[][] = spec.rightKeys.map(() => []);
  const colParts: A.Data[][] = spec.rightColumns.map(() => []);
  let rowCount = 0;
  for await (const batch of right) {
    if (batch.numRows === 0) continue;
    const keys = await Promise.all(spec.rightKeys.map(async (k) => vectorData(await k.run(batch))));
    keys.forEach((d, j) => keyParts[j]!.push(d));
    spec.rightColumns.forEach((c, j) => colParts[j]!.push(columnData(batch, c.from)));
    rowCount += batch.numRows;
  }
  const offset = spec.leftColumns.length;
  const columns = colParts.map((parts, j) => (parts.length === 0 ? nullColumn(spec.schema.fields[offset + j]?.type ?? new A.Null(), 0) : concatData(parts[0]!.type, parts)));
  const keys = new GroupKeys(modes);
  const keyData = rowCount === 0 ? [] : keyParts.map((parts) => concatData(parts[0]!.type, parts));
  const ids = rowCount === 0 ? new Int32Array(0) : keys.ids(keyData, rowCount, true, false);
  // Counting sort of right rows by key id (stable, so matches come out in right-input order).
  const start = new Int32Array(keys.count + 1);
  for (let i = 0; i < rowCount; i++) if (ids[i]! >= 0) start[ids[i]! + 1]!++;
  for (let k = 0; k < keys.count; k++) start[k + 1]! += start[k]!;
  const cursor = start.slice(0, keys.count);
  const rows = new Int32Array(start[keys.count]!);
  for (let i = 0; i < rowCount; i++) if (ids[i]! >= 0) rows[cursor[ids[i]!]!++] = i;
  const unique = rows.length === keys.count;
  const dense = unique && rowCount > 0 && isSmallInt(spec.leftKeys) && isSmallInt(spec.rightKeys) ? denseSlots(keyData[0]!, ids) : undefined;
  return { keys, columns, rowCount, start, rows, unique, dense };
}

/** A single key of integers up to 32 bits: its values are exact small numbers, so they can index an array. */
function isSmallInt(keys: readonly CompiledColumn[]): boolean {
  const t = keys[0]!.type;
  return keys.length === 1 && t.typeId === A.Type.Int && (t as A.Int).bitWidth <= 32;
}

/** The widest key range given direct slots, per build row (and at least 64k): 16 bytes a row at most. */
const DENSE_SLOTS_PER_ROW = 4;

/** Right row by key value for unique integer keys, when their range is narrow enough; null keys left out. */
function denseSlots(keyData: A.Data, ids: Int32Array): BuildSide["dense"] {
  const v = readColumn(keyData).values as { data: ArrayLike<number> };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i]! < 0) continue;
    lo = Math.min(lo, v.data[i]!);
    hi = Math.max(hi, v.data[i]!);
  }
  if (lo > hi || hi - lo + 1 > Math.max(1 << 16, DENSE_SLOTS_PER_ROW * ids.length)) return undefined;
  const slots = new Int32Array(hi - lo + 1).fill(-1);
  for (let i = 0; i < ids.length; i++) if (ids[i]! >= 0) slots[v.data[i]! - lo] = i;
  return { base: lo, slots };
}

/** Against unique right keys: the right row matching each left row, or -1, in `out`; returns how many are -1. */
function matchRows(keyData: A.Data[], build: BuildSide, out: Int32Array): number {
  const n = out.length;
  if (build.dense !== undefined) return denseMatch(keyData[0]!, build.dense, out);
  const ids = build.keys.ids(keyData, n, false, false);
  const { rows } = build;
  let misses = 0;
  for (let i = 0; i < n; i++) {
    const k = ids[i]!;
    if (k < 0) {
      out[i] = -1;
      misses++;
    } else out[i] = rows[k]!;
  }
  return misses;
}

/** matchRows through direct slots: one bounds check and one load per row (null rows fixed up after). */
function denseMatch(key: A.Data, dense: NonNullable<BuildSide["dense"]>, out: Int32Array): number {
  const c = readColumn(key);
  const v = (c.values as { data: ArrayLike<number> }).data;
  const { base, slots } = dense;
  const span = slots.length;
  const n = out.length;
  let misses = 0;
  for (let i = 0; i < n; i++) {
    const j = (v[i]! - base) >>> 0; // below base wraps past any span
    const r = j < span ? slots[j]! : -1;
    out[i] = r;
    misses += r >>> 31;
  }
  const valid = c.valid;
  if (valid !== undefined) {
    for (let i = 0; i < n; i++) {
      if (valid[i] === 0 && out[i]! >= 0) {
        out[i] = -1;
        misses++;
      }
    }
  }
  return misses;
}

/**
 * The left rows whose key found a match (`ids[i]` ≥ 0: a key id or right row) for semi, or did not for anti (null
 * keys included, as in NOT EXISTS): the batch itself when all are kept, undefined when none are.
 */
function semiBatch(ids: Int32Array, leftCols: A.Data[], schema: A.Schema, matching: boolean): A.RecordBatch | undefined {
  const n = ids.length;
  let kept = 0;
  for (let i = 0; i < n; i++) if (ids[i]! >= 0 === matching) kept++;
  if (kept === 0) return undefined;
  if (kept === n) return makeBatch(schema, leftCols, n);
  const keep = new Int32Array(kept);
  for (let i = 0, o = 0; i < n; i++) if (ids[i]! >= 0 === matching) keep[o++] = i;
  return makeBatch(schema, takeColumns(leftCols, keep), kept);
}

/**
 * One left batch against unique right keys, given each row's matching right row (or -1). Left and outer joins,
 * and inner joins where every row matched, keep the left columns as they are; otherwise the matching rows are
 * selected. Undefined when an inner join keeps no row.
 */
function probeUnique(match: Int32Array, misses: number, leftCols: A.Data[], build: BuildSide, spec: HashJoinSpec, matched: Uint8Array | undefined): A.RecordBatch | undefined {
  const n = match.length;
  const { columns } = build;
  if (matched !== undefined) for (let i = 0; i < n; i++) if (match[i]! >= 0) matched[match[i]!] = 1;
  if (misses === 0 || spec.how === "left" || spec.how === "outer") {
    return makeBatch(spec.schema, [...leftCols, ...takeColumns(columns, match)], n);
  }
  if (misses === n) return undefined;
  const sel = new Int32Array(n - misses);
  const hit = new Int32Array(n - misses);
  for (let i = 0, o = 0; i < n; i++) {
    if (match[i]! < 0) continue;
    sel[o] = i;
    hit[o++] = match[i]!;
  }
  return makeBatch(spec.schema, [...takeColumns(leftCols, sel), ...takeColumns(columns, hit)], sel.length);
}

/** Output batches for one left batch: each row's matches, or a null right side (left/outer) when there are none. */
function* probe(ids: Int32Array, leftCols: A.Data[], build: BuildSide, spec: HashJoinSpec, matched: Uint8Array | undefined): Generator<A.RecordBatch> {
  const keepUnmatched = spec.how === "left" || spec.how === "outer";
  const li = new IndexList();
  const ri = new IndexList();
  const flush = (): A.RecordBatch => {
    const n = li.length;
    const l = li.take();
    const r = ri.take();
    return makeBatch(spec.schema, [...takeColumns(leftCols, l), ...takeColumns(build.columns, r)], n);
  };
  const { start, rows } = build;
  for (let i = 0; i < ids.length; i++) {
    const k = ids[i]!;
    if (k < 0) {
      if (keepUnmatched) {
        li.push(i);
        ri.push(-1);
      }
    } else {
      for (let j = start[k]!; j < start[k + 1]!; j++) {
        li.push(i);
        ri.push(rows[j]!);
        if (matched !== undefined) matched[rows[j]!] = 1;
        if (li.length === OUTPUT_BATCH_ROWS) yield flush();
      }
    }
    if (li.length >= OUTPUT_BATCH_ROWS) yield flush();
  }
  if (li.length > 0) yield flush();
}

/** Right rows that matched no left row, under null left columns. */
function* unmatchedRight(build: BuildSide, matched: Uint8Array, leftTypes: A.DataType[], schema: A.Schema): Generator<A.RecordBatch> {
  const rest = new IndexList();
  for (let i = 0; i < build.rowCount; i++) if (matched[i] === 0) rest.push(i);
  const all = rest.take();
  for (let s = 0; s < all.length; s += OUTPUT_BATCH_ROWS) {
    const r = all.subarray(s, Math.min(all.length, s + OUTPUT_BATCH_ROWS));
    const n = r.length;
    yield makeBatch(schema, [...leftTypes.map((t) => nullColumn(t, n)), ...takeColumns(build.columns, r)], n);
  }
}
