// `x [NOT] IN (v1, v2, ...)`: the list becomes a set in the column's own representation once (numbers, bigints,
// or encoded strings), then each row is one lookup. As in SQL, a miss against a list holding NULL is NULL.

import * as A from "apache-arrow";
import { broadcast, column, decoder, encoder, scalar, stringBytes, valueAt, type Col, type Operand, type ScalarValue, type Values } from "./columnar.js";
import { compareBytes } from "./strings.js";

type Value = Exclude<ScalarValue, null>;

/** Past this many strings, rows are decoded and looked up in a Set instead of compared byte-wise in turn. */
const STRING_SET_MIN = 16;

/** Per-row membership (1/0) of a column's values in `list`. */
function found(c: Col, list: readonly Value[]): Uint8Array {
  const v = c.values;
  const out = new Uint8Array(c.length);
  if (v.kind === "num" || v.kind === "bool") {
    const set = new Set<number>();
    for (const x of list) {
      if (typeof x === "number" || typeof x === "boolean") set.add(Number(x));
      else if (typeof x === "bigint" && BigInt(Number(x)) === x) set.add(Number(x));
    }
    const d = v.data;
    for (let i = 0; i < out.length; i++) out[i] = set.has(d[i]!) ? 1 : 0;
  } else if (v.kind === "big") {
    const set = new Set<bigint>();
    for (const x of list) {
      if (typeof x === "bigint") set.add(x);
      else if (typeof x === "number" && Number.isInteger(x)) set.add(BigInt(x));
    }
    const d = v.data;
    for (let i = 0; i < out.length; i++) out[i] = set.has(d[i]!) ? 1 : 0;
  } else if (v.kind === "str") {
    foundStrings(v, list.filter((x): x is string => typeof x === "string"), out);
  }
  return out;
}

function foundStrings(v: Extract<Values, { kind: "str" }>, list: string[], out: Uint8Array): void {
  if (list.length >= STRING_SET_MIN) {
    const set = new Set(list);
    for (let i = 0; i < out.length; i++) out[i] = set.has(decoder.decode(stringBytes(v, i))) ? 1 : 0;
    return;
  }
  const wanted = list.map((s) => encoder.encode(s));
  for (let i = 0; i < out.length; i++) {
    const [s, e] = [v.offsets[i]!, v.offsets[i + 1]!];
    out[i] = wanted.some((w) => w.length === e - s && compareBytes(v.bytes, s, e, w, 0, w.length) === 0) ? 1 : 0;
  }
}

/** `operand [NOT] IN list` over `n` rows. */
export function inList(a: Operand, list: readonly Value[], hasNull: boolean, negated: boolean, n: number): Operand {
  const type = new A.Bool();
  if (a.kind === "scalar") {
    if (a.value === null) return scalar(type, null);
    const r = inList(broadcast(a, 1), list, hasNull, negated, 1) as Col;
    return scalar(type, valueAt(r, 0));
  }
  const hit = found(a, list);
  let valid = a.valid;
  if (hasNull) {
    // A row that matched nothing is NULL: it might have matched the NULL.
    valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) valid[i] = (a.valid === undefined ? 1 : a.valid[i]!) & hit[i]!;
  }
  if (negated) for (let i = 0; i < n; i++) hit[i] = 1 - hit[i]!;
  return column(type, n, { kind: "bool", data: hit }, valid);
}
