// The str functions agree with plain-JS oracles over random strings (non-ASCII, astral, empty, null), with the
// second argument a constant or a column, on plain, sliced and chunked vectors; wrong types fail at plan time.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { isTesseraError } from "../../../../format/errors.js";
import { getFunction, ScalarArg, type ArgValue } from "../../../../src/expr/functions/registry.js";
import { STR_FUNCTIONS } from "../../../../src/expr/functions/str.js";

const SEED = Number(process.env.SEED ?? 20240917);
const RUNS = Number(process.env.RUNS ?? 150);
const opts = { seed: SEED, numRuns: RUNS };

const UTF8 = new A.Utf8();
// Integer literals come as int64 (as the compiler types them); integer columns here are int32.
const INT = new A.Int64();
const I32 = new A.Int32();

// ---- calling functions as the compiler does ----

function argInfo(a: ArgValue) {
  return a instanceof ScalarArg ? { type: a.type, nullable: a.value === null, literal: { value: a.value } } : { type: a.type, nullable: true };
}

/** Runs `name` over `args` and reads the rows back as JS values (lists as arrays). */
function call(name: string, args: ArgValue[], options: Record<string, unknown> = {}): unknown[] {
  const f = getFunction(name);
  const type = f.returnType(args.map(argInfo), options);
  const rows = args.find((a): a is A.Vector => !(a instanceof ScalarArg))?.length ?? 3;
  const out = f.evaluate(args, options, { rows, type }) as A.Vector;
  assert.equal(out.length, rows);
  assert.ok(A.util.compareTypes(out.type, type), `${name}: result ${out.type} vs declared ${type}`);
  return toJS(out);
}

function toJS(v: A.Vector): unknown[] {
  return Array.from({ length: v.length }, (_, i) => {
    if (!v.isValid(i)) return null;
    const x = v.get(i) as unknown;
    return x instanceof A.Vector ? toJS(x) : x;
  });
}

/** A vector of `values` laid out as asked: one chunk, a slice out of a longer vector, or two chunks. */
function vec(values: readonly unknown[], type: A.DataType, shape: Shape, pad: unknown = "PAD"): A.Vector {
  if (shape === "sliced") return A.vectorFromArray([pad, ...values, pad], type).slice(1, values.length + 1);
  if (shape === "chunked") {
    const k = values.length >> 1;
    return A.vectorFromArray(values.slice(0, k), type).concat(A.vectorFromArray(values.slice(k), type));
  }
  return A.vectorFromArray(values as unknown[], type);
}

type Shape = "plain" | "sliced" | "chunked";
const shape = fc.constantFrom<Shape>("plain", "sliced", "chunked");

// ---- random strings ----

/** Case mapping, multi-byte, astral (code point vs UTF-16 order), whitespace of several kinds, regex syntax. */
const CHARS = ["a", "b", "A", "é", "É", "ß", " ", "\t", "\u00a0", "\u3000", ",", ".", "*", "$", "\uE000", "😀", "\u{10000}"];
const text = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 8 });
const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq: 5 });
const texts = fc.array(nullable(text), { maxLength: 12 });
const needle = fc.string({ unit: fc.constantFrom("a", "é", ",", " ", "😀", "b"), maxLength: 2 });

/** A second argument: one constant, or a column of the same length. */
type Arg<T> = { kind: "const"; value: T | null } | { kind: "col"; values: (T | null)[] };

function argOf<T>(a: fc.Arbitrary<T>, n: number): fc.Arbitrary<Arg<T>> {
  return fc.oneof(
    { weight: 3, arbitrary: a.map((value) => ({ kind: "const", value }) as Arg<T>) },
    { weight: 1, arbitrary: fc.constant({ kind: "const", value: null } as Arg<T>) },
    { weight: 3, arbitrary: fc.array(nullable(a), { minLength: n, maxLength: n }).map((values) => ({ kind: "col", values }) as Arg<T>) },
  );
}

const argAt = <T>(a: Arg<T>, i: number): T | null => (a.kind === "const" ? a.value : a.values[i]!);
const argValue = <T>(a: Arg<T>, type: A.DataType): ArgValue =>
  a.kind === "const" ? new ScalarArg(a.value, type) : A.vectorFromArray(a.values, type === INT ? I32 : type);

/** Strings, a second argument over them, and a layout. */
function withArg<T>(a: fc.Arbitrary<T>) {
  return texts.chain((values) => fc.tuple(fc.constant(values), argOf(a, values.length), shape));
}

/** Strings, two further arguments over them, and a layout. */
function withArgs<T, U>(a: fc.Arbitrary<T>, b: fc.Arbitrary<U>) {
  return texts.chain((values) => fc.tuple(fc.constant(values), argOf(a, values.length), argOf(b, values.length), shape));
}

