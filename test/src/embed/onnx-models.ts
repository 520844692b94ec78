// Tiny ONNX models built in code with onnx-proto (fixed weights, written to a temp file), so the ONNX embedder is
// tested against the same math done in plain JS — no model is downloaded.

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import onnxProto, { type onnx } from "onnx-proto";

const proto = onnxProto.onnx;
const FLOAT = proto.TensorProto.DataType.FLOAT;
const INT64 = proto.TensorProto.DataType.INT64;

function tensor(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } } };
}

async function save(dir: string, file: string, graph: onnx.IGraphProto): Promise<string> {
  const model = proto.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: "", version: 13 }], producerName: "tessera-tests", graph });
  const path = join(dir, file);
  await writeFile(path, proto.ModelProto.encode(model).finish());
  return path;
}

/** Fixed pseudo-random weights in [-0.5, 0.5). */
export function weights(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000 - 0.5;
  });
}

/** An image model: x [N, 3, size, size] → Flatten → MatMul W [3·size², out] → y [N, out]. */
export async function imageModel(dir: string, size: number, out: number, w: Float32Array): Promise<string> {
  const inputs = 3 * size * size;
  return save(dir, "image.onnx", {
    name: "image-embed",
    node: [
      { opType: "Flatten", input: ["x"], output: ["flat"], attribute: [{ name: "axis", type: proto.AttributeProto.AttributeType.INT, i: 1 }] },
      { opType: "MatMul", input: ["flat", "W"], output: ["y"] },
    ],
    initializer: [tensor("W", [inputs, out], w)],
    input: [valueInfo("x", FLOAT, ["N", 3, size, size])],
    output: [valueInfo("y", FLOAT, ["N", out])],
  });
}

/**
 * A text model: token embeddings E [vocab, hidden] gathered by input_ids, zeroed where attention_mask is 0:
 * last_hidden_state [N, L, hidden] (the embedder mean-pools it over real tokens).
 */
export async function textModel(dir: string, vocab: number, hidden: number, e: Float32Array): Promise<string> {
  const axes = new BigInt64Array([2n]);
  return save(dir, "text.onnx", {
    name: "text-embed",
    node: [
      { opType: "Gather", input: ["E", "input_ids"], output: ["emb"] },
      { opType: "Cast", input: ["attention_mask"], output: ["maskf"], attribute: [{ name: "to", type: proto.AttributeProto.AttributeType.INT, i: FLOAT }] },
      { opType: "Unsqueeze", input: ["maskf", "axes"], output: ["mask3"] },
      { opType: "Mul", input: ["emb", "mask3"], output: ["last_hidden_state"] },
    ],
    initializer: [tensor("E", [vocab, hidden], e), { name: "axes", dims: [1], dataType: INT64, rawData: new Uint8Array(axes.buffer) }],
    input: [valueInfo("input_ids", INT64, ["N", "L"]), valueInfo("attention_mask", INT64, ["N", "L"])],
    output: [valueInfo("last_hidden_state", FLOAT, ["N", "L", hidden])],
  });
}
