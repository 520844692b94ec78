// addColumns: zero-copy schema evolution. Each fragment gets one new data file holding only the new columns,
// covering all its physical rows (deleted ones too, so rows stay aligned); existing files are never rewritten.
// The new values come from expressions, from a function over streamed batches, or from data keyed by _rowid.

import * as A from "apache-arrow";
import { CommitConflictError, InvalidArgumentError } from "../../errors.js";
import { makeGatherer } from "../../file/gather.js";
import { typesEqual } from "../../file/schema-json.js";
import { TableSchema, type TableField } from "../../schema.js";
import type { PendingCommit } from "../commit.js";
import { scanFragment, writeFiles, type FragmentWriteOptions, type TableIo } from "../fragment-io.js";
import type { DataFileRef, Fragment, Manifest, OperationRecord } from "../manifest.js";
import { ROW_ID } from "../read.js";
import { conflictBetween } from "../transaction.js";
import type { ValueExpr } from "../values.js";
import { batchesOf, type TableData } from "../write.js";

/** Computes the new columns of one fragment as record batches (schema = the new fields). */
type FragmentComputer = (frag: Fragment, newFields: readonly TableField[]) => AsyncIterable<A.RecordBatch>;

/** Options for adding columns with a function. */
export interface AddColumnsFnOptions extends FragmentWriteOptions {
  /** Columns the function reads. Default: all. */
  inputColumns?: readonly string[];
  /** Rows per call. Default 8 192. */
  batchSize?: number;
  /** The new fields; default: taken from the function's first result. */
  fields?: readonly A.Field[];
}

/** What a column function may return for a batch: a record batch, a table, or named vectors/arrays. */
export type ColumnsResult = A.RecordBatch | A.Table | Record<string, A.Vector | A.Data | ArrayLike<unknown>>;

/** A function computing new columns from a batch of existing ones. */
export type ColumnsFn = (batch: A.RecordBatch) => ColumnsResult | Promise<ColumnsResult>;

function inferType(values: ArrayLike<unknown>): A.DataType {
  if (values instanceof Float32Array) return new A.Float32();
  if (values instanceof Float64Array) return new A.Float64();
  if (values instanceof Int32Array) return new A.Int32();
  if (values instanceof Int8Array) return new A.Int8();
  if (values instanceof Int16Array) return new A.Int16();
  if (values instanceof Uint8Array) return new A.Uint8();
  if (values instanceof Uint32Array) return new A.Uint32();
  if (values instanceof BigInt64Array) return new A.Int64();
  const v = Array.prototype.find.call(values, (x: unknown) => x !== null && x !== undefined);
  if (typeof v === "number") return new A.Float64();
  if (typeof v === "bigint") return new A.Int64();
  if (typeof v === "boolean") return new A.Bool();
  if (v instanceof Uint8Array) return new A.Binary();
  if (v instanceof Date) return new A.TimestampMillisecond();
  if (v instanceof Float32Array) return new A.FixedSizeList(v.length, new A.Field("item", new A.Float32(), false));
  return new A.Utf8();
}

/** The result of a column function as named Data of `rows` rows. */
function resultColumns(result: ColumnsResult, rows: number, fields: readonly A.Field[] | undefined): { name: string; data: A.Data }[] {
  let entries: [string, A.Vector | A.Data | ArrayLike<unknown>][];
  if (result instanceof A.RecordBatch || result instanceof A.Table) {
    entries = result.schema.fields.map((f) => [f.name, result.getChild(f.name)!]);
  } else {
    entries = Object.entries(result);
  }
  return entries.map(([name, v]) => {
    const want = fields?.find((f) => f.name === name)?.type;
    let data: A.Data;
    if (v instanceof A.Data) data = v;
    else if (v instanceof A.Vector) data = v.data.length === 1 ? v.data[0]! : concatVector(v);
    else data = A.vectorFromArray(Array.from(v as ArrayLike<unknown>) as never[], (want ?? inferType(v as ArrayLike<unknown>)) as never).data[0]!;
    if (data.length !== rows) {
      throw new InvalidArgumentError(`the column function returned ${data.length} values for "${name}" from a batch of ${rows} rows`, {
        column: name,
      });
    }
    if (want !== undefined && !typesEqual(want, data.type)) {
      throw new InvalidArgumentError(`the column function returned ${String(data.type)} for "${name}", declared ${String(want)}`, { column: name });
    }
    return { name, data };
  });
}

