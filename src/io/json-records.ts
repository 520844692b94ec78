// Splits streamed JSON text into record texts with their line numbers, without parsing them: NDJSON by lines, a
// top-level JSON array by its elements (scanning strings and nesting to find the top-level commas). Records come in
// arrays per text chunk so the per-record cost stays a slice.

import { CorruptFileError } from "../../format/errors.js";

/** One record's text and the 1-based line it starts on. */
export interface TextRecord {
  readonly text: string;
  readonly line: number;
}

/** How a JSON input is laid out. */
export type JsonFormat = "ndjson" | "array";

/**
 * The layout of a JSON input judged by its first non-blank character ("[" means a top-level array), and the same
 * chunks again (the peeked ones are not lost).
 */
export async function detectFormat(chunks: AsyncIterable<string>): Promise<{ format: JsonFormat; chunks: AsyncIterable<string> }> {
  const it = chunks[Symbol.asyncIterator]();
  const seen: string[] = [];
  let format: JsonFormat = "ndjson";
  for (;;) {
    const r = await it.next();
    if (r.done === true) break;
    seen.push(r.value);
    const m = /\S/.exec(r.value);
    if (m !== null) {
      format = m[0] === "[" ? "array" : "ndjson";
      break;
    }
  }
  async function* replay(): AsyncGenerator<string> {
    yield* seen;
    for (;;) {
      const r = await it.next();
      if (r.done === true) return;
      yield r.value;
    }
  }
  return { format, chunks: replay() };
}

/** True when `s` holds only JSON whitespace (checked without allocating, unlike trim()). */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return true;
}

/** Non-blank lines, "\r\n" endings tolerated. */
export async function* ndjsonRecords(chunks: AsyncIterable<string>): AsyncGenerator<TextRecord[]> {
  let pieces: string[] = [];
  let line = 1;
  const emit = (out: TextRecord[], raw: string, at: number): void => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!isBlank(text)) out.push({ text, line: at });
  };
  for await (const text of chunks) {
    let nl = text.indexOf("\n");
    if (nl < 0) {
      pieces.push(text);
      continue;
    }
    const out: TextRecord[] = [];
    // A line that began in earlier chunks is joined once, when its end arrives.
    emit(out, pieces.length > 0 ? pieces.join("") + text.slice(0, nl) : text.slice(0, nl), line++);
    pieces = [];
    let start = nl + 1;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      emit(out, text.slice(start, nl), line++);
      start = nl + 1;
    }
    if (start < text.length) pieces.push(text.slice(start));
    if (out.length > 0) yield out;
  }
  const out: TextRecord[] = [];
  if (pieces.length > 0) emit(out, pieces.join(""), line);
  if (out.length > 0) yield out;
}

/** Elements of one top-level JSON array. Structural errors (no "[", no "]", text after it) are CorruptFileErrors. */
export async function* arrayRecords(chunks: AsyncIterable<string>, uri: string): AsyncGenerator<TextRecord[]> {
  const splitter = new ArraySplitter(uri);
  for await (const text of chunks) {
    const out = splitter.push(text);
    if (out.length > 0) yield out;
  }
  splitter.end();
}

const enum State {
  Before,
  Inside,
  After,
}

/** Incremental scanner of a top-level array: only strings and nesting matter to find where elements end. */
class ArraySplitter {
  private buf = "";
  private pos = 0;
  private state = State.Before;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private startLine = 0;
  private line = 1;
  private afterComma = false;

  constructor(private readonly uri: string) {}

  private fail(what: string): never {
    throw new CorruptFileError(`${this.uri} line ${this.line}: ${what}; a JSON input must be NDJSON or one top-level array`, {
      uri: this.uri,
    });
  }

  push(text: string): TextRecord[] {
    const out: TextRecord[] = [];
    this.buf += text;
    const buf = this.buf;
    for (let i = this.pos; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      if (this.state === State.Before) {
        if (c !== 91) this.fail("expected [ to open the array");
        this.state = State.Inside;
      } else if (this.state === State.After) {
        this.fail("unexpected text after the closing ]");
      } else if (this.depth > 0) {
        if (c === 123 || c === 91) this.depth++;
        else if (c === 125 || c === 93) this.depth--;
        else if (c === 34) this.inString = true;
      } else if (c === 44 || c === 93) {
        this.endElement(out, i, c === 93);
      } else {
        if (this.start < 0) {
          this.start = i;
          this.startLine = this.line;
        }
        if (c === 123 || c === 91) this.depth++;
        else if (c === 34) this.inString = true;
      }
    }
    // Keep only the unfinished element; everything before it has been handed out.
    this.buf = this.start >= 0 ? buf.slice(this.start) : "";
    if (this.start >= 0) this.start = 0;
    this.pos = this.buf.length;
    return out;
  }

  private endElement(out: TextRecord[], i: number, closing: boolean): void {
    if (this.start < 0) {
      if (!closing || this.afterComma) this.fail("empty array element");
    } else {
      out.push({ text: this.buf.slice(this.start, i).trimEnd(), line: this.startLine });
    }
    this.start = -1;
    this.afterComma = !closing;
    if (closing) this.state = State.After;
  }

  end(): void {
    if (this.state === State.Before) return; // blank input: no records
    if (this.state !== State.After) this.fail("unterminated JSON array (missing ])");
  }
}
