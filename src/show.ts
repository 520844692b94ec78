// show(): rows as a readable text table — long text cut, vectors as a short preview, bytes as their size.

import * as A from "apache-arrow";
import { typeName } from "../format/expr/types.js";

/** Options of `show`. */
export interface ShowOptions {
  /** Widest cell in characters. Default 32. */
  maxWidth?: number;
  /** Where the text goes. Default process.stdout. */
  write?: (text: string) => void;
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join("")}…`;
}

/** A value as cell text. */
export function formatCell(v: unknown, max: number): string {
  if (v === null || v === undefined) return "null";
  if (v instanceof Uint8Array) return `<${size(v.byteLength)}>`;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === "string") return cut(v.replace(/\n/g, "\\n"), max);
  if (v instanceof A.Vector || ArrayBuffer.isView(v) || Array.isArray(v)) {
    const items = v instanceof A.Vector ? [...v] : Array.from(v as ArrayLike<unknown>);
    const shown = items.slice(0, 3).map((x) => formatCell(x, 12));
    return cut(`[${shown.join(", ")}${items.length > 3 ? `, … ×${items.length}` : ""}]`, max);
  }
  if (typeof v === "object") {
    const o = typeof (v as { toJSON?: unknown }).toJSON === "function" ? (v as { toJSON(): unknown }).toJSON() : v;
    return cut(JSON.stringify(o, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? String(o), max);
  }
  return cut(String(v), max);
}

/**
 * A table as boxed text: a header of names and types, then one line per row.
 * @example renderTable(await df.limit(5).collect())
 */
export function renderTable(table: A.Table, options: ShowOptions = {}): string {
  const max = options.maxWidth ?? 32;
  const fields = table.schema.fields;
  const header = fields.map((f) => cut(f.name, max));
  const types = fields.map((f) => cut(typeName(f.type), max));
  const cols = fields.map((f) => table.getChild(f.name)!);
  const rows: string[][] = [];
  for (let i = 0; i < table.numRows; i++) rows.push(cols.map((c) => formatCell(c.get(i), max)));
  const width = fields.map((_, j) => Math.max(header[j]!.length, types[j]!.length, ...rows.map((r) => [...r[j]!].length), 1));
  const pad = (s: string, w: number): string => s + " ".repeat(Math.max(0, w - [...s].length));
  const line = (cells: string[]): string => `│ ${cells.map((c, j) => pad(c, width[j]!)).join(" │ ")} │`;
  const rule = (l: string, m: string, r: string): string => `${l}${width.map((w) => "─".repeat(w + 2)).join(m)}${r}`;
  const out = [rule("┌", "┬", "┐"), line(header), line(types), rule("├", "┼", "┤"), ...rows.map(line), rule("└", "┴", "┘")];
  out.push(`(${table.numRows} row${table.numRows === 1 ? "" : "s"} shown)`);
  return out.join("\n");
}
