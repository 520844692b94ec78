// Compiles user filters and values (SQL-like text, expression trees, literals) into what table operations run.
// Wired to format/expr/ once its evaluator lands.

import { NotSupportedError } from "../errors.js";
import type { ExpressionCompiler } from "./values.js";

export const compiler: ExpressionCompiler = {
  filter() {
    throw new NotSupportedError("filters are not wired yet");
  },
  value() {
    throw new NotSupportedError("expressions are not wired yet");
  },
};
