// The table-basics example runs and observes what the docs say it does; the docs quote only code this runs:
// every snippet of docs/api/table.md and docs/expressions.md marked as from examples/table-basics.ts is an exact
// excerpt of it, and every row of the worked-examples table in docs/expressions.md evaluates as written.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import * as arrow from "apache-arrow";
import { evaluate, parseExpr, resolveExpr, typeName } from "../../format/expr/index.js";
import { images, main } from "../../examples/table-basics.js";
import { checkDocQuotes } from "../support/doc-quotes.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = "examples/table-basics.ts";

describe("examples/table-basics.ts", () => {
  it("walks the versioned-table workflow and observes every step", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-table-example-"));
    try {
      const out = await main(dir);
      assert.deepEqual(out.created, { version: 2, rows: 1000, fragments: 2 });

      // Filters, scans and takes.
      assert.equal(out.cats, 200);
      assert.equal(out.whiteCats, 66, "ids ≡ 10 (mod 15)");
      assert.equal(out.typo, 'no column "lable"; did you mean "label"?');
      assert.deepEqual(out.dogs, [501, 506, 511]);
      assert.deepEqual(out.takenIds, [999, 0, 500], "in the order asked");
      assert.deepEqual(out.rowIds, [(1n << 32n) | 399n, 0n, 500n], "(fragment << 32) | offset");
      assert.deepEqual(out.byRowId, [999, 0]);

      // Delete: deletion vectors only; offsets count live rows; a deleted row id is an error naming it.
      assert.deepEqual(out.deleted, { rows: 800, dataFilesWritten: 0, fourth: 4 });
      assert.equal(out.deletedRowId, "row id 3 was deleted before version 3");

      // Update moves the rows it rewrites to a new fragment at the end.
      assert.deepEqual(out.updated, { kittens: 20, kitten10: { label: "kitten", caption: "A WHITE CAT" }, firstId: 1 });
      assert.deepEqual(out.merged, { updated: 1, inserted: 3, deleted: 0 }, "id 1 replaced; 3 (deleted) and 1000, 1001 inserted");

      // addColumns writes only the new columns' files and two manifests.
      assert.ok(out.addColumns.sizeBefore > 500_000, String(out.addColumns.sizeBefore));
      assert.ok(out.addColumns.addedBytes > 0);
      assert.ok(out.addColumns.addedBytes * 20 < out.addColumns.sizeBefore, JSON.stringify(out.addColumns));
      assert.deepEqual(out.columns, ["id", "label", "caption", "embedding", "caption_chars", "norm"]);

      assert.deepEqual(out.history, [
        { version: 1, operation: "create", rows: 600 },
        { version: 2, operation: "append", rows: 1000 },
        { version: 3, operation: "delete", rows: 800 },
        { version: 4, operation: "update", rows: 800 },
        { version: 5, operation: "merge_insert", rows: 803 },
        { version: 6, operation: "add_columns", rows: 803 },
        { version: 7, operation: "add_columns", rows: 803 },
        { version: 8, operation: "rename_column", rows: 803 },
        { version: 9, operation: "drop_columns", rows: 803 },
      ]);

      // Time travel through a tag; the checkout is read-only.
      assert.deepEqual(out.raw, {
        version: 2,
        rows: 1000,
        fish: 200,
        columns: ["id", "label", "caption", "embedding", "png"],
        readOnly: "append: this handle is a read-only checkout of version 2; open the table to write",
      });
      assert.deepEqual(out.restored, { version: 8, columns: ["id", "label", "caption", "embedding", "png", "caption_chars", "norm"] });

      // The lost race: version 11 is the other writer's update; ours was retried as version 12.
      assert.match(out.conflict, /^update on file:\/\/.*images\.tsr conflicts with update committed as version 11: both change fragment 3; reopen the table and retry$/);
      assert.deepEqual(out.fixedRows, [
        { id: 1000, label: "kitten", caption: "a white cat (re-captioned)" },
        { id: 1001, label: "dog", caption: "a brown dog" },
      ]);

      // Compaction rewrites all six fragments into one; cleanup keeps the tagged and the latest version.
      assert.deepEqual(out.compacted, { fragmentsRemoved: 6, fragmentsAdded: 1, rowsRewritten: 803 });
      assert.equal(out.cleaned.removedVersions, 11);
      assert.ok(out.cleaned.removedFiles > 0 && out.cleaned.removedBytes > 0, JSON.stringify(out.cleaned));
      assert.deepEqual(out.kept, [2, 13]);
      assert.match(out.gone, /^version 3 of table file:\/\/.*images\.tsr does not exist$/);
      assert.deepEqual(out.final, {
        version: 13,
        rows: 803,
        columns: ["id", "label", "caption", "embedding", "png", "caption_chars", "norm"],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("generates images deterministically", () => {
    const t = images([0, 1, 1001], " (x)");
    assert.deepEqual([...t.getChild("label")!], ["cat", "dog", "dog"]);
    assert.deepEqual([...t.getChild("caption")!], ["a black cat (x)", "a white dog (x)", "a brown dog (x)"]);
    const png = t.getChild("png")!.get(0) as Uint8Array;
    assert.equal(png.length, 512);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });
});

// ---- the docs quote only code that runs

describe("docs quote examples/table-basics.ts verbatim", () => {
  for (const doc of ["docs/api/table.md", "docs/expressions.md"]) {
    it(doc, () => checkDocQuotes(doc, EXAMPLE));
  }
});

/** A value as the worked-examples table writes it. */
function show(v: unknown, type: arrow.DataType): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "string") return `'${v.replace(/'/g, "''")}'`;
  if (type.typeId === arrow.Type.Date) return `DATE '${new Date(v as number).toISOString().slice(0, 10)}'`;
  if (type.typeId === arrow.Type.Timestamp) {
    return `TIMESTAMP '${new Date(Number(v)).toISOString().replace("T", " ").replace(/(\.000)?Z$/, "")}'`;
  }
  if (typeof v === "number" && Object.is(v, -0)) return "-0";
  return String(v);
}

/** The type and value of a constant expression, or the first line of the error it fails with. */
function evaluateConstant(text: string): [string, string] {
  const oneRow = new arrow.RecordBatch({ x: arrow.makeVector(Int32Array.of(0)).data[0]! });
  try {
    const resolved = resolveExpr(parseExpr(text), oneRow.schema);
    const v = evaluate(resolved, oneRow);
    return [typeName(resolved.type), show(v.isValid(0) ? v.get(0) : null, resolved.type)];
  } catch (err) {
    return ["error", (err as Error).message.split("\n")[0]!];
  }
}

/** Rows of each markdown table that follows a `<!-- worked examples -->` marker: [expression, type, result]. */
function workedExamples(markdown: string): [string, string, string][] {
  const sections = markdown.split("<!-- worked examples -->").slice(1);
  assert.ok(sections.length > 0, "docs/expressions.md has no worked-examples table");
  const rows: [string, string, string][] = [];
  const unquote = (c: string): string => c.replace(/^`(.*)`$/, "$1");
  for (const section of sections) {
    const table = section.split("\n").slice(1);
    const first = table.findIndex((l) => l.startsWith("|"));
    assert.ok(first >= 0, "a worked-examples marker without a table");
    for (const line of table.slice(first + 2)) {
      if (!line.startsWith("|")) break;
      const cells = line.slice(2, -2).split(" | ").map((c) => c.trim());
      assert.equal(cells.length, 3, `not an expression | type | result row: ${line}`);
      rows.push([unquote(cells[0]!), unquote(cells[1]!), unquote(cells[2]!)]);
    }
  }
  return rows;
}

describe("docs/expressions.md worked examples evaluate as written", () => {
  const rows = workedExamples(readFileSync(join(root, "docs/expressions.md"), "utf8"));
  it("has examples", () => assert.ok(rows.length >= 30, String(rows.length)));
  for (const [expr, type, result] of rows) {
    it(expr, () => assert.deepEqual(evaluateConstant(expr), [type, result]));
  }
});
