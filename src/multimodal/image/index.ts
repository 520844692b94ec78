// Registers the image functions ("image.decode", "image.resize", ...) and gathers what the package exports.

import { registerFunctions, type ScalarFunction } from "../../expr/functions/registry.js";
import { decode, encode } from "./fn-decode.js";
import { crop, resize, thumbnail } from "./fn-geometry.js";
import { toMode, toTensor } from "./fn-convert.js";
import { format, height, width } from "./fn-measure.js";
import { hammingDistance, hash } from "./fn-hash.js";

registerFunctions(
  ...([decode, encode, resize, thumbnail, crop, toMode, toTensor, width, height, format, hash, hammingDistance] as ScalarFunction<never>[]),
);

export type { DecodeOptions, EncodeOptions } from "./fn-decode.js";
export type { ResizeFit, ResizeOptions, ReshapeOptions } from "./fn-geometry.js";
export type { ToModeOptions, ToTensorOptions } from "./fn-convert.js";
export type { FormatOptions, SizeOptions } from "./fn-measure.js";
export type { HashOptions } from "./fn-hash.js";
export type { OnError } from "./run-rows.js";
export type { WriteOptions } from "./codec.js";
export { perceptualHash, hammingDistance as hashDistance, hashToBigInt, bigIntToHash, type HashKind, type RawPixels } from "./phash.js";
export { decodedImageType, type ImageFormat, type ImageMode, type ResizeTo } from "./types.js";
export { ImageDecodeError, ImageRowError } from "./errors.js";
