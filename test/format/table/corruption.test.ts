// Damaged and mismatched tables on real disk (and a few cases over the loopback S3 server): a corrupt or truncated
// manifest, a missing or corrupt data file, a missing table, a manifest from a newer build — each gives a typed
// error naming the object at fault, never wrong data. Appends whose schema does not match are refused before
// anything is committed, with the field and both types in the message.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import * as nodePath from "node:path";
import { after, before, describe, it } from "node:test";
import * as A from "apache-arrow";
import { CorruptFileError, InvalidArgumentError, NotFoundError, NotSupportedError, TesseraError } from "../../../format/errors.js";
import { DataFileReader } from "../../../format/file/reader.js";
import { encodeManifest, manifestPath, type Manifest } from "../../../format/table/manifest.js";
import { Table } from "../../../format/table/table.js";
import { plainRows } from "../../support/arrow-arbitrary.js";
import { startS3Server, type S3Server } from "../../support/s3-server.js";

const VEC = new A.FixedSizeList(4, new A.Field("item", new A.Float32(), false));
const SCHEMA = new A.Schema([
  new A.Field("id", new A.Int64(), false),
  new A.Field("name", new A.Utf8(), true),
  new A.Field("vec", VEC, false),
  new A.Field("score", new A.Float64(), true),
]);

interface Cols {
  id?: A.Data;
  name?: A.Data;
  vec?: A.Data;
  score?: A.Data;
  [extra: string]: A.Data | undefined;
}

function vecData(type: A.FixedSizeList, ids: number[]): A.Data {
  const d = type.listSize;
  return A.makeData({
    type,
    length: ids.length,
    child: A.makeData({ type: new A.Float32(), length: ids.length * d, data: Float32Array.from({ length: ids.length * d }, (_, i) => ids[Math.floor(i / d)]! + (i % d) / 10) }),
  });
}

/** The columns of rows `from..from+n` in the table's types. */
function columns(from: number, n: number): Required<Pick<Cols, "id" | "name" | "vec" | "score">> {
  const ids = Array.from({ length: n }, (_, i) => from + i);
  return {
    id: A.makeVector(BigInt64Array.from(ids, BigInt)).data[0]!,
    name: A.vectorFromArray(ids.map((i) => (i % 5 === 0 ? null : `row ${i} ${"·".repeat(i % 7)}`)), new A.Utf8()).data[0]!,
    vec: vecData(VEC, ids),
    score: A.vectorFromArray(ids.map((i) => (i % 3 === 0 ? null : i * 1.5)), new A.Float64()).data[0]!,
  };
}

/** A one-batch table from named columns; a field's type and nullability come from `fields` or the table's schema. */
function batchOf(cols: Cols, fields: Record<string, A.Field> = {}): A.Table {
  const schema = new A.Schema(
    Object.keys(cols).map((name) => fields[name] ?? SCHEMA.fields.find((f) => f.name === name) ?? new A.Field(name, cols[name]!.type, true)),
  );
  const length = Object.values(cols)[0]!.length;
  const batch = new A.RecordBatch(
    schema,
    A.makeData({ type: new A.Struct(schema.fields), length, children: Object.values(cols) as A.Data[], nullCount: 0 }),
  );
  return new A.Table(schema, [batch]);
}

const rows = (from: number, n: number): A.Table => batchOf(columns(from, n));

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(nodePath.join(tmpdir(), "tessera-table-corrupt-"));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A fresh table on disk with three versions: 10 rows, then +10, then +10 (in two data files). */
async function threeVersions(): Promise<{ root: string; table: Table; manifests: Manifest[] }> {
  const root = nodePath.join(dir, randomUUID());
  const table = await Table.create(root, rows(0, 10));
  const manifests = [table.currentManifest];
  await table.append(rows(10, 10));
  manifests.push(table.currentManifest);
  await table.append(rows(20, 10), { maxRowsPerFile: 5 });
  manifests.push(table.currentManifest);
  return { root, table, manifests };
}

