// Seeded randomness for benchmarks: the same seed gives the same images and the same take offsets on every run,
// so figures from two runs (or two machines) compare the same work.

/** A mulberry32 generator: returns floats in [0, 1). Small, fast and good enough for test data. */
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

/** `count` distinct row offsets in [0, numRows), in random (unsorted) order, as a reader would be asked. */
export function sampleOffsets(numRows: number, count: number, seed: number): number[] {
  if (count > numRows) throw new RangeError(`cannot sample ${count} distinct rows from ${numRows}`);
  const next = seededRandom(seed);
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < count) {
    const row = Math.floor(next() * numRows);
    if (!seen.has(row)) {
      seen.add(row);
      out.push(row);
    }
  }
  return out;
}
