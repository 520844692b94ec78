// src/table.ts: the Table users import takes engine expressions wherever a table filter or update value goes.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as A from "apache-arrow";
import { col, Table } from "../../src/index.js";

let n = 0;
async function table(): Promise<Table> {
  const rows = 20;
  const vectors = Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? Math.floor(i / 2) : 0));
  return Table.create(
    `memory://src-table-${n++}`,
    new A.Table({
      id: A.makeVector(Int32Array.from({ length: rows }, (_, i) => i)),
      name: A.vectorFromArray(Array.from({ length: rows }, (_, i) => `item-${i}`), new A.Utf8()),
      v: A.makeVector(
        A.makeData({
          type: new A.FixedSizeList(2, new A.Field("item", new A.Float32(), false)),
          length: rows,
          child: A.makeData({ type: new A.Float32(), length: rows * 2, data: vectors }),
        }),
      ),
    }),
  );
}

describe("Table with engine expressions", () => {
  it("countRows, scan, delete and search accept col(...) filters", async () => {
    const t = await table();
    assert.equal(await t.countRows(col("id").lt(5)), 5);
    assert.equal(await t.countRows(col("name").eq("item-3").or(col("id").isIn([4, 5]))), 3);
    const scanned = await t.toArrow({ filter: col("id").gte(18), columns: ["id"] });
    assert.deepEqual([...scanned.getChild("id")!], [18, 19]);
    await t.delete(col("id").mod(2).eq(1));
    assert.equal(await t.countRows(), 10);
    const hits = await t.search([7, 0], { k: 2, filter: col("id").gt(8), columns: ["id"] });
    assert.deepEqual([...hits.getChild("id")!], [10, 12]);
  });

  it("update takes expression values and where", async () => {
    const t = await table();
    await t.update({ where: col("id").lt(3), values: { id: col("id").add(100) } });
    const rows = await t.toArrow({ columns: ["id"], filter: "id >= 100" });
    assert.deepEqual([...rows.getChild("id")!].sort(), [100, 101, 102]);
  });

  it("an expression the table cannot run is refused with a way out", async () => {
    const t = await table();
    await assert.rejects(
      t.countRows(col("name").str.startsWith("item-1")),
      (err: Error) => /only the DataFrame engine runs \(str.startsWith/.test(err.message) && /toDataFrame/.test(err.message),
    );
  });
});
