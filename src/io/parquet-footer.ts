// Reads the parts of a Parquet footer (Thrift compact protocol) that parquet-wasm does not expose: per row group and
// column chunk, the statistics (min/max/null count) used to prune row groups, and the schema leaves' time units.
// Field ids follow parquet.thrift (FileMetaData, RowGroup, ColumnChunk, ColumnMetaData, Statistics, SchemaElement).

import { CorruptFileError } from "../../format/errors.js";

type TValue = boolean | number | bigint | Uint8Array | TValue[] | TStruct;
type TStruct = Map<number, TValue>;

/** Statistics of one column chunk as stored: raw min/max bytes in the column's physical encoding. */
export interface ChunkStats {
  readonly nullCount?: number;
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
  /** From the deprecated min/max fields (signed order), used only where that order is right. */
  readonly legacy: boolean;
}

/** One column chunk of a row group. */
export interface ParquetChunk {
  /** Path in the Parquet schema, e.g. ["a"] or ["s", "x"] or ["tags", "list", "element"]. */
  readonly path: readonly string[];
  /** Parquet physical type: 0 BOOLEAN, 1 INT32, 2 INT64, 3 INT96, 4 FLOAT, 5 DOUBLE, 6 BYTE_ARRAY, 7 FIXED_LEN_BYTE_ARRAY. */
  readonly physicalType: number;
  readonly stats?: ChunkStats;
}

export interface ParquetRowGroup {
  readonly numRows: number;
  readonly chunks: readonly ParquetChunk[];
}

/** What the footer says about a leaf column beyond its physical type. */
export interface ParquetLeaf {
  /** The unit of a TIMESTAMP column ("ms" | "us" | "ns"), when it is one. */
  readonly timestampUnit?: "ms" | "us" | "ns";
}

export interface ParquetFooter {
  readonly numRows: number;
  readonly rowGroups: readonly ParquetRowGroup[];
  /** Leaves by dotted path. */
  readonly leaves: ReadonlyMap<string, ParquetLeaf>;
}

const MAGIC = 0x31524150; // "PAR1" little-endian

/** Length of the footer from the file's last 8 bytes; throws CorruptFileError when the magic is missing. */
export function footerLength(tail8: Uint8Array, uri: string): number {
  const dv = new DataView(tail8.buffer, tail8.byteOffset, tail8.byteLength);
  if (tail8.byteLength < 8 || dv.getUint32(4, true) !== MAGIC) {
    throw new CorruptFileError(`${uri} is not a Parquet file (no PAR1 magic at its end); check the path or the file`, { uri });
  }
  return dv.getUint32(0, true);
}

/** Decodes the footer (the FileMetaData bytes without the trailing length and magic). */
export function parseFooter(bytes: Uint8Array, uri: string): ParquetFooter {
  let meta: TStruct;
  try {
    meta = new CompactReader(bytes).struct();
  } catch (err) {
    throw new CorruptFileError(`${uri}: unreadable Parquet footer (${(err as Error).message}); the file may be truncated`, { uri, cause: err });
  }
  return {
    numRows: num(meta.get(3)),
    rowGroups: list(meta.get(4)).map((rg) => rowGroup(rg as TStruct)),
    leaves: schemaLeaves(list(meta.get(2)) as TStruct[]),
  };
}

function num(v: TValue | undefined): number {
  return typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : 0;
}

function list(v: TValue | undefined): TValue[] {
  return Array.isArray(v) ? v : [];
}

function bytesOf(v: TValue | undefined): Uint8Array | undefined {
  return v instanceof Uint8Array ? v : undefined;
}

function rowGroup(rg: TStruct): ParquetRowGroup {
  const chunks = list(rg.get(1)).map((c) => {
    const md = (c as TStruct).get(3) as TStruct | undefined;
    const path = list(md?.get(3)).map((p) => new TextDecoder().decode(p as Uint8Array));
    return { path, physicalType: num(md?.get(1)), stats: statistics(md?.get(12) as TStruct | undefined) };
  });
  return { numRows: num(rg.get(3)), chunks };
}

