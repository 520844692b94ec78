import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import * as A from "apache-arrow";
import { col } from "../../../../src/expr/builders.js";
import { readExtension, typeMetadata } from "../../../../src/expr/data-type.js";
import { readParquet } from "../../../../src/read.js";
import { Table } from "../../../../src/table.js";
import { decodedImageType } from "../../../../src/multimodal/image/types.js";
import { tempDir } from "../../io/helpers.js";
import { encode, imageFrame, KNOWN, picture } from "./fixtures.js";

let dir: string;
let cleanup: () => void;
before(() => ({ dir, cleanup } = tempDir("tessera-image-types-")));
after(() => cleanup());

/** A DataFrame with every image-derived type: encoded (with format), decoded, a tensor and a hash. */
async function allTypes() {
  const df = imageFrame([await encode(KNOWN.RGB, "png"), await encode(picture(8), "png")]);
  return df.select(
    col("image").image.encode("png").alias("png"),
    col("image").image.decode({ mode: "RGB" }).alias("pixels"),
    col("image").image.resize(4, 4).image.toTensor().alias("tensor"),
    col("image").image.hash().alias("hash"),
  );
}

const EXPECTED = {
  png: { name: "tessera.image", params: { format: "png" } },
  pixels: { name: "tessera.image", params: { decoded: true, mode: "RGB" } },
  tensor: { name: "tessera.tensor", params: { shape: [4, 4, 3] } },
  hash: { name: "tessera.image_hash", params: { kind: "difference", bits: 64 } },
};

const extensions = (schema: A.Schema): Record<string, unknown> =>
  Object.fromEntries(schema.fields.map((f) => [f.name, readExtension(f.metadata)]));

describe("image types", () => {
  it("are declared by the plan and kept by collect()", async () => {
    const df = await allTypes();
    assert.deepEqual(extensions(df.schema), EXPECTED);
    assert.deepEqual(extensions((await df.collect()).schema), EXPECTED);
  });

  it("survive a Tessera table: create, open, read back", async () => {
    const df = await allTypes();
    const uri = `memory://image-types-${Date.now()}`;
    await Table.create(uri, await df.collect());
    const t = await Table.open(uri);
    assert.deepEqual(extensions(t.schema), EXPECTED);
    const back = await t.toDataFrame().select(col("png").image.width().alias("w"), col("pixels").image.height().alias("h")).toRows();
    assert.deepEqual(back, [{ w: 4, h: 3 }, { w: 8, h: 8 }]);
  });

  it("survive Parquet: writeParquet, readParquet", async () => {
    const path = join(dir, "images.parquet");
    await (await allTypes()).writeParquet(path);
    const back = await readParquet(path);
    assert.deepEqual(extensions(back.schema), EXPECTED);
    const rows = await back.select(col("png").image.decode().image.width().alias("w"), col("hash")).toRows();
    assert.equal(rows[1]!.w, 8);
  });

  it("decodedImageType registers its metadata (as DataType.image does) for UDF return types", () => {
    const t = decodedImageType("L");
    assert.deepEqual(readExtension(typeMetadata(t)), { name: "tessera.image", params: { decoded: true, mode: "L" } });
  });
});
