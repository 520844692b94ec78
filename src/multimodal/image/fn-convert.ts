// image.toMode and image.toTensor: pixels in another mode (encoded rows re-encoded in their format), and fixed-size
// images as tensors [height, width, channels] of uint8 or float32 for models.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { DataType, extensionMetadata, readExtension, typeMetadata } from "../../expr/data-type.js";
import { bytesVector, decodedVector, tensorVector, type ImageValue } from "./columns.js";
import { decodeRow, open, outputFormat, writeAs, type WriteOptions } from "./codec.js";
import { checkFit, checkInt, checkMode, checkQuality, defineImageFunction, type RowErrorOptions } from "./define.js";
import { ImageRowError } from "./errors.js";
import { toUnitFloats } from "./pixels.js";
import { mapRows } from "./run-rows.js";
import { CHANNELS, decodedStruct, EXACT_FITS, imageMetadata, modeOf, WRITABLE_FORMATS, type ImageArgKind, type ImageMode, type ResizeFit } from "./types.js";

/** Options of `image.toMode`. */
export interface ToModeOptions extends RowErrorOptions, WriteOptions {}

/** Options of `image.toTensor`. */
export interface ToTensorOptions extends RowErrorOptions {
  /** Every image's width. Default: the size the input's type records (after resize or crop); required otherwise. */
  readonly width?: number;
  /** Every image's height (as `width`). */
  readonly height?: number;
  /** Channels of the tensor. Default: the mode the input's type records (decode({ mode })), else "RGB". */
  readonly mode?: ImageMode;
  /** "uint8" (default): the bytes as they are; "float32": each byte / 255, in [0, 1]. */
  readonly dtype?: "uint8" | "float32";
  /**
   * Resize every image to width×height with this fit while decoding it (one sharp call per image: the fast path
   * from encoded bytes to a model's input). Default: none, and an image of another size is an error.
   */
  readonly fit?: ResizeFit;
}

type ToModeFnOptions = ToModeOptions & { readonly mode: ImageMode };

export const toMode = defineImageFunction<ToModeFnOptions>({
  name: "image.toMode",
  check: (o) => {
    checkMode("image.toMode", o.mode, false);
    checkQuality("image.toMode", o.quality);
  },
  returnType: (input) => (input.kind === "decoded" ? decodedStruct() : new A.Binary()),
  returnMetadata: (input, o) => {
    const { format, width, height } = input.params;
    if (input.kind === "decoded") return imageMetadata({ decoded: true, mode: o.mode, width, height });
    return imageMetadata({ format: format === undefined || WRITABLE_FORMATS.has(format) ? format : "png", width, height });
  },
  async run(values, o, info) {
    if (info.input.kind === "decoded") {
      const out = await mapRows("image.toMode", values, o.onError ?? "raise", info, (v) => decodeRow(v, o.mode));
      return decodedVector(info.type, out);
    }
    const out = await mapRows("image.toMode", values, o.onError ?? "raise", info, async (v) => {
      const p = await decodeRow(v, o.mode);
      const raw = await open({ kind: "decoded", pixels: p });
      // Formats without alpha (JPEG) drop it; grey modes are written as grey.
      return writeAs(raw, outputFormat((v as Extract<ImageValue, { kind: "encoded" }>).bytes), p.channels <= 2, o);
    });
    return bytesVector(info.type, out);
  },
});

/** The tensor's size and mode, from the options or the input's type; fails when the plan does not fix a size. */
function tensorShape(input: ImageArgKind, o: ToTensorOptions): { width: number; height: number; mode: ImageMode } {
  const width = o.width ?? input.params.width;
  const height = o.height ?? input.params.height;
  if (width === undefined || height === undefined) {
    throw new InvalidArgumentError(
      "image.toTensor needs every image to have one size: pass { width, height }, or resize first " +
        '(col("image").image.resize(224, 224).image.toTensor())',
    );
  }
  checkInt("image.toTensor", "width", width);
  checkInt("image.toTensor", "height", height);
  return { width, height, mode: checkMode("image.toTensor", o.mode ?? input.params.mode ?? "RGB", false)! };
}

export const toTensor = defineImageFunction<ToTensorOptions>({
  name: "image.toTensor",
  check: (o, input) => {
    tensorShape(input, o);
    checkFit("image.toTensor", o.fit);
    if (o.fit !== undefined && !EXACT_FITS.has(o.fit)) {
      throw new InvalidArgumentError(`image.toTensor: fit "${o.fit}" does not give every image one size; use "fill", "cover" or "contain"`);
    }
    if (o.dtype !== undefined && o.dtype !== "uint8" && o.dtype !== "float32") {
      throw new InvalidArgumentError(`image.toTensor: dtype must be "uint8" or "float32", got ${JSON.stringify(o.dtype)}`);
    }
  },
  returnType: (input, o) => {
    const { width, height, mode } = tensorShape(input, o);
    return DataType.tensor(o.dtype === "float32" ? new A.Float32() : new A.Uint8(), [height, width, CHANNELS[mode]]);
  },
  returnMetadata: (input, o) => {
    const { width, height, mode } = tensorShape(input, o);
    return extensionMetadata("tessera.tensor", { shape: [height, width, CHANNELS[mode]] });
  },
  async run(values, o, info) {
    const [height, width, channels] = shapeOf(info.type);
    const mode = modeOf(channels);
    const resize = o.fit === undefined ? undefined : { width, height, fit: o.fit };
    const out = await mapRows("image.toTensor", values, o.onError ?? "raise", info, async (v, row) => {
      const p = await decodeRow(v, mode, resize);
      if (p.width !== width || p.height !== height) {
        throw new ImageRowError(
          "image.toTensor",
          row,
          `is ${p.width}×${p.height}, not ${width}×${height}; resize first (image.resize(${width}, ${height})) or pass { onError: "null" }`,
        );
      }
      return o.dtype === "float32" ? toUnitFloats(p.data) : p.data;
    });
    return tensorVector(info.type, out);
  },
});

/** [height, width, channels] of a tensor type made by returnType (the shape was fixed when the plan was built). */
function shapeOf(type: A.DataType): [number, number, number] {
  return readExtension(typeMetadata(type))!.params.shape as [number, number, number];
}