// ---- oracles ----

const cps = (s: string): string[] => [...s];

function sliceOracle(s: string, start: number, length: number | undefined): string {
  const c = cps(s);
  const first = start < 0 ? c.length + start : start;
  const clamp = (k: number) => Math.min(Math.max(k, 0), c.length);
  const lo = clamp(first);
  const hi = length === undefined ? c.length : clamp(first + Math.max(length, 0));
  return hi > lo ? c.slice(lo, hi).join("") : "";
}

function replaceOracle(s: string, p: string, r: string, all: boolean): string {
  if (p === "") return all ? r + cps(s).map((c) => c + r).join("") : r + s;
  if (all) return s.split(p).join(r);
  const i = s.indexOf(p);
  return i < 0 ? s : s.slice(0, i) + r + s.slice(i + p.length);
}

function stripOracle(s: string, chars: string, left: boolean, right: boolean): string {
  const set = new Set(cps(chars));
  const c = cps(s);
  let lo = 0;
  let hi = c.length;
  while (left && lo < hi && set.has(c[lo]!)) lo++;
  while (right && hi > lo && set.has(c[hi - 1]!)) hi--;
  return c.slice(lo, hi).join("");
}

const REGEXES = ["a+", "(é|b)", "\\s+", "^.", ".$", "(?<up>[A-ZÉ])(.)?", "", "😀", "[^a]", "\\p{L}{2}"];
const REPLACEMENTS = ["", "-", "<$1>", "$&$&", "$$", "😀"];

// ---- tests ----

describe("str functions: one string argument", () => {
  const cases: [string, (s: string) => unknown, Record<string, unknown>?][] = [
    ["str.length", (s) => cps(s).length],
    ["str.lower", (s) => s.toLowerCase()],
    ["str.upper", (s) => s.toUpperCase()],
    ["str.strip", (s) => s.trim()],
    ["str.lstrip", (s) => s.trimStart()],
    ["str.rstrip", (s) => s.trimEnd()],
    ["str.strip", (s) => stripOracle(s, "a😀 ", true, true), { chars: "a😀 " }],
    ["str.lstrip", (s) => stripOracle(s, "é,", true, false), { chars: "é," }],
    ["str.rstrip", (s) => stripOracle(s, "\u{10000}b", false, true), { chars: "\u{10000}b" }],
  ];
  for (const [name, oracle, options] of cases) {
    it(`${name}${options ? ` ${JSON.stringify(options)}` : ""} matches the oracle`, () => {
      fc.assert(
        fc.property(texts, shape, (values, sh) => {
          const got = call(name, [vec(values, UTF8, sh)], options);
          assert.deepEqual(got, values.map((s) => (s === null ? null : oracle(s))));
        }),
        opts,
      );
    });
  }

  it("str.length counts code points, not UTF-16 units or bytes", () => {
    assert.deepEqual(call("str.length", [vec(["😀é", "", "abc"], UTF8, "plain")]), [2, 0, 3]);
  });
});

