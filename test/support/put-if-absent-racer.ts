// Child process for the cross-process race test: opens a LocalStore, says "ready", waits for a line on stdin so that
// all racers start together, tries one putIfAbsent and prints {"id","won"} as JSON.

import { pathToFileURL } from "node:url";
import { LocalStore } from "../../format/store/local.js";

/** The bytes racer `id` writes; the test recomputes them to check the stored object is the winner's. */
export function racerPayload(id: string): Uint8Array {
  return new TextEncoder().encode(`racer-${id};`.repeat(4096));
}

// Run only as a script; the test imports this module for `racerPayload`.
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const [root, key, id] = process.argv.slice(2);
if (isMain && root !== undefined && key !== undefined && id !== undefined) {
  const store = new LocalStore(root);
  process.stdin.once("data", () => {
    store
      .putIfAbsent(key, racerPayload(id))
      .then(async (won) => {
        process.stdout.write(`${JSON.stringify({ id, won })}\n`);
        await store.close();
        process.exit(0);
      })
      .catch((err: unknown) => {
        process.stderr.write(`${String(err)}\n`);
        process.exit(1);
      });
  });
  process.stdout.write("ready\n");
}
