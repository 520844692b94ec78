// CRC-32 (zlib's, native) of a unit of the file. Units are seeded with their index so that bytes read from the
// wrong place (a corrupt offset pointing at another, intact unit) still fail the check.

import { crc32 } from "node:zlib";

const seedBytes = new Uint8Array(4);
const seedView = new DataView(seedBytes.buffer);

/** CRC-32 of `bytes`, seeded with `index`. */
export function unitCrc(bytes: Uint8Array, index: number): number {
  seedView.setUint32(0, index >>> 0, true);
  const seed = crc32(seedBytes);
  // zlib.crc32 answers 0 for an empty view over an empty ArrayBuffer instead of passing the seed through.
  return (bytes.byteLength === 0 ? seed : crc32(bytes, seed)) >>> 0;
}

/** Plain CRC-32 (the footer). */
export function plainCrc(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}
