import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import * as A from "apache-arrow";
import fc from "fast-check";
import { CorruptFileError, InvalidArgumentError } from "../../../format/errors.js";
import { clearMemoryStore, MemoryStore } from "../../../format/store/memory.js";
import type { DeadLetterRecord } from "../../../src/io/bad-records.js";
import { openCsvSource } from "../../../src/io/csv.js";
import { CsvTokenizer } from "../../../src/io/csv-records.js";
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

describe("CsvTokenizer", () => {
  const tokenize = (chunks: string[]): { fields: (string | null)[]; line: number }[] => {
    const t = new CsvTokenizer({ delimiter: ",", quote: '"' }, "mem.csv");
    const out = chunks.flatMap((c) => t.push(c));
    out.push(...t.end());
    return out.map((r) => ({ fields: r.fields, line: r.line }));
  };

  it("handles quotes, embedded delimiters, newlines, doubled quotes and CRLF", () => {
    const got = tokenize(['a,"b,1","say ""hi""\r\nthere"\r\n\r\n,"",x\n', "last,row"]);
    assert.deepEqual(got, [
      { fields: ["a", "b,1", 'say "hi"\r\nthere'], line: 1 },
      { fields: [null, "", "x"], line: 4 },
      { fields: ["last", "row"], line: 5 },
    ]);
  });

  it("gives the same records however the text is cut into chunks", () => {
    const cell = fc.oneof(fc.constantFrom("", "x", "1.5", 'q"q', "a,b", "l1\nl2", "é€", " sp "), fc.string({ maxLength: 6 }));
    const quoteCell = (c: string): string => (c === "" || /[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(200), { maxLength: 8 }),
        fc.boolean(),
        (records, cuts, crlf) => {
          const text = records.map((r) => r.map(quoteCell).join(",")).join(crlf ? "\r\n" : "\n");
          const whole = tokenize([text]);
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const pieces = [0, ...points, text.length].slice(1).map((end, i, all) => text.slice(i === 0 ? 0 : all[i - 1], end));
          assert.deepEqual(tokenize(pieces), whole);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });

  it("reports an unterminated quote with its line", () => {
    assert.throws(() => tokenize(['a,b\n1,"open\n2,3\n']), (err: unknown) => err instanceof CorruptFileError && /line 2: unterminated quoted field/.test(err.message));
  });
});

describe("openCsvSource", () => {
  it("infers int64, float64, bool and utf8; empty is null, quoted empty is an empty string", async () => {
    const path = write("types.csv", 'i,f,b,s,e,mixed\n1,1.5,true,x,,1\n-2,2,FALSE,"",,two\n,1e3,,"a,b",,\n');
    const src = await openCsvSource(path);
    assert.deepEqual(fieldTypes(src.schema), ["i: Int64", "f: Float64", "b: Bool", "s: Utf8", "e: Utf8", "mixed: Utf8"]);
    assert.deepEqual(rows(await collect(src)), [
      { i: "1n", f: 1.5, b: true, s: "x", e: null, mixed: "1" },
      { i: "-2n", f: 2, b: false, s: "", e: null, mixed: "two" },
      { i: null, f: 1000, b: null, s: "a,b", e: null, mixed: null },
    ]);
  });

  it("takes a delimiter, names headerless columns, and dedupes header names", async () => {
    const semi = write("semi.csv", "a;b;a;\n1;x,y;2;3\n");
    const src = await openCsvSource(semi, { delimiter: ";" });
    assert.deepEqual(fieldTypes(src.schema), ["a: Int64", "b: Utf8", "a_1: Int64", "column_4: Int64"]);
    assert.deepEqual(rows(await collect(src))[0], { a: "1n", b: "x,y", a_1: "2n", column_4: "3n" });
    const noHeader = await openCsvSource(write("nohead.tsv", "1\tx\n2\ty\n"), { delimiter: "\t", header: false });
    assert.deepEqual(fieldTypes(noHeader.schema), ["column_1: Int64", "column_2: Utf8"]);
    assert.equal(rowCount(await collect(noHeader)), 2);
  });

  it("applies the schema override as given and infers the rest", async () => {
    const path = write("override.csv", 'id,when,score,tags\n1,2024-01-02,0.5,"[1,2]"\n2,,1,[]\n');
    const schema = new A.Schema([
      new A.Field("id", new A.Int32(), false),
      new A.Field("when", new A.DateDay(), true),
      new A.Field("tags", new A.List(new A.Field("item", new A.Int32(), true)), true),
      new A.Field("missing", new A.Utf8(), true),
    ]);
    const src = await openCsvSource(path, { schema });
    assert.deepEqual(fieldTypes(src.schema), ["id: Int32", "when: Date32<DAY>", "score: Float64", "tags: List<Int32>", "missing: Utf8"]);
    const [b] = await collect(src);
    assert.equal(b!.getChild("when")!.get(0), Date.UTC(2024, 0, 2));
    assert.deepEqual([...b!.getChild("tags")!.get(0)!], [1, 2]);
    assert.equal(b!.getChild("missing")!.nullCount, 2);
  });

  it("streams .gz files and globs, mapping each file's header by name", async () => {
    write("g/1.csv", "a,b\n1,x\n");
    write("g/2.csv.gz", gzipSync("b,a\ny,2\n"));
    write("g/3.csv", "a\n3\n");
    const src = await openCsvSource(join(dir, "g/*.csv*"));
    assert.deepEqual(rows(await collect(src)), [{ a: "1n", b: "x" }, { a: "2n", b: "y" }, { a: "3n", b: null }]);
  });

  it("reads a header-only file as columns without rows", async () => {
    const src = await openCsvSource(write("head.csv", "x,y\n"));
    assert.deepEqual(fieldTypes(src.schema), ["x: Utf8", "y: Utf8"]);
    assert.equal(rowCount(await collect(src)), 0);
  });

  it("fails on bad records naming file and line, or skips and reports them", async () => {
    const text = "a,b\n1,2\n3\n4,x,5\n\"6\"x,7\nseven,8\n9,10\n";
    const path = write("bad.csv", text);
    await assert.rejects(collect(await openCsvSource(path, { sampleRows: 1 })), (err: unknown) => {
      assert.ok(err instanceof CorruptFileError);
      assert.match(err.message, /bad\.csv line 3: 1 fields where the header has 2/);
      return true;
    });
    const dead: DeadLetterRecord[] = [];
    const src = await openCsvSource(path, { sampleRows: 1, onError: "skip", deadLetter: (r) => dead.push(r) });
    assert.deepEqual(rows(await collect(src)), [{ a: "1n", b: "2n" }, { a: "9n", b: "10n" }]);
    assert.equal(src.stats.recordsSkipped, 4);
    assert.deepEqual(dead.map((d) => [d.line, d.text]), [[3, "3"], [4, "4,x,5"], [5, '"6"x,7'], [6, "seven,8"]]);
    assert.match(dead[2]!.error, /unexpected text after a closing quote/);
    assert.match(dead[3]!.error, /line 6, field "a": expected int64, got "seven"/);
    assert.ok(dead[3]!.error.startsWith(path));
  });

  it("names a value that does not parse", async () => {
    const path = write("mismatch.csv", "n\n1\n2\nx\n");
    await assert.rejects(collect(await openCsvSource(path, { sampleRows: 2 })), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /mismatch\.csv line 4, field "n": expected int64, got "x"/);
      return true;
    });
  });

  it("rejects bad options", async () => {
    const path = write("opt.csv", "a\n1\n");
    await assert.rejects(openCsvSource(path, { delimiter: ";;" }), /delimiter must be one character/);
    await assert.rejects(openCsvSource(path, { delimiter: '"' }), /must differ/);
  });

  it("projects, limits and batches", async () => {
    const body = "id,name,score\n" + Array.from({ length: 100_000 }, (_, i) => `${i},"name ${i}",${i / 4}`).join("\n");
    const path = write("big.csv", body);
    const src = await openCsvSource(path, { sampleRows: 100 });
    const first = await collect(src, { columns: ["score", "id"], limit: 3 }, 1000);
    assert.deepEqual(rows(first), [{ score: 0, id: "0n" }, { score: 0.25, id: "1n" }, { score: 0.5, id: "2n" }]);
    assert.ok(src.stats.recordsParsed <= 3, `parsed ${src.stats.recordsParsed}`);
    assert.ok(src.stats.bytesRead <= 2 * 1024 * 1024, `read ${src.stats.bytesRead} of ${body.length} bytes`);
    const all = await collect(src, { columns: ["id"] }, 30_000);
    assert.deepEqual(all.map((b) => b.numRows), [30_000, 30_000, 30_000, 10_000]);
    assert.equal(rowCount(await collect(src, { columns: [] }, 50_000)), 100_000);
  });

  it("reads through a memory:// store", async () => {
    clearMemoryStore("csv-test");
    await new MemoryStore("csv-test").put("x.csv", new TextEncoder().encode("a,b\n1,2\n"));
    assert.deepEqual(rows(await collect(await openCsvSource("memory://csv-test/x.csv"))), [{ a: "1n", b: "2n" }]);
  });
});
