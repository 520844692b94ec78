import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import * as A from "apache-arrow";
import { CorruptFileError, InvalidArgumentError, NotFoundError } from "../../../format/errors.js";
import { clearMemoryStore, MemoryStore } from "../../../format/store/memory.js";
import type { DeadLetterRecord } from "../../../src/io/bad-records.js";
import { onlySafeIntegers, openJsonSource } from "../../../src/io/json.js";
import { collect, fieldTypes, rowCount, rows, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;

function write(name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

before(() => ({ dir, cleanup } = tempDir()));
after(() => cleanup());

describe("openJsonSource: inference", () => {
  it("infers types from NDJSON over the union of fields", async () => {
    const path = write(
      "types.jsonl",
      [
        '{"i": 1, "f": 1.0, "m": 1, "s": "x", "b": true, "n": null, "o": {"a": 1, "b": "y"}, "l": [1, 2], "v": [0.5, 1.5], "mix": 1}',
        "",
        '{"i": 2, "f": 2.5, "m": 2.5, "s": "y", "b": false, "n": null, "o": {"a": 2, "c": true}, "l": [], "v": [1, 2], "mix": "two", "late": "z"}\r',
        '{"i": null, "mix": {"k": [1]}}',
      ].join("\n"),
    );
    const src = await openJsonSource(path);
    assert.deepEqual(fieldTypes(src.schema), [
      "i: Int64",
      "f: Float64",
      "m: Float64",
      "s: Utf8",
      "b: Bool",
      "n: Utf8",
      "o: Struct<{a:Int64, b:Utf8, c:Bool}>",
      "l: List<Int64>",
      "v: List<Float64>",
      "mix: Utf8",
      "late: Utf8",
    ]);
    assert.ok(src.schema.fields.every((f) => f.nullable));
    const got = rows(await collect(src));
    assert.deepEqual(got[0], {
      i: "1n", f: 1, m: 1, s: "x", b: true, n: null, o: { a: "1n", b: "y", c: null }, l: ["1n", "2n"], v: [0.5, 1.5], mix: "1", late: null,
    });
    assert.deepEqual(got[1]!.o, { a: "2n", b: null, c: true });
    assert.equal(got[1]!.mix, "two");
    assert.equal(got[2]!.mix, '{"k":[1]}', "mixed kinds keep the JSON text");
    assert.equal(got.length, 3, "blank lines are not records");
  });

  it("keeps 64-bit integers exact beyond 2^53", async () => {
    const path = write("big.jsonl", '{"id": 9007199254740993}\n{"id": -9223372036854775808}\n{"id": 5}\n');
    const got = rows(await collect(await openJsonSource(path)));
    assert.deepEqual(got.map((r) => r.id), ["9007199254740993n", "-9223372036854775808n", "5n"]);
    const huge = await openJsonSource(write("huge-int.jsonl", '{"u": 18446744073709551615}\n{"u": 1}\n'));
    assert.deepEqual(fieldTypes(huge.schema), ["u: Float64"], "beyond int64 only a float can hold it");
    assert.deepEqual(rows(await collect(huge)).map((r) => r.u), [18446744073709551615, 1]);
  });

  it("reads a top-level JSON array, elements spanning lines, brackets inside strings", async () => {
    const path = write("arr.json", '[\n  {"a": 1, "s": "x,]}"},\n  {\n    "a": 2,\n    "s": "q\\"[{"\n  },\n  {"a": 3}\n]\n');
    const src = await openJsonSource(path);
    assert.deepEqual(rows(await collect(src)), [
      { a: "1n", s: "x,]}" },
      { a: "2n", s: 'q"[{' },
      { a: "3n", s: null },
    ]);
  });

  it("applies the schema override as given and infers the rest", async () => {
    const path = write("override.jsonl", '{"a": 1, "t": "2024-01-02T03:04:05Z", "b": "x"}\n{"a": 2, "t": null, "b": "y"}\n');
    const schema = new A.Schema([
      new A.Field("a", new A.Int32(), false),
      new A.Field("t", new A.TimestampMillisecond(), true),
      new A.Field("extra", new A.Float32(), true),
    ]);
    const src = await openJsonSource(path, { schema });
    assert.deepEqual(fieldTypes(src.schema), ["a: Int32", "t: Timestamp<MILLISECOND>", "b: Utf8", "extra: Float32"]);
    assert.equal(src.schema.fields[0]!.nullable, false, "given fields are used as is");
    const [batch] = await collect(src);
    assert.equal(batch!.getChild("t")!.get(0), Date.UTC(2024, 0, 2, 3, 4, 5));
    assert.equal(batch!.getChild("extra")!.nullCount, 2);
    assert.equal(batch!.getChild("a")!.get(1), 2);
  });

  it("infers the same types whether a sampled record takes the JSON.parse fast path or the precise parser", async () => {
    const path = write(
      "fast.jsonl",
      [
        '{"i": 1, "s": "1.5e3 and 99999999999999999 inside a string", "b": true, "f": false, "l": [1, -2, 0], "o": {"x": 3}}',
        '{"i": 2, "s": "say \\"1.0\\"", "b": null, "l": [], "o": {"x": -0}}',
        '{"i": 3, "g": 1.0, "e": 2E3, "n": 1e2}',
        '{"i": 4, "big": 9223372036854775807, "safe": 999999999999999}',
      ].join("\n"),
    );
    const src = await openJsonSource(path);
    assert.deepEqual(fieldTypes(src.schema), [
      "i: Int64",
      "s: Utf8",
      "b: Bool",
      "f: Bool",
      "l: List<Int64>",
      "o: Struct<{x:Int64}>",
      "g: Float64",
      "e: Float64",
      "n: Float64",
      "big: Int64",
      "safe: Int64",
    ]);
    const got = rows(await collect(src));
    assert.equal(got[3]!.big, "9223372036854775807n", "a 19-digit integer still goes through the precise parser");
    assert.equal(got[1]!.s, 'say "1.0"');
  });

  it("onlySafeIntegers: looks for fractions, exponents and long digit runs outside strings only", () => {
    assert.equal(onlySafeIntegers('{"a": [0, 255, -3], "b": true, "c": false, "d": null, "s": "3.14e5"}'), true);
    assert.equal(onlySafeIntegers('{"s": "\\"", "a": 1}'), true, "an escaped quote does not end the string");
    assert.equal(onlySafeIntegers('{"a": 1.5}'), false);
    assert.equal(onlySafeIntegers('{"a": 1e3}'), false);
    assert.equal(onlySafeIntegers('{"a": 2E-3}'), false);
    assert.equal(onlySafeIntegers('{"a": 123456789012345}'), true, "15 digits are below 2^53");
    assert.equal(onlySafeIntegers('{"a": 1234567890123456}'), false, "16 digits may not be");
  });

  it("infers from sampleRows records only", async () => {
    const path = write("sample.jsonl", '{"a": 1}\n{"a": 2}\n{"a": 3, "b": 1}\n');
    const src = await openJsonSource(path, { sampleRows: 2 });
    assert.deepEqual(fieldTypes(src.schema), ["a: Int64"], "fields first seen after the sample are ignored");
    assert.equal(rowCount(await collect(src)), 3);
  });

  it("reads an empty file as no columns and no rows", async () => {
    const src = await openJsonSource(write("empty.jsonl", "\n\n"));
    assert.equal(src.schema.fields.length, 0);
    assert.equal((await collect(src)).length, 0);
  });
});

describe("openJsonSource: files", () => {
  it("streams gzip files, including multi-member ones", async () => {
    const lines = (from: number, to: number): string => Array.from({ length: to - from }, (_, i) => JSON.stringify({ i: from + i })).join("\n") + "\n";
    const two = Buffer.concat([gzipSync(lines(0, 500)), gzipSync(lines(500, 1200))]);
    const src = await openJsonSource(write("multi.jsonl.gz", two));
    const got = rows(await collect(src, {}, 256));
    assert.equal(got.length, 1200);
    assert.deepEqual(got.at(-1), { i: "1199n" });
  });

  it("fails on corrupt gzip naming the file", async () => {
    const path = write("bad.jsonl.gz", Buffer.from("not gzip at all"));
    await assert.rejects(openJsonSource(path), (err: unknown) => err instanceof CorruptFileError && err.message.includes(path));
  });

  it("reads every file of a glob in sorted order", async () => {
    write("glob/b.jsonl", '{"f": "b"}\n');
    write("glob/a.jsonl", '{"f": "a"}\n');
    write("glob/c.jsonl.gz", gzipSync('{"f": "c"}\n'));
    write("glob/skip.txt", "not json");
    write("glob/sub/d.jsonl", '{"f": "d"}\n');
    const src = await openJsonSource(join(dir, "glob/*.jsonl*"));
    assert.deepEqual(src.files, ["a.jsonl", "b.jsonl", "c.jsonl.gz"].map((f) => join(dir, "glob", f)));
    assert.match(src.description, /\(3 files\)$/);
    assert.deepEqual(rows(await collect(src)).map((r) => r.f), ["a", "b", "c"]);
    const deep = await openJsonSource(join(dir, "glob/**/*.jsonl"));
    assert.deepEqual(rows(await collect(deep)).map((r) => r.f), ["a", "b", "d"]);
  });

  it("names what is missing", async () => {
    await assert.rejects(openJsonSource(join(dir, "nope.jsonl")), NotFoundError);
    await assert.rejects(openJsonSource(join(dir, "glob/*.nothing")), /no JSON files match/);
  });

  it("reads through a memory:// store", async () => {
    clearMemoryStore("json-test");
    await new MemoryStore("json-test").put("d/x.jsonl", new TextEncoder().encode('{"a": 1}\n{"a": 2}\n'));
    const src = await openJsonSource("memory://json-test/d/*.jsonl");
    assert.deepEqual(src.files, ["memory://json-test/d/x.jsonl"]);
    assert.deepEqual(rows(await collect(src)), [{ a: "1n" }, { a: "2n" }]);
  });
});

describe("openJsonSource: bad records", () => {
  const text = ['{"a": 1, "o": {"x": 1}}', '{"a": 2, "o": {"x": 2}}', "{broken", '{"a": "three"}', '{"a": 4, "o": {"x": 1.5}}', "[1, 2]", '{"a": 6}'].join("\n");

  it("fails on a malformed line naming the file and line", async () => {
    const path = write("bad.jsonl", text);
    const src = await openJsonSource(path, { sampleRows: 2 });
    await assert.rejects(collect(src), (err: unknown) => {
      assert.ok(err instanceof CorruptFileError);
      assert.match(err.message, new RegExp(`${path} line 3: invalid JSON`));
      return true;
    });
  });

  it("fails on a value that does not fit, naming file, line and field", async () => {
    const path = write("bad2.jsonl", text.replace("{broken\n", ""));
    await assert.rejects(collect(await openJsonSource(path, { sampleRows: 2 })), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /bad2\.jsonl line 3, field "a": expected int64, got "three"/);
      return true;
    });
    const nested = write("bad3.jsonl", text.split("\n").filter((_, i) => i !== 2 && i !== 3).join("\n"));
    await assert.rejects(collect(await openJsonSource(nested, { sampleRows: 2 })), /line 3, field "o\.x": expected int64, got 1\.5/);
  });

  it("skips bad records under onError: skip, counting and reporting them", async () => {
    const path = write("bad4.jsonl", text);
    const dead: DeadLetterRecord[] = [];
    const src = await openJsonSource(path, { sampleRows: 2, onError: "skip", deadLetter: (r) => dead.push(r) });
    const got = rows(await collect(src, {}, 2));
    assert.deepEqual(got.map((r) => r.a), ["1n", "2n", "6n"]);
    assert.equal(src.stats.recordsSkipped, 4);
    assert.deepEqual(dead.map((d) => d.line), [3, 4, 5, 6]);
    assert.deepEqual(dead[0]!.text, "{broken");
    assert.ok(dead.every((d) => d.uri === path && d.error.length > 0));
    assert.match(dead[3]!.error, /expected a JSON object, got an array/);
  });

  it("rejects a broken array layout", async () => {
    const path = write("open.json", '[{"a": 1},\n{"a": 2}\n');
    await assert.rejects(openJsonSource(path), /open\.json line 3: unterminated JSON array/);
    const trailing = write("trailing.json", '[{"a": 1}] {"a": 2}');
    await assert.rejects(openJsonSource(trailing), /unexpected text after the closing ]/);
  });

  it("rejects bad options early", async () => {
    const path = write("ok.jsonl", '{"a": 1}\n');
    await assert.rejects(openJsonSource(path, { sampleRows: 0 }), InvalidArgumentError);
    await assert.rejects(openJsonSource(path, { onError: "ignore" as "skip" }), /onError must be/);
  });
});

