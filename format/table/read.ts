// Reads of one table version: scans with filter, projection, offset/limit and row ids; takes by offset and by
// row id in the order asked; row counts. Deleted rows never appear. Pages a filter cannot match are not read.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import { makeGatherer, takeIndices } from "../file/gather.js";
import type { PageStats } from "../file/layout.js";
import type { TableField, TableSchema } from "../schema.js";
import { scanFragment, takeFragment, type TableIo } from "./fragment-io.js";
import { liveRows, type Fragment, type Manifest } from "./manifest.js";

/** The name of the row id column: (fragment id << 32) | row offset in the fragment, as a uint64. */
export const ROW_ID = "_rowid";

/** A predicate ready to run on batches: the columns it reads, how it selects rows, how it prunes pages. */
export interface RowFilter {
  readonly columns: readonly string[];
  /** Indices of rows of `batch` where the predicate holds (null counts as false). */
  select(batch: A.RecordBatch): Uint32Array;
  /** False when a page with these statistics of `column` cannot hold a matching row. */
  pageMayMatch?(column: string, stats: PageStats & { rows: number }): boolean;
}

/** Options for `scan`. */
export interface TableScanOptions {
  /** Columns to return, in order. Default: all. */
  columns?: readonly string[];
  filter?: RowFilter;
  /** Most rows to return. */
  limit?: number;
  /** Rows to skip first (after filtering). */
  offset?: number;
  /** Add the `_rowid` column. */
  withRowId?: boolean;
  /** Rows read per batch. Default 8 192. */
  batchSize?: number;
}

/** A table version as readers see it. */
export interface Snapshot {
  io: TableIo;
  manifest: Manifest;
  schema: TableSchema;
}

function rowIdField(): A.Field {
  return new A.Field(ROW_ID, new A.Uint64(), false);
}

/** Output schema of a scan or take. */
export function outputSchema(snap: Snapshot, columns: readonly TableField[], withRowId: boolean): A.Schema {
  return new A.Schema([...columns.map((f) => f.field), ...(withRowId ? [rowIdField()] : [])]);
}

function resolveColumns(snap: Snapshot, names: readonly string[] | undefined): TableField[] {
  if (names === undefined) return [...snap.schema.fields];
  return names.filter((n) => n !== ROW_ID).map((n) => snap.schema.get(n));
}

/** Physical row ranges of a fragment whose pages may match the filter (by the data files' page statistics). */
async function prunedRanges(snap: Snapshot, frag: Fragment, filter: RowFilter | undefined): Promise<[number, number][]> {
  let ranges: [number, number][] = [[0, frag.physicalRows]];
  if (filter?.pageMayMatch === undefined) return ranges;
  for (const name of filter.columns) {
    if (!snap.schema.has(name)) continue;
    const id = snap.schema.get(name).id;
    const file = [...frag.files].reverse().find((f) => f.fieldIds.includes(id));
    if (file === undefined) continue;
    const reader = await snap.io.reader(file);
    const column = reader.schema.fields[file.fieldIds.indexOf(id)]!.name;
    const keep = reader
      .pageInfo(column)
      .filter((p) => filter.pageMayMatch!(name, { ...p.stats, rows: p.rows }))
      .map((p) => [p.rowStart, p.rowStart + p.rows] as [number, number]);
    ranges = intersect(ranges, keep);
  }
  return ranges;
}

function intersect(a: [number, number][], b: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a0, a1] of a) for (const [b0, b1] of b) if (Math.max(a0, b0) < Math.min(a1, b1)) out.push([Math.max(a0, b0), Math.min(a1, b1)]);
  return out;
}

function rowIds(fragId: number, physical: (i: number) => number, n: number): A.Data {
  const ids = new BigUint64Array(n);
  const hi = BigInt(fragId) << 32n;
  for (let i = 0; i < n; i++) ids[i] = hi | BigInt(physical(i));
  return A.makeData({ type: new A.Uint64(), length: n, data: ids });
}

