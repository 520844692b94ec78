// image.decode and image.encode: encoded bytes to a pixel struct in a mode, and pixels (or bytes) to a format.

import * as A from "apache-arrow";
import { bytesVector, decodedVector } from "./columns.js";
import { decodeRow, open, sourceInfo, writeAs, type WriteOptions } from "./codec.js";
import { checkFormat, checkMode, checkQuality, checkResizeTo, defineImageFunction, type RowErrorOptions } from "./define.js";
import { readHeader } from "./header.js";
import { mapRows } from "./run-rows.js";
import { decodedStruct, EXACT_FITS, imageMetadata, type ImageFormat, type ImageMode, type ResizeTo } from "./types.js";

/** Options of `image.decode`. */
export interface DecodeOptions extends RowErrorOptions {
  /** Pixels in this mode ("L", "LA", "RGB", "RGBA"). Default: each image's own (grey files give L or LA). */
  readonly mode?: ImageMode;
  /**
   * Resize while decoding, in the same sharp call (JPEG and WebP decode at a reduced scale: faster than
   * decode().image.resize()). Default: none, pixels at the stored size.
   */
  readonly resize?: ResizeTo;
}

/** Options of `image.encode`. */
export interface EncodeOptions extends RowErrorOptions, WriteOptions {}

/** Internal options of the encode function: the format travels with the options. */
type EncodeFnOptions = EncodeOptions & { readonly format: ImageFormat };

export const decode = defineImageFunction<DecodeOptions>({
  name: "image.decode",
  check: (o) => {
    checkMode("image.decode", o.mode, true);
    checkResizeTo("image.decode", o.resize);
  },
  returnType: () => decodedStruct(),
  returnMetadata: (input, o) => {
    const r = o.resize;
    const size = r === undefined ? input.params : EXACT_FITS.has(r.fit ?? "fill") ? r : {};
    return imageMetadata({ decoded: true, mode: o.mode ?? input.params.mode, width: size.width, height: size.height });
  },
  async run(values, o, info) {
    const out = await mapRows("image.decode", values, o.onError ?? "raise", info, (v) => decodeRow(v, o.mode, o.resize));
    return decodedVector(info.type, out);
  },
});

export const encode = defineImageFunction<EncodeFnOptions>({
  name: "image.encode",
  check: (o) => {
    checkFormat("image.encode", o.format);
    checkQuality("image.encode", o.quality);
  },
  returnType: () => new A.Binary(),
  returnMetadata: (input, o) => imageMetadata({ format: o.format, width: input.params.width, height: input.params.height }),
  async run(values, o, info) {
    const out = await mapRows("image.encode", values, o.onError ?? "raise", info, async (v) => {
      // Bytes already in the format are kept as they are, unless a quality asks for re-encoding.
      if (v.kind === "encoded" && o.quality === undefined && readHeader(v.bytes)?.format === o.format) return v.bytes;
      return writeAs(await open(v), o.format, (await sourceInfo(v)).grey, o);
    });
    return bytesVector(info.type, out);
  },
});
