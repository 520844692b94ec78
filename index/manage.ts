// Index lifecycle as commits: create (build from the live rows of the current fragments), drop, and optimize
// (extend to fragments appended since, without retraining). Index files are immutable: optimizing writes a new
// directory, so older versions keep reading the index they had.

import { randomUUID } from "node:crypto";
import { CommitConflictError, InvalidArgumentError } from "../format/errors.js";
import type { PendingCommit } from "../format/table/commit.js";
import type { Fragment, IndexRef, Manifest, OperationRecord } from "../format/table/manifest.js";
import type { Snapshot } from "../format/table/read.js";
import type { TableField } from "../format/schema.js";
import type { Metric } from "./distance.js";
import { INDEX_KINDS, type LoadedIndex } from "./kinds.js";
import { vectorChunks, vectorDim, type RowAllowance, type VectorChunk } from "./vectors.js";

/** Options for `createIndex`. */
export interface CreateIndexOptions {
  /** "hnsw" (graph), "ivf_pq" (partitions + product quantisation) or "flat" (exact search, no files). */
  type: "flat" | "hnsw" | "ivf_pq";
  /** Distance: "l2" (squared Euclidean, default), "cosine" (1 − cos), "dot" (1 − a·b). */
  metric?: Metric;
  /** Index name; default `${column}_idx`. An index of the same name is replaced. */
  name?: string;
  /** Called as the build reads the column (each pass over it: see IndexProgress). */
  onProgress?: (progress: IndexProgress) => void;
  /** Kind-specific build parameters (hnsw: m, efConstruction; ivf_pq: partitions, subVectors, sampleSize, seed). */
  [param: string]: unknown;
}

/**
 * How far an index build or extension is. A build reads the column once per pass: HNSW once ("build", rows
 * counted as they enter the graph); IVF-PQ twice ("sample", after which it trains, then "encode"); extending an
 * index once ("extend"). `rows` counts rows scanned, deleted ones included, up to `totalRows`.
 */
export interface IndexProgress {
  index: string;
  phase: string;
  rows: number;
  totalRows: number;
}

/** Options of `optimizeIndices`. */
export interface OptimizeIndicesOptions {
  /** Called as each index reads the rows it is extended with. */
  onProgress?: (progress: IndexProgress) => void;
}

/** What `listIndices` reports. */
export interface IndexInfo {
  name: string;
  column: string;
  type: string;
  metric: Metric;
  /** Rows the index holds. */
  indexedRows: number;
  /** Fragments the index covers / the table has. */
  fragments: number;
  /** Live rows in fragments the index does not cover (searched exactly until optimizeIndices). */
  unindexedRows: number;
}

const METRICS: readonly Metric[] = ["l2", "cosine", "dot"];

/** Live rows of fragments, excluding deleted ones. */
const liveAllowance =
  (snap: Snapshot): RowAllowance =>
  async (f: Fragment) => {
    const dv = await snap.io.deletion(f);
    return dv.count > 0 ? dv.liveMask(f.physicalRows) : undefined;
  };

/**
 * `chunks` reporting each pass over it: a chunk counts once the consumer asks for the next one, i.e. once it was
 * used, so a bar does not run ahead of the work.
 */
