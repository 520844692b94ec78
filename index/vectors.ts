// Streams a vector column of a table version as chunks of contiguous float32 vectors with their row ids and a
// liveness mask (deleted rows, and rows a prefilter excludes, are 0) — the input of flat search and index builds.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../format/errors.js";
import { scanFragment } from "../format/table/fragment-io.js";
import type { Fragment } from "../format/table/manifest.js";
import type { Snapshot } from "../format/table/read.js";
import type { TableField } from "../format/schema.js";

import type { VectorChunk } from "./flat.js";

export type { VectorChunk };

/** True for fixed-size lists of float32: the types vector search works on. */
export function isVectorType(t: A.DataType): boolean {
  if (t.typeId !== A.Type.FixedSizeList) return false;
  const child = (t as A.FixedSizeList).children[0]!.type;
  return child.typeId === A.Type.Float && (child as A.Float).precision === A.Precision.SINGLE;
}

/** The dimension of a vector column, or InvalidArgumentError naming the column and its type. */
export function vectorDim(field: TableField): number {
  const t = field.field.type;
  if (t.typeId !== A.Type.FixedSizeList) {
    throw new InvalidArgumentError(
      `column "${field.field.name}" is ${String(t)}; vector search needs a fixed-size list of float32 (an embedding)`,
      { column: field.field.name },
    );
  }
  const child = (t as A.FixedSizeList).children[0]!.type;
  if (child.typeId !== A.Type.Float || (child as A.Float).precision !== A.Precision.SINGLE) {
    throw new InvalidArgumentError(`column "${field.field.name}" holds ${String(child)} values; vector search needs float32`, {
      column: field.field.name,
    });
  }
  return (t as A.FixedSizeList).listSize;
}

/** Checks a query vector's dimension against the column's. */
export function checkQuery(query: Float32Array, dim: number, column: string): void {
  if (query.length !== dim) {
    throw new InvalidArgumentError(`query vector has ${query.length} dimensions but column "${column}" has ${dim}`, { column });
  }
}

/** Flat float32 values of a fixed-size-list Data (zero-copy when it is contiguous and aligned). */
function floats(d: A.Data, dim: number): Float32Array {
  const child = d.children[0]!;
  const all = child.values as Float32Array;
  // Arrow slices fixed-size-list children already; the values start at the first row's first float.
  return all.subarray(0, d.length * dim);
}

/** Which rows of a fragment may be returned: live (not deleted) and, with a prefilter, allowed. */
export type RowAllowance = (frag: Fragment) => Promise<Uint8Array | undefined>;

/**
 * Chunks of the column's vectors, fragment by fragment; a fragment lacking the column (added later) yields no rows.
 * Null vectors are never allowed.
 */
export async function* vectorChunks(
  snap: Snapshot,
  field: TableField,
  fragments: readonly Fragment[],
  allowance: RowAllowance,
  batchSize = 16384,
): AsyncGenerator<VectorChunk> {
  const dim = vectorDim(field);
  for (const frag of fragments) {
    if (!frag.files.some((f) => f.fieldIds.includes(field.id))) continue;
    const mask = await allowance(frag);
    const hi = BigInt(frag.id) << 32n;
    for await (const part of scanFragment(snap.io, frag, [field], { batchSize })) {
      const d = part.columns[0]!;
      const ids = new BigUint64Array(part.length);
      for (let i = 0; i < part.length; i++) ids[i] = hi | BigInt(part.start + i);
      let allowed: Uint8Array | undefined;
      if (mask !== undefined || d.nullCount > 0) {
        allowed = mask === undefined ? new Uint8Array(part.length).fill(1) : mask.slice(part.start, part.start + part.length);
        if (d.nullCount > 0) for (let i = 0; i < part.length; i++) if (!d.getValid(i)) allowed[i] = 0;
      }
      yield allowed === undefined ? { vectors: floats(d, dim), ids } : { vectors: floats(d, dim), ids, allowed };
    }
  }
}
