// SQL three-valued logic over boolean operands: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE, NOT NULL is
// NULL; and IS [NOT] NULL, which is never NULL itself. Values under a NULL are ignored, whatever they hold.

import * as A from "apache-arrow";
import { column, scalar, type Col, type Operand } from "./columnar.js";

const BOOL = new A.Bool();

/** Values and validity of a boolean (or all-NULL) column; validity undefined when nothing is NULL. */
function parts(c: Col): { v: Uint8Array; valid: Uint8Array | undefined } {
  if (c.values.kind === "bool") return { v: c.values.data, valid: c.valid };
  return { v: new Uint8Array(c.length), valid: new Uint8Array(c.length) };
}

function boolCol(n: number, v: Uint8Array, valid: Uint8Array | undefined): Col {
  return column(BOOL, n, { kind: "bool", data: v }, valid);
}

/** `a AND b` or `a OR b`. */
export function logic(op: "and" | "or", a: Operand, b: Operand, n: number): Operand {
  // The value that decides the result alone: FALSE for AND, TRUE for OR.
  const decisive = op === "or";
  if (a.kind === "scalar" && b.kind === "scalar") return logicScalars(op, a.value as boolean | null, b.value as boolean | null);
  if (a.kind === "scalar") return logic(op, b, a, n);
  if (b.kind === "scalar") {
    if (b.value === decisive) return scalar(BOOL, decisive);
    if (b.value === !decisive) return a;
    return withNullOperand(a, decisive, n);
  }
  const x = parts(a);
  const y = parts(b);
  const out = new Uint8Array(n);
  if (x.valid === undefined && y.valid === undefined) {
    if (op === "and") for (let i = 0; i < n; i++) out[i] = x.v[i]! & y.v[i]!;
    else for (let i = 0; i < n; i++) out[i] = x.v[i]! | y.v[i]!;
    return boolCol(n, out, undefined);
  }
  const valid = new Uint8Array(n);
  const d = decisive ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const xv = x.valid === undefined ? 1 : x.valid[i]!;
    const yv = y.valid === undefined ? 1 : y.valid[i]!;
    // A side that is valid and equal to the decisive value settles the row.
    const xd = xv & (x.v[i]! === d ? 1 : 0);
    const yd = yv & (y.v[i]! === d ? 1 : 0);
    valid[i] = (xv & yv) | xd | yd;
    out[i] = xd | yd ? d : 1 - d;
  }
  return boolCol(n, out, valid);
}

function logicScalars(op: "and" | "or", a: boolean | null, b: boolean | null): Operand {
  const decisive = op === "or";
  if (a === decisive || b === decisive) return scalar(BOOL, decisive);
  if (a === null || b === null) return scalar(BOOL, null);
  return scalar(BOOL, !decisive);
}

/** `a AND NULL` / `a OR NULL`: rows where `a` is decisive keep it, the rest are NULL. */
function withNullOperand(a: Col, decisive: boolean, n: number): Col {
  const x = parts(a);
  const d = decisive ? 1 : 0;
  const valid = new Uint8Array(n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const hit = (x.valid === undefined || x.valid[i] === 1) && x.v[i] === d;
    valid[i] = hit ? 1 : 0;
    out[i] = d;
  }
  return boolCol(n, out, valid);
}

/** `NOT a`. */
export function not(a: Operand, n: number): Operand {
  if (a.kind === "scalar") return scalar(BOOL, a.value === null ? null : !a.value);
  const x = parts(a);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = 1 - x.v[i]!;
  return boolCol(n, out, x.valid);
}

/** `a IS NULL` (or IS NOT NULL when negated). */
export function isNull(a: Operand, negated: boolean, n: number): Operand {
  if (a.kind === "scalar") return scalar(BOOL, (a.value === null) !== negated);
  if (a.valid === undefined) return scalar(BOOL, negated);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = negated ? a.valid[i]! : 1 - a.valid[i]!;
  return boolCol(n, out, undefined);
}
