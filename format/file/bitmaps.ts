// Bit helpers for validity and boolean bitmaps (LSB-first, as Arrow stores them).

/** Bit `i` of `bits`. */
export function getBit(bits: Uint8Array, i: number): boolean {
  return ((bits[i >> 3]! >> (i & 7)) & 1) === 1;
}

export function setBit(bits: Uint8Array, i: number): void {
  bits[i >> 3]! |= 1 << (i & 7);
}

/** Copies `count` bits starting at bit `from` of `src` into `dst` starting at bit `to`. */
export function copyBits(src: Uint8Array, from: number, dst: Uint8Array, to: number, count: number): void {
  if ((from & 7) === 0 && (to & 7) === 0) {
    const whole = count >> 3;
    dst.set(src.subarray(from >> 3, (from >> 3) + whole), to >> 3);
    for (let i = whole * 8; i < count; i++) if (getBit(src, from + i)) setBit(dst, to + i);
    return;
  }
  for (let i = 0; i < count; i++) if (getBit(src, from + i)) setBit(dst, to + i);
}

/** Number of set bits among `count` bits starting at `from`. */
export function countSet(bits: Uint8Array, from: number, count: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) n += (bits[(from + i) >> 3]! >> ((from + i) & 7)) & 1;
  return n;
}

export function bitmapBytes(count: number): number {
  return (count + 7) >> 3;
}
