// The `str` namespace: string functions over utf8 columns. Lengths, slices, strips and literal search, split and
// replace walk the UTF-8 bytes; only case mapping and regular expressions see decoded text.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import type { Col } from "../../../format/expr/columnar.js";
import { indexOfBytes } from "../../../format/expr/like.js";
import { changeCase, charLength, stringTest, type StringTest } from "../../../format/expr/strings.js";
import { registerFunctions, type ArgInfo, type ArgValue, type ScalarFunction } from "./registry.js";
import {
  defineFunction,
  intArg,
  intAt,
  intParam,
  literalOf,
  nullVector,
  STRING,
  strArg,
  strCol,
  stringParam,
  StrRows,
  strRange,
  toVector,
  listVector,
  Utf8Builder,
  type StrArg,
  type StrValues,
} from "./vectors.js";

/** Options of `str.replace`. */
export interface ReplaceOptions {
  /** `pattern` is a regular expression (JS syntax, `u` flag; `$1` in the replacement names a group). Default false. */
  regex?: boolean;
  /** Replace every match, not only the first. Default true. */
  all?: boolean;
  /** Case-insensitive regular expression. Default false. */
  ignoreCase?: boolean;
}

/** Options of `str.match` and `str.extract`. */
export interface RegexOptions {
  /** Case-insensitive matching. Default false. */
  ignoreCase?: boolean;
}

/** Options of `str.strip`, `str.lstrip` and `str.rstrip`. */
export interface StripOptions {
  /** The characters to remove. Default: Unicode whitespace (what String.prototype.trim removes). */
  chars?: string;
}

type StrCol = Col & { readonly values: StrValues };

const UTF8 = (): A.DataType => new A.Utf8();
const BOOL = (): A.DataType => new A.Bool();
const LIST_OF_UTF8 = (): A.DataType => new A.List(new A.Field("item", new A.Utf8(), true));

const isValid = (valid: Uint8Array | undefined, i: number): boolean => valid === undefined || valid[i] === 1;

/** Bytes in the UTF-8 sequence that starts with `lead`. */
const seqLength = (lead: number): number => (lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4);

/** The code point whose sequence starts at `k`. */
function codePointAt(b: Uint8Array, k: number): number {
  const c = b[k]!;
  if (c < 0x80) return c;
  if (c < 0xe0) return ((c & 0x1f) << 6) | (b[k + 1]! & 0x3f);
  if (c < 0xf0) return ((c & 0x0f) << 12) | ((b[k + 1]! & 0x3f) << 6) | (b[k + 2]! & 0x3f);
  return ((c & 0x07) << 18) | ((b[k + 1]! & 0x3f) << 12) | ((b[k + 2]! & 0x3f) << 6) | (b[k + 3]! & 0x3f);
}

/** Start of the character that ends at `end`. */
function charStartBefore(b: Uint8Array, end: number): number {
  let j = end - 1;
  while ((b[j]! & 0xc0) === 0x80) j--;
  return j;
}

/** A function of one string column whose result the kernel computes from its working form. */
function unary(name: string, type: () => A.DataType, kernel: (c: StrCol) => Col): ScalarFunction {
  return defineFunction(name, [STRING], type, ([s], _o, { rows }) => toVector(kernel(strCol(s!, rows))));
}

function testFn(name: string, test: StringTest, role: string): ScalarFunction {
  return defineFunction(name, [STRING, stringParam(role)], BOOL, ([s, p], _o, { rows }) => {
    const hay = strCol(s!, rows);
    const needle = strArg(p!, rows);
    if (needle.kind === "col") return toVector(stringTest(test, hay, needle.col));
    return needle.text === null ? nullVector(new A.Bool(), rows) : toVector(stringTest(test, hay, needle.bytes));
  });
}

// ---- split ----

function split(args: readonly ArgValue[], type: A.DataType, rows: number): A.Vector {
  const c = strCol(args[0]!, rows);
  const sep = strArg(args[1]!, rows);
  const { bytes, offsets: o } = c.values;
  const out = new Utf8Builder(rows, o[rows]! - o[0]!);
  const offsets = new Int32Array(rows + 1);
  const valid = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const s = isValid(c.valid, i) ? strRange(sep, i) : undefined;
    if (s !== undefined) {
      valid[i] = 1;
      splitRow(bytes, o[i]!, o[i + 1]!, s, out);
    }
    offsets[i + 1] = out.length;
  }
  return listVector(type as A.List, offsets, out.finish(), valid);
}

