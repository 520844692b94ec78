// parseExpr: SQL-like text to an Expr by precedence climbing, loosest first: OR < AND < NOT < comparison / IN /
// LIKE / BETWEEN / IS < + - < * / % < unary minus < primary; binary operators associate left. Never evaluated.

import * as E from "./ast.js";
import { nearestNames } from "./suggest.js";
import { describeToken, syntaxError, tokenize, type Token } from "./tokenize.js";
import * as A from "apache-arrow";

/** Binding powers; a higher one binds tighter. */
export const PREC = { or: 1, and: 2, not: 3, compare: 4, add: 5, mul: 6, neg: 7 } as const;

/** Words that are never column names unless quoted. */
export const RESERVED = new Set([
  "and", "or", "not", "in", "is", "null", "like", "ilike", "between", "true", "false", "cast", "as", "escape",
]);

const COMPARISON: Record<string, E.ComparisonOp> = {
  "=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Parses an expression such as `label = 3 AND name LIKE 'cat%'`.
 * Throws InvalidArgumentError with the position and a caret under the offending token.
 * @example parseExpr("price * qty > 100") // binary(">", binary("*", col("price"), col("qty")), lit(100))
 */
export function parseExpr(text: string): E.Expr {
  return new Parser(text).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private at = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseAll(): E.Expr {
    if (this.peek().kind === "eof") throw this.error("empty expression", this.peek());
    const e = this.parse(0);
    if (this.peek().kind !== "eof") throw this.unexpected(this.peek());
    return e;
  }

  // ---- token helpers

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.at++;
    return t;
  }

  /** True when the token is the (case-insensitive) bare keyword. */
  private isWord(t: Token, word: string): boolean {
    return t.kind === "ident" && t.value.toLowerCase() === word;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(this.peek(), word)) return false;
    this.at++;
    return true;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) throw this.unexpected(this.peek(), `expected ${word.toUpperCase()}`);
  }

  private expectOp(op: string): Token {
    const t = this.peek();
    if (t.kind !== "op" || t.text !== op) throw this.unexpected(t, `expected '${op}'`);
    return this.next();
  }

  private error(message: string, t: Token, hint?: string): Error {
    return syntaxError(message, this.source, t.pos, hint);
  }

  private unexpected(t: Token, hint?: string): Error {
    return this.error(`unexpected ${describeToken(t)}${hint ? ` (${hint})` : ""}`, t);
  }

  // ---- precedence climbing

  private parse(minPrec: number): E.Expr {
    let left = this.prefix();
    for (;;) {
      const prec = this.infixPrec(this.peek());
      if (prec === undefined || prec < minPrec) return left;
      left = this.infix(left, prec);
    }
  }

  /** Binding power of the token as an infix operator, or undefined when it ends the expression. */
  private infixPrec(t: Token): number | undefined {
    if (t.kind === "op") {
      if (t.text in COMPARISON) return PREC.compare;
      if (t.text === "+" || t.text === "-") return PREC.add;
      if (t.text === "*" || t.text === "/" || t.text === "%") return PREC.mul;
      return undefined;
    }
    if (t.kind !== "ident") return undefined;
    const w = t.value.toLowerCase();
    if (w === "or") return PREC.or;
    if (w === "and") return PREC.and;
    if (["in", "is", "like", "ilike", "between"].includes(w)) return PREC.compare;
    if (w === "not" && ["in", "like", "ilike", "between"].some((k) => this.isWord(this.peek(1), k))) {
      return PREC.compare;
    }
    return undefined;
  }

  private infix(left: E.Expr, prec: number): E.Expr {
    const t = this.next();
    if (t.kind === "op") {
      const op = (COMPARISON[t.text] ?? t.text) as E.BinaryOp;
      return E.binary(op, left, this.parse(prec + 1));
    }
    const w = t.value.toLowerCase();
    if (w === "or" || w === "and") return E.binary(w, left, this.parse(prec + 1));
    if (w === "is") return this.isNull(left);
    const negated = w === "not";
    const kw = negated ? this.next().value.toLowerCase() : w;
    if (kw === "in") return this.inList(left, negated);
    if (kw === "between") return this.between(left, negated);
    return this.like(left, kw === "ilike", negated);
  }

  private isNull(left: E.Expr): E.Expr {
    const negated = this.acceptWord("not");
    this.expectWord("null");
    return E.isNull(left, negated);
  }

  private inList(left: E.Expr, negated: boolean): E.Expr {
    this.expectOp("(");
    const values: E.LiteralExpr[] = [];
    do {
      const start = this.peek();
      const v = this.parse(PREC.add);
      if (v.kind !== "literal") throw this.error("IN takes a list of literals", start);
      values.push(v);
    } while (this.acceptOp(","));
    this.expectOp(")");
    return E.isIn(left, values, negated);
  }

  private between(left: E.Expr, negated: boolean): E.Expr {
    const low = this.parse(PREC.add);
    this.expectWord("and");
    return E.between(left, low, this.parse(PREC.add), negated);
  }

  private like(left: E.Expr, caseInsensitive: boolean, negated: boolean): E.Expr {
    const p = this.next();
    if (p.kind !== "string") throw this.unexpected(p, "LIKE takes a 'pattern' string");
    let escape: string | undefined;
    if (this.acceptWord("escape")) {
      const e = this.next();
      if (e.kind !== "string" || [...e.value].length !== 1) throw this.error("ESCAPE takes one character", e);
      escape = e.value;
    }
    return E.like(left, p.value, { caseInsensitive, negated, escape });
  }

  private acceptOp(op: string): boolean {
    const t = this.peek();
    if (t.kind !== "op" || t.text !== op) return false;
    this.at++;
    return true;
  }

  // ---- prefix forms and primaries

  private prefix(): E.Expr {
    const t = this.next();
    if (t.kind === "number") return E.lit(...numberValue(t.text));
    if (t.kind === "string") return E.lit(t.value);
    if (t.kind === "quoted") return this.columnPath([t.value]);
    if (t.kind === "op") return this.prefixOp(t);
    if (t.kind === "ident") return this.word(t);
    throw this.unexpected(t);
  }

  private prefixOp(t: Token): E.Expr {
    if (t.text === "(") {
      const e = this.parse(0);
      this.expectOp(")");
      return e;
    }
    if (t.text === "-") {
      // Fold `-<number>` so the smallest int64 and negative literals stay literals.
      const n = this.peek();
      if (n.kind === "number") {
        this.at++;
        const [v, type] = numberValue(n.text);
        return E.lit(negate(v as number | bigint), type);
      }
      return E.unary("neg", this.parse(PREC.neg));
    }
    if (t.text === "+") return this.parse(PREC.neg);
    throw this.unexpected(t);
  }

  private word(t: Token): E.Expr {
    const w = t.value.toLowerCase();
    if (w === "true" || w === "false") return E.lit(w === "true");
    if (w === "null") return E.lit(null);
    if (w === "not") return E.not(this.parse(PREC.not));
    if (w === "cast") return this.cast();
    if ((w === "date" || w === "timestamp") && this.peek().kind === "string") {
      return E.lit(this.next().value, E.castTargetType(w));
    }
    if (RESERVED.has(w)) throw this.unexpected(t);
    if (this.peek().kind === "op" && this.peek().text === "(") return this.call(t);
    return this.columnPath([t.value]);
  }

  private columnPath(path: string[]): E.Expr {
    while (this.acceptOp(".")) {
      const f = this.next();
      if (f.kind === "quoted" || (f.kind === "ident" && !RESERVED.has(f.value.toLowerCase()))) path.push(f.value);
      else throw this.unexpected(f, "expected a field name");
    }
    return E.col(...path);
  }

  private call(nameToken: Token): E.Expr {
    const name = nameToken.value.toLowerCase();
    if (!(E.FUNCTION_NAMES as readonly string[]).includes(name)) {
      const near = nearestNames(name, E.FUNCTION_NAMES);
      const hint = near.length > 0 ? `did you mean ${near.map((n) => `${n}()`).join(" or ")}?` : undefined;
      throw this.error(`unknown function "${nameToken.value}"`, nameToken, hint);
    }
    this.expectOp("(");
    const args: E.Expr[] = [];
    if (!this.acceptOp(")")) {
      do args.push(this.parse(0));
      while (this.acceptOp(","));
      this.expectOp(")");
    }
    return E.call(name as E.FunctionName, ...args);
  }

  private cast(): E.Expr {
    this.expectOp("(");
    const operand = this.parse(0);
    this.expectWord("as");
    const t = this.next();
    const to = t.kind === "ident" ? E.CAST_ALIASES[t.value.toLowerCase()] : undefined;
    if (to === undefined) {
      const near = t.kind === "ident" ? nearestNames(t.value.toLowerCase(), Object.keys(E.CAST_ALIASES)) : [];
      const hint = near.length > 0 ? `did you mean ${near.join(" or ")}?` : undefined;
      throw this.error(`unknown type ${t.kind === "eof" ? "(missing)" : `"${t.text}"`}`, t, hint);
    }
    this.expectOp(")");
    return E.cast(operand, to);
  }
}

/** A number token's value: integers as numbers (bigint past 2^53), decimals and exponents as float64. */
function numberValue(text: string): [E.LiteralValue, A.DataType?] {
  if (/^[0-9]+$/.test(text)) {
    const big = BigInt(text);
    return [big > MAX_SAFE ? big : Number(text)];
  }
  return [Number(text), new A.Float64()];
}

function negate(v: number | bigint): number | bigint {
  if (typeof v === "number") return -v;
  const n = -v;
  return n >= -MAX_SAFE ? Number(n) : n;
}
