// Turning what users hand to a table (Arrow tables, batches, async streams) into batches that match the table's
// schema exactly — or a clear error naming the field and both types, before anything is written.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import { hasNullsIn } from "../file/gather.js";
import { typesEqual } from "../file/schema-json.js";
import type { TableField } from "../schema.js";

/** Data a table accepts. */
export type TableData =
  | A.Table
  | A.RecordBatch
  | readonly A.RecordBatch[]
  | Iterable<A.RecordBatch>
  | AsyncIterable<A.RecordBatch>;

function isTableLike(d: unknown): d is A.Table {
  return typeof d === "object" && d !== null && "batches" in d && "schema" in d && Array.isArray((d as A.Table).batches);
}

function isBatchLike(d: unknown): d is A.RecordBatch {
  return typeof d === "object" && d !== null && "schema" in d && "numRows" in d && "data" in d && !("batches" in d);
}

/** The schema of `data` when it can be known without reading it. */
export function schemaOf(data: TableData): A.Schema | undefined {
  if (isTableLike(data) || isBatchLike(data)) return data.schema;
  if (Array.isArray(data)) return (data as A.RecordBatch[])[0]?.schema;
  return undefined;
}

/** The batches of `data` (streams stay streams). */
export function batchesOf(data: TableData): Iterable<A.RecordBatch> | AsyncIterable<A.RecordBatch> {
  if (isTableLike(data)) return data.batches;
  if (isBatchLike(data)) return [data];
  return data as Iterable<A.RecordBatch> | AsyncIterable<A.RecordBatch>;
}

function describeType(t: A.DataType): string {
  const s = String(t);
  if (t.typeId === A.Type.FixedSizeList) return `${s} (dimension ${(t as A.FixedSizeList).listSize})`;
  return s;
}

/** Checks column names against the table's: none missing, none extra. */
function checkNames(schema: A.Schema, fields: readonly TableField[], what: string): void {
  const have = new Set(schema.fields.map((f) => f.name));
  const missing = fields.filter((f) => !have.has(f.field.name)).map((f) => f.field.name);
  const known = new Set(fields.map((f) => f.field.name));
  const extra = schema.fields.map((f) => f.name).filter((n) => !known.has(n));
  if (missing.length === 0 && extra.length === 0) return;
  const list = (xs: string[]): string => xs.map((m) => `"${m}"`).join(", ");
  const parts = [
    missing.length > 0 ? `the data lacks column${missing.length > 1 ? "s" : ""} ${list(missing)}` : "",
    extra.length > 0 ? `the table has no column${extra.length > 1 ? "s" : ""} ${list(extra)}` : "",
  ].filter((x) => x !== "");
  throw new InvalidArgumentError(`${what}: ${parts.join("; ")} (table columns: ${fields.map((f) => f.field.name).join(", ")})`);
}

/**
 * True when `got` has the shape of `want`, ignoring the nullability of nested fields (data built without
 * declaring `nullable: false` on vector items is common); nulls that are really there are checked separately.
 */
function sameShape(want: A.DataType, got: A.DataType): boolean {
  if (typesEqual(want, got)) return true;
  if (want.typeId !== got.typeId || want.children?.length !== got.children?.length || (want.children?.length ?? 0) === 0) return false;
  if (want.typeId === A.Type.FixedSizeList && (want as A.FixedSizeList).listSize !== (got as A.FixedSizeList).listSize) return false;
  return want.children.every((c, i) => c.name === got.children[i]!.name && sameShape(c.type, got.children[i]!.type));
}

/** Why `want` and `got` differ, for the error message. */
function difference(want: A.DataType, got: A.DataType): string {
  if (want.typeId === A.Type.FixedSizeList && got.typeId === A.Type.FixedSizeList) {
    const a = (want as A.FixedSizeList).listSize;
    const b = (got as A.FixedSizeList).listSize;
    if (a !== b) return ` (vector dimension ${a} in the table, ${b} in the data)`;
  }
  return "";
}

/** `d` relabelled with the table's type, after checking that non-nullable nested fields hold no nulls. */
function retype(d: A.Data, type: A.DataType, column: string, what: string): A.Data {
  if (d.type === type) return d;
  const wantChildren = type.children ?? [];
  const children = d.children.map((c, i) => {
    const f = wantChildren[i]!;
    if (!f.nullable && c.nullCount > 0) {
      throw new InvalidArgumentError(`${what}: column "${column}" has nulls in its "${f.name}" items, which the table does not allow`, {
        column,
      });
    }
    return retype(c, f.type, column, what);
  });
  return d.clone(type as never, d.offset, d.length, d.nullCount, d.buffers, children);
}

/** Checks a schema against the table's, before any row is read. */
export function checkSchema(schema: A.Schema, fields: readonly TableField[], what: string): void {
  checkNames(schema, fields, what);
  for (const { field } of fields) {
    const got = schema.fields.find((f) => f.name === field.name)!;
    if (!sameShape(field.type, got.type)) {
      throw new InvalidArgumentError(
        `${what}: column "${field.name}" is ${String(field.type)} in the table but ${String(got.type)} in the data` +
          difference(field.type, got.type),
        { column: field.name },
      );
    }
  }
}

/** Checks a batch's columns against the table's and returns the batch with the table's fields, in table order. */
export function conform(batch: A.RecordBatch, fields: readonly TableField[], what: string): A.RecordBatch {
  checkSchema(batch.schema, fields, what);
  const at = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
  const children = fields.map(({ field }) => {
    const one = batch.getChildAt(at.get(field.name)!)!.data[0]!; // a record batch holds one chunk per column
    if (!field.nullable && hasNullsIn(one, 0, one.length)) {
      throw new InvalidArgumentError(`${what}: column "${field.name}" is not nullable in the table but the data has nulls`, {
        column: field.name,
      });
    }
    return retype(one, field.type, field.name, what);
  });
  const schema = new A.Schema(fields.map((f) => f.field));
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: batch.numRows, children }));
}

/** Conforms every batch of a stream. */
export async function* conformed(
  data: TableData,
  fields: readonly TableField[],
  what: string,
): AsyncGenerator<A.RecordBatch> {
  const known = schemaOf(data);
  if (known !== undefined) checkSchema(known, fields, what); // even when there are no rows
  for await (const b of batchesOf(data)) {
    const c = conform(b, fields, what); // empty batches are checked too
    if (c.numRows > 0) yield c;
  }
}
