// Generates Fashion-MNIST-shaped stand-in images when the real data set is absent: 28×28 grayscale, one of ten
// "classes" each drawn as a different silhouette, with texture so PNG sizes land near the real ones (~300–800 B).

import { seededRandom } from "../random.js";

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** Ten silhouettes, one per label: each says whether pixel (x, y) in [-1, 1]² is inside the garment. */
const SHAPES: readonly ((x: number, y: number) => boolean)[] = [
  (x, y) => Math.abs(x) < 0.6 && Math.abs(y) < 0.8, // t-shirt body
  (x, y) => Math.abs(x) < 0.25 + 0.1 * y && y > -0.9 && Math.abs(x) > 0.03, // trouser legs
  (x, y) => Math.abs(x) < 0.7 - 0.2 * Math.abs(y) && Math.abs(y) < 0.85, // pullover
  (x, y) => Math.abs(x) < 0.2 + 0.45 * (y + 1) * 0.5 && Math.abs(y) < 0.9, // dress
  (x, y) => Math.abs(x) < 0.75 && Math.abs(y) < 0.9 && !(Math.abs(x) < 0.05 && y > -0.6), // coat
  (x, y) => y > 0.1 && y < 0.55 && Math.abs(x) < 0.9, // sandal
  (x, y) => Math.abs(x) < 0.65 && Math.abs(y) < 0.75 && x * y > -0.3, // shirt
  (x, y) => y > -0.1 && y < 0.6 && x > -0.9 && x < 0.8 - 0.4 * y, // sneaker
  (x, y) => x * x * 0.8 + y * y < 0.55 && y > -0.6, // bag
  (x, y) => y > -0.8 && y < 0.6 && x > -0.7 && x < 0.2 + 0.6 * (y + 0.8), // ankle boot
];

/** Fills `out` (PIXELS bytes) with one image of class `label`; jitter, shading and noise come from `next`. */
function drawImage(label: number, next: () => number, out: Uint8Array): void {
  const inside = SHAPES[label % SHAPES.length]!;
  const scale = 0.85 + 0.25 * next();
  const dx = (next() - 0.5) * 0.2;
  const dy = (next() - 0.5) * 0.2;
  const base = 120 + 100 * next();
  const stripes = 2 + Math.floor(next() * 6);
  for (let py = 0; py < SIDE; py++) {
    for (let px = 0; px < SIDE; px++) {
      const x = ((px + 0.5) / SIDE) * 2 - 1;
      const y = ((py + 0.5) / SIDE) * 2 - 1;
      if (!inside((x - dx) / scale, (y - dy) / scale)) {
        out[py * SIDE + px] = 0;
        continue;
      }
      // Shading plus a stripe pattern and grain: flat fills would compress far below real images.
      const shade = base + 30 * Math.sin((py * stripes) / 5) - 20 * y;
      out[py * SIDE + px] = Math.max(1, Math.min(255, Math.round(shade + (next() - 0.5) * 60)));
    }
  }
}

/** `count` stand-in images (row-major, PIXELS bytes each) and their labels, deterministic for a seed. */
export function standInImages(count: number, seed = 7): { pixels: Uint8Array; labels: Uint8Array } {
  const next = seededRandom(seed);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = Math.floor(next() * 10);
    drawImage(labels[i]!, next, pixels.subarray(i * PIXELS, (i + 1) * PIXELS));
  }
  return { pixels, labels };
}
