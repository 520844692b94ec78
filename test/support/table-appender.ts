// Child process for the concurrent-writer test: opens a table, says "ready", waits for a "go" line on stdin so that
// every writer starts together, then appends K batches (refreshing to the latest version before each) and prints one
// JSON line per commit: the version it started from, the version it got, and how many manifest writes it tried.
//
//   node --import tsx test/support/table-appender.ts URI WRITER_ID K
//
// S3 storage options come as JSON in TESSERA_TEST_STORAGE. Attempts are counted by wrapping the store's putIfAbsent
// (it still goes to the real store): every put-if-absent of a `_versions/` object is one commit attempt.

import { pathToFileURL } from "node:url";
import * as A from "apache-arrow";
import type { StorageOptions } from "../../format/store/object-store.js";
import { Table } from "../../format/table/table.js";

/** The table's schema: every row says which writer, which of its batches and which row of that batch it is. */
export const APPEND_SCHEMA = new A.Schema([
  new A.Field("writer", new A.Int32(), false),
  new A.Field("seq", new A.Int32(), false),
  new A.Field("row", new A.Int32(), false),
  new A.Field("payload", new A.Utf8(), false),
  new A.Field("vec", new A.FixedSizeList(4, new A.Field("item", new A.Float32(), false)), false),
]);

/** Rows per batch of writer `w` (they differ so a version's new rows tell whose batch it was). */
export function batchRows(writer: number): number {
  return 2 + (writer % 4);
}

/** The payload of one row, recomputed by the test to check the bytes that come back. */
export function payloadOf(writer: number, seq: number, row: number): string {
  return `w${writer}-s${seq}-r${row}-${"x".repeat((((writer * 7 + seq * 3 + row) % 23) + 23) % 23)}`;
}

/** The batch writer `writer` appends as its `seq`-th (writer -1 is the table's seed rows). */
export function appendBatch(writer: number, seq: number, rows = batchRows(writer)): A.Table {
  const ints = (f: (r: number) => number) => A.makeVector(Int32Array.from({ length: rows }, (_, r) => f(r)));
  const vec = A.makeData({
    type: APPEND_SCHEMA.fields[4]!.type as A.FixedSizeList,
    length: rows,
    child: A.makeData({
      type: new A.Float32(),
      length: rows * 4,
      data: Float32Array.from({ length: rows * 4 }, (_, i) => [writer, seq, i >> 2, writer * 100 + seq * 10 + (i >> 2)][i & 3]!),
    }),
  });
  const payload = A.vectorFromArray(
    Array.from({ length: rows }, (_, r) => payloadOf(writer, seq, r)),
    new A.Utf8(),
  );
  const children = [ints(() => writer).data[0]!, ints(() => seq).data[0]!, ints((r) => r).data[0]!, payload.data[0]!, vec];
  const batch = new A.RecordBatch(
    APPEND_SCHEMA,
    A.makeData({ type: new A.Struct(APPEND_SCHEMA.fields), length: rows, children, nullCount: 0 }),
  );
  return new A.Table(APPEND_SCHEMA, [batch]);
}

/** One line the appender prints per commit. */
export interface AppendReport {
  writer: number;
  seq: number;
  rows: number;
  /** The version the handle was at (after refresh) when the append started. */
  base: number;
  /** The version the append committed. */
  version: number;
  /** Put-if-absent attempts of a manifest, and how many of them lost. */
  attempts: number;
  lost: number;
}

/** Counts put-if-absent calls of manifests on the table's own store (the call still goes to the store). */
export function countManifestWrites(table: Table): { attempts: number; lost: number } {
  const counter = { attempts: 0, lost: 0 };
  const store = table.store;
  const putIfAbsent = store.putIfAbsent.bind(store);
  store.putIfAbsent = async (path: string, bytes: Uint8Array): Promise<boolean> => {
    const manifest = path.startsWith("_versions/");
    if (manifest) counter.attempts++;
    const won = await putIfAbsent(path, bytes);
    if (manifest && !won) counter.lost++;
    return won;
  };
  return counter;
}

/** Storage options handed down by the parent test (S3), or undefined. */
export function storageFromEnv(): StorageOptions | undefined {
  const raw = process.env.TESSERA_TEST_STORAGE;
  return raw === undefined || raw === "" ? undefined : (JSON.parse(raw) as StorageOptions);
}

function nextLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        process.stdin.off("data", onData);
        process.stdin.off("end", onEnd);
        process.stdin.pause();
        resolve(buf.slice(0, nl));
      }
    };
    const onEnd = (): void => reject(new Error("stdin closed before the go line"));
    process.stdin.on("data", onData);
    process.stdin.once("end", onEnd);
  });
}

async function main(uri: string, writer: number, k: number): Promise<void> {
  const table = await Table.open(uri, { storage: storageFromEnv() });
  const counter = countManifestWrites(table);
  // Build every batch before the start so the race is between commits, not between module loads.
  const batches = Array.from({ length: k }, (_, seq) => appendBatch(writer, seq));
  process.stdout.write("ready\n");
  const go = await nextLine();
  if (go.trim() !== "go") throw new Error(`expected "go", got ${JSON.stringify(go)}`);
  for (let seq = 0; seq < k; seq++) {
    await table.refresh();
    const base = table.version;
    const before = { ...counter };
    await table.append(batches[seq]!);
    const report: AppendReport = {
      writer,
      seq,
      rows: batches[seq]!.numRows,
      base,
      version: table.version,
      attempts: counter.attempts - before.attempts,
      lost: counter.lost - before.lost,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  }
  await table.store.close();
  process.stdout.write("done\n");
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const [uri, writer, k] = process.argv.slice(2);
  if (uri === undefined || writer === undefined || k === undefined) {
    process.stderr.write("usage: table-appender.ts URI WRITER_ID K\n");
    process.exit(2);
  }
  main(uri, Number(writer), Number(k)).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
