// Grouped and global aggregation, a blocking sink: a group id per row (see group-keys.ts), then typed-array state per
// group. Only group state is held, never input batches (list/last aside).
//
// Why the plan below: a grouped aggregate is a few passes over each batch's rows, and at millions of rows the cost
// is the number of passes. So each distinct input is evaluated once per batch, and the counts, sums, means and
// variances of one input share a single ColumnStats updated in one pass (agg-numeric.ts); count(*) reads that state
// too when there is one. Global aggregation (no keys) reduces without looking at group ids.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { nullData } from "../../format/file/gather.js";
import { ColumnStats, CountOutput, IntSumAcc, MeanOutput, RowCountAcc, RowsOutput, type StatsNeeds, SumOutput, VarOutput } from "./agg-numeric.js";
import type { Accumulator, AggOutput, BatchGroups, BatchSink } from "./agg-state.js";
import { CountDistinctAcc, FirstAcc, LastAcc, ListAcc, minMaxFor } from "./agg-values.js";
import { chunkBatch, concatData, makeBatch, takeData, vectorData } from "./gather.js";
import { GroupKeys, firstRows, keyMode } from "./group-keys.js";
import type { AggFn, AggSpec, BatchStream, CompiledColumn } from "./types.js";

export { compareBytes } from "./agg-values.js";

/** What hashAggregate computes: key columns then aggregates, named and typed by `schema` in that order. */
export interface HashAggregateSpec {
  readonly keys: readonly CompiledColumn[];
  readonly aggs: readonly AggSpec[];
  readonly schema: A.Schema;
}

/**
 * Groups rows by `keys` and computes `aggs` per group; with no keys, one row over the whole input, even an empty
 * one (SQL: count 0, other aggregates null). Groups come out in order of first appearance.
 * @example hashAggregate(scan, { keys: [city], aggs: [{ name: "n", fn: "countAll", type: new Int64() }], schema })
 */
export async function* hashAggregate(input: BatchStream, spec: HashAggregateSpec): BatchStream {
  const { keys, aggs, schema } = spec;
  if (schema.fields.length !== keys.length + aggs.length) {
    throw new InvalidArgumentError(`aggregate schema has ${schema.fields.length} fields for ${keys.length} keys and ${aggs.length} aggregates`);
  }
  const plan = planAggregates(aggs);
  const grouping = keys.length === 0 ? undefined : new GroupKeys(keys.map((k) => keyMode(k.type)));
  const keyParts: A.Data[][] = keys.map(() => []);
  const idBuffer = new IdBuffer();
  let groups = 0;
  for await (const batch of input) {
    const n = batch.numRows;
    if (n === 0) continue;
    let bg: BatchGroups;
    if (grouping === undefined) {
      bg = { gids: idBuffer.of(n), global: true, n, groups: 1, newRows: groups === 0 ? Int32Array.of(0) : new Int32Array(0) };
    } else {
      const keyData = await Promise.all(keys.map(async (k) => vectorData(await k.run(batch))));
      const gids = grouping.ids(keyData, n, true, true, idBuffer.of(n));
      const newRows = firstRows(gids, groups, grouping.count);
      if (newRows.length > 0) keyData.forEach((d, j) => keyParts[j]!.push(takeData(d, newRows)));
      bg = { gids, global: false, n, groups: grouping.count, newRows };
    }
    const values = await Promise.all(plan.inputs.map(async (c) => vectorData(await c.run(batch))));
    for (const { input: j, sink } of plan.sinks) sink.add(j < 0 ? undefined : values[j], bg);
    groups = bg.groups;
  }
  if (grouping === undefined) groups = 1;
  if (groups === 0) return;
  const keyCols = keyParts.map((parts, j) => (parts.length === 0 ? nullData(schema.fields[j]!.type, 0) : concatData(parts[0]!.type, parts)));
  yield* chunkBatch(makeBatch(schema, [...keyCols, ...plan.outputs.map((o) => o.finish(groups))], groups));
}

/**
 * One group-id array reused for every batch (a fresh 256 KiB array per batch costs page faults and GC work): grouped
 * batches overwrite it, a global aggregation never writes it, so there it holds zeros. Accumulators that keep ids
 * copy them.
 */
class IdBuffer {
  private ids = new Int32Array(0);
  of(n: number): Int32Array {
    if (this.ids.length < n) this.ids = new Int32Array(n);
    return this.ids.subarray(0, n);
  }
}

// ---- the plan: distinct inputs, shared state, one output per aggregate ----

interface AggPlan {
  /** Each distinct input once, evaluated once per batch. */
  readonly inputs: readonly CompiledColumn[];
  /** What takes each batch, and the index in `inputs` of the values it takes (-1: none, countAll). */
  readonly sinks: readonly { readonly input: number; readonly sink: BatchSink }[];
  /** One per aggregate, in spec order. */
  readonly outputs: readonly AggOutput[];
}

