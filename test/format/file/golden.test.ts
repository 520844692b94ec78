// Files written by earlier builds stay readable: every committed fixture under test/fixtures/file/ reads back
// to the rows recorded beside it, by scan and by take.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { DataFileReader } from "../../../format/file/reader.js";
import { LocalStore } from "../../../format/store/local.js";
import { plainRows } from "../../support/arrow-arbitrary.js";

const root = new URL("../../fixtures/file/", import.meta.url).pathname;

describe("golden data files", () => {
  for (const version of readdirSync(root)) {
    const dir = `${root}${version}`;
    const expected = JSON.parse(readFileSync(`${dir}/mixed.rows.json`, "utf8")) as string[];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".tsf"))) {
      it(`${version}/${file} reads back exactly`, async () => {
        const store = new LocalStore(dir);
        try {
          const r = await DataFileReader.open(store, file);
          assert.deepEqual(plainRows(await r.toArrow({ batchSize: 37 })), expected);
          const rows = [199, 0, 57, 57, 128];
          assert.deepEqual(plainRows(await r.take(rows)), rows.map((i) => expected[i]));
        } finally {
          await store.close();
        }
      });
    }
  }
});