function concatVector(v: A.Vector): A.Data {
  const g = makeGatherer(v.type, v.length);
  for (const d of v.data) g.appendRange(d, 0, d.length);
  return g.finish();
}

/**
 * The shared commit: `compute` writes one file per fragment; fragments that appear by the time of the commit
 * (appended concurrently) are computed then too, unless `computeLate` is false (they read the columns as null).
 */
async function prepareWith(
  io: TableIo,
  base: Manifest,
  newFields: A.Field[],
  compute: FragmentComputer,
  options: FragmentWriteOptions,
  detail: Record<string, unknown>,
  computeLate = true,
): Promise<PendingCommit> {
  const schema = TableSchema.fromJson(base.schema);
  const added = schema.withAdded(newFields, base.nextFieldId).fields.slice(schema.fields.length);
  const files = new Map<number, DataFileRef>();
  const writeFor = async (frag: Fragment): Promise<void> => {
    const written = await writeFiles(io, added, compute(frag, added), { ...options, maxRowsPerFile: Number.MAX_SAFE_INTEGER });
    const rows = written.reduce((n, w) => n + w.rows, 0);
    if (written.length !== 1 || rows !== frag.physicalRows) {
      throw new InvalidArgumentError(`new columns for fragment ${frag.id} have ${rows} rows, the fragment has ${frag.physicalRows}`);
    }
    files.set(frag.id, written[0]!.ref);
  };
  for (const frag of base.fragments) await writeFor(frag);
  const record: OperationRecord = { type: "add_columns", schemaChanged: true, detail: { columns: newFields.map((f) => f.name), ...detail } };
  return {
    record,
    async build(latest) {
      const m = latest!;
      if (m.nextFieldId !== base.nextFieldId) {
        throw new CommitConflictError(`the schema of ${io.uri} changed while the columns were computed; retry addColumns`, { uri: io.uri });
      }
      const fragments: Fragment[] = [];
      for (const f of m.fragments) {
        if (!files.has(f.id) && computeLate) await writeFor(f);
        const ref = files.get(f.id);
        fragments.push(ref === undefined ? f : { ...f, files: [...f.files, ref] });
      }
      return {
        schema: new TableSchema([...TableSchema.fromJson(m.schema).fields, ...added], schema.metadata).toJson(),
        nextFieldId: base.nextFieldId + added.length,
        nextFragmentId: m.nextFragmentId,
        fragments,
        indices: m.indices,
      };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
}

/** Batches of a fragment's physical rows with the input columns (rows deleted later still get values). */
function inputBatches(io: TableIo, frag: Fragment, inputs: readonly TableField[], batchSize: number): AsyncIterable<A.RecordBatch> {
  const schema = new A.Schema(inputs.map((f) => f.field));
  return {
    async *[Symbol.asyncIterator]() {
      for await (const part of scanFragment(io, frag, inputs, { batchSize })) {
        const data = A.makeData({ type: new A.Struct(schema.fields), length: part.length, children: part.columns });
        const batch = new A.RecordBatch(schema, data);
        // Arrow JS counts a batch's rows from its columns: a constant expression reads none, and needs the length.
        if (part.columns.length === 0) Object.assign(batch, { data });
        yield batch;
      }
    },
  };
}

function batchOf(fields: readonly TableField[], columns: A.Data[], rows: number): A.RecordBatch {
  const schema = new A.Schema(fields.map((f) => f.field));
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: rows, children: columns }));
}

/** New columns computed by expressions over existing ones. */
export async function prepareAddExpressions(
  io: TableIo,
  base: Manifest,
  exprs: ReadonlyMap<string, ValueExpr>,
  options: FragmentWriteOptions = {},
): Promise<PendingCommit> {
  const schema = TableSchema.fromJson(base.schema);
  const inputs = schema.select([...new Set([...exprs.values()].flatMap((e) => e.columns))]);
  const newFields = [...exprs].map(([name, e]) => new A.Field(name, e.type, true));
  const compute: FragmentComputer = (frag, added) => ({
    async *[Symbol.asyncIterator]() {
      for await (const b of inputBatches(io, frag, inputs, 8192)) {
        yield batchOf(added, [...exprs.values()].map((e) => e.evaluate(b)), b.numRows);
      }
    },
  });
  return prepareWith(io, base, newFields, compute, options, { from: "expressions" });
}

