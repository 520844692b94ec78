// Query vectors from files for `search --vector`: JSON (an array of numbers, or an object with a "vector" array)
// or raw little-endian float32 (.f32, as numpy's `tofile` writes).

import { readFile } from "node:fs/promises";
import { InvalidArgumentError, NotFoundError } from "../../format/errors.js";
import { UsageError } from "./errors.js";

/** Reads a local file, turning "no such file" into a NotFoundError that names it and its role. */
export async function readLocalFile(path: string, role: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT") throw new NotFoundError(`${role} ${path} does not exist`, { path, cause: err });
    if (code === "EISDIR") throw new InvalidArgumentError(`${role} ${path} is a directory, not a file`, { path, cause: err });
    throw err;
  }
}

function fromJson(text: string, path: string): Float32Array {
  const bad = (why: string): InvalidArgumentError =>
    new InvalidArgumentError(`vector file ${path} ${why}; expected a JSON array of numbers such as [0.1, 0.2, 0.3] (or {"vector": [...]})`, { path });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw bad(`is not valid JSON (${(err as Error).message})`);
  }
  const values = Array.isArray(parsed) ? parsed : (parsed as { vector?: unknown } | null)?.vector;
  if (!Array.isArray(values)) throw bad("holds no array");
  if (values.length === 0) throw bad("holds an empty array");
  const i = values.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (i >= 0) throw bad(`has a non-number at index ${i} (${JSON.stringify(values[i])})`);
  return Float32Array.from(values as number[]);
}

function fromF32(bytes: Uint8Array, path: string): Float32Array {
  if (bytes.byteLength === 0 || bytes.byteLength % 4 !== 0) {
    throw new InvalidArgumentError(`vector file ${path} has ${bytes.byteLength} bytes, which is not a whole number of float32 values (4 bytes each)`, { path });
  }
  const out = new Float32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The query vector stored in `path` (.json or .f32). */
export async function readVectorFile(path: string): Promise<Float32Array> {
  const ext = /\.(json|f32)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === undefined) throw new UsageError(`--vector expects a .json file (an array of numbers) or a .f32 file (raw little-endian float32); got ${path}`);
  const bytes = await readLocalFile(path, "vector file");
  return ext === "json" ? fromJson(new TextDecoder().decode(bytes), path) : fromF32(bytes, path);
}
