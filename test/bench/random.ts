// Seeded randomness for benchmarks: the same seed gives the same images and the same take offsets on every run,
// so figures from two runs (or two machines) compare the same work.

import { seededRandom } from "../../index/ivf/random.js";

export { seededRandom };

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