function statistics(s: TStruct | undefined): ChunkStats | undefined {
  if (s === undefined) return undefined;
  const nullCount = s.has(3) ? num(s.get(3)) : undefined;
  const min = bytesOf(s.get(6));
  const max = bytesOf(s.get(5));
  if (min !== undefined || max !== undefined) return { nullCount, min, max, legacy: false };
  return { nullCount, min: bytesOf(s.get(2)), max: bytesOf(s.get(1)), legacy: true };
}

const TIME_UNITS = { 1: "ms", 2: "us", 3: "ns" } as const;

/** Leaves of the flattened schema tree (depth-first, each element saying how many children follow). */
function schemaLeaves(elements: TStruct[]): Map<string, ParquetLeaf> {
  const out = new Map<string, ParquetLeaf>();
  let i = 1; // element 0 is the root
  const walk = (prefix: string[]): void => {
    const e = elements[i++]!;
    const name = new TextDecoder().decode(e.get(4) as Uint8Array);
    const children = num(e.get(5));
    const path = [...prefix, name];
    if (children > 0) {
      for (let k = 0; k < children && i < elements.length; k++) walk(path);
      return;
    }
    out.set(path.join("."), { timestampUnit: timestampUnit(e) });
  };
  const rootChildren = num(elements[0]?.get(5));
  for (let k = 0; k < rootChildren && i < elements.length; k++) walk([]);
  return out;
}

function timestampUnit(e: TStruct): "ms" | "us" | "ns" | undefined {
  const logical = e.get(10) as TStruct | undefined;
  const ts = logical?.get(8) as TStruct | undefined;
  const unit = ts?.get(2) as TStruct | undefined;
  if (unit !== undefined) {
    for (const id of unit.keys()) if (id in TIME_UNITS) return TIME_UNITS[id as 1 | 2 | 3];
  }
  const converted = e.get(6);
  return converted === 9 ? "ms" : converted === 10 ? "us" : undefined;
}

/** A reader of Thrift's compact protocol into generic values: structs as maps from field id. */
class CompactReader {
  private pos = 0;
  private readonly dv: DataView;

  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  private byte(): number {
    if (this.pos >= this.b.length) throw new Error("unexpected end of footer");
    return this.b[this.pos++]!;
  }

  private varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      result += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return result;
      shift += 7;
      if (shift > 49) throw new Error("varint too long");
    }
  }

  private varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const x = this.byte();
      result |= BigInt(x & 0x7f) << shift;
      if ((x & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new Error("varint too long");
    }
  }

  private zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  struct(): TStruct {
    const out: TStruct = new Map();
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return out;
      const type = h & 0x0f;
      const delta = h >> 4;
      const id = delta !== 0 ? last + delta : this.zigzag();
      last = id;
      out.set(id, type === 1 ? true : type === 2 ? false : this.value(type));
    }
  }

  private value(type: number): TValue {
    switch (type) {
      case 1:
      case 2:
        return this.byte() === 1; // a boolean list element is a whole byte
      case 3:
        return (this.byte() << 24) >> 24;
      case 4:
      case 5:
        return this.zigzag();
      case 6: {
        const n = this.varintBig();
        return (n >> 1n) ^ -(n & 1n);
      }
      case 7: {
        const x = this.dv.getFloat64(this.pos, true);
        this.pos += 8;
        return x;
      }
      case 8: {
        const n = this.varint();
        if (this.pos + n > this.b.length) throw new Error("binary past the end of the footer");
        const out = this.b.subarray(this.pos, this.pos + n);
        this.pos += n;
        return out;
      }
      case 9:
      case 10:
        return this.list();
      case 11:
        return this.map();
      case 12:
        return this.struct();
      default:
        throw new Error(`unknown Thrift type ${type}`);
    }
  }

  private list(): TValue[] {
    const h = this.byte();
    const size = h >> 4 === 15 ? this.varint() : h >> 4;
    const type = h & 0x0f;
    const out: TValue[] = [];
    for (let i = 0; i < size; i++) out.push(this.value(type));
    return out;
  }

  private map(): TValue[] {
    const size = this.varint();
    if (size === 0) return [];
    const kv = this.byte();
    const out: TValue[] = [];
    for (let i = 0; i < size; i++) out.push([this.value(kv >> 4), this.value(kv & 0x0f)]);
    return out;
  }
}