async function listDir(path: string): Promise<string[]> {
  return (await fs.readdir(path).catch(() => [] as string[])).sort();
}

/** Asserts `p` rejects with an error of class `cls` whose message (and context uri, when given) names `what`. */
async function rejectsNaming(p: Promise<unknown>, cls: new (...args: never[]) => TesseraError, what: string | RegExp, label: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof cls, `${label}: expected ${cls.name}, got ${String(err)}`);
    if (typeof what === "string") assert.ok(err.message.includes(what), `${label}: "${err.message}" should name ${what}`);
    else assert.match(err.message, what, label);
    return true;
  });
}

describe("damaged manifests", () => {
  it("a flipped byte anywhere in the latest manifest: open fails with CorruptFileError naming it", async () => {
    const { root } = await threeVersions();
    const file = nodePath.join(root, manifestPath(3));
    const pristine = await fs.readFile(file);
    const positions = [0, 3, 4, 7, 8, Math.floor(pristine.length / 2), pristine.length - 1];
    for (const at of positions) {
      const bad = Buffer.from(pristine);
      bad[at]! ^= 0x20;
      await fs.writeFile(file, bad);
      const label = `byte ${at} of ${pristine.length}`;
      await rejectsNaming(Table.open(root), CorruptFileError, manifestPath(3), label);
      await rejectsNaming(Table.open(root, { version: 3 }), CorruptFileError, manifestPath(3), label);
      const old = await Table.open(root, { version: 2 });
      await rejectsNaming(old.checkout(3), CorruptFileError, manifestPath(3), label);
      await rejectsNaming(old.versions(), CorruptFileError, manifestPath(3), label);
      await assert.rejects(Table.open(root), (err: unknown) => (err as CorruptFileError).uri?.endsWith(manifestPath(3)) === true);
    }
    await fs.writeFile(file, pristine);
    assert.equal(await (await Table.open(root)).countRows(), 30);
  });

  it("a corrupt older manifest fails only its own version", async () => {
    const { root } = await threeVersions();
    const file = nodePath.join(root, manifestPath(2));
    const bad = await fs.readFile(file);
    bad[bad.length - 5]! ^= 0x01;
    await fs.writeFile(file, bad);
    const latest = await Table.open(root);
    assert.equal(latest.version, 3);
    assert.equal((await latest.toArrow()).numRows, 30);
    assert.equal((await (await latest.checkout(1)).toArrow()).numRows, 10);
    await rejectsNaming(latest.checkout(2), CorruptFileError, manifestPath(2), "checkout(2)");
    await rejectsNaming(Table.open(root, { version: 2 }), CorruptFileError, manifestPath(2), "open({ version: 2 })");
    await rejectsNaming(latest.restore(2), CorruptFileError, manifestPath(2), "restore(2)");
    assert.equal((await Table.open(root)).version, 3, "the failed restore committed nothing");
  });

  it("a truncated manifest: CorruptFileError naming it, at every length", async () => {
    const { root } = await threeVersions();
    const file = nodePath.join(root, manifestPath(3));
    const pristine = await fs.readFile(file);
    for (const len of [0, 1, 4, 7, 8, 9, Math.floor(pristine.length / 2), pristine.length - 1]) {
      await fs.writeFile(file, pristine.subarray(0, len));
      const label = `truncated to ${len} bytes`;
      await rejectsNaming(Table.open(root), CorruptFileError, manifestPath(3), label);
      await rejectsNaming((await Table.open(root, { version: 1 })).checkout(3), CorruptFileError, manifestPath(3), label);
      await assert.rejects(Table.open(root), /truncated|checksum/, label);
    }
  });

  it("a well-checksummed manifest that is not shaped like one is CorruptFileError", async () => {
    const { root, manifests } = await threeVersions();
    const file = nodePath.join(root, manifestPath(3));
    const m = manifests[2]!;
    const cases: [string, unknown][] = [
      ["no fragments", { ...m, fragments: undefined }],
      ["another format", { ...m, format: "lance" }],
      ["no schema", { ...m, schema: undefined }],
    ];
    for (const [label, bad] of cases) {
      await fs.writeFile(file, encodeManifest(bad as Manifest));
      await rejectsNaming(Table.open(root), CorruptFileError, manifestPath(3), label);
    }
    await fs.writeFile(file, new TextEncoder().encode(`TSRM\0\0\0\0{"not json`));
    await rejectsNaming(Table.open(root), CorruptFileError, manifestPath(3), "garbage");
  });

  it(
    "a manifest stored under another version's name is reported as damage, naming it",
    async () => {
      const { root, manifests } = await threeVersions();
      await fs.writeFile(nodePath.join(root, manifestPath(3)), encodeManifest({ ...manifests[2]!, version: 7 }));
      await assert.rejects(Table.open(root), (err: unknown) => {
        assert.ok(err instanceof CorruptFileError, String(err));
        assert.ok(err.uri?.endsWith(manifestPath(3)));
        return true;
      });
    },
  );

  it("a future major format version or an unknown reader feature is NotSupportedError; a newer minor reads", async () => {
    const { root, manifests } = await threeVersions();
    const file = nodePath.join(root, manifestPath(3));
    const m = manifests[2]!;

    await fs.writeFile(file, encodeManifest({ ...m, formatVersion: [2, 0] }));
    await rejectsNaming(Table.open(root), NotSupportedError, manifestPath(3), "format 2.0");
    await assert.rejects(Table.open(root), /table format 2\.0.*upgrade Tessera/);
    await rejectsNaming((await Table.open(root, { version: 2 })).checkout(3), NotSupportedError, manifestPath(3), "checkout, format 2.0");

    await fs.writeFile(file, encodeManifest({ ...m, readerFeatures: ["row-lineage-v9"] }));
    await rejectsNaming(Table.open(root), NotSupportedError, "row-lineage-v9", "reader feature");
    await rejectsNaming(Table.open(root, { version: 3 }), NotSupportedError, manifestPath(3), "reader feature");

    // A newer minor version is readable (minor versions only add what old readers can ignore).
    await fs.writeFile(file, encodeManifest({ ...m, formatVersion: [1, 9] }));
    const minor = await Table.open(root);
    assert.deepEqual(plainRows(await minor.toArrow()), plainRows(rows(0, 30)));
  });

  it("an unknown writer feature: the table reads, but writes are refused and commit nothing", async () => {
    const { root, manifests } = await threeVersions();
    await fs.writeFile(nodePath.join(root, manifestPath(3)), encodeManifest({ ...manifests[2]!, writerFeatures: ["stable-row-ids-v9"] }));
    const table = await Table.open(root);
    assert.deepEqual(plainRows(await table.toArrow()), plainRows(rows(0, 30)));
    const versionsBefore = await listDir(nodePath.join(root, "_versions"));
    await rejectsNaming(table.append(rows(30, 2)), NotSupportedError, "stable-row-ids-v9", "append");
    await rejectsNaming(table.overwrite(rows(30, 2)), NotSupportedError, "stable-row-ids-v9", "overwrite");
    await rejectsNaming(table.restore(1), NotSupportedError, "stable-row-ids-v9", "restore");
    assert.deepEqual(await listDir(nodePath.join(root, "_versions")), versionsBefore);
    assert.equal((await Table.open(root)).version, 3);
  });

  it(
    "an append refused for an unknown writer feature writes no data files",
    async () => {
      const { root, manifests } = await threeVersions();
      await fs.writeFile(nodePath.join(root, manifestPath(3)), encodeManifest({ ...manifests[2]!, writerFeatures: ["x"] }));
      const before = await listDir(nodePath.join(root, "data"));
      await assert.rejects((await Table.open(root)).append(rows(30, 2)), NotSupportedError);
      assert.deepEqual(await listDir(nodePath.join(root, "data")), before);
    },
  );
});

