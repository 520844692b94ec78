// A generated handwritten-digits stand-in for MNIST, needing no download and no installed fonts: digit glyphs drawn
// as SVG strokes in six hand-made styles, randomly sized, rotated, slanted, shifted and noised, rendered with sharp.

import sharp from "sharp";
import type { ImageSet } from "./fashion-mnist.js";
import { PIXELS, SIDE } from "./mnist-features.js";
import { mulberry32 } from "./random.js";

/** Digits per rendered sheet: one sharp call draws a grid of cells, which are then cut apart. */
const SHEET_COLUMNS = 32;
const SHEET_ROWS = 16;

/**
 * Glyph skeletons in a 10 × 16 box (y down), two drawings per digit: `round` with curves, `angular` with straight
 * segments only. Styles pick one and stroke it differently.
 */
const ROUND: readonly string[] = [
  "M5,1 C9,1 10,5 10,8 C10,11 9,15 5,15 C1,15 0,11 0,8 C0,5 1,1 5,1 Z",
  "M2.5,4 L6,1 L6,15",
  "M1,4 C1,0.5 9,0 9,4.5 C9,8 1.5,11 0.5,15 L9.5,15",
  "M1,2 C3,0 9,0 9,4 C9,7 6,7.5 4,7.5 C7,7.5 9.5,9 9.5,11.5 C9.5,15.5 2,16 0.5,13.5",
  "M7,15 L7,1 L0.5,10.5 L10,10.5",
  "M9,1 L2,1 L1.2,7 C3,5.5 9.5,5.5 9.5,10.5 C9.5,15.5 2.5,16 0.5,13",
  "M8.5,1.5 C4,0 0.5,4 0.5,10 C0.5,14 3,15 5,15 C8,15 9.5,13 9.5,10.5 C9.5,7.5 7,6.5 5,6.5 C3,6.5 1,8 0.6,10",
  "M0.5,1 L9.5,1 L3.5,15",
  "M5,7.5 C1,7.5 1,1 5,1 C9,1 9,7.5 5,7.5 C0,7.5 0,15 5,15 C10,15 10,7.5 5,7.5 Z",
  "M9.4,6 C9,9 1,9 0.6,5 C0.6,1 9.5,0 9.4,5 L9.4,8 C9.4,12 7,15 2,14.5",
];
const ANGULAR: readonly string[] = [
  "M2,1 L8,1 L10,4 L10,12 L8,15 L2,15 L0,12 L0,4 Z",
  "M2.5,4 L6,1 L6,15",
  "M0.5,3 L2.5,1 L8,1 L9.5,3 L9.5,6 L0.5,15 L9.5,15",
  "M0.5,1 L9.5,1 L4.5,7 L7.5,7 L9.5,9 L9.5,13 L7.5,15 L2,15 L0.5,13.5",
  "M7,15 L7,1 L0.5,10.5 L10,10.5",
  "M9,1 L1.5,1 L1,7 L7.5,7 L9.5,9 L9.5,13 L7.5,15 L0.5,15",
  "M8,1 L3,1 L0.5,5 L0.5,13 L2.5,15 L7.5,15 L9.5,13 L9.5,9.5 L7.5,7.5 L0.5,7.5",
  "M0.5,1 L9.5,1 L3.5,15",
  "M1.5,1 L8.5,1 L8.5,7.5 L1.5,7.5 Z M1,7.5 L9,7.5 L9,15 L1,15 Z",
  "M9.5,7.5 L0.5,7.5 L0.5,1 L9.5,1 L9.5,15 L2,15",
];
/** Little strokes that serif-ish styles add at the ends of some digits. */
const SERIFS: Readonly<Record<number, string>> = {
  1: "M3,15 L9,15",
  2: "M9.5,13.5 L9.5,15",
  4: "M5,15 L9,15",
  5: "M9,1 L9,2.5",
  7: "M0.5,1 L0.5,2.8 M2.5,8 L7,8",
};

/** A hand-made "font": which skeleton, how thick, how slanted, what line caps, whether serifs. */
interface Style {
  readonly name: string;
  readonly glyphs: readonly string[];
  readonly width: number;
  readonly slant: number;
  readonly cap: "round" | "square" | "butt";
  readonly serifs: boolean;
  /** Horizontal squeeze (condensed styles). */
  readonly squeeze: number;
}

/** The six styles digits are drawn in. */
export const DIGIT_STYLES: readonly Style[] = [
  { name: "sans", glyphs: ROUND, width: 1.6, slant: 0, cap: "round", serifs: false, squeeze: 1 },
  { name: "bold", glyphs: ROUND, width: 2.6, slant: 0, cap: "round", serifs: false, squeeze: 1 },
  { name: "italic", glyphs: ROUND, width: 1.5, slant: -14, cap: "round", serifs: false, squeeze: 0.9 },
  { name: "serif", glyphs: ROUND, width: 1.2, slant: 0, cap: "butt", serifs: true, squeeze: 1 },
  { name: "angular", glyphs: ANGULAR, width: 1.8, slant: 0, cap: "square", serifs: false, squeeze: 1 },
  { name: "condensed", glyphs: ANGULAR, width: 1.4, slant: -6, cap: "butt", serifs: true, squeeze: 0.7 },
];

/** Options of `generateDigits`. */
export interface DigitsOptions {
  /** Seed of every random choice: the same seed and count give the same images, byte for byte. Default 1. */
  seed?: number;
}

