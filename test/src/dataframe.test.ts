// Each DataFrame operation against a plain-JS oracle over the same rows, on random data, run twice: over in-memory
// Arrow and over the same rows written to a Tessera table and read back (as Daft runs its tests on two sources).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as A from "apache-arrow";
import fc from "fast-check";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { col, count, DataFrame, fromArrow, fromSource, lit, Table, when } from "../../src/index.js";
import { openParquetSource } from "../../src/io/parquet.js";

interface Row {
  id: number;
  key: number | null;
  value: number | null;
  name: string | null;
  tags: string[] | null;
}

const SEED = Number(process.env.SEED ?? 20261121);
const RUNS = Number(process.env.RUNS ?? 25);

const rowArb: fc.Arbitrary<Omit<Row, "id">> = fc.record({
  key: fc.option(fc.integer({ min: 0, max: 4 }), { freq: 6 }),
  value: fc.option(fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), { freq: 6 }),
  name: fc.option(fc.constantFrom("ann", "bob", "cy", "", "dóra"), { freq: 6 }),
  tags: fc.option(fc.array(fc.constantFrom("x", "y", "z"), { maxLength: 3 }), { freq: 6 }),
});
const rowsArb = fc.array(rowArb, { maxLength: 60 }).map((rs) => rs.map((r, id) => ({ id, ...r })));

const SCHEMA = new A.Schema([
  new A.Field("id", new A.Int32(), false),
  new A.Field("key", new A.Int32(), true),
  new A.Field("value", new A.Float64(), true),
  new A.Field("name", new A.Utf8(), true),
  new A.Field("tags", new A.List(new A.Field("item", new A.Utf8(), true)), true),
]);

function arrow(rows: Row[], chunk = 17): A.Table {
  const batches: A.RecordBatch[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const t = new A.Table(
      SCHEMA,
      Object.fromEntries(SCHEMA.fields.map((f) => [f.name, A.vectorFromArray(part.map((r) => r[f.name as keyof Row]), f.type)])),
    );
    batches.push(...t.batches.map((b) => new A.RecordBatch(SCHEMA, b.data)));
  }
  return new A.Table(SCHEMA, batches);
}

let tables = 0;
/** The rows as a DataFrame: from Arrow, or through a table on memory://. */
async function source(rows: Row[], kind: "memory" | "table"): Promise<DataFrame> {
  if (kind === "memory") return fromArrow(arrow(rows));
  const data = arrow(rows);
  const t = data.numRows === 0 ? await Table.create(`memory://df-test-${tables++}`, new A.Table(SCHEMA)) : await Table.create(`memory://df-test-${tables++}`, data);
  return t.toDataFrame();
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof A.Vector) return [...v].map(plain);
  return v;
}

async function rowsOf(df: DataFrame): Promise<Record<string, unknown>[]> {
  const t = await df.collect();
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const r: Record<string, unknown> = {};
    for (const f of t.schema.fields) r[f.name] = plain(t.getChild(f.name)!.get(i));
    out.push(r);
  }
  return out;
}

const key = (r: unknown): string => JSON.stringify(r);
const multiset = (rs: unknown[]): string[] => rs.map(key).sort();
const close = (a: number | null, b: number | null): boolean => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

