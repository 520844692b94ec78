// The fluent, immutable Expr users build (`col("x").add(1).alias("y")`): a thin wrapper over a frozen ExprNode.
// Names and types are checked when a DataFrame method receives it (src/expr/compile.ts), never here.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import type { FunctionName } from "../../format/expr/ast.js";
import type { AggFn } from "../exec/types.js";
import type { ApplyNodeOptions, BinaryOp, ExprNode, LiteralNode, LiteralValue } from "./node.js";
import { ListNamespace } from "./namespaces/list.js";
import { StrNamespace } from "./namespaces/str.js";
import { ImageNamespace } from "./namespaces/image.js";
import { UrlNamespace } from "./namespaces/url.js";
import { EmbeddingNamespace } from "./namespaces/embedding.js";
import { fnExpr, installExpr } from "./namespaces/fn.js";
import type { Embedder } from "../embed/embedder.js";
import type { EmbedOptions } from "../embed/embed-function.js";

/** What methods accept where an expression goes: an Expr, or a plain value (a literal). */
export type ExprLike = Expr | LiteralValue;

/** Options of `apply`. */
export type ApplyOptions = ApplyNodeOptions;

function freeze<T extends ExprNode>(n: T): T {
  return Object.freeze(n);
}

/** A literal node from a JS value. */
export function literalNode(value: LiteralValue, type?: A.DataType): LiteralNode {
  if (value !== null && !["number", "bigint", "string", "boolean"].includes(typeof value)) {
    throw new InvalidArgumentError(`a literal must be a number, bigint, string, boolean or null, got ${typeof value}`);
  }
  return freeze(type === undefined ? { kind: "literal", value } : { kind: "literal", value, type });
}

/** The node of an Expr or a literal. */
export function toNode(e: ExprLike): ExprNode {
  return e instanceof Expr ? e.node : literalNode(e);
}

/**
 * An expression over the columns of a DataFrame (or a Table filter / update value).
 * @example col("price").mul(col("qty")).gt(100).alias("big")
 */
export class Expr {
  constructor(readonly node: ExprNode) {
    Object.freeze(this);
  }

  private bin(op: BinaryOp, other: ExprLike): Expr {
    return new Expr(freeze({ kind: "binary", op, left: this.node, right: toNode(other) }));
  }

  add(other: ExprLike): Expr {
    return this.bin("+", other);
  }
  sub(other: ExprLike): Expr {
    return this.bin("-", other);
  }
  mul(other: ExprLike): Expr {
    return this.bin("*", other);
  }
  /** Division; integer operands divide as integers (truncating), as in SQL. Cast to float for a fractional result. */
  div(other: ExprLike): Expr {
    return this.bin("/", other);
  }
  mod(other: ExprLike): Expr {
    return this.bin("%", other);
  }
  eq(other: ExprLike): Expr {
    return this.bin("=", other);
  }
  neq(other: ExprLike): Expr {
    return this.bin("!=", other);
  }
  lt(other: ExprLike): Expr {
    return this.bin("<", other);
  }
  lte(other: ExprLike): Expr {
    return this.bin("<=", other);
  }
  gt(other: ExprLike): Expr {
    return this.bin(">", other);
  }
  gte(other: ExprLike): Expr {
    return this.bin(">=", other);
  }
  /** Logical AND with SQL's three-valued logic (NULL AND FALSE = FALSE). */
  and(other: ExprLike): Expr {
    return this.bin("and", other);
  }
  or(other: ExprLike): Expr {
    return this.bin("or", other);
  }
  not(): Expr {
    return new Expr(freeze({ kind: "unary", op: "not", operand: this.node }));
  }
  neg(): Expr {
    return new Expr(freeze({ kind: "unary", op: "neg", operand: this.node }));
  }
  abs(): Expr {
    return this.call("abs");
  }
  round(): Expr {
    return this.call("round");
  }
  floor(): Expr {
    return this.call("floor");
  }
  ceil(): Expr {
    return this.call("ceil");
  }
  sqrt(): Expr {
    return this.call("sqrt");
  }

  private call(name: FunctionName, ...args: ExprLike[]): Expr {
    return new Expr(freeze({ kind: "call", name, args: [this.node, ...args.map(toNode)] }));
  }