/** Pieces of one row; an empty separator splits into characters (so "" gives no pieces). */
function splitRow(b: Uint8Array, start: number, end: number, sep: Uint8Array, out: Utf8Builder): void {
  if (sep.length === 0) {
    for (let k = start; k < end; k += seqLength(b[k]!)) {
      out.append(b, k, k + seqLength(b[k]!));
      out.end();
    }
    return;
  }
  for (let k = start; ; ) {
    const at = indexOfBytes(b, k, end, sep);
    out.append(b, k, at < 0 ? end : at);
    out.end();
    if (at < 0) return;
    k = at + sep.length;
  }
}

// ---- regular expressions ----

/** Compiles patterns once each: a constant pattern once per batch, a column of patterns once per distinct value. */
class Regexes {
  private readonly cache = new Map<string, RegExp>();

  constructor(
    private readonly fn: string,
    private readonly flags: string,
  ) {}

  get(source: string): RegExp {
    let re = this.cache.get(source);
    if (re === undefined) {
      re = compileRegex(this.fn, source, this.flags);
      // Bounded: a column of distinct patterns must not grow the cache without limit.
      if (this.cache.size >= 1024) this.cache.clear();
      this.cache.set(source, re);
    }
    return re;
  }
}

function compileRegex(fn: string, source: string, flags: string): RegExp {
  try {
    return new RegExp(source, `u${flags}`);
  } catch (e) {
    throw new InvalidArgumentError(
      `${fn} got an invalid regular expression ${JSON.stringify(source)} (${(e as Error).message}); ` +
        `patterns use JavaScript syntax with the u flag`,
      { cause: e },
    );
  }
}

/** Capture groups of a compiled pattern (an empty alternative always matches, exposing every group). */
function groupCount(re: RegExp): number {
  return new RegExp(`${re.source}|`, re.flags).exec("")!.length - 1;
}

/** A string argument's JS text by row: constants as they are, columns decoded once. */
function texts(a: StrArg, rows: number): (i: number) => string | null {
  if (a.kind === "const") return () => a.text;
  const r = new StrRows(a.col.values, rows);
  const valid = a.col.valid;
  return (i) => (isValid(valid, i) ? r.at(i) : null);
}

/** Checks a literal pattern when the plan is built, so a bad one fails before any data is read. */
function checkLiteralRegex(fn: string, a: ArgInfo | undefined, flags = ""): RegExp | undefined {
  const v = literalOf(a);
  return typeof v === "string" ? compileRegex(fn, v, flags) : undefined;
}

const caseFlag = (o: RegexOptions): string => (o.ignoreCase === true ? "i" : "");

const match = defineFunction<RegexOptions>(
  "str.match",
  [STRING, stringParam("regular expression")],
  (args, o) => (checkLiteralRegex("str.match", args[1], caseFlag(o)), new A.Bool()),
  ([s, p], o, { rows }) => {
    const c = strCol(s!, rows);
    const text = new StrRows(c.values, rows);
    const pattern = texts(strArg(p!, rows), rows);
    const regexes = new Regexes("str.match", caseFlag(o));
    const out = new Uint8Array(rows);
    const valid = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const src = isValid(c.valid, i) ? pattern(i) : null;
      if (src === null) continue;
      valid[i] = 1;
      out[i] = regexes.get(src).test(text.at(i)) ? 1 : 0;
    }
    return toVector({ kind: "col", type: new A.Bool(), length: rows, values: { kind: "bool", data: out }, valid });
  },
);

const extract = defineFunction<RegexOptions>(
  "str.extract",
  [STRING, stringParam("regular expression"), intParam("group", true)],
  (args, o) => {
    const re = checkLiteralRegex("str.extract", args[1], caseFlag(o));
    const group = literalOf(args[2]);
    if (re !== undefined && (typeof group === "number" || typeof group === "bigint")) {
      const g = Number(group);
      if (!(g >= 0 && g <= groupCount(re))) {
        throw new InvalidArgumentError(
          `str.extract: group ${g} does not exist; /${re.source}/ has ${groupCount(re)} groups`,
        );
      }
    }
    return new A.Utf8();
  },
  ([s, p, g], o, { rows }) => {
    const c = strCol(s!, rows);
    const text = new StrRows(c.values, rows);
    const pattern = texts(strArg(p!, rows), rows);
    const group = g === undefined ? ({ kind: "const", value: 0 } as const) : intArg(g, rows);
    const regexes = new Regexes("str.extract", caseFlag(o));
    const out = new Utf8Builder(rows);
    for (let i = 0; i < rows; i++) {
      const src = isValid(c.valid, i) ? pattern(i) : null;
      const k = intAt(group, i);
      const m = src === null || k === null ? null : regexes.get(src).exec(text.at(i));
      const hit = m?.[k!];
      if (hit === undefined) out.endNull();
      else (out.appendText(hit), out.end());
    }
    return A.makeVector(out.finish());
  },
);

