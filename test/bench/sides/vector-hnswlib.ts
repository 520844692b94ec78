// The raw hnswlib-node side of the vector benchmark: the graph Tessera's HNSW index wraps, used directly (labels =
// base row numbers, queries converted to number[] beforehand, no filter callback). The anchor that shows what
// Tessera's Table.search adds on top of the native search.

import hnswlib from "hnswlib-node";
import { timeOnce } from "../harness.js";
import type { Found, Knobs, VectorSide } from "./vector-side.js";

export interface HnswParams {
  m: number;
  efConstruction: number;
  seed: number;
}

export class HnswlibSide implements VectorSide {
  readonly system = "hnswlib";
  readonly index = "hnsw";
  private plain: number[][] = [];

  private constructor(
    private readonly native: hnswlib.HierarchicalNSW,
    readonly params: string,
    readonly buildMs: number,
  ) {}

  /**
   * Builds the graph from `rows` vectors of `dim` floats (timed, including the conversion of each vector to the
   * number[] hnswlib-node requires — a user of it pays that too).
   */
  static async create(vectors: Float32Array, dim: number, params: HnswParams): Promise<HnswlibSide> {
    const rows = vectors.length / dim;
    const native = new hnswlib.HierarchicalNSW("l2", dim);
    const buildMs = await timeOnce(async () => {
      native.initIndex(rows, params.m, params.efConstruction, params.seed);
      for (let i = 0; i < rows; i++) native.addPoint(Array.from(vectors.subarray(i * dim, (i + 1) * dim)), i);
    });
    return new HnswlibSide(native, `m=${params.m} efConstruction=${params.efConstruction}`, buildMs);
  }

  prepare(queries: readonly Float32Array[]): void {
    this.plain = queries.map((q) => Array.from(q));
  }

  async search(query: Float32Array, i: number, k: number, knobs: Knobs): Promise<Found> {
    this.native.setEf(Math.max(knobs.ef ?? 10, k));
    const r = this.native.searchKnn(this.plain[i] ?? Array.from(query), k);
    return { rows: () => r.neighbors };
  }

  async close(): Promise<void> {}
}
