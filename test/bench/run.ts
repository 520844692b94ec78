// Benchmark dispatcher: `npm run bench -- NAME [--size small|full] [--repeat N]` runs test/bench/NAME.ts;
// with no name it runs every registered benchmark. BENCH_SIZE=small also selects the small size.

import { parseArgs } from "node:util";
import type { BenchOptions, BenchSize } from "./harness.js";
import { BENCHMARKS } from "./registry.js";

function usage(): string {
  return `usage: npm run bench -- [NAME] [--size small|full] [--repeat N]\navailable: ${Object.keys(BENCHMARKS).join(", ")}`;
}

/** Parses the command line; exits 2 with usage on anything it does not understand. */
function parseCommandLine(argv: string[]): { names: string[]; options: BenchOptions } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { size: { type: "string" }, repeat: { type: "string" }, help: { type: "boolean", short: "h" } },
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
  return { names, options };
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main(): Promise<void> {
  const { names, options } = parseCommandLine(process.argv.slice(2));
  for (const name of names) {
    const bench = await BENCHMARKS[name]!();
    console.log(`\n=== ${name} (size ${options.size}) ===`);
    await bench.run(options);
  }
}

await main();
