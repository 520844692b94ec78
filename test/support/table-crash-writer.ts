// Child process for the crash test: opens a table, says "ready", then appends batches in a loop until it is killed,
// printing one JSON line per commit. Each append spreads its rows over several data files, so a SIGKILL can land
// while data files are being written, between them, or during the commit itself.
// With MODE "stage" it writes one batch's data files, says "staged" and waits uncommitted, so the parent can kill it
// at that exact point (a random kill lands there only by chance).
//
//   node --import tsx test/support/table-crash-writer.ts URI ROUND ROWS FILES [loop|stage]
//
// S3 storage options come as JSON in TESSERA_TEST_STORAGE.

import { pathToFileURL } from "node:url";
import * as A from "apache-arrow";
import { TableIo } from "../../format/table/fragment-io.js";
import { prepareAppend } from "../../format/table/ops/append.js";
import { Table } from "../../format/table/table.js";
import { storageFromEnv } from "./table-appender.js";

export const CRASH_SCHEMA = new A.Schema([
  new A.Field("round", new A.Int32(), false),
  new A.Field("seq", new A.Int32(), false),
  new A.Field("row", new A.Int32(), false),
  new A.Field("blob", new A.Binary(), false),
]);

/** The bytes of one row's blob: its length and contents follow from (round, seq, row), so the test can check them. */
export function blobOf(round: number, seq: number, row: number): Uint8Array {
  const n = 64 + ((round * 131 + seq * 17 + row * 7) % 1500);
  const out = new Uint8Array(n);
  let x = (round * 1_000_003 + seq * 10_007 + row * 101 + 1) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The batch the writer of `round` appends as its `seq`-th. */
export function crashBatch(round: number, seq: number, rows: number): A.Table {
  const ints = (f: (r: number) => number) => A.makeVector(Int32Array.from({ length: rows }, (_, r) => f(r))).data[0]!;
  const blob = A.vectorFromArray(
    Array.from({ length: rows }, (_, r) => blobOf(round, seq, r)),
    new A.Binary(),
  ).data[0]!;
  const children = [ints(() => round), ints(() => seq), ints((r) => r), blob];
  return new A.Table(CRASH_SCHEMA, [
    new A.RecordBatch(CRASH_SCHEMA, A.makeData({ type: new A.Struct(CRASH_SCHEMA.fields), length: rows, children, nullCount: 0 })),
  ]);
}

async function main(uri: string, round: number, rows: number, files: number, mode: string): Promise<void> {
  // The parent test holds our stdin: if it goes away (the test runner died), stop instead of writing forever.
  process.stdin.on("end", () => process.exit(3));
  process.stdin.resume();
  const table = await Table.open(uri, { storage: storageFromEnv() });
  process.stdout.write("ready\n");
  if (mode === "stage") {
    // Everything an append does before its commit, then nothing: the data files are written and never referenced.
    await prepareAppend(new TableIo(table.store, table.uri), table.currentManifest, crashBatch(round, 0, rows), {
      maxRowsPerFile: Math.ceil(rows / files),
    });
    process.stdout.write("staged\n");
    await new Promise<never>(() => {});
  }
  for (let seq = 0; ; seq++) {
    await table.append(crashBatch(round, seq, rows), { maxRowsPerFile: Math.ceil(rows / files) });
    process.stdout.write(`${JSON.stringify({ round, seq, version: table.version })}\n`);
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const [uri, round, rows, files, mode = "loop"] = process.argv.slice(2);
  if (uri === undefined || round === undefined || rows === undefined || files === undefined || !["loop", "stage"].includes(mode)) {
    process.stderr.write("usage: table-crash-writer.ts URI ROUND ROWS FILES [loop|stage]\n");
    process.exit(2);
  }
  main(uri, Number(round), Number(rows), Number(files), mode).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
