// backfill: computes a column only where it is missing — fragments with no data file for it (rows added by a
// merge that did not cover them) and null values of live rows — and writes one new data file holding just that
// column for each such fragment. Other fragments, and every existing file, stay untouched.
//
// How it rides the table format: a fragment's columns may be spread over several data files, and when two files
// hold the same field id the later one wins (format/table/fragment-io.ts). So a fragment is "backfilled" by
// appending a file that holds the whole column for its physical rows: existing values copied, missing ones
// computed, deleted rows null. format/ has no operation for adding a file for an existing field, so the commit is
// built here on format's PendingCommit, recorded as an `add_columns` operation (schema unchanged): the conflict
// rules of add_columns fit — compaction and schema changes conflict, appends, deletes and updates do not.
//
// Vector indexes: a fragment that held no vector before is dropped from the coverage of the column's indexes, so
// search scans it exactly until `optimizeIndices()` adds it. A covered fragment that already had some vectors is
// retired as well (the index keeps its old rows but never returns them; docs/format/index.md §Coverage), so it too
// is searched exactly, new values included, until `optimizeIndices()` re-indexes it whole.

import * as A from "apache-arrow";
import { CommitConflictError, InvalidArgumentError } from "../../format/errors.js";
import { typeName } from "../../format/expr/types.js";
import { makeGatherer } from "../../format/file/gather.js";
import type { TableField } from "../../format/schema.js";
import type { PendingCommit } from "../../format/table/commit.js";
import { scanFragment, takeFragment, writeFiles, type FragmentWriteOptions } from "../../format/table/fragment-io.js";
import { retireFragments, type DataFileRef, type Fragment, type OperationRecord } from "../../format/table/manifest.js";
import type { Snapshot } from "../../format/table/read.js";
import { conflictBetween } from "../../format/table/transaction.js";
import { compileExpr } from "../expr/compile.js";
import type { Expr } from "../expr/expr.js";
import { resultToVector, type UdfResult } from "../udf/values.js";

/** What computes the missing values: an expression over the table's columns, or a function of a batch of rows. */
export type BackfillValues = Expr | ((batch: A.RecordBatch) => UdfResult | Promise<UdfResult>);

/** Options of `Table.backfill`. */
export interface BackfillOptions extends FragmentWriteOptions {
  /** Columns a function reads (an expression reads what it names). Default: every column but the target. */
  inputColumns?: readonly string[];
  /** Rows read per batch; only the missing ones among them are computed. Default 1 024. */
  batchSize?: number;
}

/** What `backfill` did. */
export interface BackfillStats {
  /** Fragments that got a new data file for the column. */
  readonly fragments: number[];
  /** Values filled in (live rows that were missing and got a non-null value). */
  readonly rows: number;
  /** Paths of the data files written, one per fragment, holding only the column. */
  readonly files: string[];
  /** Bytes written. */
  readonly bytes: number;
  /**
   * Fragments an index of the column covered with some of their vectors: the index now ignores them (they are
   * searched exactly, new values included) until `optimizeIndices()` re-indexes them.
   */
  readonly staleIndexFragments: number[];
}

/** A function over input batches giving the column's values for their rows. */
type Compute = (batch: A.RecordBatch) => Promise<A.Vector>;

/** The inputs and compute function for `values`, checked against the column's type before anything runs. */
function planCompute(snap: Snapshot, target: TableField, values: BackfillValues, options: BackfillOptions): { inputs: TableField[]; compute: Compute } {
  const schema = snap.schema;
  const column = target.field.name;
  if (typeof values === "function") {
    const names = options.inputColumns ?? schema.names.filter((n) => n !== column);
    const what = `backfill(${column}) function`;
    return { inputs: schema.select(names), compute: async (b) => resultToVector(await values(b), b.numRows, target.field.type, what) };
  }
  const compiled = compileExpr(values.node, schema.toArrow());
  if (!sameShape(target.field.type, compiled.type)) {
    throw new InvalidArgumentError(`backfill: the expression gives ${typeName(compiled.type)}, but column "${column}" is ${typeName(target.field.type)}`, { column });
  }
  const inputs = schema.select(compiled.columns);
  return {
    inputs,
    compute: async (b) => {
      const v = await compiled.run(b);
      return new A.Vector(v.data.map((d) => (d.type === target.field.type ? d : d.clone(target.field.type))));
    },
  };
}

