// The expression language of format/: parse SQL-like text, resolve it against a schema, evaluate it over
// record batches, and prune pages by statistics. The fluent Expr API of src/ builds on these.

export type {
  ArithmeticOp,
  BetweenExpr,
  BinaryExpr,
  BinaryOp,
  CallExpr,
  CastExpr,
  CastTypeName,
  ColumnExpr,
  ComparisonOp,
  Expr,
  FunctionName,
  InExpr,
  IsNullExpr,
  LikeExpr,
  LikeOptions,
  LiteralExpr,
  LiteralValue,
  LogicalOp,
  UnaryExpr,
  UnaryOp,
} from "./ast.js";
export {
  and,
  between,
  binary,
  call,
  cast,
  CAST_ALIASES,
  castTargetType,
  castTypeName,
  col,
  FUNCTION_NAMES,
  isIn,
  isNull,
  like,
  lit,
  not,
  or,
  unary,
} from "./ast.js";
export type { Resolved } from "./bound.js";
export { evaluate, filterIndices, type BatchLike } from "./evaluate.js";
export { formatExpr } from "./format-expr.js";
export { parseExpr } from "./parse.js";
export { mayMatch, type ColumnStats, type StatsLookup } from "./prune.js";
export { referencedColumns, resolveExpr, resolvePredicate, resolveValue, type ResolveValueOptions } from "./resolve.js";
export { typeName } from "./types.js";
