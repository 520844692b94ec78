import { test } from "node:test";
import assert from "node:assert/strict";
import * as A from "apache-arrow";
import { DataType } from "../../../src/expr/data-type.js";
import { UdfReturnTypeError } from "../../../src/udf/errors.js";
import { columnsToBuffer, bufferToColumns, typeFromBytes, typeToBytes } from "../../../src/udf/ipc.js";
import { mismatch, resultToVector, valuesToVector } from "../../../src/udf/values.js";

test("values: integers are range-checked per width; int64 takes safe numbers and bigints", () => {
  assert.equal(mismatch(2 ** 31 - 1, DataType.int32()), undefined);
  assert.match(mismatch(2 ** 31, DataType.int32())!, /out of range/);
  assert.match(mismatch(-1, DataType.uint8())!, /out of range/);
  assert.match(mismatch(1.5, DataType.int32())!, /number 1.5/);
  assert.match(mismatch("3", DataType.int32())!, /string "3"/);
  assert.equal(mismatch(2n ** 63n - 1n, DataType.int64()), undefined);
  assert.match(mismatch(2n ** 63n, DataType.int64())!, /out of range/);
  assert.match(mismatch(2 ** 60, DataType.int64())!, /number/, "an unsafe number may already have lost digits");
  assert.deepEqual([...valuesToVector([1, null, 3n], DataType.int64(), "f")], [1n, null, 3n]);
});

test("values: lists, fixed-size lists and structs are checked inside", () => {
  assert.match(mismatch([1, "x"], DataType.list(DataType.float32()))!, /a list holding string "x" at \[1\]/);
  assert.match(mismatch([1, 2], DataType.embedding(3))!, /a list of 2 values \(expected 3\)/);
  assert.match(mismatch({ a: 1, b: 2 }, DataType.struct({ a: DataType.int32(), b: DataType.utf8() }))!, /"b" is number 2/);
  const v = valuesToVector([{ a: 1, b: "x" }, null], DataType.struct({ a: DataType.int64(), b: DataType.utf8() }), "f");
  assert.deepEqual(v.get(0)!.toJSON(), { a: 1n, b: "x" });
  assert.equal(v.get(1), null);
});

test("values: embeddings returned as Float32Arrays build one buffer, nulls kept", () => {
  const v = valuesToVector([Float32Array.of(1, 2), null, Float32Array.of(5, 6)], DataType.embedding(2), "embed");
  assert.equal(v.length, 3);
  assert.equal(v.nullCount, 1);
  assert.deepEqual([...v.get(2)!], [5, 6]);
  assert.equal(v.get(1), null);
  assert.deepEqual([...(v.data[0]!.children[0]!.values as Float32Array)].slice(0, 2), [1, 2]);
});

test("values: tensors returned as typed arrays of their item type build one buffer; other typed arrays are checked", () => {
  const tensor = DataType.tensor(DataType.uint8(), [2, 2]);
  const first = Uint8Array.of(0, 1, 254, 255);
  const v = valuesToVector([first, null, Uint8Array.of(9, 8, 7, 6)], tensor, "reshape");
  assert.equal(v.nullCount, 1);
  assert.ok(v.data[0]!.children[0]!.values instanceof Uint8Array, "stored as bytes");
  assert.deepEqual([...v.get(0)!], [0, 1, 254, 255]);
  assert.deepEqual([...v.get(2)!], [9, 8, 7, 6]);
  assert.equal(v.get(1), null);
  assert.equal(mismatch(first, tensor), undefined);
  // An Int16Array may hold values a uint8 cannot: it is checked item by item, and a fitting one still converts.
  assert.match(mismatch(Int16Array.of(1, 2, 3, 300), tensor)!, /300 \(out of range\) at \[3\]/);
  assert.throws(() => valuesToVector([Int16Array.of(1, 2, 3, -1)], tensor, "reshape"), /reshape returned .*-1/);
  assert.deepEqual([...valuesToVector([Int16Array.of(1, 2, 3, 4)], tensor, "reshape").get(0)!], [1, 2, 3, 4]);
  assert.match(mismatch(Uint8Array.of(200), DataType.fixedSizeList(DataType.int8(), 1))!, /out of range/, "uint8 bytes into int8 are checked");
  assert.throws(() => valuesToVector([Uint8Array.of(1, 2)], tensor, "reshape"), /a list of 2 values \(expected 4\)/);
});

test("values: a vector whose list item field is named differently is relabelled, not refused", () => {
  const other = new A.List(new A.Field("element", new A.Float32(), false));
  const got = A.vectorFromArray([[1, 2], [3]], other);
  const want = DataType.list(DataType.float32());
  const v = resultToVector(got, 2, want, "f");
  assert.equal(v.type, want);
  assert.throws(() => resultToVector(got, 2, DataType.list(DataType.float64()), "udf f"), (e: unknown) => e instanceof UdfReturnTypeError && /list<float>|float32|float/.test(e.message));
});

test("values: typed arrays of the declared type are used as they are; others are checked", () => {
  const data = Int32Array.of(1, 2, 3);
  const v = resultToVector(data, 3, DataType.int32(), "f");
  assert.equal(v.data[0]!.values, data, "zero-copy");
  assert.deepEqual([...resultToVector(Float64Array.of(1, 2), 2, DataType.int32(), "f")], [1, 2]);
  assert.throws(() => resultToVector(Float64Array.of(1.5), 1, DataType.int32(), "udf f"), /udf f returned number 1.5 for row 0, but its return type is int32/);
  assert.throws(() => resultToVector("abc", 3, DataType.int32(), "udf f"), /must return an Arrow vector or an array of 3 values, got string "abc"/);
});

test("ipc: columns round-trip through one transferable buffer; types through bytes", () => {
  const a = A.vectorFromArray([1, null, 3], new A.Int32());
  const b = A.vectorFromArray(["x", "y", null], new A.Utf8());
  const buf = columnsToBuffer([a, b.slice(0, 3)]);
  assert.ok(buf instanceof ArrayBuffer);
  const [a2, b2] = bufferToColumns(structuredClone(buf, { transfer: [buf] }));
  assert.equal(buf.byteLength, 0, "the buffer was transferred, not copied");
  assert.deepEqual([...a2!], [1, null, 3]);
  assert.deepEqual([...b2!], ["x", "y", null]);
  const t = DataType.struct({ e: DataType.embedding(4), tags: DataType.list(DataType.utf8()) });
  assert.equal(String(typeFromBytes(typeToBytes(t))), String(t));
});
