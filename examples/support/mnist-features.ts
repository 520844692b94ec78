// The per-image arithmetic of the MNIST walkthrough — pixel mean and standard deviation, and the 60-value feature
// vector — as plain loops over a 784-byte image, shared by the walkthrough's UDFs and the benchmark's hand-written loop.

/** Side of an image, pixels per image, and values per feature vector. */
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const FEATURE_DIM = 2 * SIDE + 4;

/** Mean and population standard deviation of the 784 pixel values (0–255) at `pixels[offset ..]`. */
export function pixelStats(pixels: ArrayLike<number>, offset: number): { mean: number; std: number } {
  let sum = 0;
  let squares = 0;
  for (let i = offset; i < offset + PIXELS; i++) {
    const v = pixels[i]!;
    sum += v;
    squares += v * v;
  }
  const mean = sum / PIXELS;
  return { mean, std: Math.sqrt(Math.max(0, squares / PIXELS - mean * mean)) };
}

/**
 * Writes the feature vector of the image at `pixels[offset ..]` into `out[at .. at + 60)`: the 28 row sums and 28
 * column sums /255, the intensity centroid (cy, cx) /28 (the centre, 0.5, for a blank image), and the mean and
 * standard deviation /255. One pass, no allocation.
 */
export function imageFeatures(pixels: ArrayLike<number>, offset: number, out: Float32Array, at: number): void {
  const cols = at + SIDE;
  out.fill(0, at, at + FEATURE_DIM);
  let total = 0;
  let squares = 0;
  let ySum = 0;
  let xSum = 0;
  for (let y = 0; y < SIDE; y++) {
    let row = 0;
    const base = offset + y * SIDE;
    for (let x = 0; x < SIDE; x++) {
      const v = pixels[base + x]!;
      row += v;
      squares += v * v;
      xSum += x * v;
      out[cols + x]! += v;
    }
    out[at + y] = row / 255;
    total += row;
    ySum += y * row;
  }
  for (let x = 0; x < SIDE; x++) out[cols + x] = out[cols + x]! / 255;
  const mean = total / PIXELS;
  out[at + 2 * SIDE] = total > 0 ? ySum / total / SIDE : 0.5;
  out[at + 2 * SIDE + 1] = total > 0 ? xSum / total / SIDE : 0.5;
  out[at + 2 * SIDE + 2] = mean / 255;
  out[at + 2 * SIDE + 3] = Math.sqrt(Math.max(0, squares / PIXELS - mean * mean)) / 255;
}
