// The thumbnail image embedder: each image decoded, resized to size × size (grey or RGB), its pixels L2-normalised;
// optionally projected onto principal components fitted on the data (fit()), which shrinks the vector and keeps
// the directions along which the collection's images actually differ.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../format/errors.js";
import type { Embedder, EmbedderDescriptor } from "./embedder.js";
import { fitPca, pcaFromJson, pcaToJson, projectPca, type PcaJson, type PcaProjection } from "./pca.js";
import { mapImages, type Pixels } from "./pixels.js";
import { l2Normalize } from "./vectors.js";

/** Options of `embedders.image`. */
export interface ImageEmbedderOptions {
  /** Thumbnail side in pixels. Default 16 (256 values in "L", 768 in "RGB"). */
  size?: number;
  /** "L" (grey, one channel) or "RGB". Default "L". */
  mode?: "L" | "RGB";
  /**
   * Project onto `dimension` principal components fitted on `sample` images of the data (default 1 024): call
   * `fit(data)` before embedding. The projection is stored in the descriptor (dimension × size² × channels float32
   * values, base64), so keep thumbnails small when the projection is large.
   */
  pca?: { dimension: number; sample?: number };
}

/** What `fit` reads: a DataFrame or other stream of record batches, a vector or array of encoded images, or thumbnails. */
export type ImageFitInput = AsyncIterable<A.RecordBatch> | A.Vector | readonly (Uint8Array | null)[] | readonly Float32Array[];

/** Options of `fit`. */
export interface ImageFitOptions {
  /** The image column of a stream of batches. Default: its only binary column. */
  column?: string;
}

interface Resolved {
  size: number;
  mode: "L" | "RGB";
  pca?: { dimension: number; sample: number };
}

function resolve(options: ImageEmbedderOptions): Resolved {
  const size = options.size ?? 16;
  const mode = options.mode ?? "L";
  if (!Number.isInteger(size) || size < 1 || size > 1024) throw new InvalidArgumentError(`embedders.image: size must be an integer from 1 to 1024, got ${size}`);
  if (mode !== "L" && mode !== "RGB") throw new InvalidArgumentError(`embedders.image: mode must be "L" or "RGB", got ${JSON.stringify(mode)}`);
  if (options.pca === undefined) return { size, mode };
  const inputs = size * size * (mode === "L" ? 1 : 3);
  const { dimension, sample = 1024 } = options.pca;
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > inputs) {
    throw new InvalidArgumentError(`embedders.image: pca.dimension must be an integer from 1 to ${inputs} (size² × channels), got ${dimension}`);
  }
  if (!Number.isInteger(sample) || sample < 2) throw new InvalidArgumentError(`embedders.image: pca.sample must be an integer ≥ 2, got ${sample}`);
  return { size, mode, pca: { dimension, sample } };
}

/**
 * Normalised thumbnail pixels of encoded images.
 * @example col("image").embed(embedders.image({ size: 16, mode: "L" }))
 */
export class ImageEmbedder implements Embedder {
  readonly accepts = "image" as const;
  readonly name: string;
  readonly dimension: number;
  readonly descriptor: EmbedderDescriptor;
  private readonly options: Resolved;

  constructor(
    options: ImageEmbedderOptions = {},
    /** The fitted projection (when options.pca is set). */
    readonly projection?: PcaProjection,
  ) {
    this.options = resolve(options);
    const { size, mode, pca } = this.options;
    if (projection !== undefined && (pca === undefined || projection.dimension !== pca.dimension || projection.inputDimension !== this.rawDimension)) {
      throw new InvalidArgumentError(`embedders.image: a PCA projection of ${projection.inputDimension} → ${projection.dimension} does not fit these options`);
    }
    this.dimension = pca?.dimension ?? this.rawDimension;
    this.name = `image-${size}x${size}-${mode}${pca ? `-pca${pca.dimension}` : ""}`;
    const pcaJson: { dimension: number; sample: number; projection?: PcaJson } | undefined =
      pca === undefined ? undefined : projection === undefined ? { ...pca } : { ...pca, projection: pcaToJson(projection) };
    this.descriptor = Object.freeze({ kind: "image", options: Object.freeze({ size, mode, ...(pcaJson ? { pca: pcaJson } : {}) }) });
  }

  /** Rebuilds from descriptor options (see registry.ts). */
  static fromOptions(options: Readonly<Record<string, unknown>>): ImageEmbedder {
    const pca = options.pca as { dimension: number; sample?: number; projection?: PcaJson } | undefined;
    const base: ImageEmbedderOptions = { size: options.size as number, mode: options.mode as "L" | "RGB" };
    if (pca === undefined) return new ImageEmbedder(base);
    const withPca = { ...base, pca: { dimension: pca.dimension, ...(pca.sample !== undefined ? { sample: pca.sample } : {}) } };
    return new ImageEmbedder(withPca, pca.projection === undefined ? undefined : pcaFromJson(pca.projection));
  }

