// Benchmark dispatcher: `npm run bench -- NAME [--size small|full] [--repeat N]` runs test/bench/NAME.ts;
// with no name it runs every registered benchmark. BENCH_SIZE=small also selects the small size. A full-size run
// regenerates the benchmark's block of results in docs/benchmarks.md (--no-docs leaves the doc alone; --docs PATH
// writes another copy, at any size).

import { availableParallelism, loadavg, totalmem } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { updateDoc } from "./doc-report.js";
import { recordPrinted, type BenchOptions, type BenchSize } from "./harness.js";
import { BENCHMARKS } from "./registry.js";

const DEFAULT_DOC = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "docs", "benchmarks.md");

function usage(): string {
  return (
    `usage: npm run bench -- [NAME ...] [--size small|full] [--repeat N] [--no-docs | --docs PATH]\n` +
    `available: ${Object.keys(BENCHMARKS).join(", ")}`
  );
}

/** Parses the command line; exits 2 with usage on anything it does not understand. */
function parseCommandLine(argv: string[]): { names: string[]; options: BenchOptions; doc: string | undefined } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        size: { type: "string" },
        repeat: { type: "string" },
        docs: { type: "string" },
        "no-docs": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${usage()}`);
  }
  if (parsed.values.help) fail(usage());
  const size = parsed.values.size ?? process.env.BENCH_SIZE ?? "full";
  if (size !== "small" && size !== "full") fail(`--size must be small or full, got "${size}"\n${usage()}`);
  const repeat = parsed.values.repeat === undefined ? undefined : Number(parsed.values.repeat);
  if (repeat !== undefined && !(Number.isInteger(repeat) && repeat > 0)) fail(`--repeat must be a positive integer`);
  const unknown = parsed.positionals.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) fail(`unknown benchmark: ${unknown.join(", ")}\n${usage()}`);
  const names = parsed.positionals.length > 0 ? parsed.positionals : Object.keys(BENCHMARKS);
  const options: BenchOptions = { size: size as BenchSize };
  if (repeat !== undefined) options.repeat = repeat;
  if (parsed.values.docs !== undefined && parsed.values["no-docs"]) fail(`give --docs PATH or --no-docs, not both`);
  // Only full-size figures belong in the doc; a smoke run leaves it alone unless told where to write.
  const doc = parsed.values["no-docs"] ? undefined : (parsed.values.docs ?? (size === "full" ? DEFAULT_DOC : undefined));
  return { names, options, doc };
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main(): Promise<void> {
  const { names, options, doc } = parseCommandLine(process.argv.slice(2));
  for (const name of names) {
    const bench = await BENCHMARKS[name]!();
    console.log(`\n=== ${name} (size ${options.size}) ===`);
    const started = performance.now();
    const loadStart = loadavg()[0]!;
    const { printed } = await recordPrinted(() => bench.run(options));
    if (doc !== undefined) {
      const info = {
        name,
        size: options.size,
        date: new Date(),
        node: process.version,
        cores: availableParallelism(),
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        loadStart,
        loadEnd: loadavg()[0]!,
        seconds: (performance.now() - started) / 1000,
      };
      await updateDoc(doc, info, printed);
      console.log(`\nupdated the ${name} block of ${doc}`);
    }
  }
}

await main();