describe("str functions: a pattern argument (constant or column)", () => {
  const tests: [string, (s: string, p: string) => unknown][] = [
    ["str.contains", (s, p) => s.includes(p)],
    ["str.startsWith", (s, p) => s.startsWith(p)],
    ["str.endsWith", (s, p) => s.endsWith(p)],
    ["str.split", (s, p) => (p === "" ? cps(s) : s.split(p))],
  ];
  for (const [name, oracle] of tests) {
    it(`${name} matches the oracle`, () => {
      fc.assert(
        fc.property(withArg(needle), ([values, p, sh]) => {
          const got = call(name, [vec(values, UTF8, sh), argValue(p, UTF8)]);
          const want = values.map((s, i) => {
            const pi = argAt(p, i);
            return s === null || pi === null ? null : oracle(s, pi);
          });
          assert.deepEqual(got, want);
        }),
        opts,
      );
    });
  }

  for (const all of [true, false]) {
    it(`str.replace (plain text, all: ${all}) matches the oracle`, () => {
      const reps = fc.constantFrom("", "-", "$&", "😀é");
      fc.assert(
        fc.property(withArgs(needle, reps), ([values, p, r, sh]) => {
          const got = call("str.replace", [vec(values, UTF8, sh), argValue(p, UTF8), argValue(r, UTF8)], { all });
          const want = values.map((s, i) => {
            const [pi, ri] = [argAt(p, i), argAt(r, i)];
            return s === null || pi === null || ri === null ? null : replaceOracle(s, pi, ri, all);
          });
          assert.deepEqual(got, want);
        }),
        opts,
      );
    });

    it(`str.replace (regex, all: ${all}) matches String.prototype.replace`, () => {
      fc.assert(
        fc.property(withArgs(fc.constantFrom(...REGEXES), fc.constantFrom(...REPLACEMENTS)), ([values, p, r, sh]) => {
          const got = call("str.replace", [vec(values, UTF8, sh), argValue(p, UTF8), argValue(r, UTF8)], { regex: true, all });
          const want = values.map((s, i) => {
            const [pi, ri] = [argAt(p, i), argAt(r, i)];
            return s === null || pi === null || ri === null ? null : s.replace(new RegExp(pi, all ? "gu" : "u"), ri);
          });
          assert.deepEqual(got, want);
        }),
        opts,
      );
    });
  }

  it("str.match finds the regex anywhere in the value", () => {
    fc.assert(
      fc.property(withArg(fc.constantFrom(...REGEXES)), fc.boolean(), ([values, p, sh], ignoreCase) => {
        const got = call("str.match", [vec(values, UTF8, sh), argValue(p, UTF8)], { ignoreCase });
        const want = values.map((s, i) => {
          const pi = argAt(p, i);
          return s === null || pi === null ? null : new RegExp(pi, ignoreCase ? "ui" : "u").test(s);
        });
        assert.deepEqual(got, want);
      }),
      opts,
    );
  });

  it("str.extract returns the group's text, null without a match", () => {
    const groups = fc.integer({ min: -1, max: 3 });
    fc.assert(
      fc.property(withArgs(fc.constantFrom("(é|b)", "(?<up>[A-ZÉ])(.)?", "a+", "😀(.)"), groups), ([values, p, g, sh]) => {
        // A literal group that the literal regex lacks is refused when the plan is built (tested below).
        const gArg = g.kind === "const" && p.kind === "const" && g.value !== null ? ({ kind: "col", values: values.map(() => g.value) } as Arg<number>) : g;
        const got = call("str.extract", [vec(values, UTF8, sh), argValue(p, UTF8), argValue(gArg, INT)]);
        const want = values.map((s, i) => {
          const [pi, gi] = [argAt(p, i), argAt(gArg, i)];
          if (s === null || pi === null || gi === null) return null;
          return new RegExp(pi, "u").exec(s)?.[gi] ?? null;
        });
        assert.deepEqual(got, want);
      }),
      opts,
    );
  });

  it("str.extract defaults to the whole match", () => {
    assert.deepEqual(call("str.extract", [vec(["xaay", "y", null], UTF8, "plain"), new ScalarArg("a+", UTF8)]), ["aa", null, null]);
  });
});

describe("str.slice and str.concat", () => {
  const starts = fc.integer({ min: -10, max: 10 });
  it("str.slice(start, length) takes a clamped window of code points", () => {
    fc.assert(
      fc.property(withArgs(starts, starts), fc.boolean(), ([values, st, len, sh], withLength) => {
        const args = [vec(values, UTF8, sh), argValue(st, INT), ...(withLength ? [argValue(len, INT)] : [])];
        const want = values.map((s, i) => {
          const [si, li] = [argAt(st, i), withLength ? argAt(len, i) : undefined];
          return s === null || si === null || li === null ? null : sliceOracle(s, si, li);
        });
        assert.deepEqual(call("str.slice", args), want);
      }),
      opts,
    );
  });

  it("str.slice examples", () => {
    const v = vec(["héllo😀", "ab", ""], UTF8, "plain");
    assert.deepEqual(call("str.slice", [v, new ScalarArg(1, INT), new ScalarArg(3, INT)]), ["éll", "b", ""]);
    assert.deepEqual(call("str.slice", [v, new ScalarArg(-2, INT)]), ["o😀", "ab", ""]);
    assert.deepEqual(call("str.slice", [v, new ScalarArg(-7, INT), new ScalarArg(2, INT)]), ["h", "", ""]);
  });

  it("str.concat appends constants and columns; null anywhere gives null", () => {
    fc.assert(
      fc.property(withArgs(text, text), ([values, a, b, sh]) => {
        const got = call("str.concat", [vec(values, UTF8, sh), argValue(a, UTF8), argValue(b, UTF8)]);
        const want = values.map((s, i) => {
          const [ai, bi] = [argAt(a, i), argAt(b, i)];
          return s === null || ai === null || bi === null ? null : s + ai + bi;
        });
        assert.deepEqual(got, want);
      }),
      opts,
    );
  });
});

