// The `embedding` namespace: distances between an embedding column and a query vector (or a second embedding
// column), under the metrics index/distance.ts defines — so a sort by `embedding.distance` ranks rows exactly as
// a vector search over the same column does, and the optimizer may answer one with the other (use-vector-index.ts).
//
// A query vector is a constant, not an expression: it travels in the function's options as a `QueryVector`, is
// checked against the column's dimension when the plan is built, and is scored against whole batches by the same
// batch kernel exact search uses (WebAssembly SIMD when available), so float32 columns get bit-identical distances.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { typeName } from "../../../format/expr/types.js";
import { batchDistancesMany, checkMetric, distance, type Metric } from "../../../index/distance.js";
import { registerFunctions, ScalarArg, type ArgInfo, type ArgValue, type ScalarFunction } from "./registry.js";
import { materialize, nullVector, validityProps } from "./vectors.js";

/**
 * A query vector held in an expression's options. Printed short in explain() (`[0.1, 0.2, 0.3, … ×784]`) because
 * a plan line with 784 numbers helps nobody.
 */
export class QueryVector {
  readonly values: Float32Array;

  constructor(values: Float32Array | readonly number[]) {
    // A copy: expressions are immutable, and the caller may reuse their array for the next query.
    this.values = Float32Array.from(values);
    for (let i = 0; i < this.values.length; i++) {
      if (!Number.isFinite(this.values[i]!)) {
        throw new InvalidArgumentError(`the query vector has ${String(this.values[i])} at position ${i}; every value must be a finite number`);
      }
    }
    if (this.values.length === 0) throw new InvalidArgumentError("the query vector is empty");
  }

  /** What explain() prints. */
  toJSON(): string {
    const shown = [...this.values.subarray(0, 3)].map((v) => String(Number(v.toPrecision(4))));
    return this.values.length <= 3 ? `[${shown.join(", ")}]` : `[${shown.join(", ")}, … ×${this.values.length}]`;
  }
}

/** Options of the distance functions: the metric, and the query vector unless a second column is given. */
export interface DistanceFnOptions {
  readonly metric?: Metric;
  readonly vector?: QueryVector;
}

/** The shape of an embedding argument: fixed-size list of float32 or float64 values. */
interface EmbeddingShape {
  readonly dim: number;
  readonly double: boolean;
}

/** The embedding shape of an argument's type, undefined for an untyped NULL; an error naming the type otherwise. */
function shapeOf(name: string, t: A.DataType, role: string): EmbeddingShape | undefined {
  if (t.typeId === A.Type.Null) return undefined;
  const item = t.typeId === A.Type.FixedSizeList ? (t as A.FixedSizeList).children[0]!.type : undefined;
  if (item === undefined || item.typeId !== A.Type.Float || (item as A.Float).precision === A.Precision.HALF) {
    throw new InvalidArgumentError(
      `${name} expects ${role} to be an embedding (a fixed-size list of float32 or float64), got ${typeName(t)}; cast a list with .cast(DataType.embedding(n))`,
    );
  }
  return { dim: (t as A.FixedSizeList).listSize, double: (item as A.Float).precision === A.Precision.DOUBLE };
}

/** Checks arguments and options when the plan is built; the result is float32 unless an input holds float64. */
function distanceType(name: string, args: readonly ArgInfo[], options: DistanceFnOptions): A.DataType {
  checkMetric(options.metric ?? "l2");
  const [self, other] = args;
  if (self === undefined || args.length > 2) throw new InvalidArgumentError(`${name} takes an embedding and a vector or a second embedding column`);
  const a = shapeOf(name, self.type, "its column");
  if (other === undefined) {
    const v = options.vector;
    if (!(v instanceof QueryVector)) throw new InvalidArgumentError(`${name} needs a query vector (a number array or Float32Array) or an embedding column`);
    if (a !== undefined && v.values.length !== a.dim) {
      const what = `the query vector has ${v.values.length} dimensions but the embedding column has ${a.dim} (${typeName(self.type)})`;
      throw new InvalidArgumentError(`${name}: ${what}; embed the query with the column's embedder`);
    }
    return a?.double === true ? new A.Float64() : new A.Float32();
  }
  if (options.vector !== undefined) throw new InvalidArgumentError(`${name}: give either a query vector or a second column, not both`);
  const b = shapeOf(name, other.type, "its argument");
  if (a !== undefined && b !== undefined && a.dim !== b.dim) {
    const types = `${typeName(self.type)} vs ${typeName(other.type)}`;
    throw new InvalidArgumentError(`${name}: the embeddings have ${a.dim} and ${b.dim} dimensions (${types}); they cannot be compared`);
  }
  return a?.double === true || b?.double === true ? new A.Float64() : new A.Float32();
}

/** An embedding argument as flat values (rows × dim, zero-filled under null rows) and row validity. */
interface Embeddings {
  readonly values: Float32Array | Float64Array;
  readonly valid: (i: number) => boolean;
  readonly nulls: boolean;
}

