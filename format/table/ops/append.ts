// create, overwrite and append: write the new rows as fresh fragments, then commit a manifest that lists them.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../errors.js";
import { TableSchema, type TableField } from "../../schema.js";
import type { PendingCommit } from "../commit.js";
import { writeFiles, type FragmentWriteOptions, type TableIo, type WrittenFile } from "../fragment-io.js";
import type { Fragment, Manifest, OperationRecord } from "../manifest.js";
import { conflictBetween } from "../transaction.js";
import { batchesOf, conformed, schemaOf, type TableData } from "../write.js";

/** Peeks the first batch of a stream to learn the schema, then yields everything. */
async function withSchema(data: TableData): Promise<{ schema: A.Schema; batches: AsyncIterable<A.RecordBatch> }> {
  const known = schemaOf(data);
  if (known !== undefined) return { schema: known, batches: toAsync(batchesOf(data)) };
  const it = toAsync(batchesOf(data))[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) throw new InvalidArgumentError("no data and no schema: pass an Arrow table (it may have no rows) or batches");
  const rest: AsyncIterable<A.RecordBatch> = {
    async *[Symbol.asyncIterator]() {
      yield first.value;
      for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
    },
  };
  return { schema: first.value.schema, batches: rest };
}

async function* toAsync<T>(src: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  for await (const x of src) yield x;
}

function fragmentsFrom(files: WrittenFile[], firstId: number): Fragment[] {
  return files.map((f, i) => ({ id: firstId + i, physicalRows: f.rows, files: [f.ref] }));
}

/** A commit that replaces the table (create, overwrite) with `data`. */
export async function prepareReplace(
  io: TableIo,
  base: Manifest | undefined,
  data: TableData,
  type: "create" | "overwrite",
  options: FragmentWriteOptions = {},
): Promise<PendingCommit> {
  const { schema: arrowSchema, batches } = await withSchema(data);
  const firstFieldId = base?.nextFieldId ?? 0;
  const schema = TableSchema.fromArrow(arrowSchema, firstFieldId);
  const files = await writeFiles(io, schema.fields, conformed(batches, schema.fields, `${type} ${io.uri}`), options);
  const record: OperationRecord = { type, detail: { rows: files.reduce((n, f) => n + f.rows, 0) } };
  return {
    record,
    async build(latest) {
      const first = latest?.nextFragmentId ?? 0;
      const fragments = fragmentsFrom(files, first);
      record.addedFragments = fragments.map((f) => f.id);
      return {
        schema: schema.toJson(),
        nextFieldId: Math.max(latest?.nextFieldId ?? 0, schema.maxId + 1),
        nextFragmentId: first + fragments.length,
        fragments,
        indices: [],
      };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
}

/**
 * The table fields the appended data carries. Nullable columns the data lacks are not written at all: the new
 * fragments have no file for them, so they read as null (as after addColumns) and a backfill can compute them for
 * just those fragments. A missing non-nullable column is left for conform() to refuse.
 */
async function appendedFields(data: TableData, fields: readonly TableField[]): Promise<{ fields: readonly TableField[]; batches: TableData }> {
  let schema = schemaOf(data);
  let batches: TableData = data;
  if (schema === undefined) {
    // A stream: look at its first batch, then replay it.
    const it = toAsync(batchesOf(data))[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done === true) return { fields, batches: [] };
    schema = first.value.schema;
    batches = (async function* () {
      yield first.value;
      for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
    })();
  }
  const have = new Set(schema.fields.map((f) => f.name));
  const missing = fields.filter((f) => !have.has(f.field.name));
  if (missing.length === 0 || missing.some((f) => !f.field.nullable)) return { fields, batches };
  return { fields: fields.filter((f) => have.has(f.field.name)), batches };
}

/** A commit that adds `data` as new fragments. */
export async function prepareAppend(
  io: TableIo,
  base: Manifest,
  data: TableData,
  options: FragmentWriteOptions = {},
): Promise<PendingCommit | undefined> {
  const schema = TableSchema.fromJson(base.schema);
  const { fields, batches } = await appendedFields(data, schema.fields);
  const files = await writeFiles(io, fields, conformed(batches, fields, `append to ${io.uri}`), options);
  if (files.length === 0) return undefined; // no rows: nothing to commit, like a delete that matches nothing
  const record: OperationRecord = { type: "append", detail: { rows: files.reduce((n, f) => n + f.rows, 0) } };
  return {
    record,
    async build(latest) {
      const m = latest!;
      const fragments = fragmentsFrom(files, m.nextFragmentId);
      record.addedFragments = fragments.map((f) => f.id);
      return {
        schema: m.schema,
        nextFieldId: m.nextFieldId,
        nextFragmentId: m.nextFragmentId + fragments.length,
        fragments: [...m.fragments, ...fragments],
        indices: m.indices,
      };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
}
