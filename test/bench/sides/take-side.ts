// The shape every system in the take benchmark has: written once from an Arrow table, then asked for rows.

/** What a take returned, reduced to what the benchmark checks. */
export interface TakenRows {
  numRows: number;
  /** Values of the `id` column in the order returned, when it was read. */
  ids: number[] | undefined;
}

/** One system under test, holding its written copy of the table open. */
export interface TakeSide {
  readonly name: string;
  /** Whether rows come back in the order asked (LanceDB sorts them by offset; DuckDB returns scan order). */
  readonly keepsOrder: boolean;
  /** Time to write the table, in milliseconds. */
  readonly writeMs: number;
  /** Bytes the written copy takes on disk. */
  readonly diskBytes: number;
  /** Rows at these offsets; `columns` undefined means all. */
  take(offsets: readonly number[], columns?: readonly string[]): Promise<TakenRows>;
  close(): Promise<void>;
}

/** The `id` values of an Arrow-like table, when it has that column. */
export function idsOf(table: { getChild(name: string): { toArray(): ArrayLike<unknown> } | null }): number[] | undefined {
  const ids = table.getChild("id");
  return ids === null ? undefined : Array.from(ids.toArray(), Number);
}
