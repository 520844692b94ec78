// Rows as a boxed text table for `show` and `search` (src/show.ts draws it), without its "(n rows shown)" footer.

import type * as A from "apache-arrow";
import { renderTable } from "../show.js";

/** An Arrow table as boxed text lines. */
export function tableText(table: A.Table): string[] {
  return renderTable(table).split("\n").slice(0, -1);
}