/** Runs `check` on random rows against both sources. */
function property(name: string, check: (rows: Row[], df: DataFrame) => Promise<void>): void {
  for (const kind of ["memory", "table"] as const) {
    test(`${name} (${kind})`, async () => {
      await fc.assert(
        fc.asyncProperty(rowsArb, async (rows) => check(rows, await source(rows, kind))),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
}

property("where + withColumn + select", async (rows, df) => {
  const got = await rowsOf(df.where(col("value").gt(0).and(col("key").neq(2))).withColumn("twice", col("value").mul(2)).select("id", "twice"));
  const want = rows.filter((r) => r.value !== null && r.value > 0 && r.key !== null && r.key !== 2).map((r) => ({ id: r.id, twice: r.value! * 2 }));
  assert.deepEqual(got, want);
});

property("where with SQL-like text", async (rows, df) => {
  const got = await rowsOf(df.where("name IS NOT NULL AND id >= 3").select("id"));
  assert.deepEqual(got, rows.filter((r) => r.name !== null && r.id >= 3).map((r) => ({ id: r.id })));
});

property("groupBy + every aggregation", async (rows, df) => {
  const got = await rowsOf(
    df
      .groupBy("key")
      .agg(
        count().alias("n"),
        col("value").count().alias("nv"),
        col("value").sum().alias("sum"),
        col("value").mean().alias("mean"),
        col("value").min().alias("min"),
        col("value").max().alias("max"),
        col("value").var().alias("var"),
        col("name").countDistinct().alias("names"),
        col("id").first().alias("first"),
        col("id").last().alias("last"),
        col("id").list().alias("ids"),
      ),
  );
  const groups = new Map<number | null, Row[]>();
  for (const r of rows) groups.set(r.key, [...(groups.get(r.key) ?? []), r]);
  assert.equal(got.length, groups.size);
  for (const g of got) {
    const rs = groups.get(g.key as number | null)!;
    const vs = rs.map((r) => r.value).filter((v): v is number => v !== null);
    const mean = vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
    const v = vs.length > 1 ? vs.reduce((a, x) => a + (x - mean!) ** 2, 0) / (vs.length - 1) : null;
    assert.equal(g.n, rs.length);
    assert.equal(g.nv, vs.length);
    assert.ok(close(g.sum as number | null, vs.length ? vs.reduce((a, b) => a + b, 0) : null), `sum ${g.sum}`);
    assert.ok(close(g.mean as number | null, mean));
    assert.equal(g.min, vs.length ? Math.min(...vs) : null);
    assert.equal(g.max, vs.length ? Math.max(...vs) : null);
    assert.ok(close(g.var as number | null, v), `var ${g.var} vs ${v}`);
    assert.equal(g.names, new Set(rs.map((r) => r.name).filter((n) => n !== null)).size);
    assert.equal(g.first, rs[0]!.id);
    assert.equal(g.last, rs.at(-1)!.id);
    assert.deepEqual(g.ids, rs.map((r) => r.id));
  }
});

property("global agg over an expression of aggregates", async (rows, df) => {
  const [got] = await rowsOf(df.agg(count().alias("n"), col("value").sum().div(count()).alias("avg")));
  const vs = rows.map((r) => r.value).filter((v): v is number => v !== null);
  assert.equal(got!.n, rows.length);
  assert.ok(close(got!.avg as number | null, rows.length && vs.length ? vs.reduce((a, b) => a + b, 0) / rows.length : null));
});

for (const how of ["inner", "left", "right", "outer", "semi", "anti"] as const) {
  property(`join ${how} with duplicate and null keys`, async (rows, df) => {
    const dimRows = [
      { key: 0, label: "zero" },
      { key: 1, label: "one" },
      { key: 1, label: "uno" },
      { key: null, label: "none" },
      { key: 7, label: "seven" },
    ];
    const dim = fromArrow(
      new A.Table({
        key: A.vectorFromArray(dimRows.map((d) => d.key), new A.Int32()),
        label: A.vectorFromArray(dimRows.map((d) => d.label), new A.Utf8()),
      }),
    );
    const got = await rowsOf(df.select("id", "key").join(dim, { on: "key", how }));
    const want: unknown[] = [];
    const matches = (r: Row) => dimRows.filter((d) => r.key !== null && d.key === r.key);
    for (const r of rows) {
      const m = matches(r);
      if (how === "semi") m.length > 0 && want.push({ id: r.id, key: r.key });
      else if (how === "anti") m.length === 0 && want.push({ id: r.id, key: r.key });
      else if (how === "right" || how === "outer") {
        for (const d of m) want.push({ id: r.id, key: r.key, key_right: d.key, label: d.label });
        if (how === "outer" && m.length === 0) want.push({ id: r.id, key: r.key, key_right: null, label: null });
      } else {
        for (const d of m) want.push({ id: r.id, key: r.key, label: d.label });
        if (how === "left" && m.length === 0) want.push({ id: r.id, key: r.key, label: null });
      }
    }
    if (how === "right" || how === "outer") {
      for (const d of dimRows) {
        if (!rows.some((r) => r.key !== null && r.key === d.key)) want.push({ id: null, key: null, key_right: d.key, label: d.label });
      }
    }
    assert.deepEqual(multiset(got), multiset(want));
  });
}

property("sort by several keys, nulls last, then limit and offset", async (rows, df) => {
  const got = await rowsOf(df.sort(["key", "value"], { desc: [false, true] }).offset(2).limit(10).select("id"));
  const cmp = (a: number | null, b: number | null, desc: boolean): number => {
    if (a === b) return 0;
    if (a === null) return desc ? -1 : 1;
    if (b === null) return desc ? 1 : -1;
    return desc ? b - a : a - b;
  };
  const want = [...rows].sort((a, b) => cmp(a.key, b.key, false) || cmp(a.value, b.value, true) || a.id - b.id).slice(2, 12);
  assert.deepEqual(got, want.map((r) => ({ id: r.id })));
});

property("distinct on columns keeps each first row", async (rows, df) => {
  const got = await rowsOf(df.distinct("key", "name").select("id"));
  const seen = new Set<string>();
  const want = rows.filter((r) => {
    const k = key([r.key, r.name]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  assert.deepEqual(multiset(got), multiset(want.map((r) => ({ id: r.id }))));
});

property("explode: one row per item, null for empty and null lists", async (rows, df) => {
  const got = await rowsOf(df.select("id", "tags").explode("tags"));
  const want = rows.flatMap((r): { id: number; tags: string | null }[] => (r.tags === null || r.tags.length === 0 ? [{ id: r.id, tags: null }] : r.tags.map((t) => ({ id: r.id, tags: t }))));
  assert.deepEqual(multiset(got), multiset(want));
});

property("sample by size keeps exactly min(size, rows) distinct rows", async (rows, df) => {
  const got = await rowsOf(df.sample({ size: 7, seed: 3 }).select("id"));
  assert.equal(got.length, Math.min(7, rows.length));
  assert.equal(new Set(got.map((r) => r.id)).size, got.length);
});

property("concat, when/otherwise and string functions", async (rows, df) => {
  const both = df.concat(df).withColumn("size", when(col("value").gt(10), "big").otherwise(lit("small"))).withColumn("up", col("name").str.upper());
  const got = await rowsOf(both.select("id", "size", "up"));
  const one = rows.map((r) => ({ id: r.id, size: r.value !== null && r.value > 10 ? "big" : "small", up: r.name === null ? null : r.name.toUpperCase() }));
  assert.deepEqual(multiset(got), multiset([...one, ...one]));
});

property("countRows matches", async (rows, df) => {
  assert.equal(await df.countRows(), rows.length);
  assert.equal(await df.where(col("key").isNull()).countRows(), rows.filter((r) => r.key === null).length);
});

test("a misspelt column fails when the plan is built, naming the nearest columns", async () => {
  const df = await source([{ id: 0, key: 1, value: 1, name: "a", tags: [] }], "memory");
  assert.throws(() => df.where(col("vaule").gt(1)), /no column "vaule"; did you mean "value"/);
  assert.throws(() => df.withColumn("x", col("nmae").str.upper()), /did you mean "name"/);
  assert.throws(() => df.select("idd"), /did you mean "id"/);
  assert.throws(() => df.groupBy("kye"), /did you mean "key"/);
});

test("a type mismatch names both types", async () => {
  const df = await source([{ id: 0, key: 1, value: 1, name: "a", tags: [] }], "memory");
  assert.throws(() => df.where(col("name").gt(col("value"))), /utf8|string/i);
  assert.throws(() => df.where(col("value")), /needs a condition, got an expression of type float64/);
  assert.throws(() => df.join(df.select(col("name").alias("key")), { on: "key" }), /int32 on the left but (utf8|string) on the right/);
});

/** A source of `batches` batches of `rows` int32 rows, counting the batches it produced. */
function countingSource(batches: number, rows: number): { df: DataFrame; produced: () => number } {
  let produced = 0;
  const schema = new A.Schema([new A.Field("i", new A.Int32(), false)]);
  const source = {
    kind: "Counting",
    description: `${batches}×${rows} rows`,
    schema,
    supports: { projection: false, filter: "none" as const, limit: false },
    async *scan() {
      for (let b = 0; b < batches; b++) {
        produced++;
        yield new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: rows, children: [A.makeData({ type: new A.Int32(), length: rows, data: Int32Array.from({ length: rows }, (_, i) => b * rows + i) })] }));
      }
    },
  };
  return { df: fromSource(source), produced: () => produced };
}

test("limit and show stop reading early, even below a projection", async () => {
  const a = countingSource(1_000, 1_000);
  const rows = await a.df.withColumn("j", col("i").mul(2)).limit(5).toRows();
  assert.deepEqual(rows.map((r) => r.j), [0, 2, 4, 6, 8]);
  assert.ok(a.produced() <= 2, `read ${a.produced()} batches for 5 rows`);
  const b = countingSource(1_000, 1_000);
  let text = "";
  await b.df.show(3, { write: (t) => (text += t) });
  assert.match(text, /\(3 rows shown\)/);
  assert.ok(b.produced() <= 2, `show read ${b.produced()} batches`);
});

test("progress is reported per stage, ending with each stage's row count", async () => {
  const { df } = countingSource(20, 500);
  const events: { stage: string; rows: number; done?: boolean }[] = [];
  await df.where(col("i").lt(7_000)).collect({ onProgress: (e) => events.push(e) });
  const done = events.filter((e) => e.done);
  assert.deepEqual(
    done.map((e) => [e.stage.replace(/#\d+$/, ""), e.rows]).sort(),
    [["Filter", 7_000], ["ScanCounting", 10_000]],
  );
});

test("a filter on a table goes into its scan; on Parquet it prunes row groups", async () => {
  const rows: Row[] = Array.from({ length: 3000 }, (_, id) => ({ id, key: id % 5, value: id, name: null, tags: null }));
  const t = await Table.create(`memory://df-pushdown-${tables++}`, arrow(rows, 1000));
  const df = t.toDataFrame().where(col("id").gte(2500)).select("id");
  assert.match(df.explain({ optimized: true }), /Scan Table: .* columns=\[id\] filter=id >= 2500/);
  assert.equal(await df.countRows(), 500);

  const dir = await import("node:fs/promises").then((fs) => fs.mkdtemp(join(tmpdir(), "tessera-df-parquet-")));
  try {
    const path = join(dir, "rows.parquet");
    await fromArrow(arrow(rows, 1000)).select("id", "value").writeParquet(path, { rowGroupRows: 500 });
    const source = await openParquetSource(path);
    const filtered = fromSource(source).where(col("id").lt(700));
    assert.match(filtered.explain({ optimized: true }), /Filter: id < 700\n\s+└─ Scan Parquet: .* filter=id < 700/);
    assert.equal(await filtered.countRows(), 700);
    assert.equal(source.stats.rowGroupsPruned, 4, JSON.stringify(source.stats));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a DataFrame with no columns and no rows counts 0", async () => {
  const { fromRows } = await import("../../src/index.js");
  assert.equal(await fromRows([]).countRows(), 0);
  assert.equal((await fromRows([]).collect()).numRows, 0);
});
