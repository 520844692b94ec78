// Glob patterns over store paths ("data/**/*.jsonl"): compiled to one anchored RegExp. Written by hand rather than
// taking picomatch: the few forms we need (*, **, ?, [..], {a,b}) fit in one short file, and we want store-key
// semantics (no dotfile or OS special cases) that a shell-oriented matcher would have to be configured away from.

const SPECIAL = new Set(["*", "?", "[", "{"]);

/** True when `text` holds an unescaped glob character (`*`, `?`, `[` or `{`). */
export function hasGlob(text: string): boolean {
  return firstGlobIndex(text) >= 0;
}

/** Index of the first unescaped glob character, or -1. */
export function firstGlobIndex(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") i++;
    else if (SPECIAL.has(c)) return i;
  }
  return -1;
}

/** The literal text before the first glob character, unescaped: a listing prefix every match starts with. */
export function literalPrefix(pattern: string): string {
  const g = firstGlobIndex(pattern);
  return (g < 0 ? pattern : pattern.slice(0, g)).replace(/\\(.)/g, "$1");
}

/**
 * Compiles a glob to an anchored RegExp over "/"-separated paths. `*` and `?` stay within one segment, `**` as a
 * whole segment spans any number of segments (including none), `[abc]`/`[!a-z]` are character classes and
 * `{a,b}` alternatives (which may nest and hold globs). A backslash makes the next character literal.
 * @example globToRegExp("logs/**\/*.{json,jsonl}").test("logs/2024/01/a.jsonl") // true
 */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${compile(pattern)}$`, "s");
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function compile(p: string): string {
  let out = "";
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === "\\") {
      out += escapeRe(p[i + 1] ?? "\\");
      i += 2;
    } else if (c === "*") {
      const [re, next] = star(p, i);
      out += re;
      i = next;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "[") {
      const [re, next] = charClass(p, i);
      out += re;
      i = next;
    } else if (c === "{") {
      const [re, next] = alternatives(p, i);
      out += re;
      i = next;
    } else {
      out += escapeRe(c);
      i++;
    }
  }
  return out;
}

/** `*` within a segment; `**` alone in a segment crosses segments. */
function star(p: string, i: number): [string, number] {
  let j = i;
  while (p[j] === "*") j++;
  const wholeSegment = j - i >= 2 && (i === 0 || p[i - 1] === "/") && (j === p.length || p[j] === "/");
  if (!wholeSegment) return ["[^/]*", j];
  // "**/" matches zero or more whole directories; a trailing "**" matches everything below.
  return j === p.length ? [".*", j] : ["(?:[^/]*/)*", j + 1];
}

function charClass(p: string, i: number): [string, number] {
  let j = i + 1;
  const negated = p[j] === "!" || p[j] === "^";
  if (negated) j++;
  const start = j;
  if (p[j] === "]") j++; // a leading "]" is literal
  while (j < p.length && p[j] !== "]") j++;
  if (j >= p.length) return ["\\[", i + 1]; // no closing bracket: a literal "["
  const body = p.slice(start, j).replace(/[\\\]^[]/g, "\\$&");
  // A negated class must not match the separator either, or "[!a]" would cross directories.
  return [negated ? `[^/${body}]` : `[${body}]`, j + 1];
}

function alternatives(p: string, i: number): [string, number] {
  let depth = 0;
  const parts: string[] = [];
  let from = i + 1;
  for (let j = i; j < p.length; j++) {
    const c = p[j]!;
    if (c === "\\") j++;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      parts.push(p.slice(from, j));
      return [`(?:${parts.map(compile).join("|")})`, j + 1];
    } else if (c === "," && depth === 1) {
      parts.push(p.slice(from, j));
      from = j + 1;
    }
  }
  return ["\\{", i + 1]; // unbalanced: a literal "{"
}
