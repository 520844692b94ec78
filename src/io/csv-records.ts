// An incremental CSV tokenizer (RFC 4180 plus common slack): fields split by a one-character delimiter, quoted
// fields may hold delimiters, newlines and doubled quotes, "\r\n" and "\n" both end records, blank lines are skipped.
// An unquoted empty field is null and a quoted one ("") an empty string, so writers can tell them apart.

import { CorruptFileError } from "../../format/errors.js";

/** One record: its fields, where it starts, and its text for error reports. */
export class CsvRecord {
  constructor(
    readonly fields: (string | null)[],
    /** 1-based line where the record starts. */
    readonly line: number,
    /** A problem that makes the record unusable (text after a closing quote), reported when it is converted. */
    readonly malformed: string | undefined,
    private readonly source: string,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** The record's raw text (sliced only when asked: error reports are rare). */
  text(): string {
    return this.source.slice(this.start, this.end).replace(/\r?\n$/, "");
  }
}

/** Tokenizer settings. */
export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
}

const NL = 10;
const CR = 13;

/**
 * Splits text pushed in chunks into records. A record cut by the end of a chunk is kept and re-tokenized when
 * the next chunk arrives (at most one record is ever re-read, so the cost is small).
 */
export class CsvTokenizer {
  private rest = "";
  private line = 1;
  /** Where the record last read by `record` ends (a field, not a returned pair: this runs once per record). */
  private next = 0;
  private readonly delim: number;
  private readonly quote: number;

  constructor(
    dialect: CsvDialect,
    private readonly uri: string,
  ) {
    this.delim = dialect.delimiter.charCodeAt(0);
    this.quote = dialect.quote.charCodeAt(0);
  }

  /** Records completed by `text`. */
  push(text: string): CsvRecord[] {
    return this.tokenize(this.rest.length > 0 ? this.rest + text : text, false);
  }

  /** Records left at the end of the input (a last line without a newline). */
  end(): CsvRecord[] {
    return this.tokenize(this.rest, true);
  }

  private tokenize(buf: string, final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = buf.length;
    let i = 0;
    while (i < n) {
      const c = buf.charCodeAt(i);
      if (c === NL || c === CR) {
        // A blank line (or the LF of a CRLF already consumed) is no record.
        if (c === NL) this.line++;
        i++;
        continue;
      }
      const r = this.record(buf, i, final);
      if (r === undefined) break;
      out.push(r);
      i = this.next;
    }
    this.rest = i < n ? buf.slice(i) : "";
    return out;
  }

  /** Reads the record at `start` and sets `next` past it; undefined when cut off by the end of a non-final chunk. */
  private record(buf: string, start: number, final: boolean): CsvRecord | undefined {
    const { delim, quote } = this;
    const n = buf.length;
    const fields: (string | null)[] = [];
    let newlines = 0;
    let malformed: string | undefined;
    let i = start;
    for (;;) {
      if (buf.charCodeAt(i) === quote) {
        // Quoted field: up to the next quote not followed by another quote.
        let value = "";
        let from = i + 1;
        for (;;) {
          const q = buf.indexOf(buf[i]!, from);
          if (q < 0) {
            if (!final) return undefined;
            throw new CorruptFileError(
              `${this.uri} line ${this.line}: unterminated quoted field (a quote opened here is never closed); check the quoting`,
              { uri: this.uri },
            );
          }
          if (q + 1 < n && buf.charCodeAt(q + 1) === quote) {
            value += buf.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          if (q + 1 >= n && !final) return undefined; // the next chunk may start with the second quote of a pair
          value += buf.slice(from, q);
          i = q + 1;
          break;
        }
        newlines += countNewlines(value);
        fields.push(value);
        const c = i < n ? buf.charCodeAt(i) : -1;
        if (c !== delim && c !== NL && c !== CR && c !== -1) {
          malformed ??= `unexpected text after a closing quote in field ${fields.length}; quote the whole field and double inner quotes`;
          // Take the rest of the field as is so the record still ends where the line does.
          while (i < n && buf.charCodeAt(i) !== delim && buf.charCodeAt(i) !== NL) i++;
        }
      } else {
        let j = i;
        while (j < n) {
          const c = buf.charCodeAt(j);
          if (c === delim || c === NL) break;
          j++;
        }
        if (j >= n && !final) return undefined;
        const end = j > i && buf.charCodeAt(j - 1) === CR ? j - 1 : j;
        fields.push(end > i ? buf.slice(i, end) : null);
        i = j;
      }
      if (i < n && buf.charCodeAt(i) === CR) i++;
      if (i < n && buf.charCodeAt(i) === delim) {
        i++;
        continue;
      }
      if (i >= n) {
        if (!final) return undefined;
        // A record ending in a delimiter at the very end of the input has one more, empty, field.
      } else if (buf.charCodeAt(i) === NL) i++;
      // Otherwise a lone CR after a closing quote ended the record, and `i` is already past it.
      const line = this.line;
      this.line += newlines + (i <= n && buf.charCodeAt(i - 1) === NL ? 1 : 0);
      this.next = i;
      return new CsvRecord(fields, line, malformed, buf, start, i);
    }
  }
}

function countNewlines(s: string): number {
  let k = 0;
  for (let i = s.indexOf("\n"); i >= 0; i = s.indexOf("\n", i + 1)) k++;
  return k;
}
