// `tessera info FILE.tsf`: what one data file holds — schema, rows, pages per column with their layouts and sizes.

import { DataFileReader } from "../../../format/file/reader.js";
import { openStore } from "../../../format/store/open-store.js";
import type { StorageOptions } from "../../../format/store/object-store.js";

/** A data file's description as plain data (what `--json` prints). */
export interface FileInfo {
  uri: string;
  rows: number;
  bytes: number;
  formatVersion: string;
  columns: { name: string; type: string; nullable: boolean; pages: number; bytes: number; layouts: string[] }[];
}

/** Splits a file URI into the store root and the object's name. */
function splitUri(uri: string): { root: string; name: string } {
  const cut = uri.lastIndexOf("/");
  return cut < 0 ? { root: ".", name: uri } : { root: uri.slice(0, cut) || "/", name: uri.slice(cut + 1) };
}

/** Reads a data file's footer and summarises it. */
export async function fileInfo(uri: string, storage: StorageOptions = {}): Promise<FileInfo> {
  const { root, name } = splitUri(uri);
  const store = await openStore(root, storage);
  try {
    const r = await DataFileReader.open(store, name);
    return {
      uri: r.uri,
      rows: r.numRows,
      bytes: r.size,
      formatVersion: r.metadata.formatVersion.join("."),
      columns: r.metadata.columns.map((c, i) => {
        const f = r.schema.fields[i]!;
        return {
          name: c.name,
          type: String(f.type),
          nullable: f.nullable,
          pages: c.pages.length,
          bytes: c.pages.reduce((n, p) => n + p.length, 0),
          layouts: [...new Set(c.pages.map((p) => p.layout))],
        };
      }),
    };
  } finally {
    await store.close();
  }
}

/** Human-readable lines for `info`. */
export function formatInfo(info: FileInfo): string[] {
  return [
    `${info.uri}`,
    `  format ${info.formatVersion}, ${info.rows} rows, ${info.bytes} bytes`,
    ...info.columns.map(
      (c) =>
        `  ${c.name}: ${c.type}${c.nullable ? "" : " not null"} — ${c.pages} page(s), ${c.bytes} bytes, ${c.layouts.join("/")}`,
    ),
  ];
}
