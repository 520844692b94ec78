// The two logical image types and how a plan tells them apart: encoded images (Binary + tessera.image {format?})
// and decoded images (a pixel Struct + tessera.image {decoded: true, mode?}). Parameters live in field metadata.

import * as A from "apache-arrow";
import { extensionMetadata, readExtension, withTypeMetadata } from "../../expr/data-type.js";
import type { ArgInfo } from "../../expr/functions/registry.js";

/** Pixel layouts, as in PIL: grey, grey + alpha, colour, colour + alpha (8 bits per sample). */
export type ImageMode = "L" | "LA" | "RGB" | "RGBA";

/** Formats `image.encode` writes. */
export type ImageFormat = "png" | "jpeg" | "webp";

/** Formats sharp reads that this module names (sniffed from magic bytes). */
export type KnownFormat = ImageFormat | "gif" | "tiff" | "avif" | "heif" | "svg" | "bmp";

export const IMAGE_EXTENSION = "tessera.image";
export const MODES: readonly ImageMode[] = ["L", "LA", "RGB", "RGBA"];
export const ENCODE_FORMATS: readonly ImageFormat[] = ["png", "jpeg", "webp"];
/** Formats sharp can write back, so an operation on encoded bytes keeps the format (others become PNG). */
export const WRITABLE_FORMATS: ReadonlySet<string> = new Set(["png", "jpeg", "webp", "gif", "tiff", "avif"]);

/** How an image is fitted into width×height (sharp's names, as CSS object-fit). */
export type ResizeFit = "cover" | "contain" | "fill" | "inside" | "outside";
export const FITS: readonly ResizeFit[] = ["cover", "contain", "fill", "inside", "outside"];
/** Fits that always give exactly width×height. */
export const EXACT_FITS: ReadonlySet<ResizeFit> = new Set(["cover", "contain", "fill"]);

/** A size to resize to while decoding (one sharp call: JPEG and WebP then decode at a reduced scale). */
export interface ResizeTo {
  readonly width: number;
  readonly height: number;
  /** Default "fill" (see image.resize). */
  readonly fit?: ResizeFit;
}

export const CHANNELS: Readonly<Record<ImageMode, 1 | 2 | 3 | 4>> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };
const MODE_OF_CHANNELS: readonly ImageMode[] = ["L", "LA", "RGB", "RGBA"];

/** The mode with `channels` samples per pixel (1 to 4). */
export function modeOf(channels: number): ImageMode {
  return MODE_OF_CHANNELS[channels - 1]!;
}

/** Decoded pixels of one image: row-major, channels interleaved, `width × height × channels` bytes. */
export interface Pixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
}

/** Parameters of the tessera.image extension. Width and height are set when every image has that size. */
export interface ImageParams {
  readonly format?: string;
  readonly decoded?: boolean;
  readonly mode?: ImageMode;
  readonly width?: number;
  readonly height?: number;
}

/** Field metadata of an image column with these parameters (undefined ones left out). */
export function imageMetadata(params: ImageParams): ReadonlyMap<string, string> {
  const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  return extensionMetadata(IMAGE_EXTENSION, clean);
}

/** The Struct of decoded images: `data` (pixels), `width`, `height`, `channels`, `mode`. */
export function decodedStruct(): A.Struct {
  return new A.Struct([
    new A.Field("data", new A.Binary(), true),
    new A.Field("width", new A.Uint32(), true),
    new A.Field("height", new A.Uint32(), true),
    new A.Field("channels", new A.Uint8(), true),
    new A.Field("mode", new A.Utf8(), true),
  ]);
}

/**
 * The decoded-image type, registered with its metadata (as `DataType.image` is) so a UDF or cast declared with it
 * gives its column the tessera.image {decoded: true, mode?} extension.
 * @example udf(fn, { returnType: decodedImageType("RGB") })
 */
export function decodedImageType(mode?: ImageMode): A.DataType {
  return withTypeMetadata(decodedStruct(), imageMetadata({ decoded: true, mode }));
}

/** What a function argument holds, as far as the plan knows. */
export type ImageArgKind =
  | { readonly kind: "encoded"; readonly params: ImageParams }
  | { readonly kind: "decoded"; readonly params: ImageParams };

const DECODED_FIELDS = ["data", "width", "height", "channels", "mode"];

/** Whether `type` has the decoded-image struct's fields (metadata may have been lost on the way). */
export function isDecodedStruct(type: A.DataType): boolean {
  if (type.typeId !== A.Type.Struct) return false;
  const names = (type as A.Struct).children.map((f) => f.name);
  return DECODED_FIELDS.every((n) => names.includes(n));
}

/**
 * Classifies an argument: any Binary column is taken as encoded images (a Parquet column of bytes need not carry
 * metadata), a Struct with the decoded fields as decoded images. Undefined for anything else.
 */
export function imageArgKind(arg: ArgInfo): ImageArgKind | undefined {
  const ext = readExtension(arg.metadata);
  const params = (ext?.name === IMAGE_EXTENSION ? ext.params : {}) as ImageParams;
  if (arg.type.typeId === A.Type.Binary || arg.type.typeId === A.Type.LargeBinary) return { kind: "encoded", params };
  if (isDecodedStruct(arg.type)) return { kind: "decoded", params };
  return undefined;
}
