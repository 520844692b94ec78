// List columns built through the children's bulk path (appendPlain) hold exactly what item-by-item appends would:
// runs of plain numbers go in at once, anything else (nulls, bigints, out-of-range values) is still checked one by one.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { ValueMismatch } from "../../../src/io/bad-records.js";
import { Validity } from "../../../src/io/builder-base.js";
import { makeColumnBuilder } from "../../../src/io/column-builders.js";

const list = (item: A.DataType): A.List => new A.List(new A.Field("item", item, true));
const fixed = (item: A.DataType, n: number): A.FixedSizeList => new A.FixedSizeList(n, new A.Field("item", item, true));

/** Each row as a plain array (nulls for null items), or null. */
function values(data: A.Data): (unknown[] | null)[] {
  const v = A.makeVector(data);
  return Array.from({ length: v.length }, (_, i) => {
    const row = v.get(i) as A.Vector | null;
    return row === null ? null : Array.from({ length: row.length }, (_, j) => row.get(j));
  });
}

describe("column builders: lists of numbers", () => {
  it("list<uint8> takes JSON arrays in bulk and still checks nulls and bigints one by one", () => {
    const b = makeColumnBuilder(list(new A.Uint8()));
    const long = Array.from({ length: 784 }, (_, i) => i % 256);
    b.append(long);
    b.append([1, null, 3, 4n, 5]);
    b.append(null);
    b.append([]);
    const data = b.finish();
    const got = values(data);
    assert.deepEqual(got[0], long);
    assert.deepEqual(got[1], [1, null, 3, 4, 5]);
    assert.equal(got[2], null);
    assert.deepEqual(got[3], []);
    assert.equal(data.children[0]!.nullCount, 1, "only the null item is null in the child");
  });

  it("an out-of-range or fractional item fails naming its index, and truncate undoes the half-appended list", () => {
    const b = makeColumnBuilder(list(new A.Uint8()));
    b.append([1, 2]);
    for (const [bad, at, why] of [
      [[0, 255, 256], "[2]", /256 is out of range for uint8/],
      [[7, -1], "[1]", /-1 is out of range/],
      [[1.5], "[0]", /expected uint8, got 1\.5/],
      [[1, "2"], "[1]", /expected uint8, got "2"/],
    ] as const) {
      assert.throws(() => b.append(bad), (e: unknown) => e instanceof ValueMismatch && why.test(e.message) && e.path.join("") === at);
      b.truncate(1);
    }
    b.append([3]);
    assert.deepEqual(values(b.finish()), [[1, 2], [3]]);
  });

  it("signed, 32-bit, float32, float64 and int64 items round-trip; int64 keeps non-safe numbers on the checked path", () => {
    const cases: [A.DataType, unknown[], unknown[]][] = [
      [new A.Int8(), [-128, 0, 127], [-128, 0, 127]],
      [new A.Uint32(), [0, 4294967295], [0, 4294967295]],
      [new A.Int32(), [-2147483648, 2147483647], [-2147483648, 2147483647]],
      [new A.Float32(), [0.5, 1, -2], [0.5, 1, -2]],
      [new A.Float64(), [0.1, 2, 3n], [0.1, 2, 3]],
      [new A.Int64(), [1, -2, 2n ** 60n], [1n, -2n, 2n ** 60n]],
    ];
    for (const [item, input, want] of cases) {
      const b = makeColumnBuilder(list(item));
      b.append(input);
      assert.deepEqual(values(b.finish())[0], want, String(item));
    }
    const i64 = makeColumnBuilder(list(new A.Int64()));
    assert.throws(() => i64.append([1, 1.5]), (e: unknown) => e instanceof ValueMismatch && e.path.join("") === "[1]");
  });

  it("fixed-size lists use the same path and keep their length check", () => {
    const b = makeColumnBuilder(fixed(new A.Uint8(), 4));
    b.append([1, 2, 3, 4]);
    b.append(null);
    assert.throws(() => b.append([1, 2, 3]), /expected 4 items/);
    b.truncate(2);
    b.append([5, 6, 7, 8]);
    const data = b.finish();
    assert.deepEqual(values(data), [[1, 2, 3, 4], null, [5, 6, 7, 8]]);
    assert.equal(data.children[0]!.length, 12);
  });

  it("many rows grow the buffers correctly", () => {
    const b = makeColumnBuilder(list(new A.Uint8()));
    for (let r = 0; r < 300; r++) b.append(Array.from({ length: r % 50 }, (_, i) => (r + i) % 256));
    const got = values(b.finish());
    assert.equal(got.length, 300);
    for (let r = 0; r < 300; r += 37) assert.deepEqual(got[r], Array.from({ length: r % 50 }, (_, i) => (r + i) % 256));
  });
});

describe("Validity", () => {
  const bits = (v: Validity): { bitmap: number[] | undefined; nulls: number } => {
    const { nullBitmap, nullCount } = v.finish();
    return { bitmap: nullBitmap === undefined ? undefined : [...nullBitmap], nulls: nullCount };
  };

  it("keeps no bitmap while every value is valid, and the right bits once nulls arrive (also in bulk and after truncate)", () => {
    const v = new Validity();
    v.push(true);
    v.pushValid(100);
    assert.equal(v.length, 101);
    assert.deepEqual(bits(v), { bitmap: undefined, nulls: 0 });

    v.pushValid(9); // values 0–8 valid
    v.push(false); // 9 null
    v.pushValid(2); // 10, 11 valid
    v.push(false); // 12 null
    v.push(true); // 13 valid
    assert.deepEqual(bits(v), { bitmap: [0xff, 0b0010_1101], nulls: 2 });

    v.push(false);
    v.push(false);
    v.truncate(1);
    v.pushValid(3);
    assert.deepEqual(bits(v), { bitmap: [0b1110], nulls: 1 }, "the first null survives the truncate, the second does not");
  });
});
