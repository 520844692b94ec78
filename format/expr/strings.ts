// String kernels over UTF-8 bytes: LIKE, lower/upper, length, starts_with/ends_with/contains, byte-order
// comparison. Rows are decoded to JS strings only where Unicode case mapping needs it.

import * as A from "apache-arrow";
import { andValid, column, decoder, encoder, stringBytes, type Col, type Values } from "./columnar.js";
import { indexOfBytes, type LikeMatcher } from "./like.js";

type Str = Extract<Values, { kind: "str" }>;

/** Byte-order (= code point order) comparison of two byte ranges: negative, 0 or positive. */
export function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let k = 0; k < n; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

function strValues(c: Col): Str {
  return c.values as Str;
}

/** True when every byte of the column's string data is ASCII. */
function allAscii(v: Str, n: number): boolean {
  const end = v.offsets[n]!;
  for (let i = v.offsets[0]!; i < end; i++) if (v.bytes[i]! >= 0x80) return false;
  return true;
}

/** Builds a utf8 column from per-row byte arrays. */
function fromRows(rows: Uint8Array[], valid: Uint8Array | undefined): Col {
  const offsets = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) offsets[i + 1] = offsets[i]! + rows[i]!.length;
  const bytes = new Uint8Array(offsets[rows.length]!);
  rows.forEach((r, i) => bytes.set(r, offsets[i]!));
  return column(new A.Utf8(), rows.length, { kind: "str", offsets, bytes }, valid);
}

/** lower() or upper(): ASCII data is mapped byte by byte; anything else goes through JS case mapping. */
export function changeCase(c: Col, upper: boolean): Col {
  const v = strValues(c);
  const n = c.length;
  if (allAscii(v, n)) {
    const start = v.offsets[0]!;
    const src = v.bytes.subarray(start, v.offsets[n]!);
    const out = new Uint8Array(src.length);
    const [lo, hi, delta] = upper ? [0x61, 0x7a, -32] : [0x41, 0x5a, 32];
    for (let i = 0; i < src.length; i++) {
      const b = src[i]!;
      out[i] = b >= lo && b <= hi ? b + delta : b;
    }
    const offsets = Int32Array.from(v.offsets, (o) => o - start);
    return column(new A.Utf8(), n, { kind: "str", offsets, bytes: out }, c.valid);
  }
  const rows: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const s = decoder.decode(stringBytes(v, i));
    rows.push(encoder.encode(upper ? s.toUpperCase() : s.toLowerCase()));
  }
  return fromRows(rows, c.valid);
}

/** Lower-cased bytes of one row (for ILIKE), without decoding ASCII. */
function lowerRow(bytes: Uint8Array): Uint8Array {
  let ascii = true;
  for (let i = 0; i < bytes.length && ascii; i++) ascii = bytes[i]! < 0x80;
  if (!ascii) return encoder.encode(decoder.decode(bytes).toLowerCase());
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out[i] = b >= 0x41 && b <= 0x5a ? b + 32 : b;
  }
  return out;
}

/** length(): characters (code points) per row, counted as the bytes that start a UTF-8 sequence. */
export function charLength(c: Col): Col {
  const v = strValues(c);
  const out = new Int32Array(c.length);
  for (let i = 0; i < c.length; i++) {
    let count = 0;
    for (let k = v.offsets[i]!; k < v.offsets[i + 1]!; k++) count += (v.bytes[k]! & 0xc0) === 0x80 ? 0 : 1;
    out[i] = count;
  }
  return column(new A.Int32(), c.length, { kind: "num", data: out }, c.valid);
}

/** [NOT] LIKE / ILIKE over a column: one matcher call per row, rows lower-cased first for ILIKE. */
export function likeColumn(c: Col, matcher: LikeMatcher, caseInsensitive: boolean, negated: boolean): Col {
  const v = strValues(c);
  const out = new Uint8Array(c.length);
  const hit = negated ? 0 : 1;
  for (let i = 0; i < c.length; i++) {
    let m: boolean;
    if (caseInsensitive) {
      const row = lowerRow(stringBytes(v, i));
      m = matcher(row, 0, row.length);
    } else m = matcher(v.bytes, v.offsets[i]!, v.offsets[i + 1]!);
    out[i] = m ? hit : 1 - hit;
  }
  return column(new A.Bool(), c.length, { kind: "bool", data: out }, c.valid);
}

export type StringTest = "starts_with" | "ends_with" | "contains";

function testRange(test: StringTest, s: Uint8Array, ss: number, se: number, t: Uint8Array, ts: number, te: number): boolean {
  const tn = te - ts;
  if (tn > se - ss) return false;
  if (test === "starts_with") return compareBytes(s, ss, ss + tn, t, ts, te) === 0;
  if (test === "ends_with") return compareBytes(s, se - tn, se, t, ts, te) === 0;
  return indexOfBytes(s, ss, se, t.subarray(ts, te)) >= 0;
}

/** starts_with / ends_with / contains of a column against a column or a constant needle. */
export function stringTest(test: StringTest, hay: Col, needle: Col | Uint8Array): Col {
  const h = strValues(hay);
  const out = new Uint8Array(hay.length);
  if (needle instanceof Uint8Array) {
    for (let i = 0; i < hay.length; i++) {
      out[i] = testRange(test, h.bytes, h.offsets[i]!, h.offsets[i + 1]!, needle, 0, needle.length) ? 1 : 0;
    }
    return column(new A.Bool(), hay.length, { kind: "bool", data: out }, hay.valid);
  }
  const t = strValues(needle);
  for (let i = 0; i < hay.length; i++) {
    const hit = testRange(test, h.bytes, h.offsets[i]!, h.offsets[i + 1]!, t.bytes, t.offsets[i]!, t.offsets[i + 1]!);
    out[i] = hit ? 1 : 0;
  }
  return column(new A.Bool(), hay.length, { kind: "bool", data: out }, andValid(hay.valid, needle.valid));
}

/** starts_with / ends_with / contains of a constant haystack against a column of needles. */
export function stringTestConstHay(test: StringTest, hay: Uint8Array, needle: Col): Col {
  const t = strValues(needle);
  const out = new Uint8Array(needle.length);
  for (let i = 0; i < needle.length; i++) {
    out[i] = testRange(test, hay, 0, hay.length, t.bytes, t.offsets[i]!, t.offsets[i + 1]!) ? 1 : 0;
  }
  return column(new A.Bool(), needle.length, { kind: "bool", data: out }, needle.valid);
}
