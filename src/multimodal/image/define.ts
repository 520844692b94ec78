// The shape shared by the image functions: one image argument (encoded bytes or decoded struct) plus constant
// options checked when the plan is built, an async kernel over the batch's rows, and result metadata.

import type * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { typeName } from "../../../format/expr/types.js";
import { ScalarArg, type ArgInfo, type ArgValue, type EvalInfo, type ScalarFunction } from "../../expr/functions/registry.js";
import { readImageValues, type ImageValue } from "./columns.js";
import type { OnError } from "./run-rows.js";
import {
  ENCODE_FORMATS,
  FITS,
  imageArgKind,
  isDecodedStruct,
  MODES,
  type ImageArgKind,
  type ImageFormat,
  type ImageMode,
  type ResizeFit,
  type ResizeTo,
} from "./types.js";

/** Options every image function takes. */
export interface RowErrorOptions {
  /** A row that is not a readable image, or cannot be processed as asked: "raise" (default) fails, "null" nulls it. */
  readonly onError?: OnError;
}

/** An image function's parts: the result type and metadata from the input's kind, and the kernel. */
export interface ImageFunctionSpec<O> {
  readonly name: string;
  /** Checks the options (throwing InvalidArgumentErrors) before the result type is asked for. */
  readonly check?: (options: O, input: ImageArgKind) => void;
  readonly returnType: (input: ImageArgKind, options: O) => A.DataType;
  readonly returnMetadata?: (input: ImageArgKind, options: O) => ReadonlyMap<string, string> | undefined;
  /** Kept out of scans and after filters by the optimizer. Default true: most image functions call sharp. */
  readonly expensive?: boolean;
  readonly run: (values: readonly (ImageValue | null)[], options: O, info: EvalInfo & { readonly input: ImageArgKind }) => Promise<A.Vector>;
}

/** A registry function from its spec. */
export function defineImageFunction<O extends RowErrorOptions>(spec: ImageFunctionSpec<O>): ScalarFunction<O> {
  const inputKind = (args: readonly ArgInfo[]): ImageArgKind => {
    if (args.length !== 1) throw new InvalidArgumentError(`${spec.name} takes 1 argument, got ${args.length}`);
    const kind = imageArgKind(args[0]!);
    if (kind === undefined) {
      throw new InvalidArgumentError(
        `${spec.name} expects an image (encoded bytes: binary, or a decoded image from image.decode), got ${typeName(args[0]!.type)}`,
      );
    }
    return kind;
  };
  return {
    name: spec.name,
    expensive: spec.expensive ?? true,
    returnType(args, options) {
      const input = inputKind(args);
      checkOnError(spec.name, options?.onError);
      spec.check?.(options ?? ({} as O), input);
      return spec.returnType(input, options ?? ({} as O));
    },
    returnMetadata(args, options) {
      return spec.returnMetadata?.(inputKind(args), options ?? ({} as O));
    },
    async evaluate(args: readonly ArgValue[], options: O, info: EvalInfo) {
      // evaluate is not handed the argument's metadata, only its type: that tells the kind apart.
      const type = args[0] instanceof ScalarArg ? args[0].type : args[0]!.type;
      const input: ImageArgKind = { kind: isDecodedStruct(type) ? "decoded" : "encoded", params: {} };
      return spec.run(readImageValues(args[0]!, info.rows), options ?? ({} as O), { ...info, input });
    },
  };
}

// ---- option checks (when the plan is built) ----

export function checkOnError(fn: string, v: unknown): void {
  if (v !== undefined && v !== "raise" && v !== "null" && v !== "dead-letter") {
    throw new InvalidArgumentError(`${fn}: onError must be "raise", "null" or "dead-letter", got ${JSON.stringify(v)}`);
  }
}

export function checkMode(fn: string, v: unknown, optional: boolean): ImageMode | undefined {
  if (v === undefined && optional) return undefined;
  if (!MODES.includes(v as ImageMode)) throw new InvalidArgumentError(`${fn}: mode must be one of ${MODES.join(", ")}, got ${JSON.stringify(v)}`);
  return v as ImageMode;
}

export function checkFormat(fn: string, v: unknown): ImageFormat {
  if (!ENCODE_FORMATS.includes(v as ImageFormat)) {
    throw new InvalidArgumentError(`${fn}: format must be one of ${ENCODE_FORMATS.join(", ")}, got ${JSON.stringify(v)}`);
  }
  return v as ImageFormat;
}

/** A positive integer option (a size); `min` 0 allows zero (crop offsets). */
export function checkInt(fn: string, name: string, v: unknown, min = 1, max = 1 << 24): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgumentError(`${fn}: ${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  }
  return v;
}

export function checkFit(fn: string, v: unknown): void {
  if (v !== undefined && !FITS.includes(v as ResizeFit)) throw new InvalidArgumentError(`${fn}: fit must be one of ${FITS.join(", ")}, got ${JSON.stringify(v)}`);
}

/** A decode-time resize option: sizes and fit. */
export function checkResizeTo(fn: string, r: ResizeTo | undefined): void {
  if (r === undefined) return;
  checkInt(fn, "resize.width", r.width);
  checkInt(fn, "resize.height", r.height);
  checkFit(fn, r.fit);
}

export function checkQuality(fn: string, v: unknown): void {
  if (v !== undefined) checkInt(fn, "quality", v, 1, 100);
}
