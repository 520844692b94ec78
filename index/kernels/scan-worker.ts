// The body of a scan worker (started by scan-pool.ts): scans the rows it is sent with its own distance kernel and
// posts back each query's top-k.

import { parentPort } from "node:worker_threads";
import { scanPart } from "../flat.js";
import type { ScanJob, ScanReply } from "./scan-pool.js";

parentPort!.on("message", ({ id, job }: { id: number; job: ScanJob }) => {
  let reply: ScanReply;
  try {
    reply = { id, hits: scanPart(job) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
