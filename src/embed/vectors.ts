// Embedding values as Arrow: what embedders return (arrays of Float32Array or null, or a vector) turned into a
// FixedSizeList<Float32, dim> column, with each row's length checked against the embedder's dimension.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { packBits } from "../../format/expr/columnar.js";

/** The Arrow type of `dim`-value embeddings (items nullable, as DataType.embedding declares them). */
export function embeddingType(dim: number): A.FixedSizeList<A.Float32> {
  return new A.FixedSizeList(dim, new A.Field("item", new A.Float32(), true));
}

/** Scales `v` in place to unit length; an all-zero vector stays zero (it has no direction to keep). */
export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0) return v;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

/** What an embedder's `embed` may return for a batch. */
export type EmbedResult = readonly (Float32Array | null)[] | A.Vector;

/**
 * The embeddings of `rows` inputs as a FixedSizeList<Float32, dim> vector. A row of another length fails naming the
 * embedder and the row (`first` is the batch's first row number in messages).
 */
export function toEmbeddingVector(result: EmbedResult, rows: number, dim: number, name: string, first = 0): A.Vector {
  const type = embeddingType(dim);
  if (result instanceof A.Vector) {
    if (result.length !== rows) throw countError(name, result.length, rows);
    const fast = fixedFloats(result, dim);
    if (fast !== undefined) return A.makeVector(fast.clone(type));
  } else if (!Array.isArray(result) || result.length !== rows) {
    throw countError(name, Array.isArray(result) ? result.length : -1, rows);
  }
  const values = new Float32Array(rows * dim);
  const valid = new Uint8Array(rows);
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    const item = (result instanceof A.Vector ? result.get(i) : result[i]) as ArrayLike<number> | null | undefined;
    if (item === null || item === undefined) {
      nulls++;
      continue;
    }
    if (item.length !== dim) {
      throw new InvalidArgumentError(
        `embedder ${name} returned ${item.length} values for row ${first + i}, but its dimension is ${dim}; fix the embedder's dimension or its output`,
      );
    }
    for (let j = 0; j < dim; j++) values[i * dim + j] = Number(item[j]);
    valid[i] = 1;
  }
  const child = A.makeData({ type: new A.Float32(), length: rows * dim, data: values });
  const validity = nulls === 0 ? {} : { nullBitmap: packBits(valid, rows), nullCount: nulls };
  return A.makeVector(A.makeData({ type, length: rows, child, ...validity }));
}

/** The single Data of a FixedSizeList<Float32, dim> vector, or undefined when it has another shape. */
function fixedFloats(v: A.Vector, dim: number): A.Data | undefined {
  const t = v.type;
  if (!A.DataType.isFixedSizeList(t) || v.data.length !== 1) return undefined;
  const item = t.children[0]!.type;
  if (!A.DataType.isFloat(item) || item.precision !== A.Precision.SINGLE) return undefined;
  if (t.listSize !== dim) return undefined; // rows then fail one by one, naming the first
  return v.data[0]!;
}

function countError(name: string, got: number, rows: number): InvalidArgumentError {
  const what = got < 0 ? "something that is not an array or an Arrow vector" : `${got} embeddings`;
  return new InvalidArgumentError(`embedder ${name} returned ${what} for a batch of ${rows} inputs; it must return one per input (null for null)`);
}
