// Columnar accumulators that turn JS values (from JSON.parse, CSV text conversion or user rows) into Arrow Data of
// an exact type. Unlike Arrow's own builders they check each value against the type (a ValueMismatch names what
// was expected) and can truncate back to a row count, so a reader can drop a half-appended bad record.
// This file maps types to builders; the builders are in scalar-builders.ts and nested-builders.ts.

import * as A from "apache-arrow";
import { type BuilderOptions, type ColumnBuilder } from "./builder-base.js";
import { FixedSizeListBuilder, ListBuilder, StructBuilder } from "./nested-builders.js";
import {
  BinaryBuilder,
  BoolBuilder,
  FallbackBuilder,
  Float64Builder,
  floatConvert,
  Int64Builder,
  intConvert,
  NullBuilder,
  NumericBuilder,
  plainNumbers,
  temporalConvert,
  Utf8Builder,
  type Convert,
  type NumericCtor,
} from "./scalar-builders.js";

export { describeValue, ImpreciseInteger, type BuilderOptions, type ColumnBuilder } from "./builder-base.js";
export { jsonText } from "./scalar-builders.js";

type Factory = (type: A.DataType, options: BuilderOptions) => ColumnBuilder;

const numeric =
  (convert: (type: A.DataType, options: BuilderOptions) => Convert): Factory =>
  (type, options) =>
    new NumericBuilder(type, (type as unknown as { ArrayType: NumericCtor }).ArrayType, convert(type, options), plainNumbers(type));

const intBuilder = numeric((t, o) => intConvert(t as A.Int, o));
const floatBuilder = numeric((t) => floatConvert(t));

const FACTORIES: Partial<Record<A.Type, Factory>> = {
  [A.Type.Int]: (type, options) => {
    const t = type as A.Int;
    return t.bitWidth === 64 && t.isSigned ? new Int64Builder(options.preciseIntegers === true) : intBuilder(type, options);
  },
  [A.Type.Float]: (type, options) => {
    const p = (type as A.Float).precision;
    if (p === A.Precision.HALF) return new FallbackBuilder(type);
    return p === A.Precision.DOUBLE ? new Float64Builder() : floatBuilder(type, options);
  },
  [A.Type.Timestamp]: numeric((t) => temporalConvert(t)),
  [A.Type.Date]: numeric((t) => temporalConvert(t)),
  [A.Type.Bool]: () => new BoolBuilder(),
  [A.Type.Utf8]: () => new Utf8Builder(),
  [A.Type.Binary]: () => new BinaryBuilder(),
  [A.Type.Struct]: (type, options) => new StructBuilder(type as A.Struct, (t) => makeColumnBuilder(t, options)),
  [A.Type.List]: (type, options) => new ListBuilder(type as A.List, (t) => makeColumnBuilder(t, options)),
  [A.Type.FixedSizeList]: (type, options) => new FixedSizeListBuilder(type as A.FixedSizeList, (t) => makeColumnBuilder(t, options)),
  [A.Type.Null]: () => new NullBuilder(),
};

/**
 * A checked builder for `type`; types without one fall back to Arrow's conversion.
 * @example const b = makeColumnBuilder(new A.Int64()); b.append(3); b.append(null); b.finish().length // 2
 */
export function makeColumnBuilder(type: A.DataType, options: BuilderOptions = {}): ColumnBuilder {
  const make = FACTORIES[type.typeId as A.Type];
  return make === undefined ? new FallbackBuilder(type) : make(type, options);
}
