// The WebAssembly SIMD distance kernel: the functions of distance.wat over one growable memory that an Arena
// divides among vector blocks and two scratch areas (one query, the scores).
//
// Vectors are stored with a row stride rounded up to 4 floats and zero padding, which is what lets the WAT loops
// run whole v128 lanes for any dimension (zeros add nothing to a squared difference or a dot product). Cosine needs
// the norm of every row: computed once per block on its first cosine search and kept with it.
//
// Measured on 60 000 × 784 floats (2-core EPYC VM, Node 20, one thread): one query against a resident block
// ~16.5 ms (memory-bound, ~11 GB/s); loading the whole block first adds ~15 ms, but streaming it through 1 MiB
// tiles (index/flat.ts) hides the copy (~15-17 ms in all); many queries at once ~4 ms per query (compute-bound).
// Plain JS unrolled: ~45 ms. The multi-query tile size barely matters (16..1 024 rows of 784 floats within 5%), so
// a 256 KiB tile (a quarter of L2) is used.

import { InvalidArgumentError, NotSupportedError } from "../../format/errors.js";
import type { Metric } from "../distance.js";
import { Arena, type Allocation, type GrowableMemory } from "./arena.js";
import { DISTANCE_WASM_BASE64 } from "./distance-wasm.js";
import { checkBlockDim, checkRange, paddedStride, rowCount } from "./checks.js";
import type { DistanceKernel, LoadOptions, VectorBlock } from "./kernel.js";

const TILE_BYTES = 256 * 1024;

/** The part of the global `WebAssembly` namespace used here. */
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => GrowableMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  validate(bytes: Uint8Array): boolean;
}

/** The exports of distance.wat; pointers are byte offsets, strides are in floats. */
interface Exports {
  l2_1(q: number, base: number, n: number, stride: number, out: number): void;
  dot_1(q: number, base: number, n: number, stride: number, out: number): void;
  l2_m(qs: number, nq: number, base: number, n: number, stride: number, out: number, tile: number): void;
  dot_m(qs: number, nq: number, base: number, n: number, stride: number, out: number, tile: number): void;
  norms(base: number, n: number, stride: number, out: number): void;
  finish_dot(out: number, n: number): void;
  finish_cos(out: number, n: number, qnorm: number, norms: number): void;
}

let compiled: object | null | undefined; // null: this runtime has no WebAssembly SIMD

