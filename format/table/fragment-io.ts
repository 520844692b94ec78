// Reading and writing fragments: a fragment's columns live in one or more data files (each holding some field
// ids), plus an optional deletion vector. Readers and deletion vectors are opened once per table handle.

import { randomUUID } from "node:crypto";
import * as A from "apache-arrow";
import { DataFileReader } from "../file/reader.js";
import { DataFileWriter, type DataFileWriterOptions } from "../file/writer.js";
import { nullData } from "../file/gather.js";
import type { ObjectStore } from "../store/object-store.js";
import type { TableField } from "../schema.js";
import { DeletionVector, readDeletion } from "./deletion.js";
import type { DataFileRef, Fragment } from "./manifest.js";

/** What a table handle shares across reads: the store and caches of open files. */
export class TableIo {
  private readonly readers = new Map<string, Promise<DataFileReader>>();
  private readonly deletions = new Map<string, Promise<DeletionVector>>();

  constructor(
    readonly store: ObjectStore,
    readonly uri: string,
  ) {}

  /** Full URI of an object of the table. */
  describe(path: string): string {
    return `${this.uri.replace(/\/$/, "")}/${path}`;
  }

  /** An open data file; its footer is read once per handle. */
  reader(ref: DataFileRef): Promise<DataFileReader> {
    let r = this.readers.get(ref.path);
    if (r === undefined) {
      r = DataFileReader.open(this.store, ref.path, { size: ref.size });
      r.catch(() => this.readers.delete(ref.path));
      this.readers.set(ref.path, r);
    }
    return r;
  }

  /** The fragment's deletion vector (empty when it has none). */
  deletion(f: Fragment): Promise<DeletionVector> {
    if (f.deletion === undefined) return Promise.resolve(DeletionVector.empty());
    const path = f.deletion.path;
    let d = this.deletions.get(path);
    if (d === undefined) {
      d = readDeletion(this.store, path, this.describe(path));
      d.catch(() => this.deletions.delete(path));
      this.deletions.set(path, d);
    }
    return d;
  }
}

/** Where a field's values come from in a fragment: a column of one of its files, or nowhere (all null). */
interface FieldSource {
  field: TableField;
  file?: DataFileRef;
  /** The column's name inside that file (names may have changed since it was written). */
  column?: string;
}

async function sources(io: TableIo, frag: Fragment, fields: readonly TableField[]): Promise<FieldSource[]> {
  return Promise.all(
    fields.map(async (field) => {
      // A later file wins if two hold the same id (never written that way, but well defined).
      for (let i = frag.files.length - 1; i >= 0; i--) {
        const file = frag.files[i]!;
        const at = file.fieldIds.indexOf(field.id);
        if (at >= 0) return { field, file, column: (await io.reader(file)).schema.fields[at]!.name };
      }
      return { field };
    }),
  );
}

/** Options for scanning a fragment. */
export interface FragmentScanOptions {
  batchSize: number;
  /** Physical row ranges to read. */
  rowRanges?: readonly (readonly [number, number])[];
}

/** Streams the fields of a fragment; every file is scanned with the same batch boundaries, so batches zip. */
export async function* scanFragment(
  io: TableIo,
  frag: Fragment,
  fields: readonly TableField[],
  options: FragmentScanOptions,
): AsyncGenerator<{ start: number; length: number; columns: A.Data[] }> {
  const src = await sources(io, frag, fields);
  const files = [...new Set(src.filter((s) => s.file !== undefined).map((s) => s.file!))];
  const ranges = options.rowRanges ?? [[0, frag.physicalRows]];
  const iters = await Promise.all(
    files.map(async (file) => {
      const cols = src.filter((s) => s.file === file).map((s) => s.column!);
      const r = await io.reader(file);
      return r.scan({ columns: cols, batchSize: options.batchSize, rowRanges: ranges })[Symbol.asyncIterator]();
    }),
  );
  // Row starts of each batch, in the same order the files produce them.
  const starts: { start: number; length: number }[] = [];
  for (const [a, b] of normalized(ranges, frag.physicalRows)) {
    for (let s = a; s < b; s += options.batchSize) starts.push({ start: s, length: Math.min(options.batchSize, b - s) });
  }
  for (const { start, length } of starts) {
    const batches = await Promise.all(iters.map((it) => it.next()));
    const byFile = new Map(files.map((f, i) => [f, batches[i]!.value as A.RecordBatch]));
    const columns = src.map((s) => {
      if (s.file === undefined) return nullData(s.field.field.type, length);
      return byFile.get(s.file)!.getChild(s.column!)!.data[0]!;
    });
    yield { start, length, columns };
  }
}

