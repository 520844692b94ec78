// Reliability of the versioned table under real concurrency and real crashes: writer processes racing commits on
// local disk and on the loopback S3 server, writers killed with SIGKILL at random points, and cleanup of what the
// killed writers left behind; plus a time-travel property test against an in-memory model.

import assert from "node:assert/strict";
import { seededRandom } from "../../../index/ivf/random.js";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as nodePath from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { after, before, describe, it, type TestContext } from "node:test";
import * as A from "apache-arrow";
import fc from "fast-check";
import { clearMemoryStore } from "../../../format/store/memory.js";
import type { StorageOptions } from "../../../format/store/object-store.js";
import { listVersions } from "../../../format/table/commit.js";
import { manifestPath, manifestRows, type Manifest } from "../../../format/table/manifest.js";
import { Table } from "../../../format/table/table.js";
import { plainRows, toBatches } from "../../support/arrow-arbitrary.js";
import { startS3Server, type S3Server } from "../../support/s3-server.js";
import { appendBatch, batchRows, payloadOf, type AppendReport } from "../../support/table-appender.js";
import { blobOf, CRASH_SCHEMA } from "../../support/table-crash-writer.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const APPENDER = fileURLToPath(new URL("../../support/table-appender.ts", import.meta.url));
const CRASHER = fileURLToPath(new URL("../../support/table-crash-writer.ts", import.meta.url));

// ---------------------------------------------------------------------------------------------------------------
// Child processes: every one started here is tracked and SIGKILLed in after() if it is still running.

interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** Every stdout line so far. */
  lines: string[];
  /** Resolves with the first line (from the start) matching `pred`; rejects if the child exits first or on timeout. */
  waitFor(pred: (line: string) => boolean, timeoutMs: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

const live = new Set<ChildProcessWithoutNullStreams>();

function killAll(): void {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  live.clear();
}

function startChild(script: string, args: string[], storage?: StorageOptions): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TESSERA_TEST_STORAGE: storage === undefined ? "" : JSON.stringify(storage) },
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(proc);
  const lines: string[] = [];
  let err = "";
  proc.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
  const waiters = new Set<() => void>();
  createInterface({ input: proc.stdout }).on("line", (l) => {
    lines.push(l);
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => {
      live.delete(proc);
      // Let readline deliver the last lines before anyone looks.
      setImmediate(() => {
        resolve({ code, signal });
        for (const w of [...waiters]) w();
      });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  const waitFor = (pred: (line: string) => boolean, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = lines.find(pred);
        if (hit !== undefined) finish(() => resolve(hit));
        else if (done) finish(() => reject(new Error(`child ${script} exited before the awaited line; stderr:\n${err}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting on ${script}; stderr:\n${err}`))),
        timeoutMs,
      );
      const finish = (f: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  return { proc, lines, waitFor, exited, stderr: () => err };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A seeded PRNG (the library's mulberry32), so kill delays are the same on every run. */
const prng = seededRandom;

// ---------------------------------------------------------------------------------------------------------------
// Reading rows back as plain values.

interface AppendRow {
  writer: number;
  seq: number;
  row: number;
  payload: string;
  vec: number[];
}

function appendRowsOf(t: A.Table): AppendRow[] {
  const col = <T>(name: string): A.Vector<A.DataType> & { get(i: number): T } =>
    t.getChild(name) as unknown as A.Vector<A.DataType> & { get(i: number): T };
  const writer = col<number>("writer");
  const seq = col<number>("seq");
  const row = col<number>("row");
  const payload = col<string>("payload");
  const vec = col<A.Vector<A.Float32> | null>("vec");
  return Array.from({ length: t.numRows }, (_, i) => ({
    writer: writer.get(i),
    seq: seq.get(i),
    row: row.get(i),
    payload: payload.get(i),
    vec: Array.from(vec.get(i)!.toArray() as Float32Array),
  }));
}

function expectedBatch(writer: number, seq: number, rows = batchRows(writer)): AppendRow[] {
  return Array.from({ length: rows }, (_, row) => ({
    writer,
    seq,
    row,
    payload: payloadOf(writer, seq, row),
    vec: [writer, seq, row, writer * 100 + seq * 10 + row],
  }));
}

/** Paths of every file a manifest references. */
function filesOf(m: Manifest): string[] {
  return [
    ...m.fragments.flatMap((f) => [...f.files.map((d) => d.path), ...(f.deletion ? [f.deletion.path] : [])]),
    ...m.indices.map((i) => i.path),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Concurrent writer processes.

const WRITERS = 8;
const K = 5;
const SEED_ROWS = 3;

interface Backend {
  uri: string;
  storage?: StorageOptions;
  /** Object keys under the table, relative to it, straight from the backend (not through the store). */
  rawKeys(): Promise<string[]>;
  /** Scan every version in full (else take each version's new rows). */
  fullScans: boolean;
}

async function concurrentAppends(t: TestContext, backend: Backend): Promise<void> {
  const { uri, storage } = backend;
  const seeded = await Table.create(uri, appendBatch(-1, 0, SEED_ROWS), { storage });
  assert.equal(seeded.version, 1);
  await seeded.store.close();

  const children = Array.from({ length: WRITERS }, (_, w) => startChild(APPENDER, [uri, String(w), String(K)], storage));
  try {
    await Promise.all(children.map((c) => c.waitFor((l) => l === "ready", 30_000)));
    // Everyone is loaded, has the table open and its batches built: start them together.
    for (const c of children) c.proc.stdin.write("go\n");
    const exits = await withTimeout(Promise.all(children.map((c) => c.exited)), 40_000, "appender processes");
    exits.forEach((e, w) => assert.equal(e.code, 0, `writer ${w} failed (${JSON.stringify(e)}):\n${children[w]!.stderr()}`));
  } finally {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  }
  const reports: AppendReport[] = children.flatMap((c) => c.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as AppendReport));
  assert.equal(reports.length, WRITERS * K, "one report per append");
  const N = 1 + WRITERS * K;

  // Each commit won a distinct version, and together they are exactly 2..N: no manifest lost or overwritten.
  const byVersion = new Map<number, AppendReport>();
  for (const r of reports) {
    assert.ok(!byVersion.has(r.version), `version ${r.version} reported by two writers`);
    byVersion.set(r.version, r);
    // The protocol tries base+1 first: it got base+1 exactly when it never lost a race.
    assert.equal(r.version === r.base + 1, r.lost === 0, `report ${JSON.stringify(r)}`);
    assert.equal(r.attempts, r.lost + 1, `every lost attempt is retried, the last one wins: ${JSON.stringify(r)}`);
    assert.ok(r.version > r.base);
  }
  assert.deepEqual([...byVersion.keys()].sort((a, b) => a - b), Array.from({ length: N - 1 }, (_, i) => i + 2));
  for (let w = 0; w < WRITERS; w++) {
    const mine = reports.filter((r) => r.writer === w);
    assert.deepEqual(mine.map((r) => r.seq), Array.from({ length: K }, (_, s) => s));
    for (let i = 1; i < mine.length; i++) assert.ok(mine[i]!.version > mine[i - 1]!.version, `writer ${w} commits in order`);
  }
  const lost = reports.reduce((n, r) => n + r.lost, 0);
  assert.ok(lost > 0, "the writers really raced: some commits had to retry");
  t.diagnostic(
    `${lost} lost races over ${reports.length} commits; ${reports.filter((r) => r.lost > 0).length} commits retried, ` +
      `at most ${Math.max(...reports.map((r) => r.attempts))} attempts for one`,
  );

  // The stored versions are exactly 1..N, as the backend itself lists them.
  const manifests = (await backend.rawKeys()).filter((k) => k.startsWith("_versions/"));
  assert.deepEqual(manifests, Array.from({ length: N }, (_, i) => manifestPath(i + 1)));

  const table = await Table.open(uri, { storage });
  try {
    assert.equal(table.version, N);
    const versions = await table.versions();
    assert.deepEqual(
      versions.map((v) => [v.version, v.operation]),
      Array.from({ length: N }, (_, i) => [i + 1, i === 0 ? "create" : "append"]),
    );

    // Every version reads, and is the previous one plus exactly the batch its writer reported. On local disk every
    // version is scanned in full; over S3 (a request per column per fragment) each version's new rows are read with a
    // take, and its manifest must list the previous version's fragments, unchanged, before its own.
    let previous: AppendRow[] = [];
    let previousManifest: Manifest | undefined;
    for (let v = 1; v <= N; v++) {
      const snap = await table.checkout(v);
      const m = snap.currentManifest;
      const report = byVersion.get(v);
      const batch = report === undefined ? expectedBatch(-1, 0, SEED_ROWS) : expectedBatch(report.writer, report.seq);
      const total = previous.length + batch.length;
      assert.equal(manifestRows(m), total, `version ${v} row count`);
      assert.equal(await snap.countRows(), total);
      assert.equal(versions[v - 1]!.rows, total);
      assert.equal(m.operation.detail?.rows, batch.length);
      if (report !== undefined) assert.equal(report.rows, batch.length);
      if (previousManifest !== undefined) {
        assert.deepEqual(m.fragments.slice(0, previousManifest.fragments.length), previousManifest.fragments, `version ${v} keeps version ${v - 1}'s fragments`);
      }
      let rows: AppendRow[];
      if (backend.fullScans) {
        rows = appendRowsOf(await snap.toArrow());
        assert.deepEqual(rows.slice(0, previous.length), previous, `version ${v} starts with version ${v - 1}`);
      } else {
        const added = Array.from({ length: batch.length }, (_, i) => previous.length + i);
        rows = [...previous, ...appendRowsOf(await snap.take(added))];
      }
      assert.equal(rows.length, total);
      assert.deepEqual(rows.slice(previous.length), batch, `version ${v} adds the batch of ${JSON.stringify(report)}`);
      const opened = await Table.open(uri, { version: v, storage });
      assert.deepEqual(opened.currentManifest, m);
      await opened.store.close();
      previous = rows;
      previousManifest = m;
    }
    // The latest version, scanned in full, is what the versions added up to.
    assert.deepEqual(appendRowsOf(await table.toArrow()), previous);

    // Every row of every writer is there exactly once.
    const keys = previous.map((r) => `${r.writer}/${r.seq}/${r.row}`);
    assert.equal(new Set(keys).size, keys.length, "no row appears twice");
    const want = [
      ...Array.from({ length: SEED_ROWS }, (_, r) => `-1/0/${r}`),
      ...Array.from({ length: WRITERS }, (_, w) =>
        Array.from({ length: K }, (_, s) => Array.from({ length: batchRows(w) }, (_, r) => `${w}/${s}/${r}`))).flat(2),
    ];
    assert.deepEqual([...keys].sort(), want.sort());
  } finally {
    await table.store.close();
  }
}

describe("concurrent writer processes", () => {
  let dir: string;
  let server: S3Server;
  before(async () => {
    dir = await fs.mkdtemp(nodePath.join(tmpdir(), "tessera-race-"));
    server = await startS3Server();
  });
  after(async () => {
    killAll();
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it(`${WRITERS} processes × ${K} appends on local disk: contiguous versions, every row once`, { timeout: 60_000 }, async (t) => {
    const root = nodePath.join(dir, "local-table");
    await concurrentAppends(t, {
      uri: root,
      fullScans: true,
      rawKeys: async () =>
        (await fs.readdir(root, { recursive: true, withFileTypes: true }))
          .filter((e) => e.isFile())
          .map((e) => nodePath.relative(root, nodePath.join(e.parentPath, e.name)).split(nodePath.sep).join("/"))
          .sort(),
    });
    // The losers' temp manifests are gone too.
    const leftovers = (await fs.readdir(nodePath.join(root, "_versions"))).filter((n) => !n.endsWith(".manifest"));
    assert.deepEqual(leftovers, []);
  });

  it(`${WRITERS} processes × ${K} appends on S3: contiguous versions, every row once`, { timeout: 60_000 }, async (t) => {
    const prefix = `race-${randomUUID()}`;
    await concurrentAppends(t, {
      uri: `s3://tables/${prefix}`,
      storage: server.storageOptions(),
      fullScans: false,
      rawKeys: async () =>
        server
          .keys("tables")
          .filter((k) => k.startsWith(`${prefix}/`))
          .map((k) => k.slice(prefix.length + 1)),
    });
    assert.equal(server.uploadsInProgress(), 0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Crash during commit.

const CRASH_ROWS = 60;
const CRASH_FILES = 4;

interface CrashRow {
  round: number;
  seq: number;
  row: number;
  blob: Uint8Array;
}

function crashRowsOf(t: A.Table): CrashRow[] {
  const get = (name: string) => t.getChild(name)!;
  const [round, seq, row, blob] = [get("round"), get("seq"), get("row"), get("blob")];
  return Array.from({ length: t.numRows }, (_, i) => ({
    round: round.get(i) as number,
    seq: seq.get(i) as number,
    row: row.get(i) as number,
    blob: blob.get(i) as Uint8Array,
  }));
}

/** The (round, seq) batches a version holds, checking that each is complete, in order and byte-exact. */
function batchesIn(rows: CrashRow[], version: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < rows.length; at += CRASH_ROWS) {
    const { round, seq } = rows[at]!;
    assert.ok(at + CRASH_ROWS <= rows.length, `version ${version} ends with a partial batch ${round}/${seq}`);
    for (let r = 0; r < CRASH_ROWS; r++) {
      const x = rows[at + r]!;
      if (x.round !== round || x.seq !== seq || x.row !== r || !Buffer.from(x.blob).equals(Buffer.from(blobOf(round, seq, r)))) {
        assert.fail(`version ${version} row ${at + r} is ${x.round}/${x.seq}/${x.row}, expected ${round}/${seq}/${r} with its bytes`);
      }
    }
    out.push(`${round}/${seq}`);
  }
  return out;
}

interface CrashState {
  uri: string;
  storage?: StorageOptions;
  /** Batches of each version checked so far (index = version). */
  known: string[][];
  /** Manifests of versions checked so far, to see they never change. */
  manifests: Map<number, Manifest>;
  /** Scan each new version in full (else: its new rows by take, and the latest in full). */
  fullScans: boolean;
}

/**
 * Opens the table after a kill and checks every version: each reads fully (once; later only its manifest and files
 * are re-checked) and is the previous one plus one complete batch.
 */
async function checkAfterCrash(state: CrashState, reported: { round: number; seq: number; version: number }[], prevLatest: number): Promise<number> {
  const table = await Table.open(state.uri, { storage: state.storage });
  try {
    const latest = table.version;
    const lastReported = reported.at(-1)?.version ?? prevLatest;
    // The killed writer may have committed one version it never got to report, never more.
    assert.ok(latest === lastReported || latest === lastReported + 1, `latest ${latest}, last reported ${lastReported}`);
    const versions = await table.versions();
    assert.deepEqual(
      versions.map((v) => v.version),
      Array.from({ length: latest }, (_, i) => i + 1),
    );
    // Versions checked after an earlier kill must be untouched: same manifest, and every file it names still there
    // with its recorded size. Versions new since then are scanned in full.
    const stored = new Map((await table.store.list("data/")).map((o) => [o.path, o.size]));
    for (let v = 1; v <= latest; v++) {
      const snap = await table.checkout(v);
      const m = snap.currentManifest;
      assert.equal(versions[v - 1]!.operation, v === 1 ? "create" : "append");
      assert.equal(versions[v - 1]!.rows, manifestRows(m));
      assert.equal(await snap.countRows(), manifestRows(m));
      for (const f of m.fragments) for (const d of f.files) assert.equal(stored.get(d.path), d.size, `version ${v}: ${d.path}`);
      const seen = state.manifests.get(v);
      if (seen !== undefined) {
        assert.deepEqual(m, seen, `version ${v} never changes once committed`);
        continue;
      }
      let batches: string[];
      if (state.fullScans || v === 1) {
        const rows = crashRowsOf(await snap.toArrow());
        batches = batchesIn(rows, v);
        // No partial data: the rows read are the rows every count records.
        assert.equal(rows.length, manifestRows(m));
      } else {
        // Over S3: the version keeps the previous one's fragments unchanged, and its new rows are one whole batch.
        const prev = state.manifests.get(v - 1)!;
        assert.deepEqual(m.fragments.slice(0, prev.fragments.length), prev.fragments, `version ${v} keeps version ${v - 1}'s fragments`);
        const from = manifestRows(prev);
        const added = crashRowsOf(await snap.take(Array.from({ length: manifestRows(m) - from }, (_, i) => from + i)));
        batches = [...state.known[v - 1]!, ...batchesIn(added, v)];
      }
      if (v > 1) {
        const before = state.known[v - 1]!;
        assert.deepEqual(batches.slice(0, -1), before, `version ${v} extends version ${v - 1}`);
        assert.equal(batches.length, before.length + 1);
      } else {
        assert.deepEqual(batches, []);
      }
      state.manifests.set(v, m);
      state.known[v] = batches;
    }
    if (!state.fullScans) {
      // The latest version, scanned in full, holds exactly the batches its history adds up to.
      const rows = crashRowsOf(await table.toArrow());
      assert.equal(rows.length, manifestRows(table.currentManifest));
      assert.deepEqual(batchesIn(rows, latest), state.known[latest]);
    }
    for (const r of reported) assert.equal(state.known[r.version]!.at(-1), `${r.round}/${r.seq}`, `reported commit ${JSON.stringify(r)}`);
    return latest;
  } finally {
    await table.store.close();
  }
}

async function crashRounds(t: TestContext, state: CrashState, rounds: number, seed: number): Promise<void> {
  const rand = prng(seed);
  let latest = 1;
  // Random kills, then one round killed right after its data files are written and before its commit, so the
  // cleanup checks always have orphans to find whatever the random kills hit.
  for (let round = 1; round <= rounds + 1; round++) {
    const staged = round === rounds + 1;
    // Mostly mid-stream kills; the first round also covers a kill right at the start.
    const delay = round === 1 || staged ? 0 : Math.floor(rand() * 250);
    const args = [state.uri, String(round), String(CRASH_ROWS), String(CRASH_FILES), staged ? "stage" : "loop"];
    const child = startChild(CRASHER, args, state.storage);
    try {
      await child.waitFor((l) => l === (staged ? "staged" : "ready"), 30_000);
      await sleep(delay);
      child.proc.kill("SIGKILL");
      const exit = await withTimeout(child.exited, 10_000, "killed writer");
      assert.equal(exit.signal, "SIGKILL", `round ${round}: the writer died on its own (${JSON.stringify(exit)}):\n${child.stderr()}`);
    } finally {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
    }
    const reported = child.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { round: number; seq: number; version: number });
    const before = latest;
    latest = await checkAfterCrash(state, reported, latest);
    if (staged) assert.equal(latest, before, `round ${round}: a writer killed before its commit committed nothing`);
    t.diagnostic(
      `round ${round}: killed ${staged ? "between its data files and its commit" : `${delay} ms after ready`}; ${latest - before} commits, ` +
        `${latest > (reported.at(-1)?.version ?? before) ? "one committed but never reported" : "all reported"}`,
    );
  }
}

/** Checks what cleanup leaves: every file the kept versions reference, nothing else (temp files aside). */
async function checkCleanup(
  state: CrashState,
  dataFiles: () => Promise<string[]>,
  isTemp: (path: string) => boolean,
): Promise<{ orphans: string[]; temps: string[] }> {
  const table = await Table.open(state.uri, { storage: state.storage });
  try {
    const latest = table.version;
    const tagged = Math.max(1, Math.floor(latest / 2));
    await table.tags.create("kept", tagged);
    const referencedBy = async (versions: number[]): Promise<Set<string>> => {
      const out = new Set<string>();
      for (const v of versions) for (const p of filesOf((await table.checkout(v)).currentManifest)) out.add(p);
      return out;
    };
    const all = await referencedBy(Array.from({ length: latest }, (_, i) => i + 1));
    const before = await dataFiles();
    const orphans = before.filter((p) => !all.has(p) && !isTemp(p));
    const temps = before.filter(isTemp);
    for (const p of all) assert.ok(before.includes(p), `referenced file ${p} exists`);

    // Within the grace period nothing is touched: those files could belong to a commit in flight.
    const young = await table.cleanup({ olderThan: new Date(0) });
    assert.deepEqual(young, { removedVersions: 0, removedFiles: 0, removedBytes: 0 });
    assert.deepEqual(await dataFiles(), before);

    await sleep(5); // file times are coarse; make "now" strictly later than the last write
    const stats = await table.cleanup({ olderThan: new Date(), gracePeriodMs: 0 });
    const kept = [...new Set([tagged, latest])].sort((a, b) => a - b);
    assert.equal(stats.removedVersions, latest - kept.length);
    // Besides orphaned data files and temp files under data/, a killed writer may leave a temp file of a manifest
    // or of the _latest hint elsewhere in the table; cleanup sweeps those too (checked below, for local disk).
    assert.ok(stats.removedFiles >= orphans.length + temps.length, `removed ${stats.removedFiles}, expected at least ${orphans.length + temps.length}`);
    assert.deepEqual(await listVersions(table.store), kept);
    const after = await dataFiles();
    const referenced = await referencedBy(kept);
    assert.deepEqual(after.filter((p) => !isTemp(p)).sort(), [...referenced].sort(), "exactly the referenced files remain");
    for (const v of kept) {
      const snap = await table.checkout(v);
      const rows = crashRowsOf(await snap.toArrow());
      assert.deepEqual(batchesIn(rows, v), state.known[v]);
    }
    const reopened = await Table.open(state.uri, { storage: state.storage });
    assert.equal(reopened.version, latest);
    assert.equal((await reopened.toArrow()).numRows, manifestRows(reopened.currentManifest));
    await reopened.store.close();
    return { orphans, temps: after.filter(isTemp) };
  } finally {
    await table.store.close();
  }
}

describe("writers killed with SIGKILL (local disk)", () => {
  let dir: string;
  let state: CrashState;
  let tempsAfterCleanup: string[] = [];
  const dataFiles = async (): Promise<string[]> =>
    (await fs.readdir(nodePath.join(state.uri, "data")).catch(() => [] as string[])).map((n) => `data/${n}`).sort();
  const isTemp = (p: string): boolean => nodePath.basename(p).startsWith(".tmp-");

  before(async () => {
    dir = await fs.mkdtemp(nodePath.join(tmpdir(), "tessera-crash-"));
    state = { uri: nodePath.join(dir, "t"), known: [], manifests: new Map(), fullScans: true };
    await (await Table.create(state.uri, new A.Table(CRASH_SCHEMA))).store.close();
  });
  after(async () => {
    killAll();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("after every kill the table opens at the last good version and every version reads fully", { timeout: 60_000 }, async (t) => {
    await crashRounds(t, state, 6, 0x7e55e7a);
    assert.ok(state.known.length > 3, "the writers committed something");
  });

  it("cleanup removes the orphaned data files and keeps every referenced one", { timeout: 30_000 }, async (t) => {
    const { orphans, temps } = await checkCleanup(state, dataFiles, isTemp);
    // At least the staged round's files (random kills may add more).
    assert.ok(orphans.length >= CRASH_FILES, `orphans ${orphans.length}: the staged round's ${CRASH_FILES} data files are among them`);
    tempsAfterCleanup = temps;
    t.diagnostic(`cleanup removed ${orphans.length} orphaned data files; ${temps.length} temp files of killed writers remain`);
  });

  it(
    "cleanup also removes temp files of writers killed mid-file",
    async () => {
      assert.deepEqual(tempsAfterCleanup, []);
      const all = await fs.readdir(state.uri, { recursive: true });
      assert.deepEqual(all.filter((p) => isTemp(String(p))), [], "no temp file anywhere in the table");
    },
  );
});

describe("writers killed with SIGKILL (S3)", () => {
  let server: S3Server;
  let state: CrashState;
  const prefix = `crash-${randomUUID()}`;
  const dataFiles = async (): Promise<string[]> =>
    server
      .keys("tables")
      .filter((k) => k.startsWith(`${prefix}/data/`))
      .map((k) => k.slice(prefix.length + 1))
      .sort();

  before(async () => {
    server = await startS3Server();
    state = { uri: `s3://tables/${prefix}`, storage: server.storageOptions(), known: [], manifests: new Map(), fullScans: false };
    await (await Table.create(state.uri, new A.Table(CRASH_SCHEMA), { storage: state.storage })).store.close();
  });
  after(async () => {
    killAll();
    await server.close();
  });

  it("after every kill the table opens at the last good version; cleanup removes orphans", { timeout: 60_000 }, async (t) => {
    await crashRounds(t, state, 3, 0x5eed53);
    const { orphans } = await checkCleanup(state, dataFiles, () => false);
    assert.ok(orphans.length >= CRASH_FILES, `orphans ${orphans.length}: the staged round's ${CRASH_FILES} data files are among them`);
    t.diagnostic(`cleanup removed ${orphans.length} orphaned data files`);
    assert.equal(server.uploadsInProgress(), 0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A commit whose reply is lost: the manifest is stored, but the writer's connection drops before the answer arrives,
// so the store retries the conditional put, gets 412, and the writer believes it lost the race.

/** An HTTP proxy in front of the S3 server that can swallow the reply to the next manifest PUT (after it was stored). */
async function startReplyDroppingProxy(target: string): Promise<{ endpoint: string; dropNextManifestReply(): void; close(): Promise<void> }> {
  const upstream = new URL(target);
  let drop = false;
  const proxy = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on("data", (c: Buffer) => body.push(c));
    req.on("end", () => {
      const up = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (reply) => {
          const chunks: Buffer[] = [];
          reply.on("data", (c: Buffer) => chunks.push(c));
          reply.on("end", () => {
            if (drop && req.method === "PUT" && /_versions\/\d{20}\.manifest/.test(req.url ?? "") && reply.statusCode === 200) {
              drop = false;
              req.socket.destroy(); // the object is stored; the writer never hears so
              return;
            }
            res.writeHead(reply.statusCode ?? 502, reply.headers);
            res.end(Buffer.concat(chunks));
          });
        },
      );
      up.on("error", () => req.socket.destroy());
      up.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    dropNextManifestReply: () => (drop = true),
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

describe("a commit whose reply is lost (S3)", () => {
  let server: S3Server;
  let proxy: Awaited<ReturnType<typeof startReplyDroppingProxy>>;
  before(async () => {
    server = await startS3Server();
    proxy = await startReplyDroppingProxy(server.endpoint);
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  it(
    "is applied exactly once",
    async () => {
      const storage = { ...server.storageOptions(), endpoint: proxy.endpoint };
      const uri = `s3://tables/lost-reply-${randomUUID()}`;
      const table = await Table.create(uri, appendBatch(-1, 0, SEED_ROWS), { storage });
      try {
        proxy.dropNextManifestReply();
        await table.append(appendBatch(1, 0));
        const versions = await table.versions();
        assert.deepEqual(
          versions.map((v) => [v.version, v.operation, v.rows]),
          [
            [1, "create", SEED_ROWS],
            [2, "append", SEED_ROWS + batchRows(1)],
          ],
        );
        assert.deepEqual(appendRowsOf(await table.toArrow()), [...expectedBatch(-1, 0, SEED_ROWS), ...expectedBatch(1, 0)]);
      } finally {
        await table.store.close();
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// 4. Time travel: random histories against a model.

const TT_SCHEMA = new A.Schema([
  new A.Field("id", new A.Int64(), false),
  new A.Field("name", new A.Utf8(), true),
  new A.Field("vec", new A.FixedSizeList(3, new A.Field("item", new A.Float32(), false)), false),
]);
const TT_WIDE = new A.Schema([...TT_SCHEMA.fields, new A.Field("score", new A.Float64(), true)]);

type Raw = [bigint, string | null, number[], number | null];
const rawRow: fc.Arbitrary<Raw> = fc.tuple(
  fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n),
  fc.option(fc.string({ unit: "grapheme", maxLength: 8 }), { nil: null, freq: 4 }),
  fc.array(fc.float({ noNaN: true }), { minLength: 3, maxLength: 3 }),
  fc.option(fc.double({ noNaN: true }), { nil: null, freq: 3 }),
);
const rawBatch: fc.Arbitrary<RawBatch> = fc.record({
  rows: fc.array(rawRow, { maxLength: 12 }),
  cuts: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
  maxRowsPerFile: fc.integer({ min: 1, max: 8 }),
});

interface RawBatch {
  rows: Raw[];
  cuts: number[];
  maxRowsPerFile: number;
}

type Op =
  | { kind: "append"; batch: RawBatch }
  | { kind: "overwrite"; wide: boolean; batch: RawBatch }
  | { kind: "restore"; at: number }
  | { kind: "tag"; at: number }
  | { kind: "reopen" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: rawBatch.map((batch): Op => ({ kind: "append", batch })) },
  { weight: 2, arbitrary: fc.tuple(fc.boolean(), rawBatch).map(([wide, batch]): Op => ({ kind: "overwrite", wide, batch })) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at): Op => ({ kind: "restore", at })) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((at): Op => ({ kind: "tag", at })) },
  { weight: 1, arbitrary: fc.constant<Op>({ kind: "reopen" }) },
);

function ttBatches(schema: A.Schema, b: { rows: Raw[]; cuts: number[] }): A.RecordBatch[] {
  const rows = b.rows.map((r) => (schema === TT_WIDE ? r : r.slice(0, 3)));
  return toBatches(schema, rows, b.cuts);
}

interface ModelVersion {
  operation: string;
  rows: string[];
  schema: A.Schema;
}

describe("time travel against a model (memory://)", () => {
  const names: string[] = [];
  after(() => {
    for (const n of names) clearMemoryStore(n);
  });

  it("every version, tag and listing matches the model after random histories", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(rawBatch, fc.array(opArb, { minLength: 1, maxLength: 10 }), async (first, ops) => {
        const name = `tt-${randomUUID()}`;
        names.push(name);
        const uri = `memory://${name}/t`;
        const model: ModelVersion[] = [];
        const tags = new Map<string, number>();
        const rowsOf = (batches: A.RecordBatch[]): string[] => plainRows(batches);

        const firstBatches = ttBatches(TT_SCHEMA, first);
        let table = await Table.create(uri, firstBatches, { maxRowsPerFile: first.maxRowsPerFile });
        model[1] = { operation: "create", rows: rowsOf(firstBatches), schema: TT_SCHEMA };
        let schema = TT_SCHEMA;
        for (const op of ops) {
          const latest = model.length - 1;
          switch (op.kind) {
            case "append": {
              const batches = ttBatches(schema, op.batch);
              await table.append(batches, { maxRowsPerFile: op.batch.maxRowsPerFile });
              // An append of no rows commits nothing.
              if (rowsOf(batches).length > 0) model.push({ operation: "append", rows: [...model[latest]!.rows, ...rowsOf(batches)], schema });
              break;
            }
            case "overwrite": {
              schema = op.wide ? TT_WIDE : TT_SCHEMA;
              const batches = ttBatches(schema, op.batch);
              await table.overwrite(batches, { maxRowsPerFile: op.batch.maxRowsPerFile });
              model.push({ operation: "overwrite", rows: rowsOf(batches), schema });
              break;
            }
            case "restore": {
              const target = 1 + Math.floor(op.at * latest);
              await table.restore(target);
              schema = model[target]!.schema;
              model.push({ operation: "restore", rows: model[target]!.rows, schema });
              break;
            }
            case "tag": {
              const target = 1 + Math.floor(op.at * latest);
              const tag = `v${target}-${tags.size}`;
              await table.tags.create(tag, target);
              tags.set(tag, target);
              break;
            }
            case "reopen":
              table = await Table.open(uri);
              break;
          }
          assert.equal(table.version, model.length - 1);
        }

        const last = model.length - 1;
        const versions = await table.versions();
        assert.deepEqual(
          versions.map((v) => [v.version, v.operation, v.rows]),
          model.slice(1).map((m, i) => [i + 1, m.operation, m.rows.length]),
        );
        const latestHandle = await Table.open(uri);
        assert.equal(latestHandle.version, last);
        assert.deepEqual(plainRows(await latestHandle.toArrow()), model[last]!.rows);
        for (let v = 1; v <= last; v++) {
          const snap = await table.checkout(v);
          assert.equal(snap.version, v);
          assert.ok(snap.readOnly);
          const got = await snap.toArrow();
          assert.deepEqual(got.schema.fields.map((f) => f.name), model[v]!.schema.fields.map((f) => f.name), `version ${v} schema`);
          assert.deepEqual(plainRows(got), model[v]!.rows, `checkout(${v})`);
          assert.equal(await snap.countRows(), model[v]!.rows.length);
          const opened = await Table.open(uri, { version: v });
          assert.deepEqual(plainRows(await opened.toArrow()), model[v]!.rows, `open({ version: ${v} })`);
          if (model[v]!.rows.length > 0) {
            // A take of the last and first rows agrees with the scan too.
            const n = model[v]!.rows.length;
            assert.deepEqual(plainRows(await snap.take([n - 1, 0])), [model[v]!.rows[n - 1]!, model[v]!.rows[0]!]);
          }
        }
        assert.deepEqual(
          (await table.tags.list()).map((t) => [t.name, t.version]),
          [...tags].sort((a, b) => a[0].localeCompare(b[0])),
        );
        for (const [tag, v] of tags) {
          assert.deepEqual(plainRows(await (await table.checkout(tag)).toArrow()), model[v]!.rows, `checkout("${tag}")`);
          const opened = await Table.open(uri, { tag });
          assert.equal(opened.version, v);
          assert.deepEqual(plainRows(await opened.toArrow()), model[v]!.rows, `open({ tag: "${tag}" })`);
        }
        clearMemoryStore(name);
      }),
      { seed: 0x7ab1e, numRuns: 25 },
    );
  });
});
