#!/usr/bin/env node
// The `tessera` command line: commander wiring only. Each command's work is a function in commands/ returning plain
// data, printed as JSON (--json) or by its human formatter; modules load when their command runs, so `--help` and
// small commands start fast. Exit codes: 0 ok, 1 runtime/data errors, 2 usage errors (errors.ts).

import { Command, Option } from "commander";
import type { CommandContext } from "./context.js";
import { errorText, exitCodeOf, UsageError } from "./errors.js";
import { choice, integer, list, number, numberList, parseDuration, parseTimeAgo, storageOptions, versionOrTag, type GlobalOptions } from "./options.js";
import { emit } from "./output.js";
import { terminalProgress } from "./progress.js";

const VERSION = "0.1.0";

const program = new Command()
  .name("tessera")
  .description("Tessera: versioned multimodal tables with vector search, from the command line")
  .version(VERSION, "-V, --version", "print the version")
  .enablePositionalOptions()
  .exitOverride()
  .showSuggestionAfterError()
  .showHelpAfterError("(add --help for usage)")
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "tessera: ")) });

// A memory:// table would vanish when the command ends: refuse it up front rather than "succeed" at nothing.
program.hook("preAction", (_program, action) => {
  const memory = action.args.find((a) => /^memory:\/\//i.test(a));
  if (memory !== undefined) {
    throw new UsageError(`${memory}: memory:// tables live inside one process and are gone when the command ends; use a local path or an s3:// URI`);
  }
});

/** --json plus the storage options, on every command (after its own options in --help). */
function common(cmd: Command): Command {
  return cmd
    .option("--json", "print the result as JSON (for scripts)")
    .addOption(new Option("--endpoint <url>", "S3 endpoint for s3:// URIs (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL)").helpGroup("Storage options:"))
    .addOption(new Option("--region <name>", "S3 region (default: AWS_REGION, else us-east-1)").helpGroup("Storage options:"))
    .addOption(new Option("--path-style", "address S3 buckets by path (most S3-compatible servers need it)").helpGroup("Storage options:"));
}

function context(cmd: Command): CommandContext {
  return { storage: storageOptions(cmd.opts<GlobalOptions>()), progress: terminalProgress() };
}

function jsonOf(cmd: Command): boolean {
  return cmd.opts<{ json?: boolean }>().json === true;
}

const versionOption = (): Option => new Option("--version <n>", "read this version instead of the latest").argParser(integer(1)).conflicts("tag");
const tagOption = (): Option => new Option("--tag <name>", "read the version this tag pins");
const EMBEDDER_HELP = "image (thumbnail pixels), phash (perceptual hash bits), text (hashed n-grams) or onnx (a local model)";

/** Embedder options shared by `embed` and `search`. */
function embedderOptions(cmd: Command, required: boolean): Command {
  const kind = new Option("--embedder <kind>", EMBEDDER_HELP).argParser(choice(["image", "phash", "text", "onnx"] as const));
  if (required) kind.makeOptionMandatory();
  return cmd
    .addOption(kind)
    .addOption(new Option("--size <px>", "image: thumbnail side (default 16); onnx image: input side").argParser(integer(1)).helpGroup("Embedder options:"))
    .addOption(new Option("--mode <mode>", "image / onnx image: L or RGB").argParser(choice(["L", "RGB"] as const)).helpGroup("Embedder options:"))
    .addOption(new Option("--dimension <n>", "text: values per embedding (default 256)").argParser(integer(1)).helpGroup("Embedder options:"))
    .addOption(new Option("--model <file.onnx>", "onnx: a local model file").helpGroup("Embedder options:"))
    .addOption(new Option("--preprocess <kind>", "onnx: image or text (default: what the column holds)").argParser(choice(["image", "text"] as const)).helpGroup("Embedder options:"))
    .addOption(new Option("--mean <a,b,c>", "onnx image: per-channel mean").argParser(numberList).helpGroup("Embedder options:"))
    .addOption(new Option("--std <a,b,c>", "onnx image: per-channel std").argParser(numberList).helpGroup("Embedder options:"))
    .addOption(new Option("--layout <layout>", "onnx image: nchw or nhwc").argParser(choice(["nchw", "nhwc"] as const)).helpGroup("Embedder options:"))
    .addOption(new Option("--tokenizer <file>", "onnx text: vocab.txt or tokenizer.json").helpGroup("Embedder options:"))
    .addOption(new Option("--max-length <n>", "onnx text: most tokens per text").argParser(integer(1)).helpGroup("Embedder options:"))
    .addOption(new Option("--input <name>", "onnx: model input name").helpGroup("Embedder options:"))
    .addOption(new Option("--output <name>", "onnx: model output name").helpGroup("Embedder options:"));
}

common(
  program
    .command("demo")
    .description("run both examples (the MNIST feature pipeline, image curation) on their default data")
    .option("-d, --dir <path>", "where to write", "./tessera-demo")
    .option("--small", "small generated data (a quick run)"),
).action(async (o: { dir: string; small?: boolean }, cmd: Command) => {
  const { demo, formatDemo } = await import("./commands/demo.js");
  const json = jsonOf(cmd);
  const ctx = context(cmd);
  // The examples narrate as they go (above the progress bar on a terminal); with --json the narration goes to
  // stderr so that stdout stays one JSON document.
  const log = (line: string): void => ctx.progress.log(line, json ? process.stderr : process.stdout);
  emit(await demo(o, { ...ctx, log }), json, formatDemo);
});

common(
  program
    .command("ingest")
    .description("read JSON, NDJSON, CSV, Parquet or a folder of images into a table")
    .argument("<source>", "a file, a glob (quote it), or a folder of images")
    .argument("<table>", "table URI: a path, file://, or s3://bucket/prefix")
    .addOption(new Option("--format <format>", "source format (default: from the extension; a folder is images)").argParser(choice(["json", "ndjson", "csv", "parquet", "images"] as const)))
    .addOption(new Option("--mode <mode>", "create fails if the table exists").argParser(choice(["create", "append", "overwrite"] as const)).default("create")),
).action(async (source: string, uri: string, o: Parameters<typeof import("./commands/ingest.js").ingest>[2], cmd: Command) => {
  const { ingest, formatIngest } = await import("./commands/ingest.js");
  emit(await ingest(source, uri, o, context(cmd)), jsonOf(cmd), formatIngest);
});

common(
  program
    .command("info")
    .description("describe a table (schema, rows, fragments, versions, tags, indexes, size) or a .tsf data file")
    .argument("<table-or-file>", "table URI, or a Tessera data file (.tsf)")
    .addOption(versionOption())
    .addOption(tagOption()),
).action(async (uri: string, o: { version?: number; tag?: string }, cmd: Command) => {
  const { info, formatInfo } = await import("./commands/info.js");
  emit(await info(uri, o, context(cmd)), jsonOf(cmd), formatInfo);
});

common(
  program
    .command("show")
    .description("print rows of a table")
    .argument("<table>", "table URI")
    .option("-w, --where <filter>", "SQL-like filter, e.g. \"label = 'cat' AND score > 0.5\"")
    .option("-c, --columns <a,b>", "columns to show, in order", list)
    .option("-n, --limit <n>", "rows to show", integer(0), 20)
    .option("--offset <n>", "rows to skip first", integer(0))
    .option("--row-id", "add the _rowid column (for search --row)")
    .addOption(versionOption())
    .addOption(tagOption()),
).action(async (uri: string, o: Parameters<typeof import("./commands/show.js").show>[1], cmd: Command) => {
  const { show, formatShow, showJson } = await import("./commands/show.js");
  const r = await show(uri, o, context(cmd));
  emit(jsonOf(cmd) ? showJson(r) : r, jsonOf(cmd), formatShow);
});

common(program.command("versions").description("list the versions of a table, with tags").argument("<table>", "table URI")).action(
  async (uri: string, _o: unknown, cmd: Command) => {
    const { versions, formatVersions } = await import("./commands/versions.js");
    emit(await versions(uri, context(cmd)), jsonOf(cmd), formatVersions);
  },
);

common(
  program
    .command("tag")
    .description("tag a version (default the latest), delete a tag, or list tags (no name)")
    .argument("<table>", "table URI")
    .argument("[name]", "tag name: letters, digits, '.', '_' and '-'")
    .addOption(new Option("--version <n>", "version to tag (default: the latest)").argParser(integer(1)))
    .option("--delete", "delete the tag instead"),
).action(async (uri: string, name: string | undefined, o: { version?: number; delete?: boolean }, cmd: Command) => {
  const { tag, formatTag } = await import("./commands/tag.js");
  emit(await tag(uri, name, o, context(cmd)), jsonOf(cmd), formatTag);
});

common(
  program
    .command("restore")
    .description("commit a new version equal to an old version or tag")
    .argument("<table>", "table URI")
    .argument("<version-or-tag>", "a version number or a tag name"),
).action(async (uri: string, target: string, _o: unknown, cmd: Command) => {
  const { restore, formatRestore } = await import("./commands/restore.js");
  emit(await restore(uri, versionOrTag(target), context(cmd)), jsonOf(cmd), formatRestore);
});

common(
  program
    .command("add-column")
    .description("add a column computed by a SQL-like expression (writes only the new column)")
    .argument("<table>", "table URI")
    .argument("<name>", "new column name")
    .argument("<expression>", "e.g. \"length(caption)\" or \"score * 2\" (see docs/expressions.md)"),
).action(async (uri: string, name: string, expression: string, _o: unknown, cmd: Command) => {
  const { addColumn, formatAddColumn } = await import("./commands/add-column.js");
  emit(await addColumn(uri, name, expression, context(cmd)), jsonOf(cmd), formatAddColumn);
});

common(
  embedderOptions(
    program
      .command("embed")
      .description("embed an image or text column into a vector column (only rows missing one when it exists)")
      .argument("<table>", "table URI")
      .requiredOption("--column <name>", "the image (binary) or text column to embed")
      .requiredOption("--into <name>", "the embedding column to add or fill"),
    true,
  ).addOption(new Option("--batch-size <n>", "rows per embed call").argParser(integer(1))),
).action(async (uri: string, o: Parameters<typeof import("./commands/embed.js").embed>[1], cmd: Command) => {
  const { embed, formatEmbed } = await import("./commands/embed.js");
  emit(await embed(uri, o, context(cmd)), jsonOf(cmd), formatEmbed);
});

common(
  program
    .command("index")
    .description("build a vector index on a column; or --optimize / --drop")
    .argument("<table>", "table URI")
    .argument("[column]", "the vector column")
    .addOption(new Option("--type <type>", "index type").argParser(choice(["flat", "hnsw", "ivf-pq"] as const)))
    .addOption(new Option("--metric <metric>", "distance (default l2)").argParser(choice(["l2", "cosine", "dot"] as const)))
    .option("--name <name>", "index name (default <column>_idx; an index of that name is replaced)")
    .addOption(new Option("--m <n>", "hnsw: graph degree (default 16)").argParser(integer(2)))
    .addOption(new Option("--ef-construction <n>", "hnsw: build candidates (default 100)").argParser(integer(1)))
    .addOption(new Option("--partitions <n>", "ivf-pq: partitions (default √rows)").argParser(integer(1)))
    .addOption(new Option("--sub-vectors <n>", "ivf-pq: PQ sub-vectors (default dim/8, dim/16 from 256)").argParser(integer(1)))
    .addOption(new Option("--sample-size <n>", "ivf-pq: training rows").argParser(integer(1)))
    .addOption(new Option("--seed <n>", "hnsw / ivf-pq: random seed").argParser(integer(0)))
    .option("--optimize", "extend every index to rows added since it was built")
    .option("--drop <name>", "remove the index with this name"),
).action(async (uri: string, column: string | undefined, o: Parameters<typeof import("./commands/index.js").index>[2], cmd: Command) => {
  const { index, formatIndex } = await import("./commands/index.js");
  emit(await index(uri, column, o, context(cmd)), jsonOf(cmd), formatIndex);
});

common(
  embedderOptions(
    program
      .command("search")
      .description("the nearest rows to a vector file, an image file, a text, or a row's own vector")
      .argument("<table>", "table URI")
      .option("--column <name>", "the vector column (default: the only one)")
      .option("--vector <file>", "query vector: .json (array of numbers) or .f32 (raw little-endian float32)")
      .option("--image <file>", "query image, embedded with the column's recorded embedder (or --embedder)")
      .option("--text <text>", "query text, embedded with the column's recorded embedder (or --embedder)")
      .option("--row <rowid>", "use this row's vector (row ids: tessera show --row-id)")
      .option("-k, --k <n>", "rows to return", integer(1), 10)
      .option("-w, --where <filter>", "only rows matching this SQL-like filter")
      .option("--postfilter", "filter the k results instead of searching only matching rows (faster, may return fewer)")
      .option("-c, --columns <a,b>", "columns to return besides _rowid and _distance", list)
      .addOption(new Option("--metric <metric>", "distance for exact search without an index").argParser(choice(["l2", "cosine", "dot"] as const)))
      .addOption(new Option("--ef <n>", "hnsw: candidates kept while searching").argParser(integer(1)))
      .addOption(new Option("--nprobes <n>", "ivf-pq: partitions probed").argParser(integer(1)))
      .addOption(new Option("--refine-factor <n>", "ivf-pq: re-rank k × n candidates exactly").argParser(integer(0))),
    false,
  ),
).action(async (uri: string, o: Parameters<typeof import("./commands/search.js").search>[1], cmd: Command) => {
  const { search, formatSearch, searchJson } = await import("./commands/search.js");
  const r = await search(uri, o, context(cmd));
  emit(jsonOf(cmd) ? searchJson(r) : r, jsonOf(cmd), formatSearch);
});

common(
  program
    .command("compact")
    .description("merge small fragments and drop deleted rows; then extend the indexes")
    .argument("<table>", "table URI")
    .addOption(new Option("--target-rows <n>", "merge fragments up to this many rows (default 1048576)").argParser(integer(1)))
    .addOption(new Option("--deleted-share <x>", "rewrite fragments with more deleted rows than this share (default 0.1)").argParser(number))
    .option("--no-materialize-deletions", "keep fragments with deleted rows as they are")
    .option("--no-optimize-indexes", "do not extend the indexes to the rewritten fragments"),
).action(async (uri: string, o: Parameters<typeof import("./commands/compact.js").compact>[1], cmd: Command) => {
  const { compact, formatCompact } = await import("./commands/compact.js");
  emit(await compact(uri, o, context(cmd)), jsonOf(cmd), formatCompact);
});

common(
  program
    .command("cleanup")
    .description("remove old versions (never the latest or tagged ones) and files no kept version uses")
    .argument("<table>", "table URI")
    .addOption(new Option("--older-than <age>", "remove versions older than this: 30s, 10m, 12h, 7d, 2w, or an ISO date (default 7d)").argParser(parseTimeAgo))
    .addOption(new Option("--grace-period <age>", "keep unreferenced files younger than this (default 10m): commits in flight").argParser(parseDuration)),
).action(async (uri: string, o: { olderThan?: Date; gracePeriod?: number }, cmd: Command) => {
  const { cleanup, formatCleanup } = await import("./commands/cleanup.js");
  const options = { ...(o.olderThan !== undefined ? { olderThan: o.olderThan } : {}), ...(o.gracePeriod !== undefined ? { gracePeriodMs: o.gracePeriod } : {}) };
  emit(await cleanup(uri, options, context(cmd)), jsonOf(cmd), formatCleanup);
});

common(
  program
    .command("export")
    .description("write a table to Parquet, JSON, NDJSON or CSV")
    .argument("<table>", "table URI")
    .argument("<out>", "output file: .parquet, .json, .ndjson/.jsonl, .csv (.gz compresses JSON and CSV)")
    .addOption(new Option("--format <format>", "output format (default: from the extension)").argParser(choice(["parquet", "json", "ndjson", "csv"] as const)))
    .option("-w, --where <filter>", "only rows matching this SQL-like filter")
    .option("-c, --columns <a,b>", "columns to write, in order", list)
    .option("-n, --limit <n>", "most rows to write", integer(0))
    .addOption(versionOption())
    .addOption(tagOption()),
).action(async (uri: string, out: string, o: Parameters<typeof import("./commands/export.js").exportTable>[2], cmd: Command) => {
  const { exportTable, formatExport } = await import("./commands/export.js");
  emit(await exportTable(uri, out, o, context(cmd)), jsonOf(cmd), formatExport);
});

common(
  program
    .command("import-lancedb")
    .description("copy a LanceDB table into a new Tessera table (needs @lancedb/lancedb)")
    .argument("<lancedb-dir>", "the LanceDB database directory")
    .argument("<table-name>", "the LanceDB table")
    .argument("<tessera-uri>", "the Tessera table to create")
    .addOption(new Option("--mode <mode>", "create fails if the Tessera table exists").argParser(choice(["create", "overwrite"] as const))),
).action(async (dir: string, name: string, uri: string, o: { mode?: "create" | "overwrite" }, cmd: Command) => {
  const { importLanceDb, formatLance } = await import("./commands/lancedb.js");
  emit(await importLanceDb(dir, name, uri, o, context(cmd)), jsonOf(cmd), formatLance);
});

common(
  program
    .command("export-lancedb")
    .description("copy a Tessera table into a LanceDB database (needs @lancedb/lancedb)")
    .argument("<tessera-uri>", "the Tessera table")
    .argument("<lancedb-dir>", "the LanceDB database directory (created if missing)")
    .argument("<table-name>", "the LanceDB table to create")
    .addOption(new Option("--mode <mode>", "create fails if the LanceDB table exists").argParser(choice(["create", "overwrite"] as const)))
    .addOption(new Option("--batch-size <n>", "rows per LanceDB write (default 65536)").argParser(integer(1))),
).action(async (uri: string, dir: string, name: string, o: { mode?: "create" | "overwrite"; batchSize?: number }, cmd: Command) => {
  const { exportLanceDb, formatLance } = await import("./commands/lancedb.js");
  emit(await exportLanceDb(uri, dir, name, o, context(cmd)), jsonOf(cmd), formatLance);
});

// `tessera show t | head -3` closes stdout early: that is the reader's choice, not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

let code = 0;
try {
  await program.parseAsync(process.argv);
} catch (err) {
  const text = errorText(err);
  if (text !== undefined) process.stderr.write(`${text}\n`);
  code = exitCodeOf(err);
}
// Exit explicitly once output is flushed: worker pools, S3 sockets or LanceDB handles must not keep the process up.
process.stdout.write("", () => process.exit(code));
