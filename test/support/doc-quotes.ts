// Docs quote only code that runs: every ```ts block of a doc must be marked (on the nearest non-blank line before it)
// as quoted from an example, and be an exact excerpt of that example (indentation aside).

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Fenced code blocks, each with the nearest non-blank line before its opening fence. */
export function codeBlocks(markdown: string): { label: string; code: string[] }[] {
  const lines = markdown.split("\n");
  const out: { label: string; code: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i]!)) continue;
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === "") j--;
    const end = lines.indexOf("```", i + 1);
    assert.ok(end > i, `unclosed code block at line ${i + 1}`);
    out.push({ label: j >= 0 ? lines[j]! : "", code: lines.slice(i + 1, end) });
    i = end;
  }
  return out;
}

/** Lines with their common indentation removed. */
function dedent(lines: readonly string[]): string[] {
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent).trimEnd());
}

/** True when `snippet` (dedented) equals some run of consecutive lines of `source` (dedented alike). */
export function isExcerpt(snippet: readonly string[], source: readonly string[]): boolean {
  const want = dedent(snippet).join("\n");
  for (let i = 0; i + snippet.length <= source.length; i++) {
    if (dedent(source.slice(i, i + snippet.length)).join("\n") === want) return true;
  }
  return false;
}

/** Asserts that `doc` (a path from the repository root) quotes `example` verbatim and no unmarked code. */
export async function checkDocQuotes(doc: string, example: string): Promise<void> {
  // Docs show the package's own import path where the example, inside the repository, imports the source.
  const source = (await readFile(join(root, example), "utf8")).replaceAll('from "../src/index.js"', 'from "tessera"').split("\n");
  const blocks = codeBlocks(await readFile(join(root, doc), "utf8"));
  const quoted = blocks.filter((b) => b.label.includes(example));
  assert.ok(quoted.length > 0, `${doc} quotes nothing from ${example}`);
  for (const b of quoted) assert.ok(isExcerpt(b.code, source), `not an excerpt of ${example}:\n${b.code.join("\n")}`);
  // Blocks quoted from other examples are checked by those examples' tests.
  const unmarked = blocks.filter((b) => !/examples\/[\w-]+\.ts/.test(b.label));
  assert.deepEqual(unmarked.map((b) => b.code.join("\n")), [], `${doc}: every ts block must be marked as quoted from an example`);
}
