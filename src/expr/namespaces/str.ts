// `col(...).str.*`: string functions (evaluated by src/expr/functions/str.ts).

import type { Expr, ExprLike } from "../expr.js";
import type { RegexOptions, ReplaceOptions, StripOptions } from "../functions/str.js";
import { fnExpr } from "./fn.js";

export type { ReplaceOptions, RegexOptions, StripOptions } from "../functions/str.js";

/** String functions of an expression; null in, null out. */
export class StrNamespace {
  constructor(private readonly e: Expr) {}

  /** Characters (code points). */
  length(): Expr {
    return fnExpr("str.length", this.e);
  }
  lower(): Expr {
    return fnExpr("str.lower", this.e);
  }
  upper(): Expr {
    return fnExpr("str.upper", this.e);
  }
  /** Whether `pattern` (plain text) occurs. */
  contains(pattern: ExprLike): Expr {
    return fnExpr("str.contains", this.e, [pattern]);
  }
  startsWith(prefix: ExprLike): Expr {
    return fnExpr("str.startsWith", this.e, [prefix]);
  }
  endsWith(suffix: ExprLike): Expr {
    return fnExpr("str.endsWith", this.e, [suffix]);
  }
  /** The parts between occurrences of `separator`, as a list of strings. */
  split(separator: ExprLike): Expr {
    return fnExpr("str.split", this.e, [separator]);
  }
  replace(pattern: ExprLike, replacement: ExprLike, options: ReplaceOptions = {}): Expr {
    return fnExpr("str.replace", this.e, [pattern, replacement], { ...options });
  }
  /** Whether the regular expression matches somewhere in the value. */
  match(regex: ExprLike, options: RegexOptions = {}): Expr {
    return fnExpr("str.match", this.e, [regex], { ...options });
  }
  /** The text matched by `group` of the regular expression (0: the whole match), or null. */
  extract(regex: ExprLike, group: ExprLike = 0, options: RegexOptions = {}): Expr {
    return fnExpr("str.extract", this.e, [regex, group], { ...options });
  }
  /** Without leading and trailing whitespace (or the characters in `options.chars`). */
  strip(options: StripOptions = {}): Expr {
    return fnExpr("str.strip", this.e, [], { ...options });
  }
  lstrip(options: StripOptions = {}): Expr {
    return fnExpr("str.lstrip", this.e, [], { ...options });
  }
  rstrip(options: StripOptions = {}): Expr {
    return fnExpr("str.rstrip", this.e, [], { ...options });
  }
  /** `length` characters from `start` (negative: from the end); to the end without `length`. */
  slice(start: ExprLike, length?: ExprLike): Expr {
    return fnExpr("str.slice", this.e, length === undefined ? [start] : [start, length]);
  }
  /** This string followed by the others; null if any is null. */
  concat(...others: ExprLike[]): Expr {
    return fnExpr("str.concat", this.e, others);
  }
}
