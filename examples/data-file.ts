// Example: write an Arrow table to a Tessera data file, then read rows at random and scan a column.
// Run: node --import tsx examples/data-file.ts [directory]

import * as arrow from "apache-arrow";
import { DataFileReader, openStore, writeDataFile } from "../src/index.js";

/** Writes 10 000 rows with an id, a caption and a 64-d embedding, then reads some back; returns what it read. */
export async function main(dir = "./tessera-demo/example"): Promise<{ rows: number; taken: number[]; captions: string[] }> {
  const n = 10_000;
  const dim = 64;
  const embedding = new Float32Array(n * dim).map((_, i) => Math.sin(i));
  const table = new arrow.Table({
    id: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => i)),
    caption: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `image ${i} of a ${["cat", "dog", "bird"][i % 3]}`),
      new arrow.Utf8(),
    ),
    embedding: arrow.makeVector(
      arrow.makeData({
        type: new arrow.FixedSizeList(dim, new arrow.Field("item", new arrow.Float32(), false)),
        length: n,
        child: arrow.makeData({ type: new arrow.Float32(), length: n * dim, data: embedding }),
      }),
    ),
  });

  const store = await openStore(dir);
  await store.delete("example.tsf"); // data files are create-only; start fresh
  const written = await writeDataFile(store, "example.tsf", table);

  const file = await DataFileReader.open(store, "example.tsf");
  const picked = await file.take([9_999, 42, 7], { columns: ["id", "caption"] });
  let dogs = 0;
  for await (const batch of file.scan({ columns: ["caption"] })) {
    for (const c of batch.getChild("caption")!) if ((c as string).endsWith("dog")) dogs++;
  }
  console.log(`wrote ${written.rows} rows (${written.bytes} bytes); ${dogs} captions mention a dog`);
  console.log(`rows 9999, 42, 7 →`, picked.toArray().map((r) => r.toJSON()));
  await store.close();
  return {
    rows: file.numRows,
    taken: [...picked.getChild("id")!] as number[],
    captions: [...picked.getChild("caption")!] as string[],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv[2]);
