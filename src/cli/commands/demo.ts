// `tessera demo`: runs both examples end to end on their default data — the MNIST feature pipeline (ingest,
// reshape, features, group and join, classify, write) and image curation — into one directory, then says where
// things are and what to try next. The examples are compiled with the package (dist/examples).

import { join, resolve } from "node:path";
import { runCuration, type CurationResult } from "../../../examples/curate-images.js";
import { runMnistPipeline, type MnistPipelineResult } from "../../../examples/mnist-pipeline.js";
import type { CommandContext } from "../context.js";
import { withTask } from "../progress.js";

/** Options of `demo`. */
export interface DemoOptions {
  /** Default ./tessera-demo. */
  dir?: string;
  /** Small sizes (generated data, few rows): seconds instead of minutes. */
  small?: boolean;
}

/** What the demo did. */
export interface DemoResult {
  dir: string;
  mnist: { dir: string; result: MnistPipelineResult };
  curation: { dir: string; result: CurationResult };
  next: string[];
}

/** Runs both examples into `dir`. */
export async function demo(o: DemoOptions, ctx: CommandContext): Promise<DemoResult> {
  const dir = o.dir ?? "./tessera-demo";
  const log = ctx.log ?? (() => {});
  const mnistDir = join(dir, "mnist");
  const curationDir = join(dir, "curation");
  const small = o.small === true;
  const [mnist, curation] = await withTask(
    ctx.progress,
    "demo",
    2,
    async (task) => {
      log(`== MNIST feature pipeline → ${mnistDir}`);
      const m = await runMnistPipeline({ dir: mnistDir, log, ...(small ? { data: "generated" as const, trainRows: 600, testRows: 100 } : {}) });
      task.update(1);
      log(`== Image curation → ${curationDir}`);
      const c = await runCuration({ dir: curationDir, log, ...(small ? { images: 40 } : {}) });
      task.update(2);
      return [m, c] as const;
    },
    "examples",
  );
  const shown = (p: string): string => (p.startsWith("/") || p.startsWith("./") || p.startsWith("../") ? p : `./${p}`);
  return {
    dir: resolve(dir),
    mnist: { dir: mnistDir, result: mnist },
    curation: { dir: curationDir, result: curation },
    next: [
      `npx tessera info ${shown(join(curationDir, "table"))}`,
      `npx tessera show ${shown(join(curationDir, "table"))} --limit 5`,
      `npx tessera versions ${shown(join(curationDir, "table"))}`,
    ],
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function mnistLines(dir: string, m: MnistPipelineResult): string[] {
  return [
    `  MNIST feature pipeline (${m.source} data, ${m.rows} rows, ${m.badRows} malformed) in ${dir}:`,
    `    held-out accuracy ${pct(m.accuracy)} on ${m.featureDim} features, ${pct(m.baselineAccuracy)} on the raw 784 pixels`,
    `    table ${m.table.uri} (version ${m.table.version}), Parquet ${m.parquet.path}`,
  ];
}

function curationLines(dir: string, c: CurationResult): string[] {
  return [
    `  image curation in ${dir}:`,
    `    ${c.files} files: ${c.decoded} ingested, ${c.deadLetter.length} unreadable or too small (dead-lettered), ` +
      `${c.duplicates.length} near-duplicates removed → ${c.rowsAfterDedup} rows`,
    `    ${c.embedding.dimension}-d embeddings, ${c.index.type} index (${c.index.metric}); ` +
      `${c.appended.rows} new images appended and embedded; search finds the newest: ${c.newImageFound}`,
  ];
}

/** Human lines of `demo`: the summary after the examples' own running commentary. */
export function formatDemo(r: DemoResult): string[] {
  return [
    "",
    `Done. Everything is in ${r.dir}`,
    ...mnistLines(r.mnist.dir, r.mnist.result),
    ...curationLines(r.curation.dir, r.curation.result),
    "Try next:",
    ...r.next.map((c) => `  ${c}`),
  ];
}