function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** The kernel's wasm bytes, decoded from the generated module. */
export function distanceWasmBytes(): Uint8Array {
  const text = atob(DISTANCE_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function compiledModule(): object | null {
  if (compiled === undefined) {
    const api = wasmApi();
    const bytes = distanceWasmBytes();
    compiled = api !== undefined && api.validate(bytes) ? new api.Module(bytes) : null;
  }
  return compiled;
}

/** True when this runtime runs WebAssembly with the SIMD extension (Node ≥ 16, current browsers). */
export function wasmSimdSupported(): boolean {
  return compiledModule() !== null;
}

class WasmBlock implements VectorBlock {
  norms: Allocation | undefined;

  constructor(
    readonly owner: WasmKernel,
    readonly n: number,
    readonly dim: number,
    readonly data: Allocation,
  ) {}

  get byteLength(): number {
    return this.data.bytes + (this.norms?.bytes ?? 0);
  }

  get disposed(): boolean {
    return !this.data.live;
  }

  dispose(): void {
    this.owner.release(this);
  }
}

/** Everything a live kernel holds; dropped on `dispose()` so the memory can be collected. */
interface State {
  arena: Arena;
  fn: Exports;
  query?: Allocation;
  out?: Allocation;
}

/** The single-query kernel call for each metric (scores are written at `out`). */
const SINGLE: Record<Metric, (fn: Exports, q: number, base: number, n: number, s: number, out: number) => void> = {
  l2: (fn, q, base, n, s, out) => fn.l2_1(q, base, n, s, out),
  dot: (fn, q, base, n, s, out) => {
    fn.dot_1(q, base, n, s, out);
    fn.finish_dot(out, n);
  },
  cosine: (fn, q, base, n, s, out) => fn.dot_1(q, base, n, s, out), // finished by the caller, which has the norms
};

/** Distance kernel on WebAssembly SIMD. @example const k = new WasmKernel(); const b = k.load(vectors, 784); */
export class WasmKernel implements DistanceKernel {
  readonly kind = "wasm-simd";
  private state: State | undefined;

  constructor() {
    const module = compiledModule();
    if (module === null) throw new NotSupportedError("this runtime lacks WebAssembly SIMD: use the JS kernel");
    const memory = new (wasmApi()!.Memory)({ initial: 1 });
    const fn = new (wasmApi()!.Instance)(module, { env: { memory } }).exports as Exports;
    this.state = { arena: new Arena(memory), fn };
  }

  get memoryBytes(): number {
    return this.state?.arena.capacity ?? 0;
  }

  get usedBytes(): number {
    return this.state?.arena.usedBytes ?? 0;
  }

  load(vectors: Float32Array, dim: number, options: LoadOptions = {}): VectorBlock {
    const { arena } = this.live();
    const n = rowCount(vectors, dim, options.rows);
    const s = paddedStride(dim);
    const data = arena.alloc(n * s * 4);
    copyRows(new Float32Array(arena.buffer, data.offset, n * s), vectors, dim, s, options.rows);
    return new WasmBlock(this, n, dim, data);
  }

  scoreOne(query: Float32Array, base: VectorBlock, metric: Metric, start = 0, end = base.n): Float32Array {
    const st = this.live();
    const b = this.own(base);
    checkBlockDim(query.length, b.dim, "query");
    checkRange(start, end, b.n);
    const s = paddedStride(b.dim);
    const count = end - start;
    // every allocation first: an allocation may compact the arena and move the others
    const q = (st.query = scratch(st.arena, st.query, (s + 4) * 4));
    const out = (st.out = scratch(st.arena, st.out, count * 4));
    if (metric === "cosine") this.ensureNorms(b);
    const qv = new Float32Array(st.arena.buffer, q.offset, s + 1);
    qv.set(query);
    qv.fill(0, b.dim, s);
    const baseAt = b.data.offset + start * s * 4;
    SINGLE[metric](st.fn, q.offset, baseAt, count, s, out.offset);
    if (metric === "cosine") {
      st.fn.norms(q.offset, 1, s, q.offset + s * 4);
      st.fn.finish_cos(out.offset, count, qv[s]!, b.norms!.offset + start * 4);
    }
    return new Float32Array(st.arena.buffer, out.offset, count);
  }

  scoreMany(queries: VectorBlock, base: VectorBlock, metric: Metric, start = 0, end = base.n): Float32Array {
    const st = this.live();
    const qb = this.own(queries);
    const b = this.own(base);
    checkBlockDim(qb.dim, b.dim, "query block");
    checkRange(start, end, b.n);
    const s = paddedStride(b.dim);
    const count = end - start;
    const out = (st.out = scratch(st.arena, st.out, qb.n * count * 4));
    if (metric === "cosine") {
      this.ensureNorms(qb);
      this.ensureNorms(b);
    }
    const tile = Math.max(2, Math.floor(TILE_BYTES / (s * 4)));
    const baseAt = b.data.offset + start * s * 4;
    if (metric === "l2") st.fn.l2_m(qb.data.offset, qb.n, baseAt, count, s, out.offset, tile);
    else st.fn.dot_m(qb.data.offset, qb.n, baseAt, count, s, out.offset, tile);
    if (metric === "dot") st.fn.finish_dot(out.offset, qb.n * count);
    if (metric === "cosine") {
      const qNorms = new Float32Array(st.arena.buffer, qb.norms!.offset, qb.n);
      for (let i = 0; i < qb.n; i++) {
        st.fn.finish_cos(out.offset + i * count * 4, count, qNorms[i]!, b.norms!.offset + start * 4);
      }
    }
    return new Float32Array(st.arena.buffer, out.offset, qb.n * count);
  }

  dispose(): void {
    this.state = undefined;
  }

  /** Frees a block's memory (called by `VectorBlock.dispose`). */
  release(block: WasmBlock): void {
    const st = this.state;
    if (st === undefined) return;
    st.arena.free(block.data);
    if (block.norms !== undefined) st.arena.free(block.norms);
  }

  private ensureNorms(b: WasmBlock): void {
    if (b.norms !== undefined) return;
    const st = this.live();
    const norms = st.arena.alloc(b.n * 4);
    b.norms = norms;
    st.fn.norms(b.data.offset, b.n, paddedStride(b.dim), norms.offset);
  }

  private own(block: VectorBlock): WasmBlock {
    if (!(block instanceof WasmBlock) || block.owner !== this) {
      throw new InvalidArgumentError("this vector block belongs to another distance kernel: load it into this one");
    }
    if (block.disposed) throw new InvalidArgumentError("this vector block was disposed: load the vectors again");
    return block;
  }

  private live(): State {
    if (this.state === undefined) throw new InvalidArgumentError("this distance kernel was disposed: create another");
    return this.state;
  }
}

/** Reuses a scratch allocation when it is large enough, else replaces it. */
function scratch(arena: Arena, current: Allocation | undefined, bytes: number): Allocation {
  if (current !== undefined && current.live && current.bytes >= bytes) return current;
  if (current !== undefined) arena.free(current);
  return arena.alloc(bytes);
}

/** Copies rows (all, or `rows` in order) from `src` (stride `dim`) to `dst` (stride `s`, zero padded). */
function copyRows(dst: Float32Array, src: Float32Array, dim: number, s: number, rows?: ArrayLike<number>): void {
  const n = dst.length / s;
  if (rows === undefined && s === dim) {
    dst.set(src.subarray(0, n * dim));
    return;
  }
  let i = 0;
  while (i < n) {
    const r = rows === undefined ? i : rows[i]!;
    let j = i + 1; // rows i..j-1 are consecutive in src: copy them in one go when unpadded
    if (s === dim && rows !== undefined) while (j < n && rows[j] === rows[j - 1]! + 1) j++;
    dst.set(src.subarray(r * dim, (r + j - i) * dim), i * s);
    if (s !== dim) dst.fill(0, i * s + dim, (i + 1) * s);
    i = j;
  }
}
