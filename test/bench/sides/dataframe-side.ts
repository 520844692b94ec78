// What every side of the dataframe benchmark answers, and how answers are compared: the same five queries with the
// same output columns, reduced to a digest (row count plus checksums) that does not depend on row order or on how
// a side happens to represent its values.

/** The queries, in the order the benchmark runs them. */
export const QUERIES = ["filterProject", "groupBy", "join", "joinAgg", "topN"] as const;
export type QueryName = (typeof QUERIES)[number];

/** What each query computes, as SQL (the DuckDB side runs exactly this; the others are its equivalent). */
export const QUERY_SQL: Readonly<Record<QueryName, string>> = {
  filterProject: "SELECT key, value * 2 AS value2 FROM facts WHERE value > 0.5 AND key < 500",
  groupBy: "SELECT key, sum(value) AS sum, avg(value) AS mean, count(*) AS count FROM facts GROUP BY key",
  join: "SELECT f.key, f.value, f.tag, d.name FROM facts f JOIN dim d ON f.key = d.key",
  joinAgg: "SELECT count(*) AS count, sum(f.value) AS sum FROM facts f JOIN dim d ON f.key = d.key",
  topN: "SELECT key, value, tag FROM facts ORDER BY value DESC LIMIT 100",
};

/** Output columns of each query, in order. */
export const QUERY_COLUMNS: Readonly<Record<QueryName, readonly string[]>> = {
  filterProject: ["key", "value2"],
  groupBy: ["key", "sum", "mean", "count"],
  join: ["key", "value", "tag", "name"],
  joinAgg: ["count", "sum"],
  topN: ["key", "value", "tag"],
};

/** A query's result as the side materialized it; the values are read only when checking (never timed). */
export interface SideResult {
  readonly numRows: number;
  /** The values of the output columns (numbers, bigints or strings), in the side's row order. */
  columns(): Promise<readonly ArrayLike<unknown>[]> | readonly ArrayLike<unknown>[];
}

/** One engine answering the queries over data it loaded beforehand. */
export interface DataFrameSide {
  readonly name: string;
  /** Runs `query` and materializes its rows (what is timed). */
  run(query: QueryName): Promise<SideResult>;
  close(): Promise<void>;
}

/** What results are compared by. */
export interface Digest {
  rows: number;
  /** Row-level results: a hash of every row (summed, so order does not matter, except for topN). */
  hash?: number;
  /** Aggregates: the values, compared with a relative tolerance (sums in another order round differently). */
  values?: number[];
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A 32-bit hash of one value: ints and doubles by their float64 bits, strings by FNV-1a of their UTF-16 units. */
function hashValue(v: unknown): number {
  if (typeof v === "string") {
    let h = 0x811c9dc5;
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  f64[0] = Number(v);
  return Math.imul(u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1), 0x85ebca6b) >>> 0;
}

function rowHash(columns: readonly ArrayLike<unknown>[], i: number): number {
  let h = 17;
  for (const c of columns) h = (Math.imul(h, 0x01000193) ^ hashValue(c[i])) >>> 0;
  return h;
}

/** The digest of a result: aggregates keep their values, row results are hashed (in order for topN). */
export async function digest(query: QueryName, result: SideResult): Promise<Digest> {
  const columns = await result.columns();
  const n = result.numRows;
  for (const c of columns) if (c.length !== n) throw new Error(`a column has ${c.length} values for ${n} rows`);
  if (query === "groupBy") {
    // Sorted by key, so two sides' groups line up.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Number(columns[0]![a]) - Number(columns[0]![b]));
    return { rows: n, values: order.flatMap((i) => columns.map((c) => Number(c[i]))) };
  }
  if (query === "joinAgg") return { rows: n, values: columns.map((c) => Number(c[0])) };
  let hash = 0;
  for (let i = 0; i < n; i++) {
    const h = rowHash(columns, i);
    hash = query === "topN" ? (Math.imul(hash, 31) + h) >>> 0 : (hash + h) >>> 0;
  }
  return { rows: n, hash };
}

/** Throws, naming both sides and what differs, unless `got` matches `expected`. */
export function checkDigest(query: QueryName, side: string, got: Digest, base: string, expected: Digest): void {
  const fail = (what: string): never => {
    throw new Error(`dataframe ${query}: ${side} and ${base} disagree: ${what}`);
  };
  if (got.rows !== expected.rows) fail(`${got.rows} rows vs ${expected.rows}`);
  if (got.hash !== expected.hash) fail(`row checksum ${got.hash} vs ${expected.hash}`);
  const a = got.values ?? [];
  const b = expected.values ?? [];
  if (a.length !== b.length) fail(`${a.length} values vs ${b.length}`);
  a.forEach((x, i) => {
    if (!(Math.abs(x - b[i]!) <= 1e-9 * Math.max(1, Math.abs(b[i]!)))) fail(`value ${i}: ${x} vs ${b[i]}`);
  });
}