  isNull(): Expr {
    return new Expr(freeze({ kind: "isNull", operand: this.node, negated: false }));
  }
  notNull(): Expr {
    return new Expr(freeze({ kind: "isNull", operand: this.node, negated: true }));
  }
  /** This value, or `value` where it is null. */
  fillNull(value: ExprLike): Expr {
    return this.call("coalesce", value);
  }
  /** Whether the value is one of `values` (literals). */
  isIn(values: readonly LiteralValue[]): Expr {
    return new Expr(freeze({ kind: "in", operand: this.node, values: values.map((v) => literalNode(v)), negated: false }));
  }
  /** low <= value <= high. */
  between(low: ExprLike, high: ExprLike): Expr {
    return new Expr(freeze({ kind: "between", operand: this.node, low: toNode(low), high: toNode(high), negated: false }));
  }
  /** SQL LIKE: `%` any run of characters, `_` one character. */
  like(pattern: string, options: { caseInsensitive?: boolean } = {}): Expr {
    return new Expr(freeze({ kind: "like", operand: this.node, pattern, caseInsensitive: options.caseInsensitive ?? false, negated: false }));
  }
  /** The value converted to `type`; a value that does not fit fails when evaluated. */
  cast(type: A.DataType): Expr {
    return new Expr(freeze({ kind: "cast", operand: this.node, to: type }));
  }
  /** The same value under another column name. */
  alias(name: string): Expr {
    if (typeof name !== "string" || name.length === 0) throw new InvalidArgumentError("alias() needs a non-empty name");
    return new Expr(freeze({ kind: "alias", operand: this.node, name }));
  }
  /** A field of a struct column. */
  field(name: string): Expr {
    const n = this.node;
    if (n.kind === "column") return new Expr(freeze({ kind: "column", path: [...n.path, name] }));
    return new Expr(freeze({ kind: "fn", name: "struct.get", args: [n], options: { field: name } }));
  }
  /**
   * `fn` called on each non-null value (null stays null); async functions run `concurrency` at a time.
   * @example col("url").apply((u) => String(u).length, DataType.int32())
   */
  apply(fn: (value: unknown) => unknown, returnType: A.DataType, options: ApplyOptions = {}): Expr {
    if (typeof fn !== "function") throw new InvalidArgumentError("apply() needs a function");
    return new Expr(freeze({ kind: "apply", operand: this.node, fn, returnType, options: Object.freeze({ ...options }) }));
  }

  private agg(fn: AggFn, extra: { ddof?: number } = {}): Expr {
    return new Expr(freeze({ kind: "agg", fn, operand: this.node, ...extra }));
  }
  /** Non-null values. */
  count(): Expr {
    return this.agg("count");
  }
  sum(): Expr {
    return this.agg("sum");
  }
  mean(): Expr {
    return this.agg("mean");
  }
  min(): Expr {
    return this.agg("min");
  }
  max(): Expr {
    return this.agg("max");
  }
  /** Sample standard deviation (ddof 1). */
  std(options: { ddof?: number } = {}): Expr {
    return this.agg("std", options);
  }
  /** Sample variance (ddof 1). */
  var(options: { ddof?: number } = {}): Expr {
    return this.agg("var", options);
  }
  countDistinct(): Expr {
    return this.agg("countDistinct");
  }
  first(): Expr {
    return this.agg("first");
  }
  last(): Expr {
    return this.agg("last");
  }

  /** String functions. */
  get str(): StrNamespace {
    return new StrNamespace(this);
  }
  /**
   * Embeddings of this column (images or text) computed by `embedder`: a fixed-size list of float32 that records the
   * embedder in its metadata, so `table.search(text | image)` can embed queries the same way.
   * @example col("image").embed(embedders.image({ size: 16, mode: "L" }))
   */
  embed(embedder: Embedder, options: EmbedOptions = {}): Expr {
    return fnExpr("embed", this, [], { embedder, ...options });
  }

  /** Image functions (decode, resize, encode, hashes, ...) on encoded bytes or decoded images. */
  get image(): ImageNamespace {
    return new ImageNamespace(this);
  }
  /** URL functions: download the bytes a URL names, upload bytes. */
  get url(): UrlNamespace {
    return new UrlNamespace(this);
  }
  /** Embedding functions: distances and similarities to a vector. */
  get embedding(): EmbeddingNamespace {
    return new EmbeddingNamespace(this);
  }

  /**
   * Called, the `list` aggregation (all values of a group as a list); its members are the list functions (also on
   * fixed-size lists such as embeddings), as in the API: `col("x").list()` and `col("tags").list.length()`.
   */
  get list(): ListAccessor {
    const ns = new ListNamespace(this);
    const f = (): Expr => this.agg("list");
    for (const key of LIST_METHODS) {
      Object.defineProperty(f, key, { value: (ns[key] as (...a: unknown[]) => Expr).bind(ns), configurable: true });
    }
    return f as unknown as ListAccessor;
  }

  toString(): string {
    return describeNode(this.node);
  }
}

const LIST_METHODS = Object.getOwnPropertyNames(ListNamespace.prototype).filter((k) => k !== "constructor") as (keyof ListNamespace)[];

/** `col(...).list`: callable (the list aggregation) and the list namespace. */
export type ListAccessor = (() => Expr) & ListNamespace;

/** A short text of a node for explain() and messages. */
export function describeNode(n: ExprNode): string {
  // Imported lazily to keep this module free of the printer's dependencies.
  return printer(n);
}

let printer: (n: ExprNode) => string = (n) => n.kind;

/** Installs the explain printer (src/plan/display.ts). */
export function setExprPrinter(p: (n: ExprNode) => string): void {
  printer = p;
}

installExpr(Expr, toNode);
