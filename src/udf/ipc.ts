// Columns to and from Arrow IPC bytes in an ArrayBuffer of their own, so a batch crosses to a worker thread with
// one serialization and a transfer (no structured-clone copy), and the result comes back the same way.

import * as A from "apache-arrow";
import { concatRanges } from "../../format/file/gather.js";

/** The bytes' own buffer when they fill it, else a copy that does (only a whole ArrayBuffer can be transferred). */
function ownBuffer(u: Uint8Array): ArrayBuffer {
  if (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && u.buffer instanceof ArrayBuffer) return u.buffer;
  return u.slice().buffer;
}

/** One Data holding the vector's values (copied only when the vector has several chunks). */
function oneData(v: A.Vector): A.Data {
  if (v.data.length === 1) return v.data[0]!;
  return concatRanges(v.type, v.data.map((d) => ({ data: d, start: 0, count: d.length })));
}

/**
 * The columns (all of one length) as an IPC stream of one record batch with fields c0, c1, ... (built directly:
 * `new Table({...})` costs more than the encoding itself for small batches).
 * @example const buf = columnsToBuffer([vec]); port.postMessage(buf, [buf]);
 */
export function columnsToBuffer(columns: readonly A.Vector[]): ArrayBuffer {
  const fields = columns.map((c, i) => new A.Field(`c${i}`, c.type, true));
  const length = columns[0]?.length ?? 0;
  const data = A.makeData({ type: new A.Struct(fields), length, children: columns.map(oneData) });
  const batch = new A.RecordBatch(new A.Schema(fields), data);
  return ownBuffer(A.RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true));
}

/** The columns of an IPC stream made by columnsToBuffer (zero-copy views over `buffer`). */
export function bufferToColumns(buffer: ArrayBuffer): A.Vector[] {
  const batches = [...A.RecordBatchReader.from(new Uint8Array(buffer))];
  if (batches.length === 1) return batches[0]!.schema.fields.map((_f, i) => batches[0]!.getChildAt(i)!);
  const table = new A.Table(batches);
  return table.schema.fields.map((_f, i) => table.getChildAt(i)!);
}

/** An Arrow type as bytes (the schema message of an empty stream): DataType objects do not survive cloning. */
export function typeToBytes(type: A.DataType): Uint8Array {
  return A.tableToIPC(new A.Table(new A.Schema([new A.Field("r", type, true)])), "stream");
}

/** The type written by typeToBytes. */
export function typeFromBytes(bytes: Uint8Array): A.DataType {
  return A.tableFromIPC(bytes).schema.fields[0]!.type;
}
