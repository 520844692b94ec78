// compact: rewrites runs of small fragments (and fragments with many deleted rows) into fewer, fuller ones,
// dropping deleted rows. Row ids of rewritten rows change; indexes stop covering rewritten fragments (their rows
// are then searched exactly) until they are optimized again.

import type * as A from "apache-arrow";
import type { PendingCommit } from "../commit.js";
import { writeFiles, type FragmentWriteOptions, type TableIo } from "../fragment-io.js";
import { liveRows, retireFragments, type Fragment, type OperationRecord } from "../manifest.js";
import { scanTable, type Snapshot } from "../read.js";
import { conflictBetween } from "../transaction.js";

/** Options for `compact`. */
export interface CompactOptions extends FragmentWriteOptions {
  /** Fragments with fewer live rows are merged with their neighbours, up to this many rows. Default 1 048 576. */
  targetRowsPerFragment?: number;
  /** Rewrite fragments whose deleted share exceeds `deletedShare`, dropping the deleted rows. Default true. */
  materializeDeletions?: boolean;
  /** Default 0.1. */
  deletedShare?: number;
  /** Called as rows are rewritten (once before the first, then after each batch). */
  onProgress?: (progress: CompactProgress) => void;
}

/** How far a compaction is: live rows written so far of the live rows it rewrites. */
export interface CompactProgress {
  rows: number;
  totalRows: number;
}

/** What compaction did. */
export interface CompactStats {
  fragmentsRemoved: number;
  fragmentsAdded: number;
  rowsRewritten: number;
}

/** Groups of adjacent fragments worth rewriting together. */
export function planCompaction(fragments: readonly Fragment[], options: CompactOptions = {}): Fragment[][] {
  const target = options.targetRowsPerFragment ?? 1 << 20;
  const share = options.deletedShare ?? 0.1;
  const wantsRewrite = (f: Fragment): boolean =>
    options.materializeDeletions !== false && (f.deletion?.count ?? 0) > share * f.physicalRows;
  const bins: Fragment[][] = [];
  let bin: Fragment[] = [];
  let rows = 0;
  const flush = (): void => {
    if (bin.length > 1 || (bin.length === 1 && wantsRewrite(bin[0]!))) bins.push(bin);
    bin = [];
    rows = 0;
  };
  for (const f of fragments) {
    const live = liveRows(f);
    const small = live < target;
    if (!small && !wantsRewrite(f)) {
      flush();
      continue;
    }
    if (rows + live > target) flush();
    bin.push(f);
    rows += live;
  }
  flush();
  return bins;
}

/** A commit rewriting the planned groups, or undefined when nothing is worth rewriting. */
export async function prepareCompact(
  io: TableIo,
  snap: Snapshot,
  options: CompactOptions = {},
): Promise<{ op: PendingCommit | undefined; stats: CompactStats }> {
  const bins = planCompaction(snap.manifest.fragments, options);
  const stats: CompactStats = { fragmentsRemoved: 0, fragmentsAdded: 0, rowsRewritten: 0 };
  if (bins.length === 0) return { op: undefined, stats };
  const rewritten: { old: Fragment[]; files: Awaited<ReturnType<typeof writeFiles>> }[] = [];
  const { onProgress, ...writeOptions } = options;
  const totalRows = bins.flat().reduce((n, f) => n + liveRows(f), 0);
  let done = 0;
  onProgress?.({ rows: 0, totalRows });
  // A batch counts once the writer asks for the next one: it has been written (or buffered for writing) by then.
  async function* counted(batches: AsyncIterable<A.RecordBatch>): AsyncGenerator<A.RecordBatch> {
    for await (const b of batches) {
      yield b;
      done += b.numRows;
      onProgress?.({ rows: done, totalRows });
    }
  }
  for (const old of bins) {
    const sub: Snapshot = { ...snap, manifest: { ...snap.manifest, fragments: old } };
    const scan = scanTable(sub, {});
    const files = await writeFiles(io, snap.schema.fields, onProgress === undefined ? scan : counted(scan), {
      ...writeOptions,
      ...options,
      maxRowsPerFile: options.maxRowsPerFile ?? options.targetRowsPerFragment ?? 1 << 20,
    });
    rewritten.push({ old, files });
    stats.fragmentsRemoved += old.length;
    stats.fragmentsAdded += files.length;
    stats.rowsRewritten += files.reduce((n, f) => n + f.rows, 0);
  }
  const record: OperationRecord = {
    type: "rewrite",
    touchedFragments: bins.flat().map((f) => f.id),
    detail: { ...stats },
  };
  return {
    stats,
    op: {
      record,
      async build(latest) {
        const m = latest!;
        let next = m.nextFragmentId;
        const replaced = new Map<number, Fragment[]>(); // first old id -> new fragments
        const gone = new Set<number>();
        for (const r of rewritten) {
          const fresh = r.files.map((f) => ({ id: next++, physicalRows: f.rows, files: [f.ref] }));
          replaced.set(r.old[0]!.id, fresh);
          for (const f of r.old) gone.add(f.id);
        }
        record.addedFragments = [...replaced.values()].flat().map((f) => f.id);
        const fragments = m.fragments.flatMap((f) => (replaced.get(f.id) ?? []).concat(gone.has(f.id) ? [] : [f]));
        return {
          schema: m.schema,
          nextFieldId: m.nextFieldId,
          nextFragmentId: next,
          fragments,
          // Rewritten fragments have new row ids: indexes no longer cover them, and must not return the old ids.
          indices: m.indices.map((i) => retireFragments(i, gone)),
        };
      },
      conflictWith: (other) => conflictBetween(record, other),
    },
  };
}
