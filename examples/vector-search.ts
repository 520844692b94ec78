// Example: vector search and its knobs on generated clustered vectors. Exact search gives the ground truth; then an
// HNSW index (sweep `ef`), an IVF-PQ index (sweep `nprobes` × `refineFactor`) and a filtered search with and without
// prefiltering, each reported as recall@10 against the truth and mean milliseconds per query.
// Each step prints one line; main() returns what it observed (test/examples/vector-search.test.ts checks it).
// Run: node --import tsx examples/vector-search.ts [directory] [rows]

import { rm } from "node:fs/promises";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { Table } from "../src/index.js";

const DIM = 64;
const CLUSTERS = 40;
const LATENT = 32;
const K = 10;

/** One knob setting as measured: recall@10 against exact search and mean ms per query. */
export interface Measured {
  setting: string;
  recall: number;
  ms: number;
}

/** What the example observed. */
export interface VectorSearchResult {
  rows: number;
  queries: number;
  hnsw: Measured[];
  ivfPq: Measured[];
  /** A filter matching 10 % of rows: rows returned per query and whether all match, with and without prefilter. */
  filtered: { prefilter: { rows: number; allMatch: boolean; ms: number }; postfilter: { rows: number; allMatch: boolean; ms: number } };
}

/** Seeded clustered vectors: each row is a cluster centre plus noise; `category` = id % 10. */
function clustered(rows: number, seed: number): arrow.Table {
  let s = seed >>> 0;
  const rand = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  // Real embeddings have a low intrinsic dimension: each cluster spreads along 32 random directions, plus a little
  // noise in all 64 (isotropic 64-d noise would make every neighbour nearly equidistant).
  const centres = Float32Array.from({ length: CLUSTERS * DIM }, () => gauss() * 4);
  const basis = Float32Array.from({ length: LATENT * DIM }, () => gauss() / Math.sqrt(LATENT));
  const values = new Float32Array(rows * DIM);
  const z = new Float32Array(LATENT);
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(rand() * CLUSTERS);
    for (let l = 0; l < LATENT; l++) z[l] = gauss() * 2;
    for (let d = 0; d < DIM; d++) {
      let v = centres[c * DIM + d]! + gauss() * 0.3;
      for (let l = 0; l < LATENT; l++) v += z[l]! * basis[l * DIM + d]!;
      values[r * DIM + d] = v;
    }
  }
  return new arrow.Table({
    id: arrow.makeVector(Int32Array.from({ length: rows }, (_, i) => i)),
    category: arrow.makeVector(Int32Array.from({ length: rows }, (_, i) => i % 10)),
    vector: arrow.makeVector(
      arrow.makeData({
        type: new arrow.FixedSizeList(DIM, new arrow.Field("item", new arrow.Float32(), false)),
        length: rows,
        child: arrow.makeData({ type: new arrow.Float32(), length: values.length, data: values }),
      }),
    ),
  });
}

/** The last `n` rows' vectors, as queries (drawn like the table's rows but not in it). */
function queryVectors(table: arrow.Table, n: number): Float32Array[] {
  const child = table.getChild("vector")!.data[0]!.children[0]!.values as Float32Array;
  const first = table.numRows - n;
  return Array.from({ length: n }, (_, i) => child.slice((first + i) * DIM, (first + i + 1) * DIM));
}

/** Row ids of each query's hits. */
async function hitIds(t: Table, queries: Float32Array[], options: Parameters<Table["search"]>[1]): Promise<{ ids: bigint[][]; ms: number }> {
  for (const q of queries.slice(0, 20)) await t.search(q, { k: K, columns: [], ...options }); // warm-up
  const start = performance.now();
  const ids: bigint[][] = [];
  for (const q of queries) {
    const hits = await t.search(q, { k: K, columns: [], ...options });
    ids.push(Array.from(hits.getChild("_rowid")!.toArray() as BigUint64Array));
  }
  return { ids, ms: (performance.now() - start) / queries.length };
}

function recall(truth: bigint[][], got: bigint[][]): number {
  let found = 0;
  truth.forEach((t, i) => {
    const g = new Set(got[i]);
    found += t.filter((id) => g.has(id)).length;
  });
  return found / (truth.length * K);
}

export async function main(dir = "./example-vector-search", rows = 20_000, queries = 200): Promise<VectorSearchResult> {
  await rm(dir, { recursive: true, force: true });
  const data = clustered(rows + queries, 1);
  const t = await Table.create(join(dir, "vectors.tsr"), data.slice(0, rows));
  const qs = queryVectors(data, queries);
  const say = (m: Measured): void => console.log(`  ${m.setting.padEnd(28)} recall@10 ${m.recall.toFixed(3)}  ${m.ms.toFixed(3)} ms/query`);

  // With no index the search is exact: it is the ground truth the knobs are measured against.
  const exact = await hitIds(t, qs, {});
  console.log(`exact search over ${rows} rows: ${exact.ms.toFixed(2)} ms/query`);

  // HNSW: `ef` is how many candidates the graph walk keeps; more means higher recall and slower queries.
  await t.createIndex("vector", { type: "hnsw", metric: "l2", m: 16, efConstruction: 100 });
  const hnsw: Measured[] = [];
  for (const ef of [10, 20, 40, 80]) {
    const got = await hitIds(t, qs, { ef });
    hnsw.push({ setting: `hnsw ef=${ef}`, recall: recall(exact.ids, got.ids), ms: got.ms });
  }
  console.log("HNSW (m 16, efConstruction 100):");
  hnsw.forEach(say);

  // IVF-PQ: `nprobes` partitions are scanned with compressed distances; `refineFactor` re-ranks k × refineFactor
  // candidates with exact distances read from the table.
  await t.createIndex("vector", { type: "ivf_pq", metric: "l2", partitions: 64, subVectors: 16 });
  const ivfPq: Measured[] = [];
  for (const nprobes of [2, 8, 32]) {
    for (const refineFactor of [0, 5]) {
      const got = await hitIds(t, qs, { nprobes, refineFactor });
      ivfPq.push({ setting: `ivf_pq nprobes=${nprobes} refine=${refineFactor}`, recall: recall(exact.ids, got.ids), ms: got.ms });
    }
  }
  console.log("IVF-PQ (64 partitions, 16 sub-vectors):");
  ivfPq.forEach(say);

  // A filter matching 10 % of the rows. Prefilter (the default) restricts the search to matching rows and returns k
  // of them; postfilter searches first and drops the misses, so about 10 % of k come back.
  await t.createIndex("vector", { type: "hnsw", metric: "l2" });
  const filtered = async (prefilter: boolean): Promise<{ rows: number; allMatch: boolean; ms: number }> => {
    let rowsBack = 0;
    let allMatch = true;
    const start = performance.now();
    for (const q of qs) {
      const hits = await t.search(q, { k: K, filter: "category = 3", prefilter, columns: ["category"] });
      rowsBack += hits.numRows;
      allMatch &&= Array.from(hits.getChild("category")!.toArray() as Int32Array).every((c) => c === 3);
    }
    return { rows: rowsBack / qs.length, allMatch, ms: (performance.now() - start) / qs.length };
  };
  const pre = await filtered(true);
  const post = await filtered(false);
  console.log(`filter "category = 3": prefilter ${pre.rows.toFixed(1)} rows/query (${pre.ms.toFixed(3)} ms), postfilter ${post.rows.toFixed(1)} rows/query (${post.ms.toFixed(3)} ms)`);

  return { rows, queries, hnsw, ivfPq, filtered: { prefilter: pre, postfilter: post } };
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2], process.argv[3] === undefined ? undefined : Number(process.argv[3]));
