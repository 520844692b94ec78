// Example: the DataFrame workflow on generated shop data — 5 000 orders as gzipped NDJSON and 50 customers as CSV:
// read with inferred schemas, filter, compute columns, aggregate, join, sort, look at the plans, run a UDF with a
// dead-letter output, write Parquet and a Tessera table, and merge a computed column back into the table.
// Each step prints one line; main() returns what it observed (test/examples/dataframe-basics.test.ts checks it).
// Run: node --import tsx examples/dataframe-basics.ts [directory]

import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { col, count, DataType, fromGlob, fromRows, lit, readCsv, readJson, readParquet, readTable, Table, udf, when } from "../src/index.js";

const CITIES = ["Lyon", "Oslo", "Porto", "Turin", "Ghent"];
const ITEMS = ["tea", "coffee", "cocoa", "mate"];

/** Writes `orders.jsonl.gz` (5 000 orders) and `customers.csv` (50 customers) into `dir`. */
export async function makeData(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const orders: string[] = [];
  for (let id = 0; id < 5000; id++) {
    const order = {
      id,
      customer: id % 50,
      item: ITEMS[id % ITEMS.length],
      quantity: 1 + (id % 7),
      price: Math.round(((id * 37) % 1000) + 50) / 100,
      // Every 500th order has a malformed coupon code (the UDF below rejects it).
      coupon: id % 100 === 0 ? (id % 500 === 0 ? "BAD" : `SAVE${id % 30}`) : null,
    };
    orders.push(JSON.stringify(order));
  }
  await writeFile(join(dir, "orders.jsonl.gz"), gzipSync(orders.join("\n") + "\n"));
  const customers = ["id,name,city"];
  for (let id = 0; id < 50; id++) customers.push(`${id},customer ${id},${CITIES[id % CITIES.length]}`);
  await writeFile(join(dir, "customers.csv"), customers.join("\n") + "\n");
}

export interface Observed {
  orderColumns: string[];
  bigOrders: number;
  typo: string;
  revenueByItem: { item: string; orders: number; revenue: number }[];
  topCities: { city: string; revenue: number }[];
  explain: string;
  discounts: { failures: Record<string, number>; deadLetters: { row: number; input: unknown; error: string }[]; discounted: number };
  parquetRows: number;
  tableVersion: number;
  mergedColumns: string[];
  mergeBytes: number;
  tableBytes: number;
}

/** Runs the whole workflow in `dir` and returns what it observed. */
export async function main(dir = "./tessera-demo/dataframe"): Promise<Observed> {
  await rm(dir, { recursive: true, force: true });
  await makeData(dir);
  const log = (line: string): void => console.log(line);

  // Readers infer the schema from a sample, so every later step is checked when it is written.
  const orders = await readJson(join(dir, "orders.jsonl.gz"));
  const customers = await readCsv(join(dir, "customers.csv"));
  log(`orders: ${orders.schema.fields.map((f) => `${f.name} ${f.type}`).join(", ")}`);

  // Filter and compute columns; nothing runs until a result is asked for.
  const big = orders.where(col("quantity").gte(5)).withColumn("total", col("quantity").mul(col("price")));
  const bigOrders = await big.countRows();
  let typo = "";
  try {
    orders.where(col("quantiy").gt(1));
  } catch (err) {
    typo = (err as Error).message;
  }
  log(`${bigOrders} orders of 5 or more; a typo fails at once: ${typo}`);

  // Group and aggregate.
  const byItem = orders
    .withColumn("total", col("quantity").mul(col("price")))
    .groupBy("item")
    .agg(count().alias("orders"), col("total").sum().alias("revenue"))
    .sort("item");
  const revenueByItem = (await byItem.toRows()).map((r) => ({ item: r.item as string, orders: Number(r.orders), revenue: Math.round(r.revenue as number) }));
  log(`revenue by item: ${revenueByItem.map((r) => `${r.item} ${r.revenue}`).join(", ")}`);

  // Join with the customers, then the three cities with the most revenue (sort + limit runs as a top-N).
  const topCitiesDf = orders
    .join(customers, { leftOn: "customer", rightOn: "id" })
    .groupBy("city")
    .agg(col("quantity").mul(col("price")).sum().alias("revenue"))
    .sort("revenue", { desc: true })
    .limit(3);
  const topCities = (await topCitiesDf.toRows()).map((r) => ({ city: r.city as string, revenue: Math.round(r.revenue as number) }));
  log(`top cities: ${topCities.map((c) => c.city).join(", ")}`);
  const explain = topCitiesDf.explain({ optimized: true });
  log(explain);

  // A batch UDF: coupon codes to discounts; bad codes go to the dead-letter output instead of failing the query.
  const discount = udf(
    (codes) =>
      [...codes].map((code) => {
        if (code === null) return null;
        const m = /^SAVE(\d+)$/.exec(String(code));
        if (m === null) throw new Error(`unknown coupon ${String(code)}`);
        return Number(m[1]) / 100;
      }),
    { returnType: DataType.float64(), onError: "dead-letter", name: "discount" },
  );
  const withDiscount = orders.where(col("coupon").notNull()).withColumn("discount", discount(col("coupon")));
  const report = await withDiscount.collectReport();
  const discounts = {
    failures: { ...report.failures },
    deadLetters: report.deadLetters.map((d) => ({ row: d.row, input: d.input, error: d.error })),
    discounted: report.table.numRows,
  };
  log(`discounts: ${discounts.discounted} coupon orders, ${report.deadLetters.length} dead letters`);

  // Write Parquet and read it back; write a Tessera table.
  const parquet = join(dir, "big-orders.parquet");
  await big.writeParquet(parquet);
  const parquetRows = await (await readParquet(parquet)).countRows();
  const tableUri = join(dir, "orders.tsr");
  const written = await orders.writeTable(tableUri);
  log(`wrote ${parquetRows} rows to Parquet and table version ${written.version}`);

  // Compute a column from the table and merge it back by _rowid: only the new column is written.
  const before = await Table.open(tableUri);
  const sizeBefore = before.currentManifest.fragments.flatMap((f) => f.files).reduce((s, f) => s + f.size, 0);
  const size = when(col("quantity").gte(5), "large").otherwise("small");
  const merged = await (await readTable(tableUri, { withRowId: true })).select("_rowid", size.alias("size")).writeTable(tableUri, { mode: "merge" });
  const after = await Table.open(tableUri);
  const sizeAfter = after.currentManifest.fragments.flatMap((f) => f.files).reduce((s, f) => s + f.size, 0);
  log(`merged "size" into version ${merged.version}: ${sizeAfter - sizeBefore} bytes added to ${sizeBefore}`);

  return {
    orderColumns: orders.schema.fields.map((f) => f.name),
    bigOrders,
    typo,
    revenueByItem,
    topCities,
    explain,
    discounts,
    parquetRows,
    tableVersion: written.version ?? -1,
    mergedColumns: after.schema.fields.map((f) => f.name),
    mergeBytes: sizeAfter - sizeBefore,
    tableBytes: sizeBefore,
  };
}

