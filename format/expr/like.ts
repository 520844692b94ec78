// LIKE patterns compiled once into a matcher over UTF-8 bytes: `%` is any run of characters, `_` one character,
// everything else (regex metacharacters included) is literal, so user text never becomes a regular expression.

import { InvalidArgumentError } from "../errors.js";
import { encoder } from "./columnar.js";

type Item = { readonly kind: "any" } | { readonly kind: "one" } | { readonly kind: "text"; readonly bytes: Uint8Array };

/** A compiled pattern: tests the bytes [start, end) of a buffer. */
export type LikeMatcher = (s: Uint8Array, start: number, end: number) => boolean;

/** Splits a pattern into wildcards and literal runs; `transform` rewrites the literal text (ILIKE lower-cases). */
function items(pattern: string, escape: string | undefined, transform: (s: string) => string): Item[] {
  const out: Item[] = [];
  let text = "";
  const flush = (): void => {
    if (text !== "") out.push({ kind: "text", bytes: encoder.encode(transform(text)) });
    text = "";
  };
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === escape) {
      const nextChar = chars[++i];
      if (nextChar === undefined) throw new InvalidArgumentError(`LIKE pattern '${pattern}' ends with its escape`);
      text += nextChar;
    } else if (c === "%" || c === "_") {
      flush();
      if (c === "_") out.push({ kind: "one" });
      else if (out.at(-1)?.kind !== "any") out.push({ kind: "any" });
    } else text += c;
  }
  flush();
  return out;
}

/** Options of `compileLike`. */
export interface CompileLikeOptions {
  /** Escape character. Default: none. */
  escape?: string;
  /** Applied to the pattern's literal text (ILIKE passes lower-casing; the input must be transformed alike). */
  transform?: (s: string) => string;
}

/** A matcher for `pattern`, with fast paths for exact, prefix, suffix and infix patterns. */
export function compileLike(pattern: string, options: CompileLikeOptions = {}): LikeMatcher {
  const its = items(pattern, options.escape, options.transform ?? ((s) => s));
  const shape = its.map((i) => (i.kind === "text" ? "t" : i.kind === "any" ? "%" : "_")).join("");
  const text = (its.find((i) => i.kind === "text") as { bytes: Uint8Array } | undefined)?.bytes;
  switch (shape) {
    case "":
      return (_s, start, end) => start === end;
    case "%":
      return () => true;
    case "t":
      return exact(text!);
    case "t%":
      return prefix(text!);
    case "%t":
      return suffix(text!);
    case "%t%":
      return infix(text!);
    default:
      return (s, start, end) => matchItems(its, s, start, end);
  }
}

function bytesAt(s: Uint8Array, at: number, lit: Uint8Array): boolean {
  for (let k = 0; k < lit.length; k++) if (s[at + k] !== lit[k]) return false;
  return true;
}

function exact(lit: Uint8Array): LikeMatcher {
  return (s, start, end) => end - start === lit.length && bytesAt(s, start, lit);
}

function prefix(lit: Uint8Array): LikeMatcher {
  return (s, start, end) => end - start >= lit.length && bytesAt(s, start, lit);
}

function suffix(lit: Uint8Array): LikeMatcher {
  return (s, start, end) => end - start >= lit.length && bytesAt(s, end - lit.length, lit);
}

function infix(lit: Uint8Array): LikeMatcher {
  return (s, start, end) => indexOfBytes(s, start, end, lit) >= 0;
}

/** First offset in [start, end) where `lit` occurs, or -1. UTF-8 is self-synchronising, so a byte match is a
 * character match. */
export function indexOfBytes(s: Uint8Array, start: number, end: number, lit: Uint8Array): number {
  if (lit.length === 0) return start;
  const first = lit[0]!;
  for (let i = start; i + lit.length <= end; i++) if (s[i] === first && bytesAt(s, i, lit)) return i;
  return -1;
}

/** Offset just past the UTF-8 character starting at `i`. */
function nextChar(s: Uint8Array, i: number, end: number): number {
  let j = i + 1;
  while (j < end && (s[j]! & 0xc0) === 0x80) j++;
  return j;
}

/**
 * Wildcard matching with one backtrack point (the last `%` seen): the pieces between two `%` have a fixed
 * length in characters, so matching each at its leftmost place is never worse than a later one.
 */
function matchItems(its: readonly Item[], s: Uint8Array, start: number, end: number): boolean {
  let p = 0;
  let i = start;
  let starP = -1;
  let starI = start;
  for (;;) {
    if (p < its.length) {
      const it = its[p]!;
      if (it.kind === "any") {
        starP = p++;
        starI = i;
        continue;
      }
      if (it.kind === "one" && i < end) {
        i = nextChar(s, i, end);
        p++;
        continue;
      }
      if (it.kind === "text" && end - i >= it.bytes.length && bytesAt(s, i, it.bytes)) {
        i += it.bytes.length;
        p++;
        continue;
      }
    } else if (i === end) return true;
    if (starP < 0 || starI >= end) return false;
    starI = nextChar(s, starI, end);
    i = starI;
    p = starP + 1;
  }
}

/** The literal text before the first wildcard (for pruning by min/max); "" when the pattern starts with one. */
export function likePrefix(pattern: string, escape?: string): string {
  let out = "";
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "%" || c === "_") return out;
    out += c === escape ? (chars[++i] ?? "") : c;
  }
  return out;
}

/** True when the pattern has no wildcard at all. */
export function likeIsExact(pattern: string, escape?: string): boolean {
  return items(pattern, escape, (s) => s).every((i) => i.kind === "text");
}
