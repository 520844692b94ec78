// A JSON parser that keeps what JSON.parse loses: integers come back as bigints (exact beyond 2^53) and numbers
// written with a fraction or exponent as numbers, so "1.0" is known to be a float. Used on the inference sample
// and to re-read the rare record whose 64-bit integer JSON.parse rounded; JSON.parse stays the fast path.

/** Parses JSON text; throws SyntaxError with the offending position. */
export function parseJsonPrecise(text: string): unknown {
  const p = new Parser(text);
  p.ws();
  const v = p.value();
  p.ws();
  if (p.i < text.length) p.fail("unexpected text after the value");
  return v;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class Parser {
  i = 0;

  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.i}`);
  }

  ws(): void {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = s.charCodeAt(++this.i);
  }

  value(): unknown {
    const c = this.s[this.i];
    switch (c) {
      case "{":
        return this.object();
      case "[":
        return this.array();
      case '"':
        return this.string();
      case "t":
        return this.word("true", true);
      case "f":
        return this.word("false", false);
      case "n":
        return this.word("null", null);
      default:
        return this.number();
    }
  }

  word<T>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.i)) this.fail("unexpected token");
    this.i += w.length;
    return v;
  }

  number(): number | bigint {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m === null) this.fail(this.i >= this.s.length ? "unexpected end of JSON" : "unexpected token");
    this.i += m[0].length;
    return m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : Number(m[0]);
  }

  string(): string {
    const s = this.s;
    const start = ++this.i;
    // Fast path: no escapes before the closing quote.
    for (let j = start; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 34) {
        this.i = j + 1;
        return s.slice(start, j);
      }
      if (c === 92 || c < 32) break;
    }
    let end = start;
    for (;;) {
      if (end >= s.length) this.fail("unterminated string");
      const c = s.charCodeAt(end);
      if (c === 34) break;
      if (c < 32) {
        this.i = end;
        this.fail("control character in string");
      }
      end += c === 92 ? 2 : 1;
    }
    this.i = end + 1;
    // The slice with its escapes is valid JSON string text; JSON.parse decodes \uXXXX and friends exactly.
    return JSON.parse(s.slice(start - 1, end + 1)) as string;
  }

  array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return out;
      if (c !== ",") {
        this.i--;
        this.fail("expected , or ]");
      }
    }
  }

  object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("expected a property name");
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ":") {
        this.i--;
        this.fail("expected :");
      }
      this.ws();
      // defineProperty: a "__proto__" key is data, as with JSON.parse.
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return out;
      if (c !== ",") {
        this.i--;
        this.fail("expected , or }");
      }
    }
  }
}
