// The UDF entry points the expression compiler calls (kept apart so src/expr/compile.ts names one module).

export { compileRowFunction } from "./row.js";
export { compileUdf } from "./batch.js";
export type { UdfContext } from "./context.js";