/** New columns computed by a JavaScript function over streamed batches of input columns. */
export async function prepareAddFunction(
  io: TableIo,
  base: Manifest,
  fn: ColumnsFn,
  options: AddColumnsFnOptions = {},
): Promise<PendingCommit> {
  const schema = TableSchema.fromJson(base.schema);
  const inputs = options.inputColumns === undefined ? [...schema.fields] : schema.select(options.inputColumns);
  const batchSize = options.batchSize ?? 8192;
  let fields = options.fields;
  // The first batch decides the new fields when they are not declared; its result is kept, so the function
  // (perhaps an expensive embedder) is not run on that batch twice.
  let sampled: { frag: number; result: ColumnsResult } | undefined;
  if (fields === undefined) {
    const frag = base.fragments.find((f) => f.physicalRows > 0);
    if (frag === undefined) throw new InvalidArgumentError("addColumns with a function on an empty table needs options.fields");
    const first = (await inputBatches(io, frag, inputs, batchSize)[Symbol.asyncIterator]().next()).value as A.RecordBatch;
    const result = await fn(first);
    fields = resultColumns(result, first.numRows, undefined).map((c) => new A.Field(c.name, c.data.type, true));
    sampled = { frag: frag.id, result };
  }
  const declared = fields;
  const compute: FragmentComputer = (frag, added) => ({
    async *[Symbol.asyncIterator]() {
      let first = true;
      for await (const b of inputBatches(io, frag, inputs, batchSize)) {
        const reuse = first && sampled?.frag === frag.id;
        first = false;
        const result = reuse ? sampled!.result : await fn(b);
        if (reuse) sampled = undefined;
        const cols = resultColumns(result, b.numRows, declared);
        const byName = new Map(cols.map((c) => [c.name, c.data]));
        const missing = added.find((f) => !byName.has(f.field.name));
        if (missing !== undefined) throw new InvalidArgumentError(`the column function did not return "${missing.field.name}"`);
        yield batchOf(added, added.map((f) => byName.get(f.field.name)!), b.numRows);
      }
    },
  });
  return prepareWith(io, base, [...declared], compute, options, { from: "function" });
}

/**
 * New columns from data with a `_rowid` column: each row lands on its row id; rows not given (and fragments
 * appended meanwhile) read as null.
 */
export async function prepareAddByRowId(io: TableIo, base: Manifest, data: TableData, options: FragmentWriteOptions = {}): Promise<PendingCommit> {
  const batches: A.RecordBatch[] = [];
  for await (const b of batchesOf(data)) batches.push(b);
  const schema = batches[0]?.schema ?? (data as A.Table).schema;
  if (schema === undefined || schema.fields.findIndex((f) => f.name === ROW_ID) < 0) {
    throw new InvalidArgumentError(`addColumns from data needs a "${ROW_ID}" column to align rows (read it with withRowId)`);
  }
  const newFields = schema.fields.filter((f) => f.name !== ROW_ID).map((f) => new A.Field(f.name, f.type, true, f.metadata));
  if (newFields.length === 0) throw new InvalidArgumentError("addColumns from data needs at least one column besides _rowid");
  // Where each given row goes: fragment -> physical offset -> (batch, row).
  const where = new Map<number, Map<number, { b: number; r: number }>>();
  batches.forEach((b, bi) => {
    const ids = b.getChild(ROW_ID)!;
    for (let r = 0; r < b.numRows; r++) {
      const id = BigInt(ids.get(r) as bigint);
      const frag = Number(id >> 32n);
      let m = where.get(frag);
      if (m === undefined) where.set(frag, (m = new Map()));
      m.set(Number(id & 0xffffffffn), { b: bi, r });
    }
  });
  const known = new Set(base.fragments.map((f) => f.id));
  const stray = [...where.keys()].find((f) => !known.has(f));
  if (stray !== undefined) throw new InvalidArgumentError(`_rowid values name fragment ${stray}, which is not in version ${base.version}`);
  const compute: FragmentComputer = (frag, added) => ({
    async *[Symbol.asyncIterator]() {
      const rows = where.get(frag.id) ?? new Map();
      const cols = added.map((f) => {
        const g = makeGatherer(f.field.type, frag.physicalRows);
        const c = schema.fields.findIndex((x) => x.name === f.field.name);
        for (let p = 0; p < frag.physicalRows; p++) {
          const at = rows.get(p);
          if (at === undefined) g.appendNulls(1);
          else g.appendRange(batches[at.b]!.getChildAt(c)!.data[0]!, at.r, 1);
        }
        return g.finish();
      });
      yield batchOf(added, cols, frag.physicalRows);
    },
  });
  return prepareWith(io, base, newFields, compute, options, { from: "rowid" }, false);
}
