// Tokenizers for text ONNX models, from local files: WordPiece from vocab.txt or tokenizer.json, bytes without a
// file; other tokenizer models are refused rather than guessed at.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { NotFoundError, NotSupportedError } from "../../../format/errors.js";
import { byteTokenizer, loadTokenizer } from "../../../src/embed/tokenizer.js";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-tok-"));
});
after(() => rm(dir, { recursive: true, force: true }));

it("byte tokenizer: UTF-8 bytes + 1, truncated", () => {
  assert.deepEqual(byteTokenizer.encode("hé", 8), [0x69, 0xc4, 0xaa]);
  assert.deepEqual(byteTokenizer.encode("abcdef", 2), [0x62, 0x63]);
  assert.equal(byteTokenizer.padId, 0);
});

it("WordPiece from tokenizer.json: lowercase, accents stripped, continuation pieces, unknown words", async () => {
  const vocab = { "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, cafe: 4, un: 5, "##able": 6, "!": 7 };
  const path = join(dir, "tokenizer.json");
  await writeFile(path, JSON.stringify({ normalizer: { type: "BertNormalizer", lowercase: true }, model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", vocab } }));
  const tok = await loadTokenizer(path);
  assert.deepEqual(tok.encode("Café UNABLE! zzz", 16), [2, 4, 5, 6, 7, 1, 3]);
  assert.deepEqual(tok.encode("café café café", 4), [2, 4, 4, 3]);
});

it("refuses BPE tokenizers and missing files", async () => {
  const path = join(dir, "bpe.json");
  await writeFile(path, JSON.stringify({ model: { type: "BPE", vocab: { a: 0 }, merges: [] } }));
  await assert.rejects(loadTokenizer(path), NotSupportedError);
  await assert.rejects(loadTokenizer(join(dir, "missing.txt")), NotFoundError);
});
