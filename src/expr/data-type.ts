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
  embedding: (dim: number): A.DataType => new A.FixedSizeList(dim, new A.Field("item", new A.Float32(), true)),
  /** Named fields. */
  struct: (fields: Record<string, A.DataType>): A.DataType =>
    new A.Struct(Object.entries(fields).map(([name, t]) => new A.Field(name, t, true))),
} as const;
