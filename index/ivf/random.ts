// Seeded randomness for index training: the same seed picks the same sample and the same initial centroids, so an
// index built twice from the same data is byte-identical.

/** A mulberry32 generator returning floats in [0, 1). Small and fast; statistical quality is ample for sampling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct integers of [0, n), chosen uniformly, in ascending order (so gathers read memory forwards). */
export function sampleIndices(n: number, count: number, random: () => number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  // Partial Fisher–Yates: the first `count` slots end up a uniform sample without replacement.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = all[i]!;
    all[i] = all[j]!;
    all[j] = t;
  }
  return all.subarray(0, count).sort();
}

/**
 * Moves a uniform random sample of `count` of the `rows` rows (of `width` floats) to the front, in random order:
 * the first `count` steps of a Fisher–Yates shuffle.
 */
export function shufflePrefix(data: Float32Array, rows: number, width: number, count: number, random: () => number): void {
  const tmp = new Float32Array(width);
  for (let i = 0; i < Math.min(count, rows - 1); i++) {
    const j = i + Math.floor(random() * (rows - i));
    if (j === i) continue;
    tmp.set(data.subarray(i * width, (i + 1) * width));
    data.copyWithin(i * width, j * width, (j + 1) * width);
    data.set(tmp, j * width);
  }
}
