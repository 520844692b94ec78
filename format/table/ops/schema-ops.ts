// dropColumns and renameColumn: manifest-only changes. Data files keep their bytes; fields are matched by id, so
// a dropped field is simply no longer read and a renamed one is read under its new name.

import { InvalidArgumentError } from "../../errors.js";
import { TableSchema } from "../../schema.js";
import type { PendingCommit } from "../commit.js";
import type { Manifest, OperationRecord } from "../manifest.js";
import { conflictBetween } from "../transaction.js";

/** A commit removing columns from the schema (indexes on them go too). */
export function prepareDropColumns(base: Manifest, names: readonly string[]): PendingCommit {
  const schema = TableSchema.fromJson(base.schema);
  if (names.length === 0) throw new InvalidArgumentError("dropColumns needs at least one column name");
  const ids = new Set(names.map((n) => schema.get(n).id));
  if (ids.size >= schema.fields.length) throw new InvalidArgumentError("cannot drop every column of a table");
  const record: OperationRecord = { type: "drop_columns", schemaChanged: true, detail: { columns: [...names] } };
  return {
    record,
    async build(latest) {
      const m = latest!;
      const now = TableSchema.fromJson(m.schema);
      const kept = now.fields.filter((f) => !ids.has(f.id));
      return {
        schema: new TableSchema(kept, now.metadata).toJson(),
        nextFieldId: m.nextFieldId,
        nextFragmentId: m.nextFragmentId,
        fragments: m.fragments,
        indices: m.indices.filter((i) => !ids.has(i.fieldId)),
      };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
}

/** A commit renaming one column. */
export function prepareRenameColumn(base: Manifest, from: string, to: string): PendingCommit {
  if (to.length === 0) throw new InvalidArgumentError("a column name cannot be empty");
  const schema = TableSchema.fromJson(base.schema);
  schema.withRenamed(from, to); // validates now, before anything is committed
  const record: OperationRecord = { type: "rename_column", schemaChanged: true, detail: { from, to } };
  return {
    record,
    async build(latest) {
      const m = latest!;
      return {
        schema: TableSchema.fromJson(m.schema).withRenamed(from, to).toJson(),
        nextFieldId: m.nextFieldId,
        nextFragmentId: m.nextFragmentId,
        fragments: m.fragments,
        indices: m.indices,
      };
    },
    conflictWith: (other) => conflictBetween(record, other),
  };
}
