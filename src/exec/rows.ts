// Small conversions between JS row objects and Arrow batches (summaries, fromRows, toRows).

import * as A from "apache-arrow";
import { makeBatch } from "./project.js";

/** A batch of `schema` from row objects (values must already suit the field types). */
export function rowsToBatch(schema: A.Schema, rows: readonly Record<string, unknown>[]): A.RecordBatch {
  const children = schema.fields.map((f) => A.vectorFromArray(rows.map((r) => r[f.name] ?? null), f.type).data[0]!);
  return makeBatch(schema, children, rows.length);
}

/** Row objects of a batch or table (bigint stays bigint; nested values become plain arrays and objects). */
export function toRowObjects(batch: A.RecordBatch | A.Table): Record<string, unknown>[] {
  const names = batch.schema.fields.map((f) => f.name);
  const cols = names.map((n) => batch.getChild(n)!);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const row: Record<string, unknown> = {};
    names.forEach((n, j) => (row[n] = plain(cols[j]!.get(i))));
    out.push(row);
  }
  return out;
}

function plain(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Uint8Array) return v;
  if (v instanceof A.Vector) return [...v].map(plain);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") {
    const o = (v as { toJSON(): unknown }).toJSON();
    if (o !== null && typeof o === "object" && !Array.isArray(o)) return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)]));
    return o;
  }
  return v;
}
