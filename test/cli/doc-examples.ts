// The runnable examples of docs/cli.md: each ```sh block after a `<!-- cli-example … -->` marker, the exit code
// the marker expects (`exit=N`, default 0), and the ```text block after it, if any, whose lines must appear in the
// output (`…` matches anything). Shared by the docs test and the demo test, so the doc cannot drift.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BIN, makeImages, type Run } from "./support.js";

/** One marked example. */
export interface DocExample {
  /** 1-based line of the marker, for messages. */
  line: number;
  /** Tags after the marker's name other than exit=N (e.g. "demo"). */
  tags: string[];
  exit: number;
  script: string;
  expected: string[];
}

const MARKER = /^<!-- cli-example(.*?)-->\s*$/;

function block(lines: string[], at: number, lang: string): { body: string[]; end: number } | undefined {
  let i = at;
  while (i < lines.length && lines[i]!.trim() === "") i++;
  if (lines[i] !== "```" + lang) return undefined;
  const start = i + 1;
  let end = start;
  while (end < lines.length && lines[end] !== "```") end++;
  return { body: lines.slice(start, end), end: end + 1 };
}

/** The marked examples of a Markdown file, in order. */
export function docExamples(path: string): DocExample[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const out: DocExample[] = [];
  lines.forEach((l, i) => {
    const m = MARKER.exec(l);
    if (m === null) return;
    const sh = block(lines, i + 1, "sh");
    if (sh === undefined) throw new Error(`${path}:${i + 1}: a cli-example marker must be followed by a \`\`\`sh block`);
    const words = m[1]!.trim().split(/\s+/).filter((w) => w !== "");
    const exit = Number(words.find((w) => w.startsWith("exit="))?.slice(5) ?? 0);
    const text = block(lines, sh.end, "text");
    out.push({ line: i + 1, tags: words.filter((w) => !w.startsWith("exit=")), exit, script: sh.body.join("\n"), expected: text?.body.filter((t) => t.trim() !== "") ?? [] });
  });
  return out;
}

/** The expected lines that no line of `output` matches (`…` stands for anything; trailing spaces ignored). */
export function missingLines(expected: readonly string[], output: string): string[] {
  const got = output.split(/\r?\n/).map((l) => l.trimEnd());
  return expected.filter((e) => {
    const re = new RegExp(`^${e.trimEnd().split("…").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return !got.some((g) => re.test(g));
  });
}

/** The files docs/cli.md says its examples run beside. */
export async function docFixtures(at: string): Promise<void> {
  await makeImages(join(at, "photos"), 12);
  const labels = ["cat", "dog", "fish"];
  const colors = ["white", "black", "brown"];
  const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, caption: `a ${colors[i % 3]} ${labels[i % 3]} number ${i}`, label: labels[i % 3] }));
  await writeFile(join(at, "captions.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  await writeFile(join(at, "query.json"), JSON.stringify(Array.from({ length: 32 }, (_, i) => Math.round(Math.cos(i) * 100) / 100)));
}

/** Runs a doc script with `tessera` on the PATH; with `errexit` the first failing line stops it. */
export function runScript(script: string, cwd: string, binDir: string, errexit: boolean): Promise<Run> {
  return new Promise((done) => {
    const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ""}`, TESSERA_PROGRESS: undefined };
    execFile("sh", [errexit ? "-ec" : "-c", script], { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** A directory holding a `tessera` that runs the built binary. */
export async function tesseraShim(at: string): Promise<string> {
  const binDir = join(at, ".bin");
  await mkdir(binDir, { recursive: true });
  await writeFile(join(binDir, "tessera"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(binDir, "tessera"), 0o755);
  return binDir;
}