  /** Values of a thumbnail before any projection: size² × channels. */
  get rawDimension(): number {
    return this.options.size * this.options.size * (this.options.mode === "L" ? 1 : 3);
  }

  /** Whether embed() can run: no PCA asked for, or fitted. */
  get fitted(): boolean {
    return this.options.pca === undefined || this.projection !== undefined;
  }

  async embed(batch: A.Vector): Promise<(Float32Array | null)[]> {
    if (!this.fitted) {
      throw new InvalidArgumentError(`embedder ${this.name} has PCA options but no projection yet: use (await embedder.fit(data)) to fit it first`);
    }
    const thumbs = await this.thumbnails(batch);
    const p = this.projection;
    return p === undefined ? thumbs : thumbs.map((t) => (t === null ? null : l2Normalize(projectPca(p, t))));
  }

  /** L2-normalised thumbnails (no projection) of a batch of encoded images. */
  thumbnails(batch: A.Vector): Promise<(Float32Array | null)[]> {
    const { size, mode } = this.options;
    return mapImages(batch, { width: size, height: size, mode }, `embedder ${this.name}`, thumbnail);
  }

  /**
   * A copy with its PCA fitted on up to `pca.sample` images of `data` (the first ones, so fits are reproducible).
   * @example const e = await embedders.image({ size: 16, pca: { dimension: 32 } }).fit(df.select("image"))
   */
  async fit(data: ImageFitInput, options: ImageFitOptions = {}): Promise<ImageEmbedder> {
    const pca = this.options.pca;
    if (pca === undefined) throw new InvalidArgumentError(`embedder ${this.name} has no pca option; there is nothing to fit`);
    const samples = await this.samples(data, pca.sample, options);
    const projection = fitPca(samples, Math.min(pca.dimension, samples.length));
    if (projection.dimension !== pca.dimension) {
      throw new InvalidArgumentError(`embedder ${this.name}: fitting ${pca.dimension} components needs at least ${pca.dimension} images, got ${samples.length}`);
    }
    const { size, mode } = this.options;
    return new ImageEmbedder({ size, mode, pca }, projection);
  }

  private async samples(data: ImageFitInput, limit: number, options: ImageFitOptions): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    if (Array.isArray(data) && data.some((x) => x instanceof Float32Array)) {
      for (const v of data as readonly Float32Array[]) {
        if (v.length !== this.rawDimension) throw new InvalidArgumentError(`embedder ${this.name}: thumbnails have ${this.rawDimension} values, got ${v.length}`);
        if (out.length < limit) out.push(v);
      }
      return out;
    }
    const take = async (images: A.Vector): Promise<void> => {
      // In chunks, so no more images are decoded than the sample needs.
      for (let at = 0; at < images.length && out.length < limit; at += 256) {
        for (const t of await this.thumbnails(images.slice(at, at + 256))) if (t !== null && out.length < limit) out.push(t);
      }
    };
    if (data instanceof A.Vector) await take(data);
    else if (Array.isArray(data)) {
      const images = (data as readonly (Uint8Array | null)[]).filter((x): x is Uint8Array => x !== null).slice(0, limit);
      await take(A.vectorFromArray(images, new A.Binary()));
    } else {
      for await (const b of data as AsyncIterable<A.RecordBatch>) {
        await take(imageColumn(b, options.column, this.name));
        if (out.length >= limit) break; // ends the scan
      }
    }
    return out;
  }

  /** The embedder's name in explain() instead of its fields. */
  toJSON(): string {
    return this.name;
  }
}

function thumbnail(p: Pixels): Float32Array {
  const v = new Float32Array(p.data.length);
  for (let i = 0; i < v.length; i++) v[i] = p.data[i]! / 255;
  return l2Normalize(v);
}

/** The image column of a batch: the named one, or its only binary column. */
function imageColumn(b: A.RecordBatch, column: string | undefined, who: string): A.Vector {
  const fields = b.schema.fields;
  const name = column ?? (fields.filter((f) => A.DataType.isBinary(f.type) || f.type.typeId === A.Type.LargeBinary).map((f) => f.name).at(0) ?? "");
  const v = name === "" ? null : b.getChild(name);
  if (v === null) {
    throw new InvalidArgumentError(`embedder ${who}: fit needs an image column; pass { column } (columns: ${fields.map((f) => f.name).join(", ")})`, {
      column: name,
    });
  }
  return v;
}
