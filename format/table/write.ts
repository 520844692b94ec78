// Turning what users hand to a table (Arrow tables, batches, async streams) into batches that match the table's
// schema exactly — or a clear error naming the field and both types, before anything is written.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import { hasNullsIn } from "../file/gather.js";
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

/** Checks a batch's columns against the table's and returns the batch with the table's fields, in table order. */
export function conform(batch: A.RecordBatch, fields: readonly TableField[], what: string): A.RecordBatch {
  const have = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
  const missing = fields.filter((f) => !have.has(f.field.name)).map((f) => f.field.name);
  const known = new Set(fields.map((f) => f.field.name));
  const extra = batch.schema.fields.map((f) => f.name).filter((n) => !known.has(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new InvalidArgumentError(
      `${what}: ` +
        [
          missing.length > 0 ? `the data lacks column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")}` : "",
          extra.length > 0 ? `the table has no column${extra.length > 1 ? "s" : ""} ${extra.map((m) => `"${m}"`).join(", ")}` : "",
        ]
          .filter((x) => x !== "")
          .join("; ") +
        ` (table columns: ${fields.map((f) => f.field.name).join(", ")})`,
    );
  }
  const children = fields.map(({ field }) => {
    const i = have.get(field.name)!;
    const got = batch.schema.fields[i]!;
    if (!A.util.compareTypes(field.type, got.type)) {
      throw new InvalidArgumentError(
        `${what}: column "${field.name}" is ${describeType(field.type)} in the table but ${describeType(got.type)} in the data`,
        { column: field.name },
      );
    }
    const one = batch.getChildAt(i)!.data[0]!; // a record batch holds one chunk per column
    if (!field.nullable && hasNullsIn(one, 0, one.length)) {
      throw new InvalidArgumentError(`${what}: column "${field.name}" is not nullable in the table but the data has nulls`, {
        column: field.name,
      });
    }
    return one;
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
  for await (const b of batchesOf(data)) {
    if (b.numRows > 0) yield conform(b, fields, what);
  }
}
