// Arrow schema <-> the JSON form stored in a data file's footer (docs/format/file.md §Schema).

import * as A from "apache-arrow";
import { CorruptFileError } from "../errors.js";
import { physicalKind } from "./types.js";

/** A type as stored in the footer. */
export type TypeJson =
  | { name: "null" | "bool" | "utf8" | "large_utf8" | "binary" | "large_binary" }
  | { name: "int"; bitWidth: 8 | 16 | 32 | 64; signed: boolean }
  | { name: "float"; bits: 16 | 32 | 64 }
  | { name: "date"; unit: "day" | "millisecond" }
  | { name: "time"; unit: TimeUnitName; bitWidth: 32 | 64 }
  | { name: "timestamp"; unit: TimeUnitName; timezone: string | null }
  | { name: "duration"; unit: TimeUnitName }
  | { name: "interval"; unit: "year_month" | "day_time" }
  | { name: "decimal"; precision: number; scale: number; bitWidth: 128 | 256 }
  | { name: "fixed_size_binary"; byteWidth: number }
  | { name: "list"; item: FieldJson }
  | { name: "fixed_size_list"; listSize: number; item: FieldJson }
  | { name: "struct"; fields: FieldJson[] };

export type TimeUnitName = "second" | "millisecond" | "microsecond" | "nanosecond";

export interface FieldJson {
  name: string;
  type: TypeJson;
  nullable: boolean;
  metadata?: Record<string, string>;
}

export interface SchemaJson {
  fields: FieldJson[];
  metadata?: Record<string, string>;
}

const UNITS: TimeUnitName[] = ["second", "millisecond", "microsecond", "nanosecond"];

function metaToJson(m: Map<string, string>): Record<string, string> | undefined {
  return m.size === 0 ? undefined : Object.fromEntries(m);
}

/** `column` is the top-level column the field belongs to, named in errors about nested types. */
export function fieldToJson(f: A.Field, column: string = f.name): FieldJson {
  const out: FieldJson = { name: f.name, type: typeToJson(f.type, column), nullable: f.nullable };
  const meta = metaToJson(f.metadata);
  if (meta !== undefined) out.metadata = meta;
  return out;
}

export function typeToJson(t: A.DataType, column?: string): TypeJson {
  physicalKind(t, column); // refuses unsupported types with a clear message
  switch (t.typeId) {
    case A.Type.Null:
      return { name: "null" };
    case A.Type.Bool:
      return { name: "bool" };
    case A.Type.Utf8:
      return { name: "utf8" };
    case A.Type.LargeUtf8:
      return { name: "large_utf8" };
    case A.Type.Binary:
      return { name: "binary" };
    case A.Type.LargeBinary:
      return { name: "large_binary" };
    case A.Type.Int: {
      const i = t as A.Int;
      return { name: "int", bitWidth: i.bitWidth as 8 | 16 | 32 | 64, signed: i.isSigned };
    }
    case A.Type.Float:
      return { name: "float", bits: ([16, 32, 64] as const)[(t as A.Float).precision]! };
    case A.Type.Date:
      return { name: "date", unit: (t as A.Date_).unit === A.DateUnit.DAY ? "day" : "millisecond" };
    case A.Type.Time: {
      const x = t as A.Time;
      return { name: "time", unit: UNITS[x.unit]!, bitWidth: x.bitWidth as 32 | 64 };
    }
    case A.Type.Timestamp: {
      const x = t as A.Timestamp;
      return { name: "timestamp", unit: UNITS[x.unit]!, timezone: x.timezone ?? null };
    }
    case A.Type.Duration:
      return { name: "duration", unit: UNITS[(t as A.Duration).unit]! };
    case A.Type.Interval:
      return { name: "interval", unit: (t as A.Interval).unit === A.IntervalUnit.YEAR_MONTH ? "year_month" : "day_time" };
    case A.Type.Decimal: {
      const d = t as A.Decimal;
      return { name: "decimal", precision: d.precision, scale: d.scale, bitWidth: d.bitWidth as 128 | 256 };
    }
    case A.Type.FixedSizeBinary:
      return { name: "fixed_size_binary", byteWidth: (t as A.FixedSizeBinary).byteWidth };
    case A.Type.List:
      return { name: "list", item: fieldToJson((t as A.List).children[0]!, column) };
    case A.Type.FixedSizeList: {
      const x = t as A.FixedSizeList;
      return { name: "fixed_size_list", listSize: x.listSize, item: fieldToJson(x.children[0]!, column) };
    }
    case A.Type.Struct:
      return { name: "struct", fields: (t as A.Struct).children.map((f) => fieldToJson(f, column)) };
    default:
      throw new Error(`unreachable: ${String(t)}`);
  }
}