export interface Tour {
  selected: string[];
  renamed: string[];
  distinctCities: number;
  exploded: { name: string; tag: string | null }[];
  sampled: number;
  concatenated: number;
  page: number[];
  strings: { name: string; upper: string; initial: string; words: number }[];
  lists: { name: string; tags: number; first: string | null; joined: string }[];
  applied: number[];
  shown: string;
  batches: number;
  files: { path: string; size: number }[];
  roundTrip: { json: number; csv: number };
}

/** The other operations on a few rows made in code (each checked by the example's test). */
export async function tour(dir = "./tessera-demo/dataframe-tour"): Promise<Tour> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const people = fromRows([
    { name: "Ada Lovelace", city: "London", tags: ["math", "poetry"] },
    { name: "Alan Turing", city: "London", tags: ["math"] },
    { name: "Grace Hopper", city: "New York", tags: [] },
    { name: "Edsger Dijkstra", city: "Austin", tags: ["math", "graphs", "essays"] },
  ]);

  // Choose, drop and rename columns.
  const selected = people.select("name", col("city").alias("town")).schema.fields.map((f) => f.name);
  const renamed = people.exclude("tags").rename({ city: "town" }).schema.fields.map((f) => f.name);

  // Distinct rows, one row per list item, a seeded sample, two DataFrames one after the other, a page of rows.
  const distinctCities = await people.distinct("city").countRows();
  const exploded = (await people.select("name", "tags").explode("tags").toRows()).map((r) => ({ name: r.name as string, tag: r.tags as string | null }));
  const sampled = await people.sample({ size: 2, seed: 7 }).countRows();
  const concatenated = await people.concat(people).countRows();
  const page = (await fromRows(Array.from({ length: 10 }, (_, i) => ({ i }))).offset(3).limit(4).toRows()).map((r) => Number(r.i));

  // String and list functions.
  const strings = (
    await people
      .select(
        "name",
        col("name").str.upper().alias("upper"),
        col("name").str.slice(0, 1).alias("initial"),
        col("name").str.split(" ").list.length().alias("words"),
      )
      .toRows()
  ).map((r) => ({ name: r.name as string, upper: r.upper as string, initial: r.initial as string, words: r.words as number }));
  const lists = (
    await people
      .select("name", col("tags").list.length().alias("tags"), col("tags").list.get(0).alias("first"), col("tags").list.join("+").alias("joined"))
      .toRows()
  ).map((r) => ({ name: r.name as string, tags: r.tags as number, first: r.first as string | null, joined: r.joined as string }));

  // A row-wise JS function, with its declared return type checked.
  const applied = (await people.select(col("name").apply((n) => String(n).length, DataType.int32()).alias("chars")).toRows()).map((r) => r.chars as number);

  // show() renders a text table (here into a string); iterBatches() streams record batches.
  let shown = "";
  await people.select("name", "tags", lit(1).alias("one")).show(2, { write: (text) => (shown += text) });
  let batches = 0;
  for await (const batch of people.iterBatches()) batches += batch.numRows > 0 ? 1 : 0;

  // Write JSON and CSV, list the files with fromGlob, read them back.
  await people.writeJson(join(dir, "people.jsonl"));
  await people.exclude("tags").writeCsv(join(dir, "people.csv"));
  const files = (await (await fromGlob(join(dir, "people.*"))).toRows()).map((r) => ({ path: r.path as string, size: Number(r.size) }));
  const roundTrip = {
    json: await (await readJson(join(dir, "people.jsonl"))).where(col("city").eq("London")).countRows(),
    csv: await (await readCsv(join(dir, "people.csv"))).where("city = 'London'").countRows(),
  };
  return { selected, renamed, distinctCities, exploded, sampled, concatenated, page, strings, lists, applied, shown, batches, files, roundTrip };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main(process.argv[2]);
  console.log(JSON.stringify(await tour(process.argv[2] ? `${process.argv[2]}-tour` : undefined), null, 1));
}
