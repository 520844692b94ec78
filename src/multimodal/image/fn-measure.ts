// image.width and image.height: read from the header of encoded bytes (PNG, JPEG, GIF, WebP without sharp; other
// formats through sharp's metadata, which still decodes no pixels) or from a decoded image's struct; image.format:
// the format the magic bytes name.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import type { ScalarFunction } from "../../expr/functions/registry.js";
import { open } from "./codec.js";
import { uint32Vector, type ImageValue } from "./columns.js";
import { defineImageFunction, type RowErrorOptions } from "./define.js";
import { readHeader, sniffFormat } from "./header.js";
import { mapRows } from "./run-rows.js";

/** Options of `image.width` and `image.height`. */
export type SizeOptions = RowErrorOptions;

/** Width and height of one row without decoding its pixels. */
export async function imageSize(v: ImageValue): Promise<{ width: number; height: number }> {
  if (v.kind === "decoded") return v.pixels;
  const h = readHeader(v.bytes);
  if (h?.width !== undefined && h.height !== undefined) return { width: h.width, height: h.height };
  const meta = await (await open(v)).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0 };
}

function sizeFunction(name: string, side: "width" | "height"): ScalarFunction<SizeOptions> {
  return defineImageFunction<SizeOptions>({
    name,
    returnType: () => new A.Uint32(),
    async run(values, o, info) {
      const out = await mapRows(name, values, o.onError ?? "raise", info, async (v) => (await imageSize(v))[side]);
      return uint32Vector(out);
    },
  });
}

export const width = sizeFunction("image.width", "width");
export const height = sizeFunction("image.height", "height");

/** Options of `image.format`. */
export type FormatOptions = RowErrorOptions;

/**
 * The format of encoded bytes as their magic bytes name it ("png", "jpeg", "webp", "gif", "tiff", "avif", "heif",
 * "svg", "bmp"): per row, so a folder of mixed files can be told apart (readImages' column type records a format
 * only when every file agrees). Bytes of no known format fail the row. It reads a few bytes, so it is not expensive.
 */
export const format = defineImageFunction<FormatOptions>({
  name: "image.format",
  expensive: false,
  check: (_o, input) => {
    if (input.kind === "decoded") throw new InvalidArgumentError("image.format expects encoded bytes; a decoded image has no format (encode it first)");
  },
  returnType: () => new A.Utf8(),
  async run(values, o, info) {
    const out = await mapRows("image.format", values, o.onError ?? "raise", info, (v) => {
      const f = v.kind === "encoded" ? sniffFormat(v.bytes) : undefined;
      if (f === undefined) throw new Error("no known image format in its first bytes");
      return f;
    });
    return A.vectorFromArray(out, new A.Utf8());
  },
});
