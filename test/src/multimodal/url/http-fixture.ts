// A loopback HTTP server for the url.download tests: fixed answers by path, each request counted, and the most
// requests it ever had in progress at once (what maxConnections bounds).

import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpFixture {
  /** http://127.0.0.1:PORT */
  readonly base: string;
  /** Requests received per path (without the query). */
  readonly hits: Map<string, number>;
  /** The most requests in progress at once since the last reset. */
  readonly peak: number;
  reset(): void;
  close(): Promise<void>;
}

/** The body /ok/NAME answers with. */
export const okBody = (name: string): Uint8Array => new TextEncoder().encode(`hello ${name}`);

/**
 * Paths: /ok/NAME (200), /slow (answers after 5 s), /delay/NAME?ms=N (200 after N ms), /flaky/NAME?fails=N (503 for
 * the first N requests of NAME, then 200), /status/CODE, /big?bytes=N (200 with N bytes),
 * /chunked?bytes=N (the same without a content-length).
 */
export async function startHttpFixture(): Promise<HttpFixture> {
  const hits = new Map<string, number>();
  let inFlight = 0;
  let peak = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => (timers.delete(t), fn()), ms);
    timers.add(t);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const seen = (hits.get(path) ?? 0) + 1;
    hits.set(path, seen);
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.on("close", () => inFlight--);
    const [, kind = "", arg = ""] = path.split("/");
    const send = (status: number, body: Uint8Array | string = "") => {
      res.writeHead(status, { "content-type": "application/octet-stream", "content-length": Buffer.byteLength(body) });
      res.end(body);
    };
    switch (kind) {
      case "ok":
        return send(200, okBody(arg));
      case "slow":
        return later(5000, () => send(200, "late"));
      case "delay":
        return later(Number(url.searchParams.get("ms") ?? 50), () => send(200, okBody(arg)));
      case "flaky":
        return seen <= Number(url.searchParams.get("fails") ?? 1) ? send(503, "busy") : send(200, okBody(arg));
      case "status":
        return send(Number(arg), "no");
      case "big":
        return send(200, new Uint8Array(Number(url.searchParams.get("bytes") ?? 1000)));
      case "chunked": {
        // No content-length: the size shows only while reading.
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const n = Number(url.searchParams.get("bytes") ?? 1000);
        for (let i = 0; i < n; i += 100) res.write(new Uint8Array(Math.min(100, n - i)));
        return res.end();
      }
      default:
        return send(404, "unknown path");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    get peak() {
      return peak;
    },
    reset() {
      hits.clear();
      peak = inFlight;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