describe("damaged or missing data files", () => {
  it("a data file of the latest version deleted: scans and takes fail with NotFoundError naming it", async () => {
    const { root, manifests } = await threeVersions();
    const gone = manifests[2]!.fragments.at(-1)!.files[0]!.path; // rows 25..29
    await fs.rm(nodePath.join(root, gone));
    const table = await Table.open(root);
    assert.equal(await table.countRows(), 30, "the manifest alone still counts rows");
    await rejectsNaming(table.toArrow(), NotFoundError, gone, "scan");
    await rejectsNaming(table.take([27]), NotFoundError, gone, "take");
    await rejectsNaming((async () => {
      for await (const _ of table.scan({ columns: ["id"] })) {
        // drain
      }
    })(), NotFoundError, gone, "projected scan");
    // Rows in other files and versions that never referenced it still read.
    assert.deepEqual(plainRows(await table.take([0, 19, 24])), plainRows(rows(0, 30)).filter((_, i) => [0, 19, 24].includes(i)));
    assert.deepEqual(plainRows(await (await table.checkout(2)).toArrow()), plainRows(rows(0, 20)));
  });

  it("a flipped byte in a data page: CorruptFileError naming the file, column and page", async () => {
    const { root, table, manifests } = await threeVersions();
    const ref = manifests[1]!.fragments[1]!.files[0]!; // rows 10..19, added by version 2
    const reader = await DataFileReader.open(table.store, ref.path);
    const pristine = await fs.readFile(nodePath.join(root, ref.path));
    for (const col of reader.metadata.columns) {
      for (const [p, page] of col.pages.entries()) {
        const bad = Buffer.from(pristine);
        bad[page.offset + Math.floor(page.length / 2)]! ^= 0x5a;
        await fs.writeFile(nodePath.join(root, ref.path), bad);
        const fresh = await Table.open(root); // no cached reader
        const where = new RegExp(`${ref.path.replace(/[.]/g, "\\.")}.*column "${col.name}", page ${p}`);
        await rejectsNaming(fresh.toArrow(), CorruptFileError, where, `scan, ${col.name} page ${p}`);
        await rejectsNaming(fresh.take([15]), CorruptFileError, where, `take, ${col.name} page ${p}`);
        await rejectsNaming((await fresh.checkout(2)).toArrow({ columns: [col.name] }), CorruptFileError, where, `checkout(2)`);
        // Version 1 never referenced the file and other columns are intact.
        assert.deepEqual(plainRows(await (await fresh.checkout(1)).toArrow()), plainRows(rows(0, 10)));
        const others = SCHEMA.fields.map((f) => f.name).filter((n) => n !== col.name);
        assert.equal((await fresh.toArrow({ columns: others })).numRows, 30);
      }
    }
    await fs.writeFile(nodePath.join(root, ref.path), pristine);
    assert.deepEqual(plainRows(await (await Table.open(root)).toArrow()), plainRows(rows(0, 30)));
  });

  it("a data file with a damaged footer: CorruptFileError naming the file", async () => {
    const { root, manifests } = await threeVersions();
    const ref = manifests[0]!.fragments[0]!.files[0]!;
    const bytes = await fs.readFile(nodePath.join(root, ref.path));
    bytes[bytes.length - 40]! ^= 0x01; // inside the footer JSON, same size
    await fs.writeFile(nodePath.join(root, ref.path), bytes);
    await rejectsNaming((await Table.open(root)).toArrow(), CorruptFileError, ref.path, "footer");
  });

  it(
    "a truncated data file: CorruptFileError naming the file",
    async () => {
      const { root, manifests } = await threeVersions();
      const ref = manifests[0]!.fragments[0]!.files[0]!;
      await fs.truncate(nodePath.join(root, ref.path), Math.floor(ref.size / 2));
      await rejectsNaming((await Table.open(root)).toArrow(), CorruptFileError, ref.path, "truncated");
    },
  );
});

