// Row-wise functions (`e.apply(fn, returnType)`): called once per non-null value; async results run with bounded
// concurrency and optional retries; failures raise, become null, or go to the dead-letter output.

import type * as A from "apache-arrow";
import { typeName } from "../../format/expr/types.js";
import type { CompiledColumn } from "../exec/types.js";
import type { ApplyNode } from "../expr/node.js";
import { forEachBounded, Slots } from "./bounded.js";
import { countFailure, type UdfContext } from "./context.js";
import { isContractError, messageOf, UdfError, UdfReturnTypeError } from "./errors.js";
import { isThenable, withRetries } from "./retry.js";
import { mismatch, preview, valuesToVector } from "./values.js";

/** Async calls in flight at once when the options do not say (sync functions run one at a time anyway). */
const DEFAULT_CONCURRENCY = 16;

/** The compiled form of an apply node over its compiled operand. */
export function compileRowFunction(n: ApplyNode, operand: CompiledColumn, ctx: UdfContext): CompiledColumn {
  const name = n.options.name ?? (n.fn.name || "apply");
  const onError = n.options.onError ?? "raise";
  const concurrency = Math.max(1, n.options.concurrency ?? DEFAULT_CONCURRENCY);
  const retries = n.options.maxRetries ?? 0;
  const what = `apply(${name})`;
  let seen = 0; // rows this compiled function saw in its run: dead letters number rows by it
  // Shared by every batch of the run: batches may be computed concurrently (UdfProject), the bound is per function.
  const slots = new Slots(concurrency);
  let isAsync = false;

  const fail = (row: number, value: unknown, err: unknown): void => {
    // A wrong return type is the function's bug, not the row's: it fails the query whatever onError says.
    if (isContractError(err)) throw err;
    countFailure(ctx, name);
    const message = messageOf(err);
    if (onError === "raise") {
      throw new UdfError(
        `${what} failed on row ${row} (input ${preview(value)}): ${message}. Fix the function, or pass onError: "null" or "dead-letter" to keep the other rows`,
        { udf: name, row, input: value },
        { cause: err },
      );
    }
    if (onError === "dead-letter") ctx.deadLetter?.({ udf: name, row, input: value, error: message });
  };

  return {
    name: operand.name,
    type: n.returnType,
    nullable: true,
    columns: operand.columns,
    run: async (batch: A.RecordBatch) => {
      const base = seen;
      seen += batch.numRows;
      const input = await operand.run(batch);
      const out: unknown[] = new Array(batch.numRows).fill(null);
      const store = (i: number, v: unknown): void => {
        const why = mismatch(v, n.returnType);
        if (why !== undefined) {
          throw new UdfReturnTypeError(
            `${what} returned ${why} for row ${base + i} (input ${preview(input.get(i))}), but its return type is ${typeName(n.returnType)}: return values of that type, or change the returnType`,
          );
        }
        out[i] = v;
      };
      // Made once per batch, not per row: a sync function then costs no closure per call.
      const settle = (i: number, value: unknown, p: Promise<unknown>): Promise<void> =>
        withRetries(async () => n.fn(value), retries, p).then(
          (v) => store(i, v),
          (err: unknown) => fail(base + i, value, err),
        );
      await forEachBounded(batch.numRows, concurrency, (i) => {
        const value: unknown = input.get(i);
        if (value === null || value === undefined) return;
        // Once the function has shown itself async, each call waits for a slot shared by every batch of the run
        // (UdfProject computes several batches at once): `concurrency` bounds the function, not each batch.
        if (isAsync) return slots.run(() => settle(i, value, Promise.resolve().then(() => n.fn(value))));
        let result: unknown;
        try {
          result = n.fn(value);
        } catch (err) {
          return fail(base + i, value, err);
        }
        if (!isThenable(result)) return store(i, result);
        isAsync = true;
        // This call already runs: take a slot for it (free now: no async call was in flight before it).
        void slots.acquire();
        return settle(i, value, Promise.resolve(result)).finally(() => slots.release());
      });
      // store() checked every value against the return type already.
      return valuesToVector(out, n.returnType, what, { checked: true });
    },
  };
}
