// The list functions agree with plain-JS oracles over random lists (empty, null, with null items) of ints, int64,
// floats, strings and fixed-size float32 vectors, on plain, sliced and chunked vectors; wrong types fail at plan time.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { isTesseraError } from "../../../../format/errors.js";
import { LIST_FUNCTIONS } from "../../../../src/expr/functions/list.js";
import { getFunction, ScalarArg, type ArgValue } from "../../../../src/expr/functions/registry.js";

const SEED = Number(process.env.SEED ?? 20240918);
const RUNS = Number(process.env.RUNS ?? 150);
const opts = { seed: SEED, numRuns: RUNS };

const UTF8 = new A.Utf8();
const I32 = new A.Int32();
const I64 = new A.Int64();
const F64 = new A.Float64();
const F32 = new A.Float32();

const listOf = (t: A.DataType): A.List => new A.List(new A.Field("item", t, true));
const fixedOf = (n: number, t: A.DataType): A.FixedSizeList => new A.FixedSizeList(n, new A.Field("item", t, true));

// ---- calling functions as the compiler does ----

function argInfo(a: ArgValue) {
  return a instanceof ScalarArg ? { type: a.type, nullable: a.value === null, literal: { value: a.value } } : { type: a.type, nullable: true };
}

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

type Shape = "plain" | "sliced" | "chunked";
const shape = fc.constantFrom<Shape>("plain", "sliced", "chunked");

/** A vector of `values` laid out as asked; a slice is cut from between two `pad` rows. */
function vec(values: readonly unknown[], type: A.DataType, sh: Shape, pad: unknown): A.Vector {
  if (sh === "sliced") return A.vectorFromArray([pad, ...values, pad], type).slice(1, values.length + 1);
  if (sh === "chunked") {
    const k = values.length >> 1;
    return A.vectorFromArray(values.slice(0, k), type).concat(A.vectorFromArray(values.slice(k), type));
  }
  return A.vectorFromArray(values as unknown[], type);
}

// ---- random lists ----

type Item = number | bigint | string;
type List = (Item | null)[] | null;

const nullable = <T>(a: fc.Arbitrary<T>, freq = 5): fc.Arbitrary<T | null> => fc.option(a, { nil: null, freq });

const ints = fc.integer({ min: -1000, max: 1000 });
const int64s = fc.bigInt({ min: -(1n << 40n), max: 1n << 40n });
const floats = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -40, max: 40 }).map((v) => v / 4) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0) },
);
const CHARS = ["a", "b", "é", "\uE000", "😀", ","];
const strs = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 3 });

interface Kind {
  readonly name: string;
  readonly type: A.DataType;
  readonly list: fc.Arbitrary<List>;
  readonly pad: List;
}

function kind(name: string, item: A.DataType, a: fc.Arbitrary<Item>, pad: List): Kind {
  return { name, type: listOf(item), list: nullable(fc.array(nullable(a, 4), { maxLength: 6 })), pad };
}

const INTS = kind("list<int32>", I32, ints, [7, 8]);
const INT64S = kind("list<int64>", I64, int64s, [7n]);
const FLOATS = kind("list<float64>", F64, floats, [1.5]);
const STRS = kind("list<string>", UTF8, strs, ["pad"]);
/** Embedding-like: fixed-size float32 vectors, whole rows null but items never null. */
const VECTORS: Kind = {
  name: "fixed_size_list<float32, 3>",
  type: fixedOf(3, F32),
  list: nullable(fc.array(floats.map(Math.fround), { minLength: 3, maxLength: 3 })),
  pad: [9, 9, 9],
};
const KINDS = [INTS, INT64S, FLOATS, STRS, VECTORS];

const column = (k: Kind) => fc.tuple(fc.array(k.list, { maxLength: 10 }), shape);

// ---- oracles ----

const present = (l: (Item | null)[]): Item[] => l.filter((x): x is Item => x !== null);

