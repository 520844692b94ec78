// image.hash and image.hammingDistance: 64-bit perceptual hashes (phash.ts) stored as uint64, and the number of
// bits two hashes differ in, for finding near-duplicate images.

import * as A from "apache-arrow";
import { InvalidArgumentError } from "../../../format/errors.js";
import { typeName } from "../../../format/expr/types.js";
import { extensionMetadata, readExtension } from "../../expr/data-type.js";
import type { ArgInfo, ScalarFunction } from "../../expr/functions/registry.js";
import { int32Vector, readUint64, uint64Vector } from "./columns.js";
import { decodeRow } from "./codec.js";
import { defineImageFunction, type RowErrorOptions } from "./define.js";
import { hashToBigInt, perceptualHash, type HashKind } from "./phash.js";
import { mapRows } from "./run-rows.js";

/** Options of `image.hash`. */
export interface HashOptions extends RowErrorOptions {
  /** "difference" (default; dHash, steadier under brightness changes) or "average" (aHash). */
  readonly kind?: HashKind;
  /** Bits of the hash; only 64 is supported. Default 64. */
  readonly bits?: 64;
}

export const hash = defineImageFunction<HashOptions>({
  name: "image.hash",
  check: (o) => {
    if (o.kind !== undefined && o.kind !== "average" && o.kind !== "difference") {
      throw new InvalidArgumentError(`image.hash: kind must be "average" or "difference", got ${JSON.stringify(o.kind)}`);
    }
    if (o.bits !== undefined && o.bits !== 64) throw new InvalidArgumentError(`image.hash: only 64-bit hashes are supported, got bits: ${String(o.bits)}`);
  },
  returnType: () => new A.Uint64(),
  // Records the kind, so hashes of different kinds are not compared by mistake.
  returnMetadata: (_input, o) => extensionMetadata("tessera.image_hash", { kind: o.kind ?? "difference", bits: 64 }),
  async run(values, o, info) {
    const kind = o.kind ?? "difference";
    const out = await mapRows("image.hash", values, o.onError ?? "raise", info, async (v) => {
      // Grey is all the hash looks at; decoding to L lets sharp hand over one band for grey files.
      const p = v.kind === "decoded" ? v.pixels : await decodeRow(v, "L");
      return hashToBigInt(perceptualHash(p, kind));
    });
    return uint64Vector(out);
  },
});

const isHashType = (t: A.DataType): boolean => (t.typeId === A.Type.Int && (t as A.Int).bitWidth === 64) || t.typeId === A.Type.Null;

/** Bits differing between two 64-bit hashes (uint64 columns from image.hash, or int64/bigint literals); null if either is. */
export const hammingDistance: ScalarFunction = {
  name: "image.hammingDistance",
  returnType(args: readonly ArgInfo[]) {
    if (args.length !== 2) throw new InvalidArgumentError(`image.hammingDistance takes 2 arguments, got ${args.length}`);
    for (const a of args) {
      if (!isHashType(a.type)) {
        throw new InvalidArgumentError(`image.hammingDistance expects 64-bit hashes (uint64 from image.hash, or a bigint), got ${typeName(a.type)}`);
      }
    }
    const [k1, k2] = args.map((a) => readExtension(a.metadata)?.params.kind);
    if (k1 !== undefined && k2 !== undefined && k1 !== k2) {
      throw new InvalidArgumentError(`image.hammingDistance compares a ${String(k1)} hash with a ${String(k2)} hash; hash both with the same kind`);
    }
    return new A.Int32();
  },
  evaluate(args, _options, { rows }) {
    const a = readUint64(args[0]!, rows);
    const b = readUint64(args[1]!, rows);
    const out = new Array<number | null>(rows);
    for (let i = 0; i < rows; i++) {
      const x = a(i);
      const y = b(i);
      out[i] = x === null || y === null ? null : popcount64(x ^ y);
    }
    return int32Vector(out);
  },
};

/** Set bits of a 64-bit value (two 32-bit halves, SWAR popcount each). */
function popcount64(v: bigint): number {
  return popcount32(Number(v & 0xffffffffn)) + popcount32(Number(v >> 32n));
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
