// `col(...).image.*`: image functions (evaluated by src/multimodal/image; see docs/api/multimodal.md).

import type { Expr, ExprLike } from "../expr.js";
import type {
  DecodeOptions,
  EncodeOptions,
  FormatOptions,
  HashOptions,
  ImageFormat,
  ImageMode,
  ReshapeOptions,
  ResizeOptions,
  SizeOptions,
  ToModeOptions,
  ToTensorOptions,
} from "../../multimodal/image/index.js";
import { fnExpr } from "./fn.js";

export type {
  DecodeOptions,
  EncodeOptions,
  FormatOptions,
  HashOptions,
  ImageFormat,
  ImageMode,
  ReshapeOptions,
  ResizeFit,
  ResizeOptions,
  ResizeTo,
  SizeOptions,
  ToModeOptions,
  ToTensorOptions,
} from "../../multimodal/image/index.js";

/**
 * Image functions of an expression holding encoded images (binary, e.g. from readImages) or decoded images (from
 * `decode()`). Null in, null out; rows that are not readable images fail naming the row unless `onError: "null"`.
 */
export class ImageNamespace {
  constructor(protected readonly e: Expr) {}

  /**
   * Pixels: a struct { data, width, height, channels, mode } in `mode` (default: each image's own).
   * @example col("image").image.decode({ mode: "RGB" })
   */
  decode(options: DecodeOptions = {}): Expr {
    return fnExpr("image.decode", this.e, [], { ...options });
  }
  /**
   * Encoded bytes in `format` (decoded images, or encoded ones in another format).
   * @example col("pixels").image.encode("jpeg", { quality: 90 })
   */
  encode(format: ImageFormat, options: EncodeOptions = {}): Expr {
    return fnExpr("image.encode", this.e, [], { ...options, format });
  }
  /**
   * Resized to width×height (`fit` "fill" by default); encoded images stay encoded in their format.
   * @example col("image").image.resize(224, 224, { fit: "cover" })
   */
  resize(width: number, height: number, options: ResizeOptions = {}): Expr {
    return fnExpr("image.resize", this.e, [], { ...options, width, height });
  }
  /**
   * Fitted inside size×size keeping the aspect ratio, never enlarged.
   * @example col("image").image.thumbnail(128)
   */
  thumbnail(size: number, options: ReshapeOptions = {}): Expr {
    return fnExpr("image.thumbnail", this.e, [], { ...options, size });
  }
  /**
   * The width×height rectangle whose top-left corner is (left, top); it must lie inside each image.
   * @example col("image").image.crop(10, 10, 64, 64)
   */
  crop(left: number, top: number, width: number, height: number, options: ReshapeOptions = {}): Expr {
    return fnExpr("image.crop", this.e, [], { ...options, left, top, width, height });
  }
  /**
   * Converted to `mode` ("L", "LA", "RGB", "RGBA"); grey is ITU-R 601 luma, as PIL.
   * @example col("image").image.toMode("L")
   */
  toMode(mode: ImageMode, options: ToModeOptions = {}): Expr {
    return fnExpr("image.toMode", this.e, [], { ...options, mode });
  }
  /** Width in pixels (uint32), from the header without decoding. */
  width(options: SizeOptions = {}): Expr {
    return fnExpr("image.width", this.e, [], { ...options });
  }
  /** Height in pixels (uint32), from the header without decoding. */
  height(options: SizeOptions = {}): Expr {
    return fnExpr("image.height", this.e, [], { ...options });
  }
  /**
   * The format the magic bytes name (utf8: "png", "jpeg", "webp", "gif", ...), without decoding; encoded images only.
   * @example images.withColumn("format", col("image").image.format({ onError: "null" }))
   */
  format(options: FormatOptions = {}): Expr {
    return fnExpr("image.format", this.e, [], { ...options });
  }
  /**
   * A tensor [height, width, channels] of uint8 (or float32 in [0, 1]); every image must have the same size.
   * @example col("image").image.resize(224, 224).image.toTensor({ dtype: "float32" })
   */
  toTensor(options: ToTensorOptions = {}): Expr {
    return fnExpr("image.toTensor", this.e, [], { ...options });
  }
  /**
   * A 64-bit perceptual hash as uint64 ("difference" by default): near-duplicates differ in a few bits.
   * @example col("image").image.hash({ kind: "average" })
   */
  hash(options: HashOptions = {}): Expr {
    return fnExpr("image.hash", this.e, [], { ...options });
  }
  /**
   * Bits (int32) in which this hash differs from `other` (a hash column or a bigint).
   * @example col("hash").image.hammingDistance(col("other_hash")).lte(5)
   */
  hammingDistance(other: ExprLike): Expr {
    return fnExpr("image.hammingDistance", this.e, [other]);
  }
}