/**
 * Structural type equality. Arrow JS's compareTypes is one-directional (`b instanceof a.constructor`), so a
 * `new Float(DOUBLE)` read from a file and a `new Float64()` made by a user would differ; this compares what the
 * types mean (and falls back to compareTypes both ways for types the file format does not store).
 */
export function typesEqual(a: A.DataType, b: A.DataType): boolean {
  if (a === b) return true;
  if (a.typeId !== b.typeId) return false;
  try {
    return JSON.stringify(typeToJson(a)) === JSON.stringify(typeToJson(b));
  } catch {
    return A.util.compareTypes(a, b) && A.util.compareTypes(b, a);
  }
}

export function schemaToJson(s: A.Schema): SchemaJson {
  const out: SchemaJson = { fields: s.fields.map((f) => fieldToJson(f)) };
  const meta = metaToJson(s.metadata);
  if (meta !== undefined) out.metadata = meta;
  return out;
}

function unit(name: string): A.TimeUnit {
  const i = UNITS.indexOf(name as TimeUnitName);
  if (i < 0) throw new CorruptFileError(`unknown time unit "${name}" in the file schema`);
  return i as A.TimeUnit;
}

export function fieldFromJson(f: FieldJson): A.Field {
  const meta = new Map(Object.entries(f.metadata ?? {}));
  return new A.Field(f.name, typeFromJson(f.type), f.nullable, meta);
}

export function typeFromJson(t: TypeJson): A.DataType {
  switch (t.name) {
    case "null":
      return new A.Null();
    case "bool":
      return new A.Bool();
    case "utf8":
      return new A.Utf8();
    case "large_utf8":
      return new A.LargeUtf8();
    case "binary":
      return new A.Binary();
    case "large_binary":
      return new A.LargeBinary();
    case "int":
      return new A.Int(t.signed, oneOf(t.bitWidth, [8, 16, 32, 64] as const, "int bitWidth"));
    case "float": {
      const bits = oneOf(t.bits, [16, 32, 64] as const, "float bits");
      return new A.Float(bits === 16 ? A.Precision.HALF : bits === 32 ? A.Precision.SINGLE : A.Precision.DOUBLE);
    }
    case "date":
      return oneOf(t.unit, ["day", "millisecond"] as const, "date unit") === "day" ? new A.DateDay() : new A.DateMillisecond();
    case "time":
      return new A.Time(unit(t.unit), t.bitWidth);
    case "timestamp":
      return new A.Timestamp(unit(t.unit), t.timezone ?? undefined);
    case "duration":
      return new A.Duration(unit(t.unit));
    case "interval":
      return new A.Interval(
        oneOf(t.unit, ["year_month", "day_time"] as const, "interval unit") === "year_month"
          ? A.IntervalUnit.YEAR_MONTH
          : A.IntervalUnit.DAY_TIME,
      );
    case "decimal":
      return new A.Decimal(t.scale, t.precision, t.bitWidth);
    case "fixed_size_binary":
      return new A.FixedSizeBinary(t.byteWidth);
    case "list":
      return new A.List(fieldFromJson(t.item));
    case "fixed_size_list":
      return new A.FixedSizeList(t.listSize, fieldFromJson(t.item));
    case "struct":
      return new A.Struct(t.fields.map(fieldFromJson));
    default:
      throw new CorruptFileError(`unknown type "${(t as { name: string }).name}" in the file schema`);
  }
}

/** `v` if it is one of `allowed`, else CorruptFileError naming what was wrong. */
function oneOf<T>(v: T, allowed: readonly T[], what: string): T {
  if (!allowed.includes(v)) throw new CorruptFileError(`unknown ${what} ${JSON.stringify(v)} in the file schema`);
  return v;
}

export function schemaFromJson(s: SchemaJson): A.Schema {
  return new A.Schema(s.fields.map(fieldFromJson), new Map(Object.entries(s.metadata ?? {})));
}
