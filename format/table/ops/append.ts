// create, overwrite and append: write the new rows as fresh fragments, then commit a manifest that lists them.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../errors.js";
import { TableSchema } from "../../schema.js";
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

/** A commit that adds `data` as new fragments. */
export async function prepareAppend(
  io: TableIo,
  base: Manifest,
  data: TableData,
  options: FragmentWriteOptions = {},
): Promise<PendingCommit | undefined> {
  const schema = TableSchema.fromJson(base.schema);
  const files = await writeFiles(io, schema.fields, conformed(data, schema.fields, `append to ${io.uri}`), options);
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
