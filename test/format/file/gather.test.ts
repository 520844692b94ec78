// takeIndices against the asked rows read one by one: variable-width kinds (utf8, binary and their large variants)
// through the two-pass offsets + bytes copy, fixed-width kinds with and without nulls, sliced inputs, repeats.

import assert from "node:assert/strict";
import { it } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { takeIndices } from "../../../format/file/gather.js";

const text = fc.oneof(
  { weight: 2, arbitrary: fc.constant("") },
  { weight: 6, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 33, maxLength: 90 }) },
);
const bytes = fc.oneof(
  { weight: 2, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 33, maxLength: 90 }) },
);

const KINDS: { type: A.DataType; value: fc.Arbitrary<unknown> }[] = [
  { type: new A.Utf8(), value: text },
  { type: new A.LargeUtf8(), value: text },
  { type: new A.Binary(), value: bytes },
  { type: new A.LargeBinary(), value: bytes },
  { type: new A.Int8(), value: fc.integer({ min: -128, max: 127 }) },
  { type: new A.Int32(), value: fc.integer() },
  { type: new A.Int64(), value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  { type: new A.Float64(), value: fc.double() },
  { type: new A.Float16(), value: fc.constantFrom(0, 1.5, -2, Infinity) },
];

/** A kind, its values (null ~1 in 5, or never), a slice of them, and indices into the slice. */
const arbCase = fc.constantFrom(...KINDS).chain(({ type, value }) =>
  fc
    .tuple(fc.boolean(), fc.integer({ min: 1, max: 60 }))
    .chain(([nulls, n]) => fc.array(nulls ? fc.option(value, { freq: 5 }) : value, { minLength: n, maxLength: n }))
    .chain((values) =>
      fc.record({
        type: fc.constant(type),
        values: fc.constant(values),
        start: fc.nat(values.length - 1),
      }),
    )
    .chain((c) =>
      fc.record({
        c: fc.constant(c),
        count: fc.integer({ min: 1, max: c.values.length - c.start }),
      }),
    )
    .chain(({ c, count }) =>
      fc.record({
        c: fc.constant({ ...c, count }),
        indices: fc.array(fc.nat(count - 1), { maxLength: 80 }),
      }),
    ),
);

function plain(v: unknown): unknown {
  return v instanceof Uint8Array ? Array.from(v) : (v ?? null);
}

it("takes the asked rows of every kind, nulls and empty values kept, from sliced inputs too", () => {
  fc.assert(
    fc.property(arbCase, ({ c, indices }) => {
      const whole = A.vectorFromArray(c.values as unknown[], c.type);
      const d = (whole.data.length === 1 ? whole.data[0]! : A.makeVector(whole.data).data[0]!).slice(c.start, c.count);
      const taken = takeIndices(d, Uint32Array.from(indices));
      const got = A.makeVector(taken);
      assert.equal(got.length, indices.length);
      const expected = indices.map((i) => plain(c.values[c.start + i]));
      assert.deepEqual(Array.from({ length: indices.length }, (_, i) => plain(got.get(i))), expected);
      assert.equal(taken.nullCount, expected.filter((v) => v === null).length);
    }),
    { seed: 7, numRuns: 600 },
  );
});

it("writes utf8 offsets from 0 over only the taken bytes, and large offsets as 64-bit", () => {
  const d = A.vectorFromArray(["", "abc", null, "de", "x".repeat(40)], new A.Utf8()).data[0]!.slice(1, 4);
  const taken = takeIndices(d, Uint32Array.of(3, 0, 1, 0, 2));
  assert.deepEqual([...(taken.valueOffsets as Int32Array)], [0, 40, 43, 43, 46, 48]);
  assert.equal((taken.values as Uint8Array).length, 48);
  assert.deepEqual([...A.makeVector(taken)], ["x".repeat(40), "abc", null, "abc", "de"]);
  const large = A.vectorFromArray(["é", null, ""], new A.LargeUtf8()).data[0]!;
  const t = takeIndices(large, Uint32Array.of(2, 0, 1));
  assert.ok(t.valueOffsets instanceof BigInt64Array);
  assert.deepEqual([...A.makeVector(t)], ["", "é", null]);
});
