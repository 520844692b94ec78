// Schema inference from JS values (parsed JSON records, user rows): each field's kind is widened over the sample
// (null < int < float; structs merge their fields; lists merge their items) and anything that mixes kinds
// becomes a string column holding each value's text, so inference never fails and later records rarely do.

import * as A from "apache-arrow";

/** The kind of a field seen so far. */
type Kind =
  | { k: "null" }
  | { k: "int" }
  | { k: "float" }
  | { k: "bool" }
  | { k: "string" }
  | { k: "timestamp" }
  | { k: "binary" }
  | { k: "struct"; fields: Map<string, Kind> }
  | { k: "list"; item: Kind };

// Shared kinds (merge never mutates a kind): a 784-item list of numbers then allocates nothing per item.
const NULL: Kind = { k: "null" };
const INT: Kind = { k: "int" };
const FLOAT: Kind = { k: "float" };
const BOOL: Kind = { k: "bool" };
const TIMESTAMP: Kind = { k: "timestamp" };
const BINARY: Kind = { k: "binary" };
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const STRING: Kind = { k: "string" };

/** How numbers are told apart. */
export interface InferOptions {
  /**
   * True when integers arrive as bigints and every JS number is a float (the precise JSON parser's output, where
   * "1.0" must stay a float). False for user rows, where an integral number is an integer. Default false.
   */
  readonly bigintIsInteger?: boolean;
}

/** Accumulates the fields of records and turns them into an Arrow schema. */
export class SchemaInferrer {
  private readonly fields = new Map<string, Kind>();
  /** Whether the record being observed holds integral JS numbers as integers (see observe). */
  private integralNumbers: boolean;

  constructor(private readonly options: InferOptions = {}) {
    this.integralNumbers = !options.bigintIsInteger;
  }

  /**
   * Widens the schema by one record's fields (in first-seen order). Fields named in `skip` are not looked at (their
   * type is given). `exactNumbers`: this record's JS numbers are what its text says even with `bigintIsInteger`
   * (JSON.parse of a text whose numbers are all integers below 2^53), so an integral number is an integer.
   */
  observe(record: Record<string, unknown>, options: { skip?: ReadonlySet<string>; exactNumbers?: boolean } = {}): void {
    this.integralNumbers = !this.options.bigintIsInteger || options.exactNumbers === true;
    for (const key of Object.keys(record)) {
      if (options.skip?.has(key) === true) {
        // Only its place in the field order counts (a given field replaces the inferred one in place).
        if (!this.fields.has(key)) this.fields.set(key, NULL);
        continue;
      }
      this.fields.set(key, merge(this.fields.get(key) ?? NULL, this.kindOf(record[key])));
    }
  }

  /**
   * The inferred schema, with `override` fields replacing inferred ones of the same name (in place) and the rest
   * of `override` appended in its order. Every inferred field is nullable.
   */
  schema(override?: A.Schema): A.Schema {
    const given = new Map((override?.fields ?? []).map((f) => [f.name, f]));
    const fields: A.Field[] = [];
    for (const [name, kind] of this.fields) fields.push(given.get(name) ?? new A.Field(name, toArrow(kind), true));
    for (const f of override?.fields ?? []) if (!this.fields.has(f.name)) fields.push(f);
    return new A.Schema(fields);
  }

  private kindOf(v: unknown): Kind {
    if (v === null || v === undefined) return NULL;
    switch (typeof v) {
      case "bigint":
        // Integers beyond int64 (a uint64 near its top) can only be approximated: as Float64.
        return v >= INT64_MIN && v <= INT64_MAX ? INT : FLOAT;
      case "number":
        return this.integralNumbers && Number.isInteger(v) ? INT : FLOAT;
      case "string":
        return STRING;
      case "boolean":
        return BOOL;
      case "object":
        return this.objectKind(v);
      default:
        return STRING;
    }
  }

  private objectKind(v: object): Kind {
    if (v instanceof Date) return TIMESTAMP;
    if (v instanceof Uint8Array) return BINARY;
    if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
      const items = v as ArrayLike<unknown>;
      let item: Kind = NULL;
      for (let i = 0; i < items.length; i++) item = merge(item, this.kindOf(items[i]));
      return { k: "list", item };
    }
    const fields = new Map<string, Kind>();
    for (const [key, x] of Object.entries(v)) fields.set(key, this.kindOf(x));
    return { k: "struct", fields };
  }
}

/** The narrowest kind holding both. */
function merge(a: Kind, b: Kind): Kind {
  if (a.k === "null") return b;
  if (b.k === "null") return a;
  if (a.k === "struct" && b.k === "struct") {
    const fields = new Map(a.fields);
    for (const [key, kind] of b.fields) fields.set(key, merge(fields.get(key) ?? NULL, kind));
    return { k: "struct", fields };
  }
  if (a.k === "list" && b.k === "list") return { k: "list", item: merge(a.item, b.item) };
  if (a.k === b.k) return a;
  if ((a.k === "int" && b.k === "float") || (a.k === "float" && b.k === "int")) return FLOAT;
  return STRING;
}

const SIMPLE: Record<string, () => A.DataType> = {
  null: () => new A.Utf8(),
  int: () => new A.Int64(),
  float: () => new A.Float64(),
  bool: () => new A.Bool(),
  string: () => new A.Utf8(),
  timestamp: () => new A.TimestampMillisecond(),
  binary: () => new A.Binary(),
};

function toArrow(kind: Kind): A.DataType {
  if (kind.k === "list") return new A.List(new A.Field("item", toArrow(kind.item), true));
  if (kind.k === "struct") {
    // An object that was only ever empty has no fields to make a struct of: keep its text.
    if (kind.fields.size === 0) return new A.Utf8();
    return new A.Struct([...kind.fields].map(([name, k]) => new A.Field(name, toArrow(k), true)));
  }
  return SIMPLE[kind.k]!();
}