describe("missing tables and versions", () => {
  it("NotFoundError naming the URI, version or tag", async () => {
    const missing = nodePath.join(dir, "no-such-table");
    await assert.rejects(Table.open(missing), (err: unknown) => {
      assert.ok(err instanceof NotFoundError, String(err));
      assert.ok(err.message.includes("no-such-table"), err.message);
      assert.ok(err.uri?.endsWith("no-such-table"));
      return true;
    });
    await rejectsNaming(Table.open(`file://${missing}`), NotFoundError, "no-such-table", "file://");
    await rejectsNaming(Table.open(`memory://${randomUUID()}/nothing`), NotFoundError, "/nothing", "memory://");
    // A directory that is not a table (files, but no manifests) is no table either.
    const notTable = nodePath.join(dir, "just-files");
    await fs.mkdir(nodePath.join(notTable, "data"), { recursive: true });
    await fs.writeFile(nodePath.join(notTable, "data", "x.tsf"), "x");
    await rejectsNaming(Table.open(notTable), NotFoundError, "just-files", "directory of files");

    const { root, table } = await threeVersions();
    await rejectsNaming(table.checkout(9), NotFoundError, "version 9", "checkout(9)");
    await rejectsNaming(Table.open(root, { version: 4 }), NotFoundError, "version 4", "open({ version: 4 })");
    await rejectsNaming(table.checkout("nope"), NotFoundError, `tag "nope"`, "checkout(tag)");
    await rejectsNaming(Table.open(root, { tag: "nope" }), NotFoundError, `tag "nope"`, "open({ tag })");
    await rejectsNaming(table.restore(0), NotFoundError, "version 0", "restore(0)");
    assert.equal((await Table.open(root)).version, 3);
  });
});

