// image.resize, image.thumbnail and image.crop: encoded rows come back encoded in their own format, decoded rows
// decoded with their own channels. A result of one fixed size records it in the type metadata (toTensor uses it).

import * as A from "apache-arrow";
import type { Sharp } from "sharp";
import { bytesVector, decodedVector, type Decoded, type ImageValue } from "./columns.js";
import { open, outputFormat, pixelsLike, sourceInfo, writeAs, type WriteOptions } from "./codec.js";
import { checkFit, checkInt, checkQuality, defineImageFunction, type RowErrorOptions } from "./define.js";
import { ImageRowError } from "./errors.js";
import { readHeader } from "./header.js";
import { cropPixels, rectInside } from "./pixels.js";
import { mapRows } from "./run-rows.js";
import type { EvalInfo } from "../../expr/functions/registry.js";
import { decodedStruct, EXACT_FITS, imageMetadata, modeOf, WRITABLE_FORMATS, type ImageArgKind, type ImageParams, type ResizeFit } from "./types.js";

export type { ResizeFit } from "./types.js";

/** Options of `image.resize`. */
export interface ResizeOptions extends RowErrorOptions, WriteOptions {
  /**
   * "fill" (default): stretch to exactly width×height; "cover": keep the aspect ratio and crop the overflow (centre);
   * "contain": keep it and pad with black (transparent where there is alpha); "inside": keep it, fit within
   * (the result may be smaller on one side); "outside": keep it, cover (may be larger on one side).
   */
  readonly fit?: ResizeFit;
}

/** Options of `image.thumbnail` and `image.crop`. */
export interface ReshapeOptions extends RowErrorOptions, WriteOptions {}

type ResizeFnOptions = ResizeOptions & { readonly width: number; readonly height: number };
type ThumbnailFnOptions = ReshapeOptions & { readonly size: number };
type CropFnOptions = ReshapeOptions & { readonly left: number; readonly top: number; readonly width: number; readonly height: number };

/** The result type of a geometry function: the input's kind. */
function sameKind(input: ImageArgKind): A.DataType {
  return input.kind === "decoded" ? decodedStruct() : new A.Binary();
}

/** The input's image metadata, with the result's size recorded when every row has it. */
function metadataFor(input: ImageArgKind, size: { width: number; height: number } | undefined): ReadonlyMap<string, string> {
  const p: ImageParams = input.params;
  const base: ImageParams =
    input.kind === "decoded" ? { decoded: true, mode: p.mode } : { format: p.format === undefined ? undefined : WRITABLE_FORMATS.has(p.format) ? p.format : "png" };
  return imageMetadata({ ...base, width: size?.width, height: size?.height });
}

/** Runs a sharp pipeline on each row: encoded rows are written back in their format, decoded rows stay raw. */
async function reshape(
  fn: string,
  values: readonly (ImageValue | null)[],
  o: RowErrorOptions & WriteOptions,
  type: A.DataType,
  input: ImageArgKind,
  pipeline: (s: Sharp, v: ImageValue, row: number) => Promise<Sharp> | Sharp,
  info?: Pick<EvalInfo, "context" | "firstRow">,
): Promise<A.Vector> {
  if (input.kind === "decoded") {
    const out = await mapRows(fn, values, o.onError ?? "raise", info, async (v, row) => {
      const channels = (v as Extract<ImageValue, { kind: "decoded" }>).pixels.channels;
      return pixelsLike(await pipeline(await open(v), v, row), channels);
    });
    return decodedVector(type, out);
  }
  const out = await mapRows(fn, values, o.onError ?? "raise", info, async (v, row) => {
    const bytes = (v as Extract<ImageValue, { kind: "encoded" }>).bytes;
    const grey = (await sourceInfo(v)).grey;
    return writeAs(await pipeline(await open(v), v, row), outputFormat(bytes), grey, o);
  });
  return bytesVector(type, out);
}

export const resize = defineImageFunction<ResizeFnOptions>({
  name: "image.resize",
  check: (o) => {
    checkInt("image.resize", "width", o.width);
    checkInt("image.resize", "height", o.height);
    checkQuality("image.resize", o.quality);
    checkFit("image.resize", o.fit);
  },
  returnType: (input) => sameKind(input),
  returnMetadata: (input, o) => metadataFor(input, fixedSize(o)),
  run: (values, o, info) =>
    reshape("image.resize", values, o, info.type, info.input, (s) => s.resize(o.width, o.height, { fit: o.fit ?? "fill" }), info),
});

function fixedSize(o: ResizeFnOptions): { width: number; height: number } | undefined {
  return EXACT_FITS.has(o.fit ?? "fill") ? { width: o.width, height: o.height } : undefined;
}

export const thumbnail = defineImageFunction<ThumbnailFnOptions>({
  name: "image.thumbnail",
  check: (o) => {
    checkInt("image.thumbnail", "size", o.size);
    checkQuality("image.thumbnail", o.quality);
  },
  returnType: (input) => sameKind(input),
  returnMetadata: (input) => metadataFor(input, undefined),
  // As PIL's thumbnail: fit inside size×size keeping the aspect ratio, never enlarging.
  run: (values, o, info) =>
    reshape("image.thumbnail", values, o, info.type, info.input, (s) => s.resize(o.size, o.size, { fit: "inside", withoutEnlargement: true }), info),
});

export const crop = defineImageFunction<CropFnOptions>({
  name: "image.crop",
  check: (o) => {
    checkInt("image.crop", "left", o.left, 0);
    checkInt("image.crop", "top", o.top, 0);
    checkInt("image.crop", "width", o.width);
    checkInt("image.crop", "height", o.height);
    checkQuality("image.crop", o.quality);
  },
  returnType: (input) => sameKind(input),
  returnMetadata: (input, o) => metadataFor(input, { width: o.width, height: o.height }),
  async run(values, o, info) {
    if (info.input.kind === "decoded") {
      // Cropping pixels is a copy of rows: no sharp call.
      const out = await mapRows("image.crop", values, o.onError ?? "raise", info, (v, row): Decoded => {
        const p = (v as Extract<ImageValue, { kind: "decoded" }>).pixels;
        checkRect(p.width, p.height, o, row);
        return { ...cropPixels(p, o.left, o.top, o.width, o.height), mode: modeOf(p.channels) };
      });
      return decodedVector(info.type, out);
    }
    return reshape("image.crop", values, o, info.type, info.input, async (s, v, row) => {
      const h = readHeader((v as Extract<ImageValue, { kind: "encoded" }>).bytes);
      const size = h?.width !== undefined && h.height !== undefined ? { width: h.width, height: h.height } : await s.metadata();
      checkRect(size.width ?? 0, size.height ?? 0, o, row);
      return s.extract({ left: o.left, top: o.top, width: o.width, height: o.height });
    }, info);
  },
});

function checkRect(width: number, height: number, o: CropFnOptions, row: number): void {
  if (!rectInside(width, height, o.left, o.top, o.width, o.height)) {
    throw new ImageRowError(
      "image.crop",
      row,
      `is ${width}×${height}: the ${o.width}×${o.height} crop at (${o.left}, ${o.top}) does not fit; ` +
        `resize first or pass { onError: "null" } to skip such rows`,
    );
  }
}
