#!/usr/bin/env node
// The `tessera` command line. Errors print one actionable line and exit 1 (2 for usage errors).

import { Command } from "commander";
import { isTesseraError } from "../../format/errors.js";
import { runDemo } from "./demo.js";
import { fileInfo, formatInfo } from "./info.js";

const program = new Command()
  .name("tessera")
  .description("Tessera: a multimodal dataset store with versioned tables, vector search and a DataFrame engine")
  .version("0.1.0");

program
  .command("demo")
  .description("generate a small image dataset offline, write it as a Tessera data file and read it back")
  .option("-d, --dir <path>", "where to write", "./tessera-demo")
  .option("-n, --rows <count>", "rows to generate", (v) => Number.parseInt(v, 10), 5000)
  .action(async (opts: { dir: string; rows: number }) => {
    await runDemo({ dir: opts.dir, rows: opts.rows });
  });

program
  .command("info")
  .description("describe a Tessera data file: schema, rows, pages and layouts")
  .argument("<file>", "path or URI of a .tsf data file")
  .option("--json", "print JSON")
  .action(async (file: string, opts: { json?: boolean }) => {
    const info = await fileInfo(file);
    console.log(opts.json === true ? JSON.stringify(info, null, 2) : formatInfo(info).join("\n"));
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (isTesseraError(err)) {
    console.error(`tessera: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
