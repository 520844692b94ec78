// Running a batch, class or worker UDF over a batch: split into calls of at most `batchSize` rows, run a bounded
// number at once, check what comes back. A failed call is split in halves and retried until the failing rows are
// found: "raise" names the first one, "null" / "dead-letter" lose only those rows' values.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import type { CompiledColumn } from "../exec/types.js";
import type { UdfNode } from "../expr/node.js";
import { mapBounded, Slots } from "./bounded.js";
import { countFailure, type UdfContext } from "./context.js";
import { isContractError, messageOf, UdfError } from "./errors.js";
import { isThenable, withRetries } from "./retry.js";
import { isUdfSpec, type BatchFn, type UdfSpec } from "./spec.js";
import { emptyVector, joinVectors, preview, resultToVector, valuesToVector } from "./values.js";

/** One run of a compiled UDF over one input batch. */
interface Call {
  readonly spec: UdfSpec;
  readonly fn: BatchFn;
  readonly cols: readonly A.Vector[];
  /** Rows the UDF saw before this batch (dead letters and messages count rows across batches). */
  readonly base: number;
  readonly ctx: UdfContext;
}

const what = (spec: UdfSpec): string => `udf ${spec.name}`;

/** The values of row `i` of the call's columns: one value for a one-column UDF, else an array. */
function inputAt(c: Call, i: number): unknown {
  return c.cols.length === 1 ? c.cols[0]!.get(i) : c.cols.map((v) => v.get(i));
}

/** Calls the function on rows [start, start + count), retrying a rejected promise `retries` times. */
async function callOnce(c: Call, start: number, count: number, retries: number): Promise<A.Vector> {
  const part = c.cols.map((v) => (start === 0 && count === v.length ? v : v.slice(start, start + count)));
  const attempt = (): ReturnType<BatchFn> => c.fn(...part);
  const first = attempt();
  const value = isThenable(first) ? await withRetries(async () => attempt(), retries, Promise.resolve(first)) : first;
  return resultToVector(value, count, c.spec.returnType, what(c.spec));
}

/**
 * A failing row in [start, start + count) that reproduces alone, found by halving (left half first), or undefined
 * when no part fails again (the failure was transient). Halves are tried without retries; single rows with them.
 */
async function locate(c: Call, start: number, count: number): Promise<{ row: number; error: unknown } | undefined> {
  const retries = c.spec.options.maxRetries ?? 0;
  if (count === 1) {
    try {
      await callOnce(c, start, 1, retries);
      return undefined;
    } catch (error) {
      if (isContractError(error)) throw error;
      return { row: start, error };
    }
  }
  const half = count >> 1;
  for (const [s, n] of [[start, half], [start + half, count - half]] as const) {
    try {
      await callOnce(c, s, n, 0);
    } catch (error) {
      if (isContractError(error)) throw error;
      const found = await locate(c, s, n);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

async function raise(c: Call, start: number, count: number, err: unknown): Promise<never> {
  const { spec, ctx, base } = c;
  countFailure(ctx, spec.name);
  const found = count === 1 ? { row: start, error: err } : await locate(c, start, count);
  const advice = `Fix the function, or pass onError: "null" or "dead-letter" to keep the other rows`;
  if (found === undefined) {
    const m = `${what(spec)} failed on rows ${base + start}..${base + start + count - 1}: ${messageOf(err)} (no single row fails again: if the failure is transient, set maxRetries). ${advice}`;
    throw new UdfError(m, { udf: spec.name, row: base + start }, { cause: err });
  }
  const input = inputAt(c, found.row);
  const row = base + found.row;
  const m = `${what(spec)} failed on row ${row} (input ${preview(input)}): ${messageOf(found.error)}. ${advice}`;
  throw new UdfError(m, { udf: spec.name, row, input }, { cause: found.error });
}

/** Values of rows [start, start + count) after a failed call: halves that succeed keep theirs, failing rows null. */
async function isolate(c: Call, start: number, count: number, err: unknown): Promise<A.Vector> {
  const { spec, ctx } = c;
  if (count === 1) {
    countFailure(ctx, spec.name);
    if (spec.options.onError === "dead-letter") ctx.deadLetter?.({ udf: spec.name, row: c.base + start, input: inputAt(c, start), error: messageOf(err) });
    return valuesToVector([null], spec.returnType, what(spec));
  }
  const half = count >> 1;
  const parts: A.Vector[] = [];
  for (const [s, n] of [[start, half], [start + half, count - half]] as const) {
    // A single row gets its full retries; a half does not, since a failure there just splits it further.
    parts.push(await callOnce(c, s, n, n === 1 ? (spec.options.maxRetries ?? 0) : 0).catch((e: unknown) => (isContractError(e) ? Promise.reject(e) : isolate(c, s, n, e))));
  }
  return joinVectors(parts, spec.returnType);
}

async function runChunk(c: Call, start: number, count: number): Promise<A.Vector> {
  try {
    return await callOnce(c, start, count, c.spec.options.maxRetries ?? 0);
  } catch (err) {
    if (isContractError(err)) throw err;
    if ((c.spec.options.onError ?? "raise") === "raise") return raise(c, start, count, err);
    return isolate(c, start, count, err);
  }
}

/** The compiled form of a UDF node over its compiled arguments. */
export function compileUdf(n: UdfNode, args: readonly CompiledColumn[], ctx: UdfContext): CompiledColumn {
  const spec = n.udf;
  if (!isUdfSpec(spec)) throw new InvalidArgumentError(`udf ${spec.name} was not made by udf(), udf.class() or udf.worker(): build UDFs with those`);
  const size = spec.options.batchSize;
  let seen = 0;
  // Shared by every batch of the run (UdfProject computes several at once): `concurrency` bounds the UDF's calls.
  const slots = new Slots(spec.concurrency);
  return {
    name: spec.name,
    type: spec.returnType,
    nullable: true,
    columns: [...new Set(args.flatMap((a) => a.columns))],
    run: async (batch) => {
      const base = seen;
      seen += batch.numRows;
      const rows = batch.numRows;
      const cols = await Promise.all(args.map((a) => a.run(batch)));
      if (rows === 0) return emptyVector(spec.returnType);
      const call: Call = { spec, fn: await spec.resolve(), cols, base, ctx };
      const step = size === undefined ? rows : Math.max(1, Math.floor(size));
      const starts: number[] = [];
      for (let s = 0; s < rows; s += step) starts.push(s);
      const parts = await mapBounded(starts, spec.concurrency, (s) => slots.run(() => runChunk(call, s, Math.min(step, rows - s))));
      return joinVectors(parts, spec.returnType);
    },
  };
}