/** Code point order (JS `<` on strings compares UTF-16 units, which puts U+E000 after astral characters). */
function compareItems(a: Item, b: Item): number {
  if (typeof a === "string" && typeof b === "string") {
    const [x, y] = [[...a].map((c) => c.codePointAt(0)!), [...b].map((c) => c.codePointAt(0)!)];
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function extremeOracle(l: (Item | null)[], sign: 1 | -1): Item | null {
  const xs = present(l);
  if (xs.length === 0) return null;
  if (xs.some((x) => typeof x === "number" && Number.isNaN(x))) return NaN;
  return xs.reduce((best, x) => (sign * compareItems(x, best) < 0 ? x : best));
}

function sumOracle(l: (Item | null)[]): number | bigint | null {
  const xs = present(l);
  if (xs.length === 0) return null;
  return typeof xs[0] === "number" ? (xs as number[]).reduce((s, x) => s + x, 0) : (xs as bigint[]).reduce((s, x) => s + x, 0n);
}

const bound = (k: number, len: number): number => (k < 0 ? Math.max(len + k, 0) : Math.min(k, len));

// ---- tests ----

describe("list.length, sum, mean, min, max", () => {
  for (const k of KINDS) {
    it(`list.length over ${k.name}`, () => {
      fc.assert(
        fc.property(column(k), ([rows, sh]) => {
          assert.deepEqual(call("list.length", [vec(rows, k.type, sh, k.pad)]), rows.map((l) => (l === null ? null : l.length)));
        }),
        opts,
      );
    });

    it(`list.min and list.max over ${k.name} (null items skipped, NaN wins)`, () => {
      fc.assert(
        fc.property(column(k), ([rows, sh]) => {
          const v = vec(rows, k.type, sh, k.pad);
          assert.deepEqual(call("list.min", [v]), rows.map((l) => (l === null ? null : extremeOracle(l, 1))));
          assert.deepEqual(call("list.max", [v]), rows.map((l) => (l === null ? null : extremeOracle(l, -1))));
        }),
        opts,
      );
    });

    if (k === STRS) continue;
    it(`list.sum and list.mean over ${k.name} (empty or all-null lists give null)`, () => {
      fc.assert(
        fc.property(column(k), ([rows, sh]) => {
          const v = vec(rows, k.type, sh, k.pad);
          const sums = rows.map((l) => (l === null ? null : sumOracle(l)));
          const wantSum = sums.map((s) => (typeof s === "number" && k !== FLOATS && k !== VECTORS ? BigInt(s) : s));
          assert.deepEqual(call("list.sum", [v]), wantSum);
          const means = rows.map((l, i) => (l === null || sums[i] === null ? null : Number(sums[i]) / present(l).length));
          assert.deepEqual(call("list.mean", [v]), means);
        }),
        opts,
      );
    });
  }

  it("sum types: integers give int64, floats float64; int64 overflow is an error", () => {
    assert.deepEqual(call("list.sum", [A.vectorFromArray([[1, 2]], listOf(new A.Uint8()))]), [3n]);
    assert.deepEqual(call("list.sum", [A.vectorFromArray([[0.5, 0.25]], listOf(F32))]), [0.75]);
    const big = A.vectorFromArray([[1n << 62n, 1n << 62n]], listOf(I64));
    assert.throws(() => call("list.sum", [big]), (e: unknown) => isTesseraError(e, "INVALID_ARGUMENT") && /list\.sum.*int64/.test((e as Error).message));
  });

  it("a fixed-size float32 column sums row by row straight off the child", () => {
    const rows = [[1, 2, 3], null, [0.5, 0.25, 0.125], [-1, 1, 0]];
    assert.deepEqual(call("list.sum", [A.vectorFromArray(rows, fixedOf(3, F32))]), [6, null, 0.875, 0]);
    assert.deepEqual(call("list.mean", [A.vectorFromArray(rows, fixedOf(3, F32))]), [2, null, 0.875 / 3, 0]);
  });
});

/** A list column with an index-like argument: a constant or a column of the same length. */
function withInts(k: Kind, range = 8) {
  const idx = fc.integer({ min: -range, max: range });
  const arg = (n: number) =>
    fc.oneof(
      idx.map((value) => ({ kind: "const" as const, value })),
      fc.array(nullable(idx), { minLength: n, maxLength: n }).map((values) => ({ kind: "col" as const, values })),
    );
  return column(k).chain(([rows, sh]) => fc.tuple(fc.constant(rows), fc.constant(sh), arg(rows.length), arg(rows.length)));
}

type IntArg = { kind: "const"; value: number } | { kind: "col"; values: (number | null)[] };
const intAt = (a: IntArg, i: number): number | null => (a.kind === "const" ? a.value : a.values[i]!);
const intValue = (a: IntArg): ArgValue => (a.kind === "const" ? new ScalarArg(a.value, I64) : A.vectorFromArray(a.values, I32));

describe("list.get and list.slice", () => {
  for (const k of KINDS) {
    it(`list.get over ${k.name}: negative from the end, out of range null`, () => {
      fc.assert(
        fc.property(withInts(k), ([rows, sh, index]) => {
          const want = rows.map((l, i) => {
            const j = intAt(index, i);
            if (l === null || j === null) return null;
            return l[j < 0 ? l.length + j : j] ?? null;
          });
          assert.deepEqual(call("list.get", [vec(rows, k.type, sh, k.pad), intValue(index)]), want);
        }),
        opts,
      );
    });

    it(`list.slice over ${k.name}: [start, end) with Python bounds`, () => {
      fc.assert(
        fc.property(withInts(k), fc.boolean(), ([rows, sh, start, end], withEnd) => {
          const want = rows.map((l, i) => {
            const [s, e] = [intAt(start, i), withEnd ? intAt(end, i) : l?.length];
            if (l === null || s === null || e === null || e === undefined) return null;
            return l.slice(bound(s, l.length), Math.max(bound(s, l.length), bound(e, l.length)));
          });
          const args = [vec(rows, k.type, sh, k.pad), intValue(start), ...(withEnd ? [intValue(end)] : [])];
          assert.deepEqual(call("list.slice", args), want);
        }),
        opts,
      );
    });
  }

  it("list.get's default stands in for out-of-range indexes, not for null lists or items", () => {
    const v = A.vectorFromArray([[1, null], null, []], listOf(I32));
    assert.deepEqual(call("list.get", [v, new ScalarArg(1, I64)], { default: -1 }), [null, null, -1]);
    assert.deepEqual(call("list.get", [v, new ScalarArg(5, I64)], { default: -1 }), [-1, null, -1]);
    const s = A.vectorFromArray([["a"], []], listOf(UTF8));
    assert.deepEqual(call("list.get", [s, new ScalarArg(-2, I64)], { default: "none" }), ["none", "none"]);
  });

  it("list.slice of a fixed-size list is a variable-size list", () => {
    const v = A.vectorFromArray([[1, 2, 3], null, [4, 5, 6]], fixedOf(3, F32));
    assert.deepEqual(call("list.slice", [v, new ScalarArg(-2, I64)]), [[2, 3], null, [5, 6]]);
  });
});

describe("list.contains and list.join", () => {
  const valueOf: Record<string, fc.Arbitrary<Item>> = { [INTS.name]: ints.map((x) => x % 5), [INT64S.name]: int64s.map((x) => x % 5n), [STRS.name]: strs };
  for (const k of [INTS, INT64S, STRS]) {
    it(`list.contains over ${k.name} (null items never match)`, () => {
      const value = valueOf[k.name]!;
      const arb = column(k).chain(([rows, sh]) =>
        fc.tuple(
          fc.constant(rows),
          fc.constant(sh),
          fc.oneof(
            nullable(value).map((v) => ({ kind: "const" as const, v })),
            fc.array(nullable(value), { minLength: rows.length, maxLength: rows.length }).map((vs) => ({ kind: "col" as const, vs })),
          ),
        ),
      );
      fc.assert(
        fc.property(arb, ([rows, sh, val]) => {
          const item = (k.type as A.List).children[0]!.type;
          const arg: ArgValue = val.kind === "const" ? new ScalarArg(val.v, val.v === null ? new A.Null() : item) : A.vectorFromArray(val.vs, item);
          const want = rows.map((l, i) => {
            const x = val.kind === "const" ? val.v : val.vs[i]!;
            return l === null || x === null ? null : l.some((y) => y !== null && y === x);
          });
          assert.deepEqual(call("list.contains", [vec(rows, k.type, sh, k.pad), arg]), want);
        }),
        opts,
      );
    });
  }

  it("list.contains compares numbers across integer and float types", () => {
    const v = A.vectorFromArray([[1, 2], [3], [NaN]], listOf(F64));
    assert.deepEqual(call("list.contains", [v, new ScalarArg(2, I64)]), [true, false, false]);
    assert.deepEqual(call("list.contains", [v, new ScalarArg(NaN, F64)]), [false, false, false]);
    const w = A.vectorFromArray([[1n, 2n], [3n]], listOf(I64));
    assert.deepEqual(call("list.contains", [w, new ScalarArg(2.5, F64)]), [false, false]);
    assert.deepEqual(call("list.contains", [w, new ScalarArg(3, F64)]), [false, true]);
  });

  for (const ignoreNulls of [true, false]) {
    it(`list.join (ignoreNulls: ${ignoreNulls}) with a constant or column separator`, () => {
      const seps = fc.constantFrom("", ",", " - ", "😀");
      const arb = column(STRS).chain(([rows, sh]) =>
        fc.tuple(
          fc.constant(rows),
          fc.constant(sh),
          fc.oneof(
            nullable(seps).map((v) => ({ kind: "const" as const, v })),
            fc.array(nullable(seps), { minLength: rows.length, maxLength: rows.length }).map((vs) => ({ kind: "col" as const, vs })),
          ),
        ),
      );
      fc.assert(
        fc.property(arb, ([rows, sh, sep]) => {
          const arg: ArgValue = sep.kind === "const" ? new ScalarArg(sep.v, UTF8) : A.vectorFromArray(sep.vs, UTF8);
          const want = rows.map((l, i) => {
            const s = sep.kind === "const" ? sep.v : sep.vs[i]!;
            if (l === null || s === null || (!ignoreNulls && l.includes(null))) return null;
            return present(l).join(s);
          });
          assert.deepEqual(call("list.join", [vec(rows, STRS.type, sh, STRS.pad), arg], { ignoreNulls }), want);
        }),
        opts,
      );
    });
  }
});

describe("list functions: constants, nulls and argument checks", () => {
  const expectThrow = (fn: () => unknown, ...parts: string[]) =>
    assert.throws(fn, (e: unknown) => isTesseraError(e, "INVALID_ARGUMENT") && parts.every((p) => (e as Error).message.includes(p)));
  const ints = A.vectorFromArray([[1, 2]], listOf(I32));
  const strings = A.vectorFromArray([["a"]], listOf(UTF8));

  it("registers every list function", () => {
    assert.deepEqual([...LIST_FUNCTIONS].sort(), [
      "list.contains", "list.get", "list.join", "list.length", "list.max", "list.mean", "list.min", "list.slice", "list.sum",
    ]);
  });

  it("a constant list is computed once and repeated", () => {
    const f = getFunction("list.sum");
    const out = f.evaluate([new ScalarArg([1, 2, 3], listOf(I32))], {}, { rows: 3, type: I64 }) as A.Vector;
    assert.deepEqual(toJS(out), [6n, 6n, 6n]);
  });

  it("a null-typed list argument or a null index gives null rows", () => {
    assert.deepEqual(call("list.sum", [A.vectorFromArray([null, null], new A.Null())]), [null, null]);
    assert.deepEqual(call("list.get", [ints, new ScalarArg(null, new A.Null())]), [null]);
  });

  for (const name of LIST_FUNCTIONS) {
    it(`${name} names itself and the type when the list argument is not a list`, () => {
      const more: ArgValue[] =
        name === "list.get" || name === "list.slice" ? [new ScalarArg(0, I64)]
        : name === "list.contains" ? [new ScalarArg(1, I64)]
        : name === "list.join" ? [new ScalarArg(",", UTF8)]
        : [];
      expectThrow(() => call(name, [A.vectorFromArray(["x"], UTF8), ...more]), name, "string");
    });
  }

  it("item types and further arguments are checked too", () => {
    expectThrow(() => call("list.sum", [strings]), "list.sum expects a list of numbers, got list<string>");
    expectThrow(() => call("list.mean", [A.vectorFromArray([[true]], listOf(new A.Bool()))]), "list.mean", "list<boolean>");
    expectThrow(() => call("list.join", [ints, new ScalarArg(",", UTF8)]), "list.join expects a list of strings, got list<int32>");
    expectThrow(() => call("list.get", [ints, new ScalarArg("0", UTF8)]), "list.get expects an integer index, got string");
    expectThrow(() => call("list.contains", [ints, new ScalarArg("1", UTF8)]), "list.contains", "int32", "string");
    expectThrow(() => call("list.join", [strings, new ScalarArg(1, I64)]), "list.join expects a string separator, got int64");
    expectThrow(() => call("list.get", [ints, new ScalarArg(0, I64)], { default: "x" }), "list.get", "default", "int32");
    expectThrow(() => call("list.length", [ints, ints]), "list.length takes 1 argument, got 2");
  });
});
