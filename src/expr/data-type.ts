// DataType helpers for casts, UDF return types and schemas: `DataType.int32()`, `DataType.embedding(512)`.

import * as A from "apache-arrow";

/**
 * Arrow types by name.
 * @example col("x").cast(DataType.float32())
 */
export const DataType = {
  bool: (): A.DataType => new A.Bool(),
  int8: (): A.DataType => new A.Int8(),
  int16: (): A.DataType => new A.Int16(),
  int32: (): A.DataType => new A.Int32(),
  int64: (): A.DataType => new A.Int64(),
  uint8: (): A.DataType => new A.Uint8(),
  uint16: (): A.DataType => new A.Uint16(),
  uint32: (): A.DataType => new A.Uint32(),
  uint64: (): A.DataType => new A.Uint64(),
  float32: (): A.DataType => new A.Float32(),
  float64: (): A.DataType => new A.Float64(),
  utf8: (): A.DataType => new A.Utf8(),
  string: (): A.DataType => new A.Utf8(),
  binary: (): A.DataType => new A.Binary(),
  date: (): A.DataType => new A.DateDay(),
  timestamp: (): A.DataType => new A.TimestampMillisecond(),
  /** A variable-length list of `item`. */
  list: (item: A.DataType): A.DataType => new A.List(new A.Field("item", item, true)),
  /** A list of exactly `size` items. */
  fixedSizeList: (item: A.DataType, size: number): A.DataType => new A.FixedSizeList(size, new A.Field("item", item, true)),
  /** An embedding: `dim` float32 values (what vector indexes search). */
  embedding: (dim: number): A.DataType =>
    withTypeMetadata(new A.FixedSizeList(dim, new A.Field("item", new A.Float32(), true)), extensionMetadata("tessera.embedding", { dim })),
  /** A tensor of fixed `shape` (row-major), stored as a fixed-size list of `item`. */
  tensor: (item: A.DataType, shape: readonly number[]): A.DataType =>
    withTypeMetadata(
      new A.FixedSizeList(shape.reduce((a, b) => a * b, 1), new A.Field("item", item, true)),
      extensionMetadata("tessera.tensor", { shape: [...shape] }),
    ),
  /** Encoded image bytes (PNG, JPEG, WebP, ...); `format` when all share one. */
  image: (format?: string): A.DataType => withTypeMetadata(new A.Binary(), extensionMetadata("tessera.image", format === undefined ? {} : { format })),
  /** Named fields. */
  struct: (fields: Record<string, A.DataType>): A.DataType =>
    new A.Struct(Object.entries(fields).map(([name, t]) => new A.Field(name, t, true))),
} as const;

// Logical types (images, tensors, embeddings) are Arrow types plus field metadata in Arrow's extension keys. A
// DataType helper registers the metadata of the type object it returns, so an expression, cast or UDF declared
// with it gives its output field that metadata, and the type survives tables and Parquet files.

/** Arrow's field-metadata keys for extension types. */
export const EXTENSION_NAME = "ARROW:extension:name";
export const EXTENSION_METADATA = "ARROW:extension:metadata";

const TYPE_METADATA = new WeakMap<A.DataType, ReadonlyMap<string, string>>();

/** `type` registered with field metadata (returned for chaining). */
export function withTypeMetadata<T extends A.DataType>(type: T, metadata: ReadonlyMap<string, string>): T {
  TYPE_METADATA.set(type, metadata);
  return type;
}

/** The field metadata registered for this type object, if any. */
export function typeMetadata(type: A.DataType): ReadonlyMap<string, string> | undefined {
  return TYPE_METADATA.get(type);
}

/** Metadata of a Tessera extension type. */
export function extensionMetadata(name: string, params: Record<string, unknown> = {}): ReadonlyMap<string, string> {
  return new Map([
    [EXTENSION_NAME, name],
    [EXTENSION_METADATA, JSON.stringify(params)],
  ]);
}

/** The extension name and parameters in field metadata, if it has a Tessera extension type. */
export function readExtension(metadata: ReadonlyMap<string, string> | undefined): { name: string; params: Record<string, unknown> } | undefined {
  const name = metadata?.get(EXTENSION_NAME);
  if (name === undefined || !name.startsWith("tessera.")) return undefined;
  let params: Record<string, unknown> = {};
  try {
    params = JSON.parse(metadata!.get(EXTENSION_METADATA) ?? "{}") as Record<string, unknown>;
  } catch {
    params = {};
  }
  return { name, params };
}