/** One digit's random drawing parameters. */
interface Drawing {
  label: number;
  style: Style;
  /** Glyph height in pixels. */
  height: number;
  rotate: number;
  dx: number;
  dy: number;
  ink: number;
  widthScale: number;
  noise: number;
}

/**
 * `count` 28×28 grayscale digits (white ink on black, like MNIST) with labels 0–9 in a seeded random order.
 * @example const { pixels, labels } = await generateDigits(1000, { seed: 7 });
 */
export async function generateDigits(count: number, options: DigitsOptions = {}): Promise<ImageSet> {
  const random = mulberry32(options.seed ?? 1);
  const drawings = Array.from({ length: count }, () => drawing(random));
  const pixels = new Uint8Array(count * PIXELS);
  const perSheet = SHEET_COLUMNS * SHEET_ROWS;
  const sheets: Promise<void>[] = [];
  for (let start = 0; start < count; start += perSheet) {
    const part = drawings.slice(start, start + perSheet);
    sheets.push(renderSheet(part).then((sheet) => cutCells(sheet, part.length, pixels, start)));
  }
  await Promise.all(sheets);
  // Noise after rendering, in drawing order, so it is seeded like everything else.
  for (let i = 0; i < count; i++) addNoise(pixels, i * PIXELS, drawings[i]!.noise, random);
  return { pixels, labels: Uint8Array.from(drawings, (d) => d.label), rows: count };
}

function drawing(random: () => number): Drawing {
  const between = (lo: number, hi: number): number => lo + (hi - lo) * random();
  return {
    label: Math.floor(random() * 10),
    style: DIGIT_STYLES[Math.floor(random() * DIGIT_STYLES.length)]!,
    height: between(15, 22),
    rotate: between(-14, 14),
    dx: between(-2.5, 2.5),
    dy: between(-2, 2),
    ink: Math.round(between(170, 255)),
    widthScale: between(0.75, 1.3),
    noise: random() < 0.5 ? between(0, 18) : 0,
  };
}

/** One SVG of a grid of cells, each digit clipped to its own 28×28 cell. */
function sheetSvg(part: readonly Drawing[]): string {
  const cells = part.map((d, i) => {
    const x = (i % SHEET_COLUMNS) * SIDE;
    const y = Math.floor(i / SHEET_COLUMNS) * SIDE;
    const s = d.height / 16; // glyph units to pixels
    const style = d.style;
    const path = style.glyphs[d.label]! + (style.serifs ? ` ${SERIFS[d.label] ?? ""}` : "");
    // Glyph centre (5, 8) to the cell centre, then rotate, slant and scale about it.
    const transform = `translate(${x + 14 + d.dx} ${y + 14 + d.dy}) rotate(${d.rotate.toFixed(2)}) skewX(${style.slant}) scale(${(s * style.squeeze).toFixed(3)} ${s.toFixed(3)}) translate(-5 -8)`;
    const stroke = `stroke="rgb(${d.ink},${d.ink},${d.ink})" stroke-width="${((style.width * d.widthScale) / s).toFixed(3)}" stroke-linecap="${style.cap}" stroke-linejoin="${style.cap === "round" ? "round" : "miter"}"`;
    return `<g clip-path="url(#c${i})"><path transform="${transform}" d="${path}" fill="none" ${stroke}/></g>`;
  });
  const clips = part.map((_, i) => `<clipPath id="c${i}"><rect x="${(i % SHEET_COLUMNS) * SIDE}" y="${Math.floor(i / SHEET_COLUMNS) * SIDE}" width="${SIDE}" height="${SIDE}"/></clipPath>`);
  const w = SHEET_COLUMNS * SIDE;
  const h = SHEET_ROWS * SIDE;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs>${clips.join("")}</defs><rect width="${w}" height="${h}" fill="black"/>${cells.join("")}</svg>`;
}

async function renderSheet(part: readonly Drawing[]): Promise<Uint8Array> {
  const { data } = await sharp(Buffer.from(sheetSvg(part))).greyscale().raw().toBuffer({ resolveWithObject: true });
  return data;
}

/** Copies each cell of a rendered sheet (one byte per pixel) into `pixels` from image `start` on. */
function cutCells(sheet: Uint8Array, count: number, pixels: Uint8Array, start: number): void {
  const stride = SHEET_COLUMNS * SIDE;
  const channels = sheet.length / (stride * SHEET_ROWS * SIDE);
  for (let i = 0; i < count; i++) {
    const x0 = (i % SHEET_COLUMNS) * SIDE;
    const y0 = Math.floor(i / SHEET_COLUMNS) * SIDE;
    const out = (start + i) * PIXELS;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) pixels[out + y * SIDE + x] = sheet[((y0 + y) * stride + x0 + x) * channels]!;
    }
  }
}

/** Gaussian-ish noise (sum of three uniforms) of standard deviation ≈ `sigma`, plus a few specks when noisy. */
function addNoise(pixels: Uint8Array, at: number, sigma: number, random: () => number): void {
  if (sigma <= 0) return;
  for (let i = at; i < at + PIXELS; i++) {
    const n = (random() + random() + random() - 1.5) * 2 * sigma;
    pixels[i] = Math.max(0, Math.min(255, Math.round(pixels[i]! + n)));
  }
  const specks = Math.floor(random() * 4);
  for (let k = 0; k < specks; k++) pixels[at + Math.floor(random() * PIXELS)] = 128 + Math.floor(random() * 128);
}