/** Same physical shape, ignoring names and nullability of nested fields (an embedding's items). */
function sameShape(a: A.DataType, b: A.DataType): boolean {
  if (a.typeId !== b.typeId) return false;
  if (A.DataType.isFixedSizeList(a) && a.listSize !== (b as A.FixedSizeList).listSize) return false;
  if (String(a) === String(b)) return true;
  const ac = a.children ?? [];
  const bc = b.children ?? [];
  return ac.length > 0 && ac.length === bc.length && ac.every((c, i) => sameShape(c.type, bc[i]!.type));
}

/** Per fragment: whether it lacks the column, and counts of live missing and of non-null values. */
interface FragmentNeed {
  frag: Fragment;
  hasFile: boolean;
  missing: number;
  nonNull: number;
}

async function assess(snap: Snapshot, frag: Fragment, field: TableField, live: Uint8Array | undefined, batchSize: number): Promise<FragmentNeed> {
  const hasFile = frag.files.some((f) => f.fieldIds.includes(field.id));
  if (!hasFile) return { frag, hasFile, missing: live === undefined ? frag.physicalRows : live.reduce((n, x) => n + x, 0), nonNull: 0 };
  let missing = 0;
  let nonNull = 0;
  for await (const part of scanFragment(snap.io, frag, [field], { batchSize })) {
    const d = part.columns[0]!;
    for (let i = 0; i < part.length; i++) {
      if (d.getValid(i)) nonNull++;
      else if (live === undefined || live[part.start + i] === 1) missing++;
    }
  }
  return { frag, hasFile, missing, nonNull };
}

/**
 * The fragment's column with missing live values computed: batches of `[field]` covering every physical row. Input
 * columns are taken for the missing rows only, so a fragment missing a few values reads a few images, not all.
 */
async function* filled(
  snap: Snapshot,
  need: FragmentNeed,
  field: TableField,
  inputs: TableField[],
  live: Uint8Array | undefined,
  compute: Compute,
  batchSize: number,
  counts: { computed: number },
): AsyncGenerator<A.RecordBatch> {
  const schema = new A.Schema([field.field]);
  const inSchema = new A.Schema(inputs.map((f) => f.field));
  for await (const part of scanFragment(snap.io, need.frag, [field], { batchSize })) {
    const existing = part.columns[0]!;
    const want: number[] = [];
    for (let i = 0; i < part.length; i++) if (!existing.getValid(i) && (live === undefined || live[part.start + i] === 1)) want.push(i);
    let column = existing;
    if (want.length > 0) {
      const taken = await takeFragment(snap.io, need.frag, inputs, want.map((i) => part.start + i));
      const input = new A.RecordBatch(inSchema, A.makeData({ type: new A.Struct(inSchema.fields), length: want.length, children: taken }));
      const computed = await compute(input);
      counts.computed += computed.length - computed.nullCount;
      column = merge(existing, computed, want, field.field.type);
    }
    yield new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: part.length, children: [column] }));
  }
}

/** `existing` with rows `at` replaced by the computed values, copied in runs. */
function merge(existing: A.Data, computed: A.Vector, at: readonly number[], type: A.DataType): A.Data {
  const g = makeGatherer(type, existing.length);
  const parts = computed.data;
  let chunk = 0;
  let inChunk = 0;
  let next = 0;
  for (let k = 0; k < at.length; k++) {
    if (at[k]! > next) g.appendRange(existing, next, at[k]! - next);
    while (inChunk >= parts[chunk]!.length) {
      chunk++;
      inChunk = 0;
    }
    g.appendRange(parts[chunk]!, inChunk++, 1);
    next = at[k]! + 1;
  }
  if (next < existing.length) g.appendRange(existing, next, existing.length - next);
  return g.finish();
}

/**
 * Computes the missing values of `column` and prepares the commit adding one file per fragment that had any;
 * `op` is undefined when nothing is missing.
 */