function embeddings(arg: ArgValue, rows: number, dim: number): Embeddings | undefined {
  const d = materialize(arg, rows);
  if (d.typeId === A.Type.Null) return undefined;
  const child = d.children[0]!;
  const need = rows * dim;
  // Arrow slices fixed-size-list children with their parent, so the values start at row 0's first item; builders
  // may leave the child short under trailing null rows, which a copy pads.
  let values = (child.values as Float32Array | Float64Array).subarray(0, need);
  if (values.length < need) {
    const padded = new (values.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(need);
    padded.set(values);
    values = padded;
  }
  return { values, valid: (i) => d.getValid(i), nulls: d.nullCount > 0 };
}

/** Distances from one query to every row: the batch kernel for float32 (what exact search uses), float64 loops otherwise. */
function toQuery(e: Embeddings, rows: number, dim: number, query: Float32Array, metric: Metric, double: boolean): Float32Array | Float64Array {
  if (!double && e.values instanceof Float32Array) {
    // scoreMany, not scoreOne: the kernels round a query's norm differently in each, and flat search uses scoreMany.
    return rows === 0 ? new Float32Array(0) : batchDistancesMany(metric, query, e.values, dim);
  }
  const out = double ? new Float64Array(rows) : new Float32Array(rows);
  for (let i = 0; i < rows; i++) out[i] = distance(metric, query, e.values.subarray(i * dim, (i + 1) * dim));
  return out;
}

/** Row-by-row distances between two embedding columns (no batch kernel: each row has its own query). */
function pairwise(a: Embeddings, b: Embeddings, rows: number, dim: number, metric: Metric, double: boolean): Float32Array | Float64Array {
  const out = double ? new Float64Array(rows) : new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (a.valid(i) && b.valid(i)) out[i] = distance(metric, a.values.subarray(i * dim, (i + 1) * dim), b.values.subarray(i * dim, (i + 1) * dim));
  }
  return out;
}

function result(type: A.DataType, values: Float32Array | Float64Array, valid: Uint8Array | undefined): A.Vector {
  const n = values.length;
  return A.makeVector(A.makeData({ type: type as A.Float, length: n, data: values, ...validityProps(valid, n) }));
}

/** Validity of rows where every embedding is present, or undefined when none is null. */
function rowValidity(rows: number, parts: readonly Embeddings[]): Uint8Array | undefined {
  if (!parts.some((p) => p.nulls)) return undefined;
  const valid = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) valid[i] = parts.every((p) => p.valid(i)) ? 1 : 0;
  return valid;
}

/** The distances of a call, before any transformation (`cosineSimilarity` is 1 − cosine distance). */
function evaluateDistance(args: readonly ArgValue[], options: DistanceFnOptions, rows: number, type: A.DataType, metric: Metric): A.Vector {
  const double = type.typeId === A.Type.Float && (type as A.Float).precision === A.Precision.DOUBLE;
  const selfType = args[0] instanceof ScalarArg ? args[0].type : args[0]!.type;
  if (selfType.typeId === A.Type.Null) return nullVector(type, rows);
  const dim = (selfType as A.FixedSizeList).listSize;
  const a = embeddings(args[0]!, rows, dim)!;
  if (args.length === 1) {
    return result(type, toQuery(a, rows, dim, options.vector!.values, metric, double), rowValidity(rows, [a]));
  }
  const b = embeddings(args[1]!, rows, dim);
  if (b === undefined) return nullVector(type, rows);
  return result(type, pairwise(a, b, rows, dim, metric, double), rowValidity(rows, [a, b]));
}

const distanceFn: ScalarFunction<DistanceFnOptions> = {
  name: "embedding.distance",
  returnType: (args, options) => distanceType("embedding.distance", args, options ?? {}),
  evaluate: (args, options, info) => evaluateDistance(args, options ?? {}, info.rows, info.type, options?.metric ?? "l2"),
};

const cosineSimilarityFn: ScalarFunction<DistanceFnOptions> = {
  name: "embedding.cosineSimilarity",
  returnType: (args, options) => distanceType("embedding.cosineSimilarity", args, { ...options, metric: "cosine" }),
  evaluate: (args, options, info) => {
    const d = evaluateDistance(args, options ?? {}, info.rows, info.type, "cosine");
    const data = d.data[0]!;
    if (data.nullCount === data.length) return d; // all null: nothing to turn around (and the buffer may be shared)
    const values = data.values as Float32Array | Float64Array;
    // 1 − (1 − cos) in the result's precision, so it equals 1 − the `_distance` a cosine search reports.
    for (let i = 0; i < values.length; i++) values[i] = 1 - values[i]!;
    return d;
  },
};

registerFunctions(distanceFn as ScalarFunction<never>, cosineSimilarityFn as ScalarFunction<never>);
