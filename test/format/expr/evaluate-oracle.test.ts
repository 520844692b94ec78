// Property tests: the vectorized evaluator agrees exactly with the row-wise oracle on random tables and random
// expressions — values, NULLs, filter indices and errors — on whole batches, sliced batches and chunked tables.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { isTesseraError } from "../../../format/errors.js";
import type { Expr } from "../../../format/expr/ast.js";
import type { Resolved } from "../../../format/expr/bound.js";
import { evaluate, filterIndices, type BatchLike } from "../../../format/expr/evaluate.js";
import { formatExpr } from "../../../format/expr/format-expr.js";
import { resolveExpr } from "../../../format/expr/resolve.js";
import { oracle, RowError, type OValue, type Row } from "./oracle.js";
import { anyExpr, arbRows, boolExpr, SCHEMA, toBatch } from "./random-data.js";

/** A comparable form: integers and stored dates as bigint, floats as numbers (NaN kept), the rest as is. */
function normal(v: OValue, type: A.DataType): OValue {
  if (v === null) return null;
  if (type.typeId === A.Type.Int || type.typeId === A.Type.Date || type.typeId === A.Type.Timestamp) return BigInt(v as number);
  if (type.typeId === A.Type.Float) return Number(v);
  return v;
}

/** Row values of an evaluated vector, read back through Arrow (stored units for dates and timestamps). */
function readBack(v: A.Vector): OValue[] {
  const out: OValue[] = [];
  const temporal = v.type.typeId === A.Type.Date || v.type.typeId === A.Type.Timestamp;
  for (let i = 0; i < v.length; i++) {
    if (!v.isValid(i)) out.push(null);
    else out.push(normal(temporal ? (v.data[0]!.values as ArrayLike<number | bigint>)[i]! : (v.get(i) as OValue), v.type));
  }
  return out;
}

function sameValue(a: OValue, b: OValue): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

/** Runs evaluate and filterIndices on `input` and checks them against the oracle's rows. */
function check(r: Resolved, input: BatchLike, expected: (OValue | RowError)[], label: string): void {
  const fails = expected.some((e) => e instanceof RowError);
  let vec: A.Vector;
  try {
    vec = evaluate(r, input);
  } catch (err) {
    assert.ok(isTesseraError(err, "INVALID_ARGUMENT"), `${label}: unexpected ${String(err)}`);
    assert.ok(fails, `${label}: evaluate threw ${(err as Error).message} but the oracle found no failing row`);
    return;
  }
  assert.ok(!fails, `${label}: the oracle expected an error`);
  assert.equal(vec.length, expected.length, label);
  assert.ok(A.util.compareTypes(vec.type, r.type), `${label}: vector type ${vec.type} vs resolved ${r.type}`);
  const got = readBack(vec);
  const want = expected.map((v) => normal(v as OValue, r.type));
  for (let i = 0; i < got.length; i++) {
    assert.ok(sameValue(got[i]!, want[i]!), `${label}: row ${i}: got ${String(got[i])}, oracle ${String(want[i])}`);
  }
  if (r.type.typeId === A.Type.Bool || r.type.typeId === A.Type.Null) {
    const idx = [...filterIndices(r, input)];
    assert.deepEqual(idx, want.flatMap((v, i) => (v === true ? [i] : [])), `${label}: filterIndices`);
  }
}

/** Resolves, or undefined for expressions the resolver rejects (ill-typed random trees, constant overflow). */
function tryResolve(e: Expr): Resolved | undefined {
  try {
    return resolveExpr(e, SCHEMA);
  } catch (err) {
    if (isTesseraError(err, "INVALID_ARGUMENT") || isTesseraError(err, "NOT_SUPPORTED")) return undefined;
    throw err;
  }
}

const stats = { resolved: 0, rejected: 0 };

function property(rows: Row[], e: Expr, sliceAt: number, sliceLen: number, cuts: number[]): void {
  const r = tryResolve(e);
  if (r === undefined) {
    stats.rejected++;
    return;
  }
  stats.resolved++;
  const label = formatExpr(e);
  const want = oracle(e, SCHEMA, rows);
  const batch = toBatch(rows);
  check(r, batch, want, `${label} [batch]`);
  // A sliced batch: Data.offset is not 0, validity bitmaps start mid-byte.
  const start = Math.min(sliceAt, rows.length);
  const len = Math.min(sliceLen, rows.length - start);
  check(r, batch.slice(start, start + len), want.slice(start, start + len), `${label} [slice ${start}+${len}]`);
  // A table of several batches: every column arrives in chunks.
  const batches: A.RecordBatch[] = [];
  let at = 0;
  for (const c of cuts) {
    if (at >= rows.length) break;
    batches.push(toBatch(rows.slice(at, at + c)));
    at += c;
  }
  if (at < rows.length) batches.push(toBatch(rows.slice(at)));
  if (batches.length > 1) check(r, new A.Table(batches), want, `${label} [chunks]`);
}

const cutsArb = fc.array(fc.integer({ min: 1, max: 15 }), { maxLength: 4 });

describe("evaluate agrees with the row-wise oracle", () => {
  it("on random predicates", () => {
    fc.assert(
      fc.property(arbRows(), boolExpr(2), fc.nat(40), fc.nat(40), cutsArb, property),
      { seed: Number(process.env.SEED ?? 20240611), numRuns: Number(process.env.RUNS ?? 600) },
    );
  });

  it("on random expressions of every type", () => {
    fc.assert(
      fc.property(arbRows(), anyExpr(3), fc.nat(40), fc.nat(40), cutsArb, property),
      { seed: Number(process.env.SEED ?? 7), numRuns: Number(process.env.RUNS ?? 600) },
    );
  });

  it("resolved most of the random expressions (the properties above were not vacuous)", () => {
    assert.ok(stats.resolved > stats.rejected, `resolved ${stats.resolved}, rejected ${stats.rejected}`);
  });
});
