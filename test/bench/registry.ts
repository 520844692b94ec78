// Every benchmark by name, loaded lazily so running one does not import the others' dependencies.
// A new benchmark (table, vector, dataframe, multimodal) adds one line here.

import type { Benchmark } from "./harness.js";

export const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  take: () => import("./take.js"),
  codecs: () => import("./codecs.js"),
  table: () => import("./table.js"),
  vector: () => import("./vector.js"),
  dataframe: () => import("./dataframe.js"),
  multimodal: () => import("./multimodal.js"),
  pipeline: () => import("./pipeline.js"),
};
