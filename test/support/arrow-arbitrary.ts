// fast-check generators of random Arrow types, values and tables, and a plain-JS view of a table for comparing
// what was written with what is read back.

import * as A from "apache-arrow";
import fc from "fast-check";

type TypeArb = fc.Arbitrary<A.DataType>;

const leafTypes: A.DataType[] = [
  new A.Bool(),
  new A.Int8(),
  new A.Int16(),
  new A.Int32(),
  new A.Int64(),
  new A.Uint8(),
  new A.Uint16(),
  new A.Uint32(),
  new A.Uint64(),
  new A.Float16(),
  new A.Float32(),
  new A.Float64(),
  new A.Utf8(),
  new A.LargeUtf8(),
  new A.Binary(),
  new A.LargeBinary(),
  new A.DateDay(),
  new A.DateMillisecond(),
  new A.TimestampMillisecond(),
  new A.TimestampMicrosecond("UTC"),
  new A.FixedSizeBinary(3),
  new A.Null(),
];

/** A random type, nested up to `depth` levels. */
export function arbType(depth = 2): TypeArb {
  const leaf = fc.constantFrom(...leafTypes);
  if (depth <= 0) return leaf;
  const inner = (): TypeArb => arbType(depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.tuple(inner(), fc.boolean()).map(([t, n]) => new A.List(new A.Field("item", t, n))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(inner(), fc.integer({ min: 1, max: 5 }), fc.boolean())
        .map(([t, k, n]) => new A.FixedSizeList(k, new A.Field("item", t, n))),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(inner(), fc.boolean()), { minLength: 1, maxLength: 3 })
        .map((fs) => new A.Struct(fs.map(([t, n], i) => new A.Field(`f${i}`, t, n)))),
    },
  );
}

/** Vectors as used by the tests: float32 fixed-size lists, the shape of embeddings. */
export function vectorType(dim: number): A.FixedSizeList {
  return new A.FixedSizeList(dim, new A.Field("item", new A.Float32(), false));
}

const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 3000 }) },
);
const bytes = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 16 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 500, maxLength: 5000 }) },
);

/** A random non-null value of `type`, in the form Arrow's builders take. */
export function arbValue(type: A.DataType): fc.Arbitrary<unknown> {
  switch (type.typeId) {
    case A.Type.Null:
      return fc.constant(null);
    case A.Type.Bool:
      return fc.boolean();
    case A.Type.Int: {
      const t = type as A.Int;
      if (t.bitWidth === 64) {
        return t.isSigned ? fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n) : fc.bigInt(0n, 2n ** 64n - 1n);
      }
      const bits = t.bitWidth;
      return t.isSigned
        ? fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 })
        : fc.integer({ min: 0, max: 2 ** bits - 1 });
    }
    case A.Type.Float: {
      const p = (type as A.Float).precision;
      if (p === A.Precision.HALF) return fc.integer({ min: -2048, max: 2048 }).map((x) => x / 2);
      return p === A.Precision.SINGLE ? fc.float() : fc.double();
    }
    case A.Type.Utf8:
    case A.Type.LargeUtf8:
      return text;
    case A.Type.Binary:
    case A.Type.LargeBinary:
      return bytes;
    case A.Type.FixedSizeBinary:
      return fc.uint8Array({ minLength: 3, maxLength: 3 });
    case A.Type.Date:
      return (type as A.Date_).unit === A.DateUnit.DAY
        ? fc.integer({ min: -100000, max: 100000 }).map((d) => new Date(d * 86400000))
        : fc.integer({ min: -1e12, max: 1e13 }).map((ms) => new Date(ms));
    case A.Type.Timestamp:
      return fc.integer({ min: -1e12, max: 1e13 });
    case A.Type.List: {
      const f = (type as A.List).children[0]!;
      return fc.array(nullable(f), { maxLength: 6 });
    }
    case A.Type.FixedSizeList: {
      const t = type as A.FixedSizeList;
      return fc.array(nullable(t.children[0]!), { minLength: t.listSize, maxLength: t.listSize });
    }
    case A.Type.Struct: {
      const fields = (type as A.Struct).children;
      return fc.tuple(...fields.map(nullable)).map((vs) => Object.fromEntries(fields.map((f, i) => [f.name, vs[i]])));
    }
    default:
      throw new Error(`no generator for ${String(type)}`);
  }
}

/** A value of the field's type, or null when the field is nullable. */
export function nullable(f: A.Field): fc.Arbitrary<unknown> {
  const v = arbValue(f.type);
  return f.nullable || f.type.typeId === A.Type.Null ? fc.option(v, { nil: null, freq: 4 }) : v;
}

/** A random schema of 1–4 columns. */
export function arbSchema(depth = 2): fc.Arbitrary<A.Schema> {
  return fc
    .array(fc.tuple(arbType(depth), fc.boolean()), { minLength: 1, maxLength: 4 })
    .map((cols) => new A.Schema(cols.map(([t, n], i) => new A.Field(`c${i}`, t, n || t.typeId === A.Type.Null))));
}

/** Rows for a schema, as arrays of column values. */
export function arbRows(schema: A.Schema, maxRows = 60): fc.Arbitrary<unknown[][]> {
  return fc.array(fc.tuple(...schema.fields.map(nullable)), { maxLength: maxRows });
}

/** Builds record batches from rows, cut at the given sizes (empty batches included), plus a last one for the rest. */
export function toBatches(schema: A.Schema, rows: unknown[][], cuts: number[]): A.RecordBatch[] {
  const batch = (slice: unknown[][]): A.RecordBatch => {
    const children = schema.fields.map((f, c) => A.vectorFromArray(slice.map((r) => r[c]), f.type).data[0]!);
    const data = A.makeData({ type: new A.Struct(schema.fields), length: slice.length, children, nullCount: 0 });
    return new A.RecordBatch(schema, data);
  };
  const out: A.RecordBatch[] = [];
  let at = 0;
  for (const size of cuts) {
    const n = Math.min(size, rows.length - at);
    out.push(batch(rows.slice(at, at + n)));
    at += n;
  }
  if (at < rows.length || out.length === 0) out.push(batch(rows.slice(at)));
  return out;
}

/** A plain, comparable form of a table's rows (bigint, bytes, NaN and nested values made JSON-safe). */
export function plainRows(table: A.Table | A.RecordBatch[]): string[] {
  const batches = Array.isArray(table) ? table : table.batches;
  const out: string[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.numRows; i++) out.push(JSON.stringify(b.get(i)?.toJSON(), replacer));
  }
  return out;
}

function replacer(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString("hex")}`;
  if (v !== null && typeof v === "object" && "toJSON" in v && typeof v.toJSON === "function") return v.toJSON();
  if (v !== null && typeof v === "object" && "toArray" in v && typeof v.toArray === "function") {
    return Array.from(v.toArray() as ArrayLike<unknown>);
  }
  return v;
}
