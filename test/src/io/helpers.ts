// Shared helpers of the io tests: temp directories, collecting a scan, and a plain view of rows.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "apache-arrow";
import type { ScanPushdown, ScanSource } from "../../../src/io/source.js";

/** A fresh temp directory and a function removing it. */
export function tempDir(prefix = "tessera-io-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every batch of a scan. */
export async function collect(source: ScanSource, pushdown: ScanPushdown = {}, batchSize = 1024): Promise<A.RecordBatch[]> {
  const out: A.RecordBatch[] = [];
  for await (const b of source.scan(pushdown, { batchSize })) out.push(b);
  return out;
}

/** Rows of batches as plain objects (bigints as strings, vectors as arrays) for deepEqual. */
export function rows(batches: readonly A.RecordBatch[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const b of batches) for (let i = 0; i < b.numRows; i++) out.push(plain(b.get(i)!.toJSON()) as Record<string, unknown>);
  return out;
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString("hex")}`;
  if (v instanceof A.Vector) {
    // Vector.toArray() of numbers is the raw typed array, whose null slots hold whatever bytes are there.
    return Array.from({ length: v.length }, (_, i) => (v.isValid(i) ? plain(v.get(i)) : null));
  }
  if ("toJSON" in v && typeof v.toJSON === "function") return plain(v.toJSON());
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

/** "name: Type" of each field, for comparing schemas. */
export function fieldTypes(schema: A.Schema): string[] {
  return schema.fields.map((f) => `${f.name}: ${String(f.type)}`);
}

/** Rows across batches. */
export function rowCount(batches: readonly A.RecordBatch[]): number {
  return batches.reduce((n, b) => n + b.numRows, 0);
}
