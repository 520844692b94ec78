// What commands print: the plain data a command returns as JSON (`--json`, for scripts), or the lines of its human
// formatter. Arrow values become JSON-safe: bigints as numbers when exact (else strings), bytes as base64, vectors
// as arrays, dates as ISO text.

import type * as A from "apache-arrow";

/** A value as something JSON.stringify prints faithfully. */
export function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  if (isArrowVector(v)) return [...v].map(jsonValue);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, jsonValue);
  if (Array.isArray(v)) return v.map(jsonValue);
  if (typeof v === "object") {
    const o = typeof (v as { toJSON?: unknown }).toJSON === "function" ? (v as { toJSON(): unknown }).toJSON() : v;
    if (o !== v) return jsonValue(o);
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, jsonValue(x)]));
  }
  return v;
}

/** An Arrow Vector (a vector cell), told by shape: this module stays free of apache-arrow so usage errors start fast. */
function isArrowVector(v: unknown): v is A.Vector {
  const x = v as Partial<A.Vector> | null;
  return typeof x === "object" && x !== null && Array.isArray(x.data) && typeof x.toArray === "function" && typeof x.get === "function";
}

/** The rows of an Arrow table as JSON-safe objects. */
export function rowsOf(table: A.Table): Record<string, unknown>[] {
  const fields = table.schema.fields;
  const cols = fields.map((f) => table.getChild(f.name)!);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    fields.forEach((f, j) => (row[f.name] = jsonValue(cols[j]!.get(i))));
    out.push(row);
  }
  return out;
}

/** "12.3 KB" style size (decimal units, as `du --si`), plus the exact byte count when it is large. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = bytes;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]} (${bytes} bytes)`;
}

/** "1 row", "3 rows". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Prints a command's result: JSON with `json`, else the human lines. */
export function emit<T>(result: T, json: boolean, human: (r: T) => string[], write: (s: string) => void = (s) => process.stdout.write(s)): void {
  write(json ? `${JSON.stringify(jsonValue(result), null, 2)}\n` : human(result).map((l) => `${l}\n`).join(""));
}
