// Growing typed arrays: the one amortised-doubling copy that builders and aggregate state all need.

type TypedArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** `a`, or a copy at least `size` long (doubling, so growth is amortised); new slots hold `fill` (numeric arrays). */
export function grown<T extends TypedArray>(a: T, size: number, fill = 0): T {
  if (size <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  (next as Uint8Array).set(a as Uint8Array);
  if (fill !== 0) (next as Uint8Array).fill(fill, a.length);
  return next;
}
