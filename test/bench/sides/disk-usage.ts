// Bytes a directory tree takes, so sides that write many files (LanceDB) can report their size on disk.

import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** Sum of file sizes under `dir`. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