/** The aggregates a ColumnStats serves, and what each needs of it. */
const SHARED: Partial<Record<AggFn, (spec: AggSpec) => Partial<StatsNeeds> | undefined>> = {
  count: () => ({}),
  mean: () => ({ sum: true }),
  sum: (s) => (s.type.typeId === A.Type.Float ? { sum: true } : undefined), // integer sums stay exact in IntSumAcc
  var: () => ({ moments: true }),
  std: () => ({ moments: true }),
};

function planAggregates(aggs: readonly AggSpec[]): AggPlan {
  aggs.forEach(checkAgg);
  const { inputs, inputOf } = distinctInputs(aggs);
  const needs = statsNeeds(aggs, inputOf);
  // count(*) = non-null + null rows of any input with stats, so it costs no pass of its own.
  const rowSource = aggs.some((a) => a.fn === "countAll") ? needs.keys().next().value : undefined;
  if (rowSource !== undefined) needs.get(rowSource)!.nulls = true;
  const stats = new Map([...needs].map(([j, need]) => [j, new ColumnStats(need)]));
  const sinks: { input: number; sink: BatchSink }[] = [...stats].map(([input, sink]) => ({ input, sink }));
  const outputs = aggs.map((a, i): AggOutput => {
    const shared = a.fn === "countAll" ? stats.get(rowSource ?? -1) : SHARED[a.fn]?.(a) === undefined ? undefined : stats.get(inputOf[i]!);
    if (shared !== undefined) return sharedOutput(a, shared);
    // Every aggregate SHARED serves got its stats above, so what is left has state of its own.
    const acc = OWN_STATE[a.fn as OwnStateFn](a);
    sinks.push({ input: inputOf[i]!, sink: acc });
    return acc;
  });
  return { inputs, sinks, outputs };
}

/** Each distinct input once, and the index of each aggregate's input among them (-1 for countAll). */
function distinctInputs(aggs: readonly AggSpec[]): { inputs: CompiledColumn[]; inputOf: number[] } {
  const inputs: CompiledColumn[] = [];
  const seen = new Map<unknown, number>();
  const inputOf = aggs.map((a) => {
    if (a.input === undefined) return -1;
    const key = inputKey(a.input);
    let j = seen.get(key);
    if (j === undefined) seen.set(key, (j = inputs.push(a.input) - 1));
    return j;
  });
  return { inputs, inputOf };
}

/** What the aggregates served by ColumnStats ask of each input, by input index. */
function statsNeeds(aggs: readonly AggSpec[], inputOf: readonly number[]): Map<number, StatsNeeds> {
  const needs = new Map<number, StatsNeeds>();
  aggs.forEach((a, i) => {
    const need = SHARED[a.fn]?.(a);
    if (need === undefined) return;
    const cur = needs.get(inputOf[i]!) ?? { sum: false, moments: false, nulls: false };
    needs.set(inputOf[i]!, { sum: cur.sum || need.sum === true, moments: cur.moments || need.moments === true, nulls: false });
  });
  return needs;
}

/**
 * Inputs that are the same object, or plain references to the same column, are one input. (A name and column list
 * are not enough: `x + 1` is named "x" and reads only "x".)
 */
function inputKey(c: CompiledColumn): unknown {
  const bound = (c as { resolved?: { bound?: { kind: string; path?: readonly string[] } } }).resolved?.bound;
  return bound?.kind === "column" && bound.path !== undefined ? `column\u0000${bound.path.join("\u0000")}` : c;
}

function sharedOutput(a: AggSpec, stats: ColumnStats): AggOutput {
  switch (a.fn) {
    case "countAll":
      return new RowsOutput(stats);
    case "count":
      return new CountOutput(stats);
    case "sum":
      return new SumOutput(stats);
    case "mean":
      return new MeanOutput(stats);
    default:
      return new VarOutput(stats, ddofOf(a), a.fn === "std");
  }
}

type OwnStateFn = Exclude<AggFn, "count" | "mean" | "var" | "std">;

/** The aggregates with state of their own (count(*) too, when no input has stats to read rows from). */
const OWN_STATE: Record<OwnStateFn, (spec: AggSpec) => Accumulator> = {
  countAll: () => new RowCountAcc(),
  sum: (s) => new IntSumAcc(s.name), // float sums are SHARED
  min: (s) => minMaxFor(s, false),
  max: (s) => minMaxFor(s, true),
  countDistinct: (s) => new CountDistinctAcc(keyMode(s.input!.type)),
  first: (s) => new FirstAcc(s.type),
  last: (s) => new LastAcc(s.type),
  list: (s) => new ListAcc(s.type as A.List),
};

function checkAgg(spec: AggSpec): void {
  if (spec.fn !== "countAll" && spec.input === undefined) {
    throw new InvalidArgumentError(`aggregate "${spec.name}" (${spec.fn}) needs an input column`);
  }
  if (spec.fn === "var" || spec.fn === "std") ddofOf(spec);
}

function ddofOf(spec: AggSpec): number {
  const ddof = spec.ddof ?? 1;
  if (!Number.isInteger(ddof) || ddof < 0) throw new InvalidArgumentError(`ddof of "${spec.name}" must be a non-negative integer, got ${ddof}`);
  return ddof;
}
