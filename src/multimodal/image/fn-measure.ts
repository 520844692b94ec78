// image.width and image.height: read from the header of encoded bytes (PNG, JPEG, GIF, WebP without sharp; other
// formats through sharp's metadata, which still decodes no pixels) or from a decoded image's struct.

import * as A from "apache-arrow";
import type { ScalarFunction } from "../../expr/functions/registry.js";
import { open } from "./codec.js";
import { uint32Vector, type ImageValue } from "./columns.js";
import { defineImageFunction, type RowErrorOptions } from "./define.js";
import { readHeader } from "./header.js";
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
