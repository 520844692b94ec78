// Bit-packing round trips for every width, through the specialised byte-aligned loops and the generic one.

import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { MAX_PACKED_BITS, packBits, packedAt, unpackBits } from "../../../format/file/encodings/bitpack.js";

it("unpacks what was packed, at every width and length, with a base added", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_PACKED_BITS }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: -1000, max: 1000 }), fc.nat(), (w, n, base, seed) => {
      let s = seed;
      const values = Uint32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) & ((1 << w) - 1 || 0));
      const packed = new Uint8Array(Math.ceil((n * w) / 8));
      packBits(values, n, w, packed);
      const out = new Int32Array(n);
      unpackBits(packed, n, w, out, base);
      assert.deepEqual([...out], [...values].map((v) => v + base));
      for (let i = 0; i < n; i += 7) assert.equal(packedAt(packed, i, w), values[i]);
    }),
    { seed: 42, numRuns: 400 },
  );
});
