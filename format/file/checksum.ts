// CRC-32 (zlib's, native) of a unit of the file. Units are seeded with their index so that bytes read from the
// wrong place (a corrupt offset pointing at another, intact unit) still fail the check.

import { crc32 } from "node:zlib";

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of the 4 little-endian bytes of `index`, in JS: cheaper than a second native call per unit. */
function seedCrc(index: number): number {
  let c = 0xffffffff;
  for (let k = 0; k < 4; k++) c = TABLE[(c ^ (index >>> (8 * k))) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-32 of `bytes`, seeded with `index`. */
export function unitCrc(bytes: Uint8Array, index: number): number {
  const seed = seedCrc(index >>> 0);
  // zlib.crc32 answers 0 for an empty view over an empty ArrayBuffer instead of passing the seed through.
  return (bytes.byteLength === 0 ? seed : crc32(bytes, seed)) >>> 0;
}

/** Plain CRC-32 (the footer). */
export function plainCrc(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}
