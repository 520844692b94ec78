// Tokenizers for text ONNX models, read from local files only: WordPiece (BERT-style) from a vocab.txt or a
// Hugging Face tokenizer.json with a WordPiece model, or — with no file — UTF-8 bytes (id = byte + 1, 0 pads).
// Enough for the small encoder models people export themselves; a BPE tokenizer.json is refused, not guessed at.

import { readFile } from "node:fs/promises";
import { InvalidArgumentError, NotFoundError, NotSupportedError } from "../../format/errors.js";

/** Turns a text into token ids. */
export interface Tokenizer {
  /** The ids of `text`, at most `maxLength` (with the model's start and end tokens, when it has them). */
  encode(text: string, maxLength: number): number[];
  /** The id that pads shorter sequences. */
  readonly padId: number;
}

/** UTF-8 bytes as ids 1..256; 0 is padding. */
export const byteTokenizer: Tokenizer = {
  padId: 0,
  encode(text, maxLength) {
    const bytes = new TextEncoder().encode(text);
    return Array.from(bytes.subarray(0, maxLength), (b) => b + 1);
  },
};

/** Loads the tokenizer at `path` (vocab.txt, or tokenizer.json), or the byte tokenizer without one. */
export async function loadTokenizer(path: string | undefined): Promise<Tokenizer> {
  if (path === undefined) return byteTokenizer;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new NotFoundError(`cannot read the tokenizer file ${path}: ${(err as Error).message}`, { path, cause: err });
  }
  if (path.endsWith(".json")) return fromJson(text, path);
  const vocab = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.length > 0 && !vocab.has(line)) vocab.set(line, i);
  });
  return new WordPiece(vocab, { lowercase: true, unk: "[UNK]", prefix: "##" });
}

function fromJson(text: string, path: string): Tokenizer {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidArgumentError(`tokenizer file ${path} is not valid JSON: ${(err as Error).message}`, { path, cause: err });
  }
  const model = json.model as { type?: string; vocab?: unknown; unk_token?: string; continuing_subword_prefix?: string } | undefined;
  if (model === undefined) {
    // A plain { token: id } map.
    return new WordPiece(vocabMap(json, path), { lowercase: true, unk: "[UNK]", prefix: "##" });
  }
  if (model.type !== "WordPiece") {
    throw new NotSupportedError(`tokenizer ${path} uses a ${String(model.type)} model; only WordPiece tokenizers (BERT-style) are supported`, { path });
  }
  const normalizer = json.normalizer as { lowercase?: boolean } | null | undefined;
  return new WordPiece(vocabMap(model.vocab, path), {
    lowercase: normalizer?.lowercase ?? true,
    unk: model.unk_token ?? "[UNK]",
    prefix: model.continuing_subword_prefix ?? "##",
  });
}

function vocabMap(v: unknown, path: string): Map<string, number> {
  if (typeof v !== "object" || v === null) throw new InvalidArgumentError(`tokenizer ${path} has no vocabulary`, { path });
  const m = new Map<string, number>();
  for (const [token, id] of Object.entries(v)) if (typeof id === "number") m.set(token, id);
  if (m.size === 0) throw new InvalidArgumentError(`tokenizer ${path} has an empty vocabulary`, { path });
  return m;
}

const PUNCT = /([\p{P}\p{S}])/u;

/** Greedy longest-match-first WordPiece, as BERT's tokenizer does it. */
class WordPiece implements Tokenizer {
  readonly padId: number;
  private readonly unkId: number;
  private readonly cls: number | undefined;
  private readonly sep: number | undefined;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    private readonly opts: { lowercase: boolean; unk: string; prefix: string },
  ) {
    this.padId = vocab.get("[PAD]") ?? 0;
    this.unkId = vocab.get(opts.unk) ?? 0;
    this.cls = vocab.get("[CLS]");
    this.sep = vocab.get("[SEP]");
  }

  encode(text: string, maxLength: number): number[] {
    let t = text;
    // Uncased BERT vocabularies hold lowercased words without accents.
    if (this.opts.lowercase) t = t.toLowerCase().normalize("NFD").replace(/\p{Mn}/gu, "");
    const room = maxLength - (this.cls === undefined ? 0 : 1) - (this.sep === undefined ? 0 : 1);
    const ids: number[] = [];
    for (const word of t.split(/\s+/).flatMap((w) => w.split(PUNCT)).filter((w) => w.length > 0)) {
      for (const id of this.word(word)) ids.push(id);
      if (ids.length >= room) break;
    }
    const body = ids.slice(0, Math.max(0, room));
    return [...(this.cls === undefined ? [] : [this.cls]), ...body, ...(this.sep === undefined ? [] : [this.sep])].slice(0, maxLength);
  }

  private word(word: string): number[] {
    const chars = Array.from(word);
    if (chars.length > 100) return [this.unkId];
    const out: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (start < end) {
        const piece = (start > 0 ? this.opts.prefix : "") + chars.slice(start, end).join("");
        found = this.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [this.unkId];
      out.push(found);
      start = end;
    }
    return out;
  }
}