describe("openJsonSource: pushdown", () => {
  it("builds only the asked columns, in the asked order", async () => {
    const path = write("proj.jsonl", '{"a": 1, "b": "x", "c": true}\n{"a": 2, "b": "y", "c": false}\n');
    const src = await openJsonSource(path);
    assert.deepEqual(src.supports, { projection: true, filter: "none", limit: true });
    const batches = await collect(src, { columns: ["c", "a"] });
    assert.deepEqual(fieldTypes(batches[0]!.schema), ["c: Bool", "a: Int64"]);
    assert.deepEqual(rows(batches), [{ c: true, a: "1n" }, { c: false, a: "2n" }]);
    const none = await collect(src, { columns: [] });
    assert.equal(rowCount(none), 2, "no columns still counts rows");
    await assert.rejects(collect(src, { columns: ["bb"] }), /no column "bb".*did you mean "b"/);
  });

  it("makes batches of batchSize rows", async () => {
    const path = write("ten.jsonl", Array.from({ length: 10 }, (_, i) => `{"i": ${i}}`).join("\n"));
    const sizes = (await collect(await openJsonSource(path), {}, 3)).map((b) => b.numRows);
    assert.deepEqual(sizes, [3, 3, 3, 1]);
  });

  it("stops reading at a limit: a large file is barely touched", async () => {
    const line = (i: number): string => JSON.stringify({ id: i, text: "lorem ipsum dolor sit amet ".repeat(3), v: [i, i + 1] });
    const body = Array.from({ length: 120_000 }, (_, i) => line(i)).join("\n");
    const path = write("huge.jsonl", body);
    const src = await openJsonSource(path, { sampleRows: 10 });
    const batches = await collect(src, { limit: 5, columns: ["id"] }, 1000);
    assert.deepEqual(rows(batches).map((r) => r.id), ["0n", "1n", "2n", "3n", "4n"]);
    assert.equal(src.stats.batches, 1);
    assert.ok(src.stats.recordsParsed <= 5, `parsed ${src.stats.recordsParsed} records`);
    assert.ok(src.stats.bytesRead <= 2 * 1024 * 1024, `read ${src.stats.bytesRead} of ${body.length} bytes`);
  });

  it("ignores the limit when a filter is pushed (the limit counts filtered rows)", async () => {
    const path = write("lim.jsonl", Array.from({ length: 10 }, (_, i) => `{"i": ${i}}`).join("\n"));
    const filter = { kind: "literal", value: true } as const;
    assert.equal(rowCount(await collect(await openJsonSource(path), { limit: 2, filter })), 10);
  });
});