// ---- replace ----

const replace = defineFunction<ReplaceOptions>(
  "str.replace",
  [STRING, stringParam("pattern"), stringParam("replacement")],
  (args, o) => (o.regex === true && checkLiteralRegex("str.replace", args[1], caseFlag(o)), new A.Utf8()),
  ([s, p, r], o, { rows }) => {
    const c = strCol(s!, rows);
    const [pat, rep] = [strArg(p!, rows), strArg(r!, rows)];
    const all = o.all !== false;
    return A.makeVector(o.regex === true ? replaceRegex(c, pat, rep, all, caseFlag(o)) : replaceText(c, pat, rep, all));
  },
);

/** Plain-text replace on the bytes: an empty pattern matches before every character and at the end. */
function replaceText(c: StrCol, pat: StrArg, rep: StrArg, all: boolean): A.Data {
  const { bytes: b, offsets: o } = c.values;
  const rows = c.length;
  const out = new Utf8Builder(rows, o[rows]! - o[0]!);
  for (let i = 0; i < rows; i++) {
    const p = isValid(c.valid, i) ? strRange(pat, i) : undefined;
    const r = p === undefined ? undefined : strRange(rep, i);
    if (r === undefined) {
      out.endNull();
      continue;
    }
    const end = o[i + 1]!;
    let k = o[i]!;
    if (p!.length === 0) {
      out.append(r);
      for (; all && k < end; k += seqLength(b[k]!)) (out.append(b, k, k + seqLength(b[k]!)), out.append(r));
    } else {
      for (let at = indexOfBytes(b, k, end, p!); at >= 0; at = all ? indexOfBytes(b, k, end, p!) : -1) {
        out.append(b, k, at);
        out.append(r);
        k = at + p!.length;
      }
    }
    out.append(b, k, end);
    out.end();
  }
  return out.finish();
}

function replaceRegex(c: StrCol, pat: StrArg, rep: StrArg, all: boolean, flags: string): A.Data {
  const rows = c.length;
  const text = new StrRows(c.values, rows);
  const pattern = texts(pat, rows);
  const replacement = texts(rep, rows);
  const regexes = new Regexes("str.replace", all ? `g${flags}` : flags);
  const out = new Utf8Builder(rows);
  for (let i = 0; i < rows; i++) {
    const src = isValid(c.valid, i) ? pattern(i) : null;
    const r = src === null ? null : replacement(i);
    if (r === null) out.endNull();
    else (out.appendText(text.at(i).replace(regexes.get(src!), r)), out.end());
  }
  return out.finish();
}

// ---- strip ----

/** The characters String.prototype.trim removes (WhiteSpace and LineTerminator). */
function isSpace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return (
    cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 ||
    cp === 0x202f || cp === 0x205f || cp === 0x3000 || cp === 0xfeff
  );
}

function stripFn(name: string, left: boolean, right: boolean): ScalarFunction<StripOptions> {
  return defineFunction<StripOptions>(
    name,
    [STRING],
    (_args, o) => {
      if (o.chars !== undefined && typeof o.chars !== "string") {
        throw new InvalidArgumentError(`${name}: option chars must be a string, got ${typeof o.chars}`);
      }
      return new A.Utf8();
    },
    ([s], o, { rows }) => {
      const c = strCol(s!, rows);
      const { bytes: b, offsets: off } = c.values;
      const set = o.chars === undefined ? undefined : new Set(Array.from(o.chars, (ch) => ch.codePointAt(0)!));
      const strip = set === undefined ? isSpace : (cp: number) => set.has(cp);
      const out = new Utf8Builder(rows, off[rows]! - off[0]!);
      for (let i = 0; i < rows; i++) {
        if (!isValid(c.valid, i)) {
          out.endNull();
          continue;
        }
        let start = off[i]!;
        let end = off[i + 1]!;
        while (left && start < end && strip(codePointAt(b, start))) start += seqLength(b[start]!);
        while (right && end > start && strip(codePointAt(b, charStartBefore(b, end)))) end = charStartBefore(b, end);
        out.append(b, start, end);
        out.end();
      }
      return A.makeVector(out.finish());
    },
  );
}

