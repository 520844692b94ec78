// Test helpers for the operators: compiled columns that read a column by name, batches from row objects with
// explicit Arrow types, streams of batches, and rows back out as plain JS values for comparing with oracles.

import * as A from "apache-arrow";
import fc from "fast-check";
import { makeBatch } from "../../../src/exec/gather.js";
import type { BatchStream, CompiledColumn } from "../../../src/exec/types.js";

export type Row = Record<string, unknown>;

/** A compiled column that reads input column `name`. */
export function col(name: string, type: A.DataType): CompiledColumn {
  return { name, type, nullable: true, columns: [name], run: async (b) => b.getChild(name)! };
}

/** A schema of nullable fields. */
export function schemaOf(fields: readonly (readonly [string, A.DataType])[]): A.Schema {
  return new A.Schema(fields.map(([name, type]) => new A.Field(name, type, true)));
}

/** One batch of `schema` holding `rows` (each value must suit its field: bigint for 64-bit ints). */
export function batchOf(schema: A.Schema, rows: readonly Row[]): A.RecordBatch {
  const cols = schema.fields.map((f) => {
    const v = A.vectorFromArray(rows.map((r) => r[f.name] ?? null) as unknown[], f.type);
    return v.data.length === 1 ? v.data[0]! : A.makeVector(v.data).data[0]!;
  });
  return makeBatch(schema, cols, rows.length);
}

/** Rows cut into batches of the given sizes (0 gives an empty batch); rows left over form a last batch. */
export function batchesOf(schema: A.Schema, rows: readonly Row[], sizes: readonly number[] = []): A.RecordBatch[] {
  const out: A.RecordBatch[] = [];
  let at = 0;
  for (const s of sizes) {
    if (at >= rows.length && s > 0) break;
    out.push(batchOf(schema, rows.slice(at, at + s)));
    at += s;
  }
  if (at < rows.length) out.push(batchOf(schema, rows.slice(at)));
  return out;
}

/** Batch sizes for batchesOf: small, with zeros for empty batches. */
export const arbSizes = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 8 });

export async function* streamOf(batches: readonly A.RecordBatch[]): BatchStream {
  for (const b of batches) yield b;
}

export async function collect(stream: BatchStream): Promise<A.RecordBatch[]> {
  const out: A.RecordBatch[] = [];
  for await (const b of stream) out.push(b);
  return out;
}

/** The rows of batches as plain values (lists as arrays, structs as objects, bigint kept). */
export function rowsOf(batches: readonly A.RecordBatch[]): Row[] {
  const out: Row[] = [];
  for (const b of batches) {
    const names = b.schema.fields.map((f) => f.name);
    const cols = b.data.children.map((d) => A.makeVector(d));
    for (let i = 0; i < b.numRows; i++) {
      const row: Row = {};
      names.forEach((n, j) => (row[n] = plain(cols[j]!.get(i))));
      out.push(row);
    }
  }
  return out;
}

export async function collectRows(stream: BatchStream): Promise<Row[]> {
  return rowsOf(await collect(stream));
}

function plain(v: unknown): unknown {
  if (v === null || v === undefined || typeof v !== "object") return v ?? null;
  if (v instanceof Uint8Array) return Array.from(v);
  if (v instanceof A.Vector) return [...v].map(plain);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  const json = (v as { toJSON?: () => unknown }).toJSON?.();
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    return Object.fromEntries(Object.entries(json).map(([k, x]) => [k, plain(x)]));
  }
  return json ?? v;
}

/** A value or null with probability ~1/(nullOdds+1). */
export function orNull<T>(arb: fc.Arbitrary<T>, nullOdds = 6): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: nullOdds, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });
}

/** fast-check settings shared by the operator tests: seeded, so failures reproduce. */
export const FC = { seed: 20240611, numRuns: 150 } as const;

/** Deep equality where numbers only need to agree to ~1e-9 relative (sums in another order). */
export function approxEqual(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    if (Number.isNaN(expected) && Number.isNaN(actual)) return;
    const tol = 1e-9 * Math.max(1, Math.abs(expected));
    if (!(Math.abs(actual - expected) <= tol)) throw new Error(`${path}: ${actual} != ${expected}`);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (actual.length !== expected.length) throw new Error(`${path}: length ${actual.length} != ${expected.length}`);
    expected.forEach((e, i) => approxEqual(actual[i], e, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === "object" && actual !== null && typeof actual === "object") {
    const keys = Object.keys(expected);
    if (Object.keys(actual).join() !== keys.join()) throw new Error(`${path}: keys ${Object.keys(actual)} != ${keys}`);
    for (const k of keys) approxEqual((actual as Row)[k], (expected as Row)[k], `${path}.${k}`);
    return;
  }
  if (!Object.is(actual, expected) && !(actual === 0 && expected === 0)) throw new Error(`${path}: ${String(actual)} != ${String(expected)}`);
}
