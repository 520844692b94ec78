// Loads every built-in function namespace into the registry (imported once by the expression compiler).

import "./str.js";
import "./list.js";
import "./embedding.js";
import "../../multimodal/url/index.js";
import "../../multimodal/image/index.js";
import "../../embed/embed-function.js";

export { functionNames, getFunction, registerFunctions, ScalarArg, type ArgInfo, type ArgValue, type EvalInfo, type ScalarFunction } from "./registry.js";