/** Streams the version's rows. */
export async function* scanTable(snap: Snapshot, options: TableScanOptions = {}): AsyncGenerator<A.RecordBatch> {
  const outCols = resolveColumns(snap, options.columns);
  const withRowId = options.withRowId === true || (options.columns?.includes(ROW_ID) ?? false);
  const filterCols = (options.filter?.columns ?? []).filter((n) => n !== ROW_ID).map((n) => snap.schema.get(n));
  const readCols = [...new Map([...outCols, ...filterCols].map((f) => [f.id, f])).values()];
  const outIdx = outCols.map((f) => readCols.indexOf(f));
  const schema = outputSchema(snap, outCols, withRowId);
  // A filter reading no column (TRUE, 1 = 1) still needs a batch that knows its row count: Arrow JS reports a
  // batch without columns as empty, so such a batch gets a placeholder column of nulls.
  const readSchema = new A.Schema(readCols.length > 0 ? readCols.map((f) => f.field) : [new A.Field("__rows", new A.Null(), true)]);
  const batchSize = options.batchSize ?? 8192;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`);
  for (const [name, v] of [["limit", options.limit], ["offset", options.offset]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0; got ${v}`);
  }
  let skip = options.offset ?? 0;
  let left = options.limit ?? Infinity;
  if (left <= 0) return;
  for (const frag of snap.manifest.fragments) {
    const ranges = await prunedRanges(snap, frag, options.filter);
    if (ranges.length === 0) continue;
    const deletion = await snap.io.deletion(frag);
    const live = deletion.count > 0 ? deletion.liveMask(frag.physicalRows) : undefined;
    for await (const part of scanFragment(snap.io, frag, readCols, { batchSize, rowRanges: ranges })) {
      let sel = selectLive(live, part.start, part.length);
      if (options.filter !== undefined && (sel === undefined || sel.length > 0)) {
        const cols = readCols.length > 0 ? part.columns : [A.makeData({ type: new A.Null(), length: part.length, nullCount: part.length })];
        const batch = new A.RecordBatch(readSchema, A.makeData({ type: new A.Struct(readSchema.fields), length: part.length, children: cols }));
        const hits = options.filter.select(batch);
        sel = sel === undefined ? hits : intersectSorted(sel, hits);
      }
      let n = sel === undefined ? part.length : sel.length;
      let from = 0;
      if (skip > 0) {
        from = Math.min(skip, n);
        skip -= from;
      }
      n = Math.min(n - from, left);
      if (n <= 0) continue;
      const idx = sel === undefined ? identity(from, n) : sel.subarray(from, from + n);
      const children = outIdx.map((i) => takeIndices(part.columns[i]!, idx));
      if (withRowId) children.push(rowIds(frag.id, (i) => part.start + idx[i]!, n));
      yield new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: n, children }));
      left -= n;
      if (left <= 0) return;
    }
  }
}

function identity(from: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = from + i;
  return out;
}

/** Indices (within the batch) of live rows, or undefined when all are live. */
function selectLive(live: Uint8Array | undefined, start: number, length: number): Uint32Array | undefined {
  if (live === undefined) return undefined;
  let n = 0;
  for (let i = 0; i < length; i++) n += live[start + i]!;
  if (n === length) return undefined;
  const out = new Uint32Array(n);
  for (let i = 0, k = 0; i < length; i++) if (live[start + i]) out[k++] = i;
  return out;
}

function intersectSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! === b[j]!) {
      out[k++] = a[i]!;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out.subarray(0, k);
}

/** Rows of a scan as one Arrow table. */
export async function collect(snap: Snapshot, options: TableScanOptions = {}): Promise<A.Table> {
  const batches: A.RecordBatch[] = [];
  let schema: A.Schema | undefined;
  for await (const b of scanTable(snap, options)) {
    schema = b.schema;
    batches.push(b);
  }
  schema ??= outputSchema(snap, resolveColumns(snap, options.columns), options.withRowId === true || (options.columns?.includes(ROW_ID) ?? false));
  return new A.Table(schema, batches);
}

/** Live rows, or rows matching `filter`. */
export async function countRows(snap: Snapshot, filter?: RowFilter): Promise<number> {
  if (filter === undefined) return snap.manifest.fragments.reduce((n, f) => n + liveRows(f), 0);
  // A batch with no columns reports no rows in Arrow JS, so the filter's own columns are read back.
  let n = 0;
  for await (const b of scanTable(snap, { columns: filter.columns.length > 0 ? filter.columns : undefined, filter })) n += b.numRows;
  return n;
}

/** A row to read: fragment and physical offset. */
interface RowAddress {
  frag: Fragment;
  physical: number;
}

