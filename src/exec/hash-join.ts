// Equi-join: the right side is read whole into a hash table of key → right rows, then the left side streams
// through it batch by batch. Null keys never match (SQL); right and outer joins emit unmatched right rows last.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { typeName } from "../../format/expr/types.js";
import { IndexList, OUTPUT_BATCH_ROWS, columnData, concatData, makeBatch, nullColumn, takeData, vectorData } from "./gather.js";
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
  for await (const batch of left) {
    if (batch.numRows === 0) continue;
    const keyData = await Promise.all(spec.leftKeys.map(async (k) => vectorData(await k.run(batch))));
    const ids = build.keys.ids(keyData, batch.numRows, false, false);
    const leftCols = spec.leftColumns.map((name) => columnData(batch, name));
    if (spec.how === "semi" || spec.how === "anti") {
      const keep = keptRows(ids, spec.how === "semi");
      if (keep.length > 0) yield makeBatch(spec.schema, leftCols.map((d) => takeData(d, keep)), keep.length);
      continue;
    }
    yield* probe(ids, leftCols, build, spec, matched);
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
  const ids = rowCount === 0 ? new Int32Array(0) : keys.ids(keyParts.map((parts) => concatData(parts[0]!.type, parts)), rowCount, true, false);
  // Counting sort of right rows by key id (stable, so matches come out in right-input order).
  const start = new Int32Array(keys.count + 1);
  for (let i = 0; i < rowCount; i++) if (ids[i]! >= 0) start[ids[i]! + 1]!++;
  for (let k = 0; k < keys.count; k++) start[k + 1]! += start[k]!;
  const cursor = start.slice(0, keys.count);
  const rows = new Int32Array(start[keys.count]!);
  for (let i = 0; i < rowCount; i++) if (ids[i]! >= 0) rows[cursor[ids[i]!]!++] = i;
  return { keys, columns, rowCount, start, rows };
}

/** Rows whose key found a match (semi) or did not (anti: null keys included, as in NOT EXISTS). */
function keptRows(ids: Int32Array, matching: boolean): Int32Array {
  const out = new IndexList(ids.length);
  for (let i = 0; i < ids.length; i++) if (ids[i]! >= 0 === matching) out.push(i);
  return out.take();
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
    return makeBatch(spec.schema, [...leftCols.map((d) => takeData(d, l)), ...build.columns.map((d) => takeData(d, r))], n);
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
    yield makeBatch(schema, [...leftTypes.map((t) => nullColumn(t, n)), ...build.columns.map((d) => takeData(d, r))], n);
  }
}