function reporting(
  chunks: () => AsyncIterable<VectorChunk>,
  phases: readonly string[],
  progress: Omit<IndexProgress, "phase" | "rows">,
  onProgress: (p: IndexProgress) => void,
): () => AsyncIterable<VectorChunk> {
  let pass = 0;
  return () => {
    const phase = phases[Math.min(pass++, phases.length - 1)]!;
    return (async function* () {
      let rows = 0;
      onProgress({ ...progress, phase, rows });
      for await (const c of chunks()) {
        yield c;
        rows += c.ids.length;
        onProgress({ ...progress, phase, rows });
        // Local reads of small chunks can complete synchronously: give a progress bar's timer its turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
  };
}

/** Rows stored in fragments, deleted ones included: what a pass scans. */
const physicalRows = (fragments: readonly Fragment[]): number => fragments.reduce((n, f) => n + f.physicalRows, 0);

function withField(m: Manifest, fieldId: number, what: string): void {
  if (!m.schema.fields.some((f) => f.id === fieldId)) {
    throw new CommitConflictError(`${what}: the indexed column was dropped meanwhile; nothing was committed`);
  }
}

function indexCommit(record: OperationRecord, fieldId: number, update: (indices: IndexRef[], latest: Manifest) => IndexRef[]): PendingCommit {
  return {
    record,
    async build(latest) {
      const m = latest!;
      withField(m, fieldId, record.type);
      return {
        schema: m.schema,
        nextFieldId: m.nextFieldId,
        nextFragmentId: m.nextFragmentId,
        fragments: m.fragments,
        indices: update(m.indices, m),
      };
    },
    // Indexes never change rows; only replacing the table (or dropping the column, checked above) conflicts.
    conflictWith: (other) =>
      other.type === "overwrite" || other.type === "restore" || other.type === "create"
        ? `the table was replaced by ${other.type}; reopen it and create the index again`
        : undefined,
  };
}

/** Builds an index over the column's live rows and prepares the commit that records it. */
export async function prepareCreateIndex(
  snap: Snapshot,
  field: TableField,
  options: CreateIndexOptions,
): Promise<{ op: PendingCommit; loaded: LoadedIndex | undefined; ref: Omit<IndexRef, "version"> }> {
  const dim = vectorDim(field);
  const metric = options.metric ?? "l2";
  if (!METRICS.includes(metric)) throw new InvalidArgumentError(`metric must be one of ${METRICS.join(", ")}; got "${String(metric)}"`);
  const name = options.name ?? `${field.field.name}_idx`;
  const { type, metric: _m, name: _n, onProgress, ...params } = options;
  const fragments = snap.manifest.fragments.filter((f) => f.files.some((d) => d.fieldIds.includes(field.id)));
  let loaded: LoadedIndex | undefined;
  let path = "";
  let rows = 0;
  if (type !== "flat") {
    const kind = INDEX_KINDS[type];
    if (kind === undefined) throw new InvalidArgumentError(`unknown index type "${String(type)}"; use flat, hnsw or ivf_pq`);
    path = `_indices/${randomUUID()}`;
    let chunks = (): AsyncIterable<VectorChunk> => vectorChunks(snap, field, fragments, liveAllowance(snap), onProgress && kind.progressChunkRows);
    if (onProgress !== undefined) chunks = reporting(chunks, kind.passes, { index: name, totalRows: physicalRows(fragments) }, onProgress);
    loaded = await kind.build(snap.io.store, path, chunks, dim, metric, params);
    rows = loaded.rows;
  }
  const ref: Omit<IndexRef, "version"> = {
    name,
    fieldId: field.id,
    type,
    path,
    fragments: fragments.map((f) => f.id),
    detail: { metric, params, rows, dim },
  };
  const record: OperationRecord = { type: "create_index", detail: { name, column: field.field.name, type } };
  const op = indexCommit(record, field.id, (indices, latest) => {
    unchangedFragments(snap, latest, field.id, ref.fragments, `createIndex "${name}"`);
    return [...indices.filter((i) => i.name !== name), { ...ref, version: latest.version + 1 }];
  });
  return { op, loaded, ref };
}

/** The commit removing an index. */
export function prepareDropIndex(snap: Snapshot, name: string): PendingCommit {
  const ref = snap.manifest.indices.find((i) => i.name === name);
  if (ref === undefined) {
    const names = snap.manifest.indices.map((i) => i.name);
    throw new InvalidArgumentError(`no index "${name}"; indexes are: ${names.length > 0 ? names.join(", ") : "(none)"}`);
  }
  return indexCommit({ type: "drop_index", detail: { name } }, ref.fieldId, (indices) => indices.filter((i) => i.name !== name));
}

/**
 * Extends `ref` to the fragments it does not cover, writing a new directory, and drops the rows it holds of
 * fragments it must no longer return (retired, or covered but since removed); undefined when there is nothing to do.
 */
export async function prepareOptimize(
  snap: Snapshot,
  ref: IndexRef,
  loaded: LoadedIndex,
  options: OptimizeIndicesOptions = {},
): Promise<{ op: PendingCommit; ref: Omit<IndexRef, "version">; loaded: LoadedIndex } | undefined> {
  const field = snap.schema.fields.find((f) => f.id === ref.fieldId);
  if (field === undefined || ref.type === "flat") return undefined;
  const covered = new Set(ref.fragments);
  const present = new Set(snap.manifest.fragments.map((f) => f.id));
  const fresh = snap.manifest.fragments.filter((f) => !covered.has(f.id) && f.files.some((d) => d.fieldIds.includes(field.id)));
  // Only rows of fragments still covered stay; every other row goes (retired fragments, covered ones since removed,
  // and ids an older Tessera's compaction left behind).
  const keep = ref.fragments.filter((f) => present.has(f));
  const dropped = [...(ref.retired ?? []), ...ref.fragments.filter((f) => !present.has(f))];
  if (fresh.length === 0 && dropped.length === 0) return undefined;
  const path = `_indices/${randomUUID()}`;
  const kind = INDEX_KINDS[ref.type];
  const { onProgress } = options;
  let chunks = (): AsyncIterable<VectorChunk> => vectorChunks(snap, field, fresh, liveAllowance(snap), onProgress && kind?.progressChunkRows);
  if (onProgress !== undefined) chunks = reporting(chunks, ["extend"], { index: ref.name, totalRows: physicalRows(fresh) }, onProgress);
  const extended = await loaded.extend(chunks(), snap.io.store, path, new Set(keep));
  const { retired: _r, ...kept } = ref;
  const next: Omit<IndexRef, "version"> = {
    ...kept,
    path,
    fragments: [...keep, ...fresh.map((f) => f.id)],
    detail: { ...ref.detail, rows: extended.rows },
  };
  const record: OperationRecord = { type: "create_index", detail: { name: ref.name, optimized: fresh.map((f) => f.id), dropped } };
  const op = indexCommit(record, ref.fieldId, (indices, latest) => {
    // A compaction or backfill committed meanwhile changed what this index may return: its entry moved on from the
    // one extended here, and committing would undo that.
    const now = indices.find((i) => i.name === ref.name);
    if (now === undefined || now.path !== ref.path || !sameIds(now.fragments, ref.fragments) || !sameIds(now.retired ?? [], ref.retired ?? [])) {
      throw new CommitConflictError(`optimizeIndices: index "${ref.name}" changed while it was extended (a compaction, backfill or another optimize); run it again`);
    }
    unchangedFragments(snap, latest, ref.fieldId, next.fragments, `optimizeIndices: index "${ref.name}"`);
    return indices.map((i) => (i.name === ref.name ? { ...next, version: latest.version + 1 } : i));
  });
  return { op, ref: next, loaded: extended };
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Refuses to commit an index entry covering a fragment whose files for the column changed since the index read it
 * (a backfill added vectors): the entry would claim rows the index never saw. Fragments removed meanwhile are fine:
 * searches reject rows of fragments that no longer exist, and the next optimizeIndices drops them.
 */
function unchangedFragments(snap: Snapshot, latest: Manifest, fieldId: number, covered: readonly number[], what: string): void {
  const filesOf = (f: Fragment): string =>
    f.files
      .filter((d) => d.fieldIds.includes(fieldId))
      .map((d) => d.path)
      .join("\n");
  const before = new Map(snap.manifest.fragments.map((f) => [f.id, f]));
  const coveredIds = new Set(covered);
  for (const f of latest.fragments) {
    const then = before.get(f.id);
    if (then === undefined || !coveredIds.has(f.id)) continue;
    if (filesOf(f) !== filesOf(then)) {
      throw new CommitConflictError(`${what}: fragment ${f.id} got new values for the column while the index was built; run it again`);
    }
  }
}

/** Describes the indexes of a version. */
export async function indexInfo(snap: Snapshot): Promise<IndexInfo[]> {
  const out: IndexInfo[] = [];
  for (const ref of snap.manifest.indices) {
    const field = snap.schema.fields.find((f) => f.id === ref.fieldId);
    const covered = new Set(ref.fragments);
    let unindexed = 0;
    for (const f of snap.manifest.fragments) {
      if (covered.has(f.id) && ref.type !== "flat") continue;
      if (ref.type === "flat") continue;
      unindexed += f.physicalRows - (f.deletion?.count ?? 0);
    }
    out.push({
      name: ref.name,
      column: field?.field.name ?? `(dropped field ${ref.fieldId})`,
      type: ref.type,
      metric: (ref.detail?.metric as Metric | undefined) ?? "l2",
      indexedRows: Number(ref.detail?.rows ?? 0),
      fragments: ref.fragments.filter((f) => snap.manifest.fragments.some((x) => x.id === f)).length,
      unindexedRows: unindexed,
    });
  }
  return out;
}
