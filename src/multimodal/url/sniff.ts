// A file extension from the first bytes of a value (magic numbers), for the names url.upload gives its objects.
// Only formats with a distinctive signature are named; anything else gets no extension rather than a guess.

/** A signature: bytes expected at an offset (null matches any byte). */
interface Magic {
  readonly ext: string;
  readonly at: number;
  readonly bytes: readonly (number | null)[];
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

// Order matters where one signature is a prefix of another's container (RIFF holds both WebP and WAV).
const MAGICS: readonly Magic[] = [
  { ext: ".png", at: 0, bytes: [0x89, ...ascii("PNG\r\n"), 0x1a, 0x0a] },
  { ext: ".jpg", at: 0, bytes: [0xff, 0xd8, 0xff] },
  { ext: ".gif", at: 0, bytes: ascii("GIF8") },
  { ext: ".webp", at: 0, bytes: [...ascii("RIFF"), null, null, null, null, ...ascii("WEBP")] },
  { ext: ".wav", at: 0, bytes: [...ascii("RIFF"), null, null, null, null, ...ascii("WAVE")] },
  { ext: ".avi", at: 0, bytes: [...ascii("RIFF"), null, null, null, null, ...ascii("AVI ")] },
  // "BM", the file size, then four reserved zero bytes: "BM" alone starts too much text.
  { ext: ".bmp", at: 0, bytes: [...ascii("BM"), null, null, null, null, 0, 0, 0, 0] },
  { ext: ".tiff", at: 0, bytes: [0x49, 0x49, 0x2a, 0x00] },
  { ext: ".tiff", at: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { ext: ".ico", at: 0, bytes: [0x00, 0x00, 0x01, 0x00] },
  { ext: ".avif", at: 4, bytes: ascii("ftypavif") },
  { ext: ".heic", at: 4, bytes: ascii("ftypheic") },
  { ext: ".mov", at: 4, bytes: ascii("ftypqt  ") },
  { ext: ".mp4", at: 4, bytes: ascii("ftyp") },
  { ext: ".pdf", at: 0, bytes: ascii("%PDF-") },
  { ext: ".flac", at: 0, bytes: ascii("fLaC") },
  { ext: ".ogg", at: 0, bytes: ascii("OggS") },
  { ext: ".mp3", at: 0, bytes: ascii("ID3") },
  { ext: ".webm", at: 0, bytes: [0x1a, 0x45, 0xdf, 0xa3] },
  { ext: ".parquet", at: 0, bytes: ascii("PAR1") },
  { ext: ".gz", at: 0, bytes: [0x1f, 0x8b] },
  { ext: ".zst", at: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { ext: ".zip", at: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { ext: ".npy", at: 0, bytes: [0x93, ...ascii("NUMPY")] },
];

/**
 * The extension (with its dot) of the format `bytes` start with, or "" when none is recognised.
 * @example sniffExtension(pngBytes) // ".png"
 */
export function sniffExtension(bytes: Uint8Array): string {
  for (const m of MAGICS) {
    if (bytes.length < m.at + m.bytes.length) continue;
    if (m.bytes.every((b, i) => b === null || bytes[m.at + i] === b)) return m.ext;
  }
  return "";
}