// ---- slice ----

/**
 * Characters [start, start + length) of each row, the window clamped to the string: a negative start counts from
 * the end, no length argument means to the end, a length ≤ 0 gives "". So "abc" sliced (-5, 3) is "a", as in Polars.
 */
const slice = defineFunction(
  "str.slice",
  [STRING, intParam("start"), intParam("length", true)],
  UTF8,
  ([s, st, len], _o, { rows }) => {
    const c = strCol(s!, rows);
    const { bytes: b, offsets: off } = c.values;
    const starts = intArg(st, rows);
    // Without a length argument the slice runs to the end; a null length (a value, not an absence) gives null.
    const lengths = len === undefined ? undefined : intArg(len, rows);
    const out = new Utf8Builder(rows, off[rows]! - off[0]!);
    for (let i = 0; i < rows; i++) {
      const from = intAt(starts, i);
      const length = lengths === undefined ? Infinity : intAt(lengths, i);
      if (!isValid(c.valid, i) || from === null || length === null) {
        out.endNull();
        continue;
      }
      const rowStart = off[i]!;
      const rowEnd = off[i + 1]!;
      const n = countChars(b, rowStart, rowEnd);
      const first = from < 0 ? n + from : from;
      const lo = Math.min(Math.max(first, 0), n);
      const hi = Math.min(Math.max(first + Math.max(length, 0), 0), n);
      if (hi > lo) {
        const at = n === rowEnd - rowStart ? rowStart + lo : byteOfChar(b, rowStart, lo);
        out.append(b, at, n === rowEnd - rowStart ? rowStart + hi : byteOfChar(b, at, hi - lo));
      }
      out.end();
    }
    return A.makeVector(out.finish());
  },
);

function countChars(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let k = start; k < end; k++) n += (b[k]! & 0xc0) === 0x80 ? 0 : 1;
  return n;
}

/** Byte offset `chars` characters after `k`. */
function byteOfChar(b: Uint8Array, k: number, chars: number): number {
  for (let c = 0; c < chars; c++) k += seqLength(b[k]!);
  return k;
}

// ---- concat ----

/** The first string followed by the others; null when any is null. */
const concat = defineFunction(
  "str.concat",
  [STRING, { ...stringParam("to append"), variadic: true }],
  UTF8,
  (args, _o, { rows }) => {
    const c = strCol(args[0]!, rows);
    const rest = args.slice(1).map((a) => strArg(a, rows));
    const { bytes: b, offsets: o } = c.values;
    const out = new Utf8Builder(rows, (o[rows]! - o[0]!) * args.length);
    for (let i = 0; i < rows; i++) {
      let ok = isValid(c.valid, i);
      if (ok) out.append(b, o[i]!, o[i + 1]!);
      for (let j = 0; ok && j < rest.length; j++) {
        const r = strRange(rest[j]!, i);
        if (r === undefined) ok = false;
        else out.append(r);
      }
      if (ok) out.end();
      else out.endNull();
    }
    return A.makeVector(out.finish());
  },
);

const FUNCTIONS: ScalarFunction<never>[] = [
  unary("str.length", () => new A.Int32(), charLength),
  unary("str.lower", UTF8, (c) => changeCase(c, false)),
  unary("str.upper", UTF8, (c) => changeCase(c, true)),
  testFn("str.contains", "contains", "pattern"),
  testFn("str.startsWith", "starts_with", "prefix"),
  testFn("str.endsWith", "ends_with", "suffix"),
  defineFunction("str.split", [STRING, stringParam("separator")], LIST_OF_UTF8, (args, _o, info) => split(args, info.type, info.rows)),
  replace,
  match,
  extract,
  stripFn("str.strip", true, true),
  stripFn("str.lstrip", true, false),
  stripFn("str.rstrip", false, true),
  slice,
  concat,
];

/** Names of the `str` functions, for docs and error hints. */
export const STR_FUNCTIONS: readonly string[] = Object.freeze(FUNCTIONS.map((f) => f.name));

registerFunctions(...FUNCTIONS);
