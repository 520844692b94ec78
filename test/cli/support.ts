// Helpers of the CLI tests: run the built `tessera` binary (dist/src/cli/main.js) as a child process, in a pipe or
// under a pseudo-terminal (util-linux `script`), and build fixtures with the library: image files, JSON and CSV
// files, and a small table with text, images and vectors.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as A from "apache-arrow";
import sharp from "sharp";
import { Table } from "../../src/index.js";

/** The built command line; `npm test` builds it first. */
export const BIN = resolve("dist/src/cli/main.js");

/** What one run printed and how it exited. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Fails the suite early with a clear message when the build is missing. */
export function requireBuild(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the CLI tests`);
}

/** Runs `tessera args…` with stdout and stderr piped (so never a terminal). */
export function tessera(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((done) => {
    const env = { ...process.env, TESSERA_PROGRESS: undefined, ...options.env };
    execFile(process.execPath, [BIN, ...args], { cwd: options.cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs `tessera args…` and parses its --json output, failing with stderr when it did not exit 0. */
export async function tesseraJson<T>(args: readonly string[], options: { cwd?: string } = {}): Promise<T> {
  const r = await tessera([...args, "--json"], options);
  if (r.code !== 0) throw new Error(`tessera ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs `tessera args…` under a pseudo-terminal: stdout and stderr are a TTY, and both come back mixed. */
export function tesseraTty(args: readonly string[], options: { cwd?: string } = {}): Promise<Run> {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(" ");
  return new Promise((done) => {
    const env = { ...process.env, TESSERA_PROGRESS: undefined, COLUMNS: "120" };
    execFile("script", ["-qec", command, "/dev/null"], { cwd: options.cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** A fresh temporary directory. */
export function tempDir(prefix = "tessera-cli-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

const COLORS: ReadonlyArray<[number, number, number]> = [
  [220, 40, 40],
  [40, 200, 60],
  [40, 60, 220],
  [230, 220, 40],
  [200, 40, 200],
  [40, 210, 210],
];

/** `n` small PNGs (a coloured square on grey, varying in colour and position) in `dir`: img-000.png, … */
export async function makeImages(dir: string, n: number, size = 32): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const [r, g, b] = COLORS[i % COLORS.length]!;
    const pixels = Buffer.alloc(size * size * 3, 128);
    const off = (i * 3) % (size / 2);
    for (let y = off; y < off + size / 2; y++) {
      for (let x = off; x < off + size / 2; x++) pixels.set([r, g, b], (y * size + x) * 3);
    }
    const path = join(dir, `img-${String(i).padStart(3, "0")}.png`);
    await writeFile(path, await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
    paths.push(path);
  }
  return paths;
}

/** Rows of the fixture table: id, label, caption, score, an 8-d vector, and a PNG (null every 7th row). */
export async function fixtureTable(n: number, pngs: readonly Uint8Array[]): Promise<A.Table> {
  const labels = ["cat", "dog", "fish"];
  const vec = new Float32Array(n * 8);
  for (let i = 0; i < n; i++) for (let j = 0; j < 8; j++) vec[i * 8 + j] = Math.sin(i * 0.37 + j) + (i % 3);
  return new A.Table({
    id: A.vectorFromArray(Array.from({ length: n }, (_, i) => i), new A.Int32()),
    label: A.vectorFromArray(Array.from({ length: n }, (_, i) => labels[i % 3]!), new A.Utf8()),
    caption: A.vectorFromArray(Array.from({ length: n }, (_, i) => `a ${["white", "black", "brown"][i % 3]} ${labels[i % 3]} number ${i}`), new A.Utf8()),
    score: A.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 10) / 10), new A.Float64()),
    vec: A.makeVector(
      A.makeData({
        type: new A.FixedSizeList(8, new A.Field("item", new A.Float32(), true)),
        length: n,
        child: A.makeData({ type: new A.Float32(), length: vec.length, data: vec }),
      }),
    ),
    png: A.vectorFromArray(Array.from({ length: n }, (_, i) => (i % 7 === 6 ? null : pngs[i % pngs.length]!)), new A.Binary()),
  });
}

/** Writes a table of `fixtureTable` rows at `uri` in two appends (2 fragments, versions 1 and 2). */
export async function writeFixtureTable(uri: string, n: number, pngs: readonly Uint8Array[]): Promise<void> {
  const all = await fixtureTable(n, pngs);
  const half = Math.floor(n / 2);
  const t = await Table.create(uri, all.slice(0, half));
  await t.append(all.slice(half));
}