/** Reads addressed rows in the order given: grouped per fragment, then gathered back into order. */
async function takeAddresses(snap: Snapshot, addrs: RowAddress[], columns: readonly string[] | undefined, withRowId: boolean): Promise<A.Table> {
  const cols = resolveColumns(snap, columns);
  const schema = outputSchema(snap, cols, withRowId);
  const groups = new Map<Fragment, { rows: number[]; at: number[] }>();
  addrs.forEach((a, i) => {
    let g = groups.get(a.frag);
    if (g === undefined) groups.set(a.frag, (g = { rows: [], at: [] }));
    g.rows.push(a.physical);
    g.at.push(i);
  });
  const parts = await Promise.all([...groups].map(async ([frag, g]) => ({ g, data: await takeFragment(snap.io, frag, cols, g.rows) })));
  // Where each asked row sits: which part, which index in it.
  const part = new Int32Array(addrs.length);
  const index = new Int32Array(addrs.length);
  parts.forEach((p, k) => p.g.at.forEach((pos, j) => ((part[pos] = k), (index[pos] = j))));
  const children = cols.map((f, c) => {
    if (parts.length === 1) return parts[0]!.data[c]!; // already in asked order
    const out = makeGatherer(f.field.type, addrs.length);
    for (let i = 0; i < addrs.length; i++) out.appendRange(parts[part[i]!]!.data[c]!, index[i]!, 1);
    return out.finish();
  });
  if (withRowId) children.push(rowIdsOf(addrs));
  return new A.Table(schema, [new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: addrs.length, children }))]);
}

function rowIdsOf(addrs: RowAddress[]): A.Data {
  const ids = new BigUint64Array(addrs.length);
  addrs.forEach((a, i) => (ids[i] = (BigInt(a.frag.id) << 32n) | BigInt(a.physical)));
  return A.makeData({ type: new A.Uint64(), length: addrs.length, data: ids });
}

/** Options for takes. */
export interface TakeRowsOptions {
  columns?: readonly string[];
  withRowId?: boolean;
}

/** Rows at live offsets `offsets` (0 = first live row of the version), in the order asked. */
export async function takeOffsets(snap: Snapshot, offsets: readonly number[], options: TakeRowsOptions = {}): Promise<A.Table> {
  const frags = snap.manifest.fragments;
  const starts: number[] = [];
  let total = 0;
  for (const f of frags) {
    starts.push(total);
    total += liveRows(f);
  }
  const logical = new Map<Fragment, { at: number[]; local: number[] }>();
  const addrs: RowAddress[] = new Array(offsets.length);
  offsets.forEach((o, i) => {
    if (!Number.isInteger(o)) throw new InvalidArgumentError(`offsets must be whole numbers; got ${o}`);
    if (o < 0 || o >= total) {
      throw new InvalidArgumentError(`offset ${o} is out of range: the table has ${total} rows at version ${snap.manifest.version}`);
    }
    let lo = 0;
    let hi = frags.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    const frag = frags[lo]!;
    let g = logical.get(frag);
    if (g === undefined) logical.set(frag, (g = { at: [], local: [] }));
    g.at.push(i);
    g.local.push(o - starts[lo]!);
  });
  for (const [frag, g] of logical) {
    const physical = (await snap.io.deletion(frag)).physicalOf(g.local);
    g.at.forEach((pos, j) => (addrs[pos] = { frag, physical: physical[j]! }));
  }
  return takeAddresses(snap, addrs, options.columns, options.withRowId === true);
}

/** Rows by row id, in the order asked; a deleted or unknown row id is an error naming it. */
export async function takeRowIds(snap: Snapshot, ids: readonly bigint[], options: TakeRowsOptions = {}): Promise<A.Table> {
  const byId = new Map(snap.manifest.fragments.map((f) => [f.id, f]));
  const addrs = await Promise.all(
    ids.map(async (id) => {
      const rid = BigInt(id);
      const frag = byId.get(Number(rid >> 32n));
      const physical = Number(rid & 0xffffffffn);
      if (frag === undefined || physical >= frag.physicalRows) {
        throw new InvalidArgumentError(`row id ${rid} does not exist at version ${snap.manifest.version}`);
      }
      if ((await snap.io.deletion(frag)).has(physical)) {
        throw new InvalidArgumentError(`row id ${rid} was deleted before version ${snap.manifest.version}`);
      }
      return { frag, physical };
    }),
  );
  return takeAddresses(snap, addrs, options.columns, options.withRowId === true);
}
