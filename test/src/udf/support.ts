// Test helpers: DataFrames over in-memory Arrow batches (with explicit types), and a source that counts what it
// produced so tests can see how far ahead of its consumer it ran.

import * as A from "apache-arrow";
import { DataFrame } from "../../../src/dataframe.js";
import type { ScanSource } from "../../../src/io/source.js";
import { scan } from "../../../src/plan/build.js";

/** Batches of `rows` rows each, from whole columns. */
export function batchesOf(columns: Record<string, A.Vector>, rows: number): A.RecordBatch[] {
  const table = new A.Table(columns);
  const out: A.RecordBatch[] = [];
  for (let s = 0; s < table.numRows; s += rows) {
    const part = table.slice(s, s + rows);
    out.push(new A.Table(Object.fromEntries(part.schema.fields.map((f, i) => [f.name, copy(part.getChildAt(i)!)]))).batches[0]!);
  }
  return out;
}

/** One chunk holding the vector's values (slices of a table may span chunks). */
function copy(v: A.Vector): A.Vector {
  return A.vectorFromArray([...v], v.type);
}

/** A source over a fixed list of batches (or a generator of them); `produced` counts the batches handed out. */
export class MemorySource implements ScanSource {
  readonly kind = "Memory";
  readonly description = "test batches";
  readonly supports = { projection: false, filter: "none", limit: false } as const;
  produced = 0;

  constructor(
    readonly schema: A.Schema,
    private readonly batches: () => Iterable<A.RecordBatch>,
  ) {}

  async *scan(): AsyncIterable<A.RecordBatch> {
    for (const b of this.batches()) {
      this.produced++;
      yield b;
    }
  }
}

/** A DataFrame over `columns`, cut into batches of `rows` rows. */
export function frame(columns: Record<string, A.Vector>, rows = 1024): DataFrame {
  const batches = batchesOf(columns, rows);
  return new DataFrame(scan(new MemorySource(batches[0]!.schema, () => batches)));
}

export const int32s = (values: readonly (number | null)[]): A.Vector => A.vectorFromArray(values, new A.Int32());
export const float64s = (values: readonly (number | null)[]): A.Vector => A.vectorFromArray(values, new A.Float64());
export const utf8s = (values: readonly (string | null)[]): A.Vector => A.vectorFromArray(values, new A.Utf8());

/** A column's values as plain JS. */
export function values(t: A.Table, name: string): unknown[] {
  return [...t.getChild(name)!];
}