describe("appends whose schema does not match", () => {
  const good = columns(100, 4);
  const nullableVecField = new A.Field("vec", new A.FixedSizeList(4, new A.Field("item", new A.Float32(), true)), false);
  const cases: { label: string; data: () => A.Table | A.RecordBatch[]; message: RegExp }[] = [
    {
      label: "a missing non-nullable column (a missing nullable one reads as null)",
      data: () => batchOf({ name: good.name, vec: good.vec, score: good.score }),
      message: /lacks column "id"/,
    },
    {
      label: "an extra column",
      data: () => batchOf({ ...good, extra: A.vectorFromArray([1, 2, 3, 4], new A.Int32()).data[0]! }),
      message: /no column "extra"/,
    },
    {
      label: "a retyped column",
      data: () =>
        batchOf(
          { ...good, score: A.vectorFromArray([1, 2, 3, 4], new A.Float32()).data[0]! },
          { score: new A.Field("score", new A.Float32(), true) },
        ),
      message: /column "score" is Float64 in the table but Float32 in the data/,
    },
    {
      label: "an integer column of another width",
      data: () =>
        batchOf({ ...good, id: A.vectorFromArray([1, 2, 3, 4], new A.Int32()).data[0]! }, { id: new A.Field("id", new A.Int32(), false) }),
      message: /column "id" is Int64 in the table but Int32 in the data/,
    },
    {
      label: "a vector of the wrong dimension",
      data: () => {
        const vec3 = new A.FixedSizeList(3, new A.Field("item", new A.Float32(), false));
        return batchOf({ ...good, vec: vecData(vec3, [1, 2, 3, 4]) }, { vec: new A.Field("vec", vec3, false) });
      },
      message: /column "vec" is FixedSizeList\[4\]<Float32> in the table but FixedSizeList\[3\]<Float32> in the data \(vector dimension 4 in the table, 3 in the data\)/,
    },
    {
      label: "nulls in a non-nullable column",
      data: () => batchOf({ ...good, id: A.vectorFromArray([1n, null, 3n, 4n], new A.Int64()).data[0]! }, { id: new A.Field("id", new A.Int64(), true) }),
      message: /column "id" is not nullable in the table but the data has nulls/,
    },
    {
      label: "a bad second batch after a good one",
      data: () => [
        ...rows(100, 4).batches,
        ...batchOf({ ...columns(104, 2), score: A.vectorFromArray(["a", "b"], new A.Utf8()).data[0]! }, { score: new A.Field("score", new A.Utf8(), true) }).batches,
      ],
      message: /column "score" is Float64 in the table but Utf8 in the data/,
    },
  ];

  for (const c of cases) {
    it(`${c.label}: InvalidArgumentError naming the field; the table is unchanged`, async () => {
      const { root, table } = await threeVersions();
      const before = {
        rows: plainRows(await table.toArrow()),
        versions: await listDir(nodePath.join(root, "_versions")),
        data: await listDir(nodePath.join(root, "data")),
      };
      await assert.rejects(table.append(c.data()), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError, `${c.label}: ${String(err)}`);
        assert.match(err.message, c.message);
        return true;
      });
      assert.equal(table.version, 3);
      const reopened = await Table.open(root);
      assert.equal(reopened.version, 3);
      assert.deepEqual(plainRows(await reopened.toArrow()), before.rows);
      assert.deepEqual(await listDir(nodePath.join(root, "_versions")), before.versions, "no new manifest");
      assert.deepEqual(await listDir(nodePath.join(root, "data")), before.data, "no data file left behind");
      // The handle still works: a matching append commits version 4.
      await table.append(rows(30, 3));
      assert.equal(table.version, 4);
      assert.deepEqual(plainRows(await table.toArrow()), plainRows(rows(0, 33)));
    });
  }

  it(
    "an empty append with a mismatched schema is refused too",
    async () => {
      const { root, table } = await threeVersions();
      const vec3 = new A.FixedSizeList(3, new A.Field("item", new A.Float32(), false));
      const wrong = new A.Schema([SCHEMA.fields[0]!, new A.Field("vec", vec3, false)]);
      await assert.rejects(table.append(new A.Table(wrong)), InvalidArgumentError);
      assert.equal((await Table.open(root)).version, 3);
    },
  );

  it(
    "a vector whose list items are declared nullable (but hold no nulls) is accepted, or refused naming the difference",
    async () => {
      const { table } = await threeVersions();
      const data = batchOf({ ...good, vec: vecData(nullableVecField.type as A.FixedSizeList, [1, 2, 3, 4]) }, { vec: nullableVecField });
      try {
        await table.append(data);
      } catch (err) {
        const m = /is (.*) in the table but (.*) in the data/.exec((err as Error).message);
        assert.ok(m !== null && m[1] !== m[2], `the message names the same type twice: ${(err as Error).message}`);
      }
    },
  );
});

