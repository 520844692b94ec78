// The tokenizer of the expression language: numbers, 'strings', identifiers (bare, "quoted" or `quoted`) and
// operators, each with its position, plus the caret-style error every syntax error is reported with.

import { InvalidArgumentError } from "../errors.js";

export type TokenKind = "number" | "string" | "ident" | "quoted" | "op" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for strings and quoted identifiers, the decoded value is in `value`). */
  readonly text: string;
  /** Decoded value: the string or identifier with escapes removed. */
  readonly value: string;
  /** Offset of the first character in the source. */
  readonly pos: number;
}

/** Two-character operators first, so `<=` is not read as `<` then `=`. */
const OPERATORS = ["<=", ">=", "!=", "<>", "==", "(", ")", ",", ".", "+", "-", "*", "/", "%", "=", "<", ">"];

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;
const DIGIT = /[0-9]/;

/**
 * The "at 14: text" error with a caret under the offending position and an optional hint on a line of its own;
 * long texts are cut around the position.
 */
export function syntaxError(message: string, source: string, pos: number, hint?: string): InvalidArgumentError {
  const WINDOW = 60;
  const start = Math.max(0, pos - WINDOW);
  const end = Math.min(source.length, pos + WINDOW);
  const snippet = (start > 0 ? "…" : "") + source.slice(start, end) + (end < source.length ? "…" : "");
  const head = `${message} at ${pos}: `;
  const caret = " ".repeat(head.length + pos - start + (start > 0 ? 1 : 0)) + "^";
  return new InvalidArgumentError(`${head}${snippet}\n${caret}${hint === undefined ? "" : `\n${hint}`}`);
}

/** A readable form of a token for messages: `')'`, `end of input`. */
export function describeToken(t: Token): string {
  return t.kind === "eof" ? "end of input" : `token '${t.text}'`;
}

/** Splits `source` into tokens, ending with an "eof" token. */
export function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) i++;
    else if (DIGIT.test(c)) i = pushNumber(source, i, out);
    else if (c === "'") i = pushQuoted(source, i, "'", "string", out);
    else if (c === '"' || c === "`") i = pushQuoted(source, i, c, "quoted", out);
    else if (IDENT_START.test(c)) i = pushIdent(source, i, out);
    else i = pushOperator(source, i, out);
  }
  out.push({ kind: "eof", text: "", value: "", pos: source.length });
  return out;
}

function pushNumber(source: string, start: number, out: Token[]): number {
  let i = start;
  while (i < source.length && DIGIT.test(source[i]!)) i++;
  if (source[i] === "." && DIGIT.test(source[i + 1] ?? "")) {
    i++;
    while (i < source.length && DIGIT.test(source[i]!)) i++;
  }
  if (source[i] === "e" || source[i] === "E") {
    let j = i + 1;
    if (source[j] === "+" || source[j] === "-") j++;
    if (!DIGIT.test(source[j] ?? "")) throw syntaxError("malformed number", source, start);
    while (j < source.length && DIGIT.test(source[j]!)) j++;
    i = j;
  }
  if (i < source.length && IDENT_PART.test(source[i]!)) {
    throw syntaxError(`unexpected character '${source[i]}' after a number`, source, i);
  }
  const text = source.slice(start, i);
  out.push({ kind: "number", text, value: text, pos: start });
  return i;
}

/** A quoted run where a doubled quote stands for one: 'it''s', "my ""col""". */
function pushQuoted(source: string, start: number, quote: string, kind: TokenKind, out: Token[]): number {
  let i = start + 1;
  let value = "";
  for (;;) {
    const j = source.indexOf(quote, i);
    if (j < 0) {
      const what = kind === "string" ? "string" : "quoted identifier";
      throw syntaxError(`unterminated ${what}`, source, start);
    }
    value += source.slice(i, j);
    if (source[j + 1] === quote) {
      value += quote;
      i = j + 2;
    } else {
      i = j + 1;
      break;
    }
  }
  if (kind === "quoted" && value === "") throw syntaxError("empty quoted identifier", source, start);
  out.push({ kind, text: source.slice(start, i), value, pos: start });
  return i;
}

function pushIdent(source: string, start: number, out: Token[]): number {
  let i = start + 1;
  while (i < source.length && IDENT_PART.test(source[i]!)) i++;
  const text = source.slice(start, i);
  out.push({ kind: "ident", text, value: text, pos: start });
  return i;
}

function pushOperator(source: string, start: number, out: Token[]): number {
  const op = OPERATORS.find((o) => source.startsWith(o, start));
  if (op === undefined) {
    const ch = String.fromCodePoint(source.codePointAt(start)!);
    throw syntaxError(`unexpected character '${ch}'`, source, start);
  }
  out.push({ kind: "op", text: op, value: op, pos: start });
  return start + op.length;
}
