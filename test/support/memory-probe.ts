// Child process for the bounded-memory test: streams a file many times larger than the writer's page budget to
// disk, scans it back, and prints the peak of heap + array-buffer memory above the starting point as JSON.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "apache-arrow";
import { DataFileReader } from "../../format/file/reader.js";
import { DataFileWriter } from "../../format/file/writer.js";
import { LocalStore } from "../../format/store/local.js";

const totalMiB = Number(process.argv[2] ?? 64);
const pageBytes = 512 * 1024;
const rowsPerBatch = 2048;
const blobBytes = 1500;
const dim = 128;
const gc = (globalThis as { gc?: () => void }).gc!;

/** Live heap + array-buffer bytes; array buffers are swept concurrently, so collect twice around a yield. */
async function used(): Promise<number> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function batch(schema: A.Schema, start: number): A.RecordBatch {
  const n = rowsPerBatch;
  const id = A.makeData({ type: new A.Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(start + i)) });
  const data = new Uint8Array(n * blobBytes).map((_, i) => (i * 31 + start) & 0xff);
  const offsets = Int32Array.from({ length: n + 1 }, (_, i) => i * blobBytes);
  const blob = A.makeData({ type: new A.Binary(), length: n, valueOffsets: offsets, data });
  const values = Float32Array.from({ length: n * dim }, (_, i) => (i + start) % 97);
  const vec = A.makeData({
    type: schema.fields[2]!.type as A.FixedSizeList,
    length: n,
    child: A.makeData({ type: new A.Float32(), length: n * dim, data: values }),
  });
  return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: n, children: [id, blob, vec] }));
}

const dir = await mkdtemp(join(tmpdir(), "tessera-mem-"));
const store = new LocalStore(dir);
const schema = new A.Schema([
  new A.Field("id", new A.Int64(), false),
  new A.Field("blob", new A.Binary(), false),
  new A.Field("vec", new A.FixedSizeList(dim, new A.Field("item", new A.Float32(), false)), false),
]);
const rowBytes = 8 + blobBytes + dim * 4;
const batches = Math.ceil((totalMiB * 1024 * 1024) / (rowBytes * rowsPerBatch));
const base = await used();
let writePeak = 0;
const w = await DataFileWriter.create(store, "big.tsf", schema, { pageBytes });
for (let b = 0; b < batches; b++) {
  await w.write(batch(schema, b * rowsPerBatch));
  writePeak = Math.max(writePeak, (await used()) - base);
}
const summary = await w.finish();
const scanBase = await used();
let scanPeak = 0;
let rows = 0;
let checksum = 0;
const r = await DataFileReader.open(store, "big.tsf");
for await (const b of r.scan({ batchSize: 1024 })) {
  rows += b.numRows;
  checksum += Number(b.getChild("id")!.get(b.numRows - 1) as bigint);
  scanPeak = Math.max(scanPeak, (await used()) - scanBase);
}
await store.close();
await rm(dir, { recursive: true, force: true });
console.log(JSON.stringify({ fileBytes: summary.bytes, rows, expectedRows: batches * rowsPerBatch, checksum, writePeak, scanPeak, pageBytes }));
