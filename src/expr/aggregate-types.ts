// The result type of each aggregation, decided when the plan is built; the aggregate operator produces exactly it.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import { typeClass, typeName } from "../../format/expr/types.js";
import type { AggFn } from "../exec/types.js";

const INT64 = new A.Int64();
const FLOAT64 = new A.Float64();

function numeric(fn: AggFn, t: A.DataType): "int" | "float" {
  const c = typeClass(t);
  if (c === "int" || c === "bigint" || c === "bool") return "int";
  if (c === "float") return "float";
  throw new InvalidArgumentError(`${fn} needs a numeric column, got ${typeName(t)}`);
}

function orderable(fn: AggFn, t: A.DataType): void {
  const c = typeClass(t);
  if (c === "other" && !A.DataType.isBinary(t)) throw new InvalidArgumentError(`${fn} needs values that can be ordered, got ${typeName(t)}`);
}

/**
 * The output type of `fn` over values of type `input` (absent for countAll).
 * @example aggResultType("sum", new Int32()) // Int64
 */
export function aggResultType(fn: AggFn, input: A.DataType | undefined): A.DataType {
  if (fn === "count" || fn === "countAll" || fn === "countDistinct") return INT64;
  if (input === undefined) throw new InvalidArgumentError(`${fn} needs an input column`);
  switch (fn) {
    case "sum":
      return numeric(fn, input) === "int" ? INT64 : FLOAT64;
    case "mean":
    case "std":
    case "var":
      numeric(fn, input);
      return FLOAT64;
    case "min":
    case "max":
      orderable(fn, input);
      return input;
    case "first":
    case "last":
      return input;
    case "list":
      return new A.List(new A.Field("item", input, true));
  }
}