describe("damage over S3", () => {
  let server: S3Server;
  before(async () => {
    server = await startS3Server();
  });
  after(async () => {
    await server.close();
  });

  it("missing table, corrupt manifest and missing data file name the s3:// object", async () => {
    const storage = server.storageOptions();
    const uri = `s3://bucket/${randomUUID()}`;
    await rejectsNaming(Table.open(uri, { storage }), NotFoundError, uri, "missing table");

    const table = await Table.create(uri, rows(0, 10), { storage });
    await table.append(rows(10, 10));
    const store = table.store;
    const pristine = await store.get(manifestPath(2));
    const bad = pristine.slice();
    bad[bad.length >> 1]! ^= 0x10;
    await store.put(manifestPath(2), bad);
    await rejectsNaming(Table.open(uri, { storage }), CorruptFileError, `${uri}/${manifestPath(2)}`, "corrupt manifest");
    await store.put(manifestPath(2), pristine.subarray(0, 6));
    await rejectsNaming(Table.open(uri, { storage }), CorruptFileError, `${uri}/${manifestPath(2)}`, "truncated manifest");
    await store.put(manifestPath(2), pristine);

    const gone = table.currentManifest.fragments[1]!.files[0]!.path;
    await store.delete(gone);
    const fresh = await Table.open(uri, { storage });
    await rejectsNaming(fresh.toArrow(), NotFoundError, gone, "missing data file");
    assert.deepEqual(plainRows(await (await fresh.checkout(1)).toArrow()), plainRows(rows(0, 10)));
    await fresh.store.close();
    await store.close();
  });
});