describe("str functions: constants and nulls", () => {
  it("every argument constant: computed once, repeated for every row", () => {
    const f = getFunction("str.upper");
    const out = f.evaluate([new ScalarArg("é😀a", UTF8)], {}, { rows: 4, type: UTF8 }) as A.Vector;
    assert.deepEqual(toJS(out), ["É😀A", "É😀A", "É😀A", "É😀A"]);
    const c = getFunction("str.contains").evaluate([new ScalarArg("abc", UTF8), new ScalarArg("b", UTF8)], {}, { rows: 2, type: new A.Bool() }) as A.Vector;
    assert.deepEqual(toJS(c), [true, true]);
  });

  it("a constant first argument with a column second argument", () => {
    const got = call("str.startsWith", [new ScalarArg("hello", UTF8), vec(["he", "lo", null, ""], UTF8, "plain")]);
    assert.deepEqual(got, [true, false, null, true]);
  });

  it("a null pattern or a null-typed argument gives null rows", () => {
    const v = vec(["a", "b"], UTF8, "plain");
    assert.deepEqual(call("str.contains", [v, new ScalarArg(null, new A.Null())]), [null, null]);
    assert.deepEqual(call("str.split", [v, new ScalarArg(null, UTF8)]), [null, null]);
    assert.deepEqual(call("str.lower", [A.vectorFromArray([null, null], new A.Null())]), [null, null]);
  });

  it("large_string input gives utf8 results", () => {
    const v = A.vectorFromArray(["aé", null, "😀x"], new A.LargeUtf8());
    assert.deepEqual(call("str.upper", [v]), ["AÉ", null, "😀X"]);
    assert.deepEqual(call("str.slice", [v, new ScalarArg(1, INT)]), ["é", null, "x"]);
  });

  it("dictionary-encoded strings are read as their values", () => {
    const dict = A.vectorFromArray(["x,y", "z", "x,y", null]);
    assert.equal(dict.type.typeId, A.Type.Dictionary);
    assert.deepEqual(call("str.split", [dict, new ScalarArg(",", UTF8)]), [["x", "y"], ["z"], ["x", "y"], null]);
  });
});

describe("str functions: argument checks", () => {
  const expectThrow = (fn: () => unknown, ...parts: string[]) =>
    assert.throws(fn, (e: unknown) => isTesseraError(e, "INVALID_ARGUMENT") && parts.every((p) => (e as Error).message.includes(p)));
  const i32 = A.vectorFromArray([1, 2], new A.Int32());
  const s = vec(["a", "b"], UTF8, "plain");

  it("registers every str function", () => {
    assert.deepEqual([...STR_FUNCTIONS].sort(), [
      "str.concat", "str.contains", "str.endsWith", "str.extract", "str.length", "str.lower", "str.lstrip", "str.match",
      "str.replace", "str.rstrip", "str.slice", "str.split", "str.startsWith", "str.strip", "str.upper",
    ]);
  });

  for (const name of STR_FUNCTIONS) {
    it(`${name} names itself and the type when the string argument is not a string`, () => {
      const more: ArgValue[] =
        name === "str.slice" ? [new ScalarArg(0, INT)]
        : name === "str.replace" ? [new ScalarArg("a", UTF8), new ScalarArg("b", UTF8)]
        : ["str.contains", "str.startsWith", "str.endsWith", "str.split", "str.match", "str.extract", "str.concat"].includes(name) ? [new ScalarArg("a", UTF8)]
        : [];
      expectThrow(() => call(name, [i32, ...more]), name, "int32");
    });
  }

  it("the message says which argument is wrong", () => {
    expectThrow(() => call("str.lower", [i32]), "str.lower expects a string, got int32");
    expectThrow(() => call("str.contains", [s, i32]), "str.contains expects a string pattern, got int32");
    expectThrow(() => call("str.slice", [s, new ScalarArg("1", UTF8)]), "str.slice expects an integer start, got string");
    expectThrow(() => call("str.split", [s, new ScalarArg(1.5, new A.Float64())]), "str.split", "float64");
    expectThrow(() => call("str.lower", [s, s]), "str.lower takes 1 argument, got 2");
    expectThrow(() => call("str.replace", [s, s]), "str.replace takes 3 arguments, got 2");
  });

  it("a bad literal regex fails when the plan is built; a bad one in a column fails when run", () => {
    expectThrow(() => getFunction("str.match").returnType([{ type: UTF8, nullable: true }, { type: UTF8, nullable: false, literal: { value: "(" } }], {}), "str.match", '"("');
    expectThrow(() => call("str.extract", [s, new ScalarArg("(a)", UTF8), new ScalarArg(2, INT)]), "str.extract", "group 2");
    expectThrow(() => call("str.match", [s, vec(["a", "["], UTF8, "plain")]), "str.match", '"["');
    // A pattern is only a regex when asked: "(" is plain text by default.
    assert.deepEqual(call("str.replace", [vec(["f(x)"], UTF8, "plain"), new ScalarArg("(", UTF8), new ScalarArg("[", UTF8)]), ["f[x)"]);
  });

  it("strip's chars option must be a string", () => {
    expectThrow(() => call("str.strip", [s], { chars: 5 }), "str.strip", "chars");
  });
});
