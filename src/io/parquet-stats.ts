// Row-group statistics in the form format/expr's mayMatch reads: raw Parquet min/max bytes decoded by physical type
// into the stored value of the column's Arrow type. Anything whose decoding could be wrong (time units that
// differ, unsigned order in deprecated fields, decimals, INT96) gives no statistics, which only means "maybe".

import * as A from "apache-arrow";
import type { ColumnStats, StatsLookup } from "../../format/expr/index.js";
import type { ChunkStats, ParquetFooter, ParquetLeaf, ParquetRowGroup } from "./parquet-footer.js";

type Stat = number | bigint | string | boolean;

/** The Parquet unit each Arrow unit is stored in; seconds have none (Arrow writers store raw INT64 seconds). */
const UNIT_OF: Record<number, ParquetLeaf["timestampUnit"]> = {
  [A.TimeUnit.SECOND]: undefined,
  [A.TimeUnit.MILLISECOND]: "ms",
  [A.TimeUnit.MICROSECOND]: "us",
  [A.TimeUnit.NANOSECOND]: "ns",
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes one statistic, or undefined when it cannot be trusted for `type`. */
function decode(bytes: Uint8Array, physical: number, type: A.DataType, leaf: ParquetLeaf | undefined, legacy: boolean): Stat | undefined {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = type.typeId;
  const unsigned = id === A.Type.Int && !(type as A.Int).isSigned;
  // Deprecated min/max were written in signed order whatever the logical type, and in undefined order for bytes.
  if (legacy && (unsigned || physical === 6)) return undefined;
  switch (physical) {
    case 0:
      return id === A.Type.Bool && bytes.length >= 1 ? bytes[0] !== 0 : undefined;
    case 1:
      if (bytes.length < 4) return undefined;
      if (id === A.Type.Int) return unsigned ? dv.getUint32(0, true) : dv.getInt32(0, true);
      if (id === A.Type.Date && (type as A.Date_).unit === A.DateUnit.DAY) return dv.getInt32(0, true);
      return undefined;
    case 2:
      if (bytes.length < 8) return undefined;
      if (id === A.Type.Int) return unsigned ? dv.getBigUint64(0, true) : dv.getBigInt64(0, true);
      if (id === A.Type.Timestamp && leaf?.timestampUnit === UNIT_OF[(type as A.Timestamp).unit]) return dv.getBigInt64(0, true);
      return undefined;
    case 4:
      return id === A.Type.Float && bytes.length >= 4 ? dv.getFloat32(0, true) : undefined;
    case 5:
      return id === A.Type.Float && bytes.length >= 8 ? dv.getFloat64(0, true) : undefined;
    case 6:
      if (id !== A.Type.Utf8 && id !== A.Type.LargeUtf8) return undefined;
      try {
        return utf8.decode(bytes);
      } catch {
        return undefined; // a truncated statistic that ends inside a character
      }
    default:
      return undefined;
  }
}

/** The Arrow type of a column or struct field by dotted path, or undefined when the path crosses a list. */
function typeAt(schema: A.Schema, path: readonly string[]): A.DataType | undefined {
  let fields: readonly A.Field[] = schema.fields;
  let type: A.DataType | undefined;
  for (const name of path) {
    const f = fields.find((x) => x.name === name);
    if (f === undefined) return undefined;
    type = f.type as A.DataType;
    fields = f.type.typeId === A.Type.Struct ? (f.type as A.Struct).children : [];
  }
  return type;
}

function columnStats(rows: number, s: ChunkStats, decoded: [Stat | undefined, Stat | undefined], type: A.DataType): ColumnStats {
  const out: ColumnStats = { rows, nullCount: s.nullCount! };
  if (decoded[0] !== undefined && decoded[1] !== undefined) {
    out.min = decoded[0];
    out.max = decoded[1];
  }
  // Writers leave NaN out of min/max without saying whether there was any: assume there may be.
  if (type.typeId === A.Type.Float) out.hasNaN = true;
  return out;
}

/** Statistics of a row group by column path ("a", "s.x"), for mayMatch. */
export function rowGroupStats(footer: ParquetFooter, group: ParquetRowGroup, schema: A.Schema): StatsLookup {
  const byPath = new Map<string, ColumnStats>();
  for (const chunk of group.chunks) {
    const s = chunk.stats;
    // Without a null count, "no nulls here" cannot be told from "unknown": give nothing.
    if (s === undefined || s.nullCount === undefined) continue;
    const type = typeAt(schema, chunk.path);
    if (type === undefined) continue;
    const key = chunk.path.join(".");
    const leaf = footer.leaves.get(key);
    const dec = (b: Uint8Array | undefined): Stat | undefined => (b === undefined ? undefined : decode(b, chunk.physicalType, type, leaf, s.legacy));
    byPath.set(key, columnStats(group.numRows, s, [dec(s.min), dec(s.max)], type));
  }
  return (column) => byPath.get(column);
}