function normalized(ranges: readonly (readonly [number, number])[], rows: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [a0, b0] of [...ranges].map(([a, b]) => [Math.max(0, a), Math.min(rows, b)] as const).sort((x, y) => x[0] - y[0])) {
    if (b0 <= a0) continue;
    const last = out.at(-1);
    if (last !== undefined && a0 <= last[1]) last[1] = Math.max(last[1], b0);
    else out.push([a0, b0]);
  }
  return out;
}

/** Physical rows `rows` (any order) of the fields, one Data per field. */
export async function takeFragment(
  io: TableIo,
  frag: Fragment,
  fields: readonly TableField[],
  rows: readonly number[],
): Promise<A.Data[]> {
  const src = await sources(io, frag, fields);
  const files = [...new Set(src.filter((s) => s.file !== undefined).map((s) => s.file!))];
  const tables = await Promise.all(
    files.map(async (file) => {
      const r = await io.reader(file);
      return r.take(rows, { columns: src.filter((s) => s.file === file).map((s) => s.column!) });
    }),
  );
  const byFile = new Map(files.map((f, i) => [f, tables[i]!]));
  return src.map((s) =>
    s.file === undefined ? nullData(s.field.field.type, rows.length) : byFile.get(s.file)!.getChild(s.column!)!.data[0]!,
  );
}

/** Options for writing fragments. */
export interface FragmentWriteOptions {
  /** Rows per data file (and so per fragment). Default 1 048 576. */
  maxRowsPerFile?: number;
  file?: DataFileWriterOptions;
}

/** A written file with its row count, before it joins a fragment. */
export interface WrittenFile {
  ref: DataFileRef;
  rows: number;
}

/**
 * Writes batches (schema = `fields`, in order) into new data files under data/, starting a new file every
 * `maxRowsPerFile` rows. Memory: one data file writer at a time.
 */
export async function writeFiles(
  io: TableIo,
  fields: readonly TableField[],
  batches: AsyncIterable<A.RecordBatch> | Iterable<A.RecordBatch>,
  options: FragmentWriteOptions = {},
): Promise<WrittenFile[]> {
  const maxRows = options.maxRowsPerFile ?? 1 << 20;
  const schema = new A.Schema(fields.map((f) => f.field));
  const out: WrittenFile[] = [];
  let writer: DataFileWriter | undefined;
  let rows = 0;
  const close = async (): Promise<void> => {
    if (writer === undefined) return;
    const s = await writer.finish();
    out.push({ ref: { path: s.path, fieldIds: fields.map((f) => f.id), size: s.bytes }, rows: s.rows });
    writer = undefined;
    rows = 0;
  };
  try {
    for await (const batch of batches) {
      let at = 0;
      while (at < batch.numRows) {
        writer ??= await DataFileWriter.create(io.store, `data/${randomUUID()}.tsf`, schema, options.file);
        const n = Math.min(batch.numRows - at, maxRows - rows);
        await writer.write(at === 0 && n === batch.numRows ? batch : batch.slice(at, at + n));
        rows += n;
        at += n;
        if (rows >= maxRows) await close();
      }
    }
    await close();
  } catch (err) {
    await writer?.abort();
    throw err;
  }
  return out;
}
