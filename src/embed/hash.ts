// The stable string hash of the hashed-feature embedders: 32-bit FNV-1a over UTF-8 bytes, then murmur3's fmix32
// finaliser. FNV-1a alone mixes its low bits poorly, and the bucket is taken from the low bits, the sign from the
// top one; the finaliser makes both depend on every input byte. Changing this changes every stored embedding, so
// descriptors name it ("fnv1a32-fmix") and a new hash must get a new name.
//
// The incremental form (fnvStart, fnvCodePoint, fnvFinish) hashes a feature from pieces — a prefix, then code
// points of the text — without building the feature string or its UTF-8 bytes; it equals hash32 of the whole.

/** The name descriptors record for this hash. */
export const HASH_NAME = "fnv1a32-fmix";

const OFFSET = 0x811c9dc5;
const PRIME = 0x01000193;

/** The state before any byte. */
export function fnvStart(): number {
  return OFFSET;
}

function byte(h: number, b: number): number {
  return Math.imul(h ^ b, PRIME);
}

/** The state after the UTF-8 bytes of one code point. */
export function fnvCodePoint(h: number, cp: number): number {
  if (cp < 0x80) return byte(h, cp);
  if (cp < 0x800) return byte(byte(h, 0xc0 | (cp >> 6)), 0x80 | (cp & 0x3f));
  if (cp < 0x10000) return byte(byte(byte(h, 0xe0 | (cp >> 12)), 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
  return byte(byte(byte(byte(h, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f)), 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
}

/** The state after every code point of `text` (lone surrogates hash as U+FFFD, as TextEncoder writes them). */
export function fnvString(h: number, text: string): number {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    h = fnvCodePoint(h, cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
  }
  return h;
}

/** murmur3's final avalanche: every output bit depends on every input bit. Returns an unsigned 32-bit hash. */
export function fnvFinish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit unsigned hash of `text` (its UTF-8 bytes), the same on every platform and run.
 * @example hash32("abc") // 482950588
 */
export function hash32(text: string): number {
  return fnvFinish(fnvString(fnvStart(), text));
}