export async function prepareBackfill(
  snap: Snapshot,
  column: string,
  values: BackfillValues,
  options: BackfillOptions = {},
): Promise<{ op: PendingCommit | undefined; stats: BackfillStats }> {
  const field = snap.schema.get(column);
  const batchSize = options.batchSize ?? 1024;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`backfill: batchSize must be a positive integer, got ${batchSize}`);
  const { inputs, compute } = planCompute(snap, field, values, options);
  const files = new Map<number, DataFileRef>();
  const emptyBefore = new Set<number>();
  let rows = 0;
  for (const frag of snap.manifest.fragments) {
    const deletion = await snap.io.deletion(frag);
    const live = deletion.count > 0 ? deletion.liveMask(frag.physicalRows) : undefined;
    const need = await assess(snap, frag, field, live, 16384);
    if (need.missing === 0) continue;
    // One file per fragment, whatever maxRowsPerFile says: a fragment's files must each cover all its rows.
    const writeOptions: FragmentWriteOptions = { maxRowsPerFile: Number.MAX_SAFE_INTEGER, ...(options.file ? { file: options.file } : {}) };
    const counts = { computed: 0 };
    const written = await writeFiles(snap.io, [field], filled(snap, need, field, inputs, live, compute, batchSize, counts), writeOptions);
    const got = written.reduce((n, w) => n + w.rows, 0);
    if (written.length !== 1 || got !== frag.physicalRows) {
      throw new InvalidArgumentError(`backfill wrote ${got} rows for fragment ${frag.id}, which has ${frag.physicalRows}`);
    }
    if (counts.computed === 0) {
      // Every computed value was null (e.g. the image itself is null): the file would change nothing, and keeping
      // it would make each later backfill write another.
      await snap.io.store.delete(written[0]!.ref.path);
      continue;
    }
    files.set(frag.id, written[0]!.ref);
    if (need.nonNull === 0) emptyBefore.add(frag.id);
    rows += counts.computed;
  }
  const ids = [...files.keys()];
  const covered = new Set(snap.manifest.indices.filter((i) => i.fieldId === field.id && i.type !== "flat").flatMap((i) => i.fragments));
  const stats: BackfillStats = {
    fragments: ids,
    rows,
    files: [...files.values()].map((f) => f.path),
    bytes: [...files.values()].reduce((n, f) => n + f.size, 0),
    staleIndexFragments: ids.filter((id) => covered.has(id) && !emptyBefore.has(id)),
  };
  if (files.size === 0) return { op: undefined, stats };
  const record: OperationRecord = { type: "add_columns", schemaChanged: false, touchedFragments: ids, detail: { columns: [column], from: "backfill", rows } };
  const op: PendingCommit = {
    record,
    async build(latest) {
      const m = latest!;
      if (!m.schema.fields.some((f) => f.id === field.id)) {
        throw new CommitConflictError(`column "${column}" was dropped while it was backfilled; nothing was committed`, { uri: snap.io.uri, column });
      }
      const fragments = m.fragments.map((f) => {
        const ref = files.get(f.id);
        if (ref === undefined) return f;
        const planned = snap.manifest.fragments.find((p) => p.id === f.id)!;
        if (f.physicalRows !== planned.physicalRows) {
          throw new CommitConflictError(`fragment ${f.id} changed while "${column}" was backfilled; run backfill again`, { uri: snap.io.uri, column });
        }
        return { ...f, files: [...f.files, ref] };
      });
      const indices = m.indices.map((i) => {
        if (i.fieldId !== field.id || i.type === "flat") return i;
        // The index holds no row of a fragment that had no vector: just stop covering it. One with some vectors
        // holds those but lacks the rows filled now: retire it, so it is searched exactly until re-indexed whole.
        const emptied = { ...i, fragments: i.fragments.filter((id) => !emptyBefore.has(id)) };
        return retireFragments(emptied, new Set(ids.filter((id) => !emptyBefore.has(id))));
      });
      return { schema: m.schema, nextFieldId: m.nextFieldId, nextFragmentId: m.nextFragmentId, fragments, indices };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
  return { op, stats };
}
