// A growable little-endian byte buffer for encoders, and a cursor for decoders.

/** Appends bytes and numbers; `finish()` returns the written bytes (a view, no copy). */
export class ByteSink {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(Math.max(16, initial));
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.byteLength) return;
    let cap = this.buf.byteLength * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Pads with zeros to a multiple of `n` bytes (positions relative to the sink's start). */
  align(n = 8): void {
    const pad = (n - (this.length % n)) % n;
    if (pad > 0) this.zeros(pad);
  }

  zeros(n: number): void {
    this.reserve(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.byteLength);
    this.buf.set(b, this.length);
    this.length += b.byteLength;
  }

  /** Reserves `n` bytes and returns a view over them to fill in place. */
  claim(n: number): Uint8Array {
    this.reserve(n);
    const out = this.buf.subarray(this.length, this.length + n);
    out.fill(0);
    this.length += n;
    return out;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  /** An unsigned integer below 2^53 as 8 bytes. */
  u64(v: number): void {
    this.reserve(8);
    this.view.setUint32(this.length, v % 0x1_0000_0000, true);
    this.view.setUint32(this.length + 4, Math.floor(v / 0x1_0000_0000), true);
    this.length += 8;
  }

  setU32(pos: number, v: number): void {
    this.view.setUint32(pos, v, true);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Reads an unsigned integer below 2^53 stored as 8 little-endian bytes. */
export function readU64(view: DataView, pos: number): number {
  return view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 0x1_0000_0000;
}

/** The little-endian u32 at `pos` of `b` (no DataView: this runs once per record read). */
export function u32At(b: Uint8Array, pos: number): number {
  return (b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24)) >>> 0;
}

/** A DataView over exactly the bytes of `b`. */
export function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** `b` itself when its start is aligned to `n` bytes, otherwise an aligned copy (typed-array views need it). */
export function aligned(b: Uint8Array, n = 8): Uint8Array {
  return b.byteOffset % n === 0 ? b : b.slice();
}
