// The dataframe-basics example runs and observes what the docs say it does (values recomputed here from the
// generator's formulas), and docs/api/dataframe.md quotes only code from it, verbatim.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkDocQuotes } from "../support/doc-quotes.js";
import { main, tour } from "../../examples/dataframe-basics.js";

const EXAMPLE = "examples/dataframe-basics.ts";
const ITEMS = ["tea", "coffee", "cocoa", "mate"];
const CITIES = ["Lyon", "Oslo", "Porto", "Turin", "Ghent"];

const ids = Array.from({ length: 5000 }, (_, i) => i);
const quantity = (id: number): number => 1 + (id % 7);
const price = (id: number): number => Math.round(((id * 37) % 1000) + 50) / 100;

describe(EXAMPLE, () => {
  it("reads, transforms, aggregates, joins, runs a UDF and writes, as the docs describe", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-df-example-"));
    try {
      const out = await main(dir);
      assert.deepEqual(out.orderColumns, ["id", "customer", "item", "quantity", "price", "coupon"]);
      const big = ids.filter((id) => quantity(id) >= 5).length;
      assert.equal(out.bigOrders, big);
      assert.equal(out.typo, 'no column "quantiy"; did you mean "quantity"?');

      const byItem = [...ITEMS].sort().map((item) => {
        const mine = ids.filter((id) => ITEMS[id % 4] === item);
        return { item, orders: mine.length, revenue: Math.round(mine.reduce((s, id) => s + quantity(id) * price(id), 0)) };
      });
      assert.deepEqual(out.revenueByItem, byItem);

      const byCity = CITIES.map((city) => ({
        city,
        revenue: Math.round(ids.filter((id) => CITIES[(id % 50) % 5] === city).reduce((s, id) => s + quantity(id) * price(id), 0)),
      }));
      assert.deepEqual(out.topCities, byCity.sort((a, b) => b.revenue - a.revenue).slice(0, 3));
      assert.match(out.explain, /== Optimized logical plan ==\nTopN 3: revenue DESC/);
      assert.match(out.explain, /ScanJson \S+orders\.jsonl\.gz columns=\[customer, quantity, price\]/);
      assert.match(out.explain, /ScanCsv \S+customers\.csv columns=\[id, city\]/);

      const coupons = ids.filter((id) => id % 100 === 0);
      const bad = coupons.filter((id) => id % 500 === 0);
      assert.equal(out.discounts.discounted, coupons.length);
      assert.deepEqual(out.discounts.failures, { discount: bad.length });
      assert.equal(out.discounts.deadLetters.length, bad.length);
      for (const d of out.discounts.deadLetters) assert.match(d.error, /unknown coupon BAD/);

      assert.equal(out.parquetRows, big);
      assert.equal(out.tableVersion, 1);
      assert.deepEqual(out.mergedColumns, ["id", "customer", "item", "quantity", "price", "coupon", "size"]);
      assert.ok(out.mergeBytes > 0 && out.mergeBytes * 10 < out.tableBytes, `merge wrote ${out.mergeBytes} of ${out.tableBytes} bytes`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe(`${EXAMPLE} tour()`, () => {
  it("runs the remaining operations on rows made in code", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-df-tour-"));
    try {
      const t = await tour(dir);
      assert.deepEqual(t.selected, ["name", "town"]);
      assert.deepEqual(t.renamed, ["name", "town"]);
      assert.equal(t.distinctCities, 3);
      assert.deepEqual(t.exploded.map((r) => `${r.name.split(" ")[0]}:${r.tag}`), [
        "Ada:math", "Ada:poetry", "Alan:math", "Grace:null", "Edsger:math", "Edsger:graphs", "Edsger:essays",
      ]);
      assert.equal(t.sampled, 2);
      assert.equal(t.concatenated, 8);
      assert.deepEqual(t.page, [3, 4, 5, 6]);
      assert.deepEqual(t.strings.map((r) => [r.upper, r.initial, r.words]), [
        ["ADA LOVELACE", "A", 2], ["ALAN TURING", "A", 2], ["GRACE HOPPER", "G", 2], ["EDSGER DIJKSTRA", "E", 2],
      ]);
      assert.deepEqual(t.lists.map((r) => [r.tags, r.first, r.joined]), [
        [2, "math", "math+poetry"], [1, "math", "math"], [0, null, ""], [3, "math", "math+graphs+essays"],
      ]);
      assert.deepEqual(t.applied, [12, 11, 12, 15]);
      assert.match(t.shown, /│ name +│ tags +│ one +│\n│ string +│ list<string> +│ int32 │/);
      assert.match(t.shown, /│ Ada Lovelace │ \[math, poetry\] │ 1 +│/);
      assert.match(t.shown, /\(2 rows shown\)/);
      assert.equal(t.batches, 1);
      assert.deepEqual(t.files.map((f) => f.path.split("/").at(-1)), ["people.csv", "people.jsonl"]);
      assert.ok(t.files.every((f) => f.size > 50));
      assert.deepEqual(t.roundTrip, { json: 2, csv: 2 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("docs/api/dataframe.md quotes examples/dataframe-basics.ts verbatim", () => {
  it("every ts block is an excerpt of the example", () => checkDocQuotes("docs/api/dataframe.md", EXAMPLE));
});
