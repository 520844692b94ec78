// The in-memory store keeps its own copy of what is put (Node Buffers' slice() is a view, not a copy).

import { test } from "node:test";
import assert from "node:assert/strict";
import { clearMemoryStore, MemoryStore } from "../../../format/store/memory.js";

test("a stored object does not share memory with the Buffer it was put from, nor with what get returns", async () => {
  const store = new MemoryStore("buffer-copy-test");
  const buf = Buffer.from([1, 2, 3]);
  await store.put("x", buf);
  buf[0] = 9;
  const got = await store.get("x");
  assert.deepEqual([...got], [1, 2, 3]);
  got[1] = 7;
  assert.deepEqual([...(await store.get("x"))], [1, 2, 3]);
  clearMemoryStore("buffer-copy-test");
});
