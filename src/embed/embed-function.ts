// The "embed" scalar function behind `col(x).embed(embedder)`: checks at plan time that the embedder suits the
// column, then per batch calls `embedder.embed` (in this thread, or split across a worker pool rebuilding the
// embedder from its descriptor) and returns FixedSizeList<Float32, dim> whose field metadata records the embedder.

import * as A from "apache-arrow";
import { InvalidArgumentError, NotSupportedError } from "../../format/errors.js";
import { typeName } from "../../format/expr/types.js";
import { concatRanges } from "../../format/file/gather.js";
import { extensionMetadata } from "../expr/data-type.js";
import { registerFunctions, ScalarArg, type ArgInfo, type ArgValue, type ScalarFunction } from "../expr/functions/registry.js";
import { typeToBytes } from "../udf/ipc.js";
import { workerPool } from "../udf/pool.js";
import type { WorkerTask } from "../udf/worker-entry.js";
import type { Embedder } from "./embedder.js";
import { isBuiltInKind } from "./embedder.js";
import { hash32 } from "./hash.js";
import { embeddingType, toEmbeddingVector } from "./vectors.js";

/** Options of `col(x).embed(embedder, options)` (and `embedOnWorkers`). */
export interface EmbedOptions {
  /**
   * Worker threads to embed on (each rebuilds the embedder from its descriptor once; built-in kinds only).
   * Default: none — embed in this thread.
   */
  readonly workers?: number;
  /** Rows per worker task. Default: each batch split evenly over the workers. */
  readonly batchSize?: number;
}

/** Options of the embed function node. */
export interface EmbedFunctionOptions extends EmbedOptions {
  readonly embedder: Embedder;
}

/** The extension name embedding columns carry (params: { dim, embedder: descriptor }). */
export const EMBEDDING_EXTENSION = "tessera.embedding";

function isEmbedder(e: unknown): e is Embedder {
  const x = e as Partial<Embedder> | undefined;
  return (
    typeof x === "object" && x !== null && typeof x.embed === "function" && Number.isInteger(x.dimension) && (x.dimension ?? 0) > 0 &&
    typeof x.descriptor === "object" && typeof x.descriptor?.kind === "string"
  );
}

const TEXT = new Set([A.Type.Utf8, A.Type.LargeUtf8]);
const BYTES = new Set([A.Type.Binary, A.Type.LargeBinary]);

function checkInput(e: Embedder, arg: ArgInfo): void {
  const id = arg.type.typeId;
  if (id === A.Type.Null) return;
  const ok = e.accepts === "text" ? TEXT.has(id) : e.accepts === "image" ? BYTES.has(id) : TEXT.has(id) || BYTES.has(id);
  if (!ok) {
    const want = e.accepts === "text" ? "a string" : e.accepts === "image" ? "binary (encoded image bytes)" : "a string or binary";
    throw new InvalidArgumentError(`embed: embedder ${e.name} expects ${want}, got ${typeName(arg.type)}`);
  }
}

function checkOptions(o: EmbedFunctionOptions): Embedder {
  const e = o.embedder;
  if (!isEmbedder(e)) throw new InvalidArgumentError("embed() needs an embedder: an object with name, dimension, accepts, descriptor and embed(batch)");
  if ((e as { fitted?: boolean }).fitted === false) {
    throw new InvalidArgumentError(`embed: embedder ${e.name} must be fitted first (const fitted = await embedder.fit(data))`);
  }
  for (const k of ["workers", "batchSize"] as const) {
    const v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new InvalidArgumentError(`embed: ${k} must be a positive integer, got ${v}`);
  }
  if (o.workers !== undefined) {
    if (!isBuiltInKind(e.descriptor.kind)) {
      throw new NotSupportedError(`embed: embedder kind "${e.descriptor.kind}" is not built in, so worker threads cannot rebuild it; embed without workers`);
    }
    try {
      JSON.stringify(e.descriptor);
    } catch (err) {
      throw new InvalidArgumentError(`embed: embedder ${e.name}'s descriptor is not JSON`, { cause: err });
    }
  }
  return e;
}

const embed: ScalarFunction<EmbedFunctionOptions> = {
  name: "embed",
  expensive: true,
  returnType(args, options) {
    const e = checkOptions(options);
    if (args.length !== 1) throw new InvalidArgumentError(`embed takes one column, got ${args.length}`);
    checkInput(e, args[0]!);
    return embeddingType(e.dimension);
  },
  returnMetadata(_args, options) {
    const e = options.embedder;
    return extensionMetadata(EMBEDDING_EXTENSION, { dim: e.dimension, embedder: e.descriptor });
  },
  async evaluate(args, options, info) {
    const e = options.embedder;
    const values = broadcast(args[0]!, info.rows);
    if (options.workers !== undefined) return onWorkers(e, values, options.workers, options.batchSize);
    return toEmbeddingVector(await e.embed(values), values.length, e.dimension, e.name);
  },
};

/** A literal argument as a vector of `rows` copies. */
function broadcast(arg: ArgValue, rows: number): A.Vector {
  if (!(arg instanceof ScalarArg)) return arg;
  return A.vectorFromArray(new Array(rows).fill(arg.value), (arg.type.typeId === A.Type.Null ? new A.Utf8() : arg.type) as A.DataType);
}

// This module's sibling worker.ts (or worker.js once compiled), which worker threads load.
const WORKER_MODULE = new URL(`./worker${new URL(import.meta.url).pathname.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url).href;

/** The batch split over a worker pool (each worker rebuilds the embedder once), results in order. */
async function onWorkers(e: Embedder, values: A.Vector, workers: number, batchSize: number | undefined): Promise<A.Vector> {
  const type = embeddingType(e.dimension);
  const rows = values.length;
  if (rows === 0) return A.makeVector(A.makeData({ type, length: 0, child: A.makeData({ type: new A.Float32(), length: 0 }) }));
  const json = JSON.stringify(e.descriptor);
  const task: Omit<WorkerTask, "args"> = {
    // Instances are cached per key inside each worker: one per distinct descriptor.
    key: `embed#${hash32(json).toString(16)}#${json.length}`,
    module: WORKER_MODULE,
    export: "EmbedWorker",
    init: [JSON.parse(json) as unknown],
    name: `embed(${e.name})`,
    returnType: typeToBytes(type),
  };
  const pool = workerPool(WORKER_MODULE, "EmbedWorker", workers);
  const step = batchSize ?? Math.max(1, Math.ceil(rows / workers));
  const parts: Promise<A.Vector>[] = [];
  for (let at = 0; at < rows; at += step) {
    const first = at;
    const part = values.slice(at, Math.min(rows, at + step));
    parts.push(
      pool.run(task, [part]).catch((err: unknown) => {
        throw new InvalidArgumentError(`embed(${e.name}) on a worker failed for rows ${first}..${first + part.length - 1} of the batch: ${(err as Error).message}`, {
          cause: err,
        });
      }),
    );
  }
  const done = await Promise.all(parts);
  const data = concatRanges(type, done.flatMap((v) => v.data.map((d) => ({ data: d.type === type ? d : d.clone(type), start: 0, count: d.length }))));
  return A.makeVector(data);
}

registerFunctions(embed as ScalarFunction<never>);
