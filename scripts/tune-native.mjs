// Rebuilds hnswlib-node's addon for this machine's CPU (-O3 -march=native): its distance loops then use AVX2 or
// AVX-512 instead of SSE, which measured ~25% faster HNSW builds and searches here (docs/benchmarks.md, "vector").
// hnswlib-node always compiles from source on install, so the addon is already specific to the machine that ran
// `npm ci`; this only lets the compiler use all of that machine's instructions.
//
// Runs as `postinstall` in a checkout of this repository (not when Tessera is installed as someone's dependency,
// unless TESSERA_TUNE_NATIVE=1). TESSERA_TUNE_NATIVE=0 skips it, e.g. for node_modules copied to other machines.
// It builds in a temporary copy, checks the new addon loads and answers a search in a child process, and only then
// replaces the portable addon; any failure keeps the portable one and exits 0.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const setting = process.env.TESSERA_TUNE_NATIVE;
const ownCheckout = existsSync(join(root, ".git")) || existsSync(join(root, "test"));
const log = (m) => console.log(`tune-native: ${m}`);

function main() {
  if (setting === "0") return log("skipped (TESSERA_TUNE_NATIVE=0)");
  if (setting !== "1" && !ownCheckout) return log("skipped (installed as a dependency; set TESSERA_TUNE_NATIVE=1 to tune)");
  if (process.platform !== "linux" || process.arch !== "x64") return log(`skipped (${process.platform}/${process.arch})`);
  const require = createRequire(join(root, "package.json"));
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve("hnswlib-node/package.json"));
  } catch {
    return log("skipped (hnswlib-node is not installed)");
  }
  const addon = join(pkgDir, "build", "Release", "addon.node");
  if (!existsSync(addon)) return log("skipped (no built addon to replace)");
  const gyp = findNodeGyp();
  if (gyp === undefined) return log("skipped (node-gyp not found)");

  const work = mkdtempSync(join(tmpdir(), "tessera-tune-"));
  try {
    const copy = join(work, "hnswlib-node");
    cpSync(pkgDir, copy, { recursive: true, filter: (p) => !p.includes(`${pkgDir}/build`) });
    // The copy resolves node-addon-api (its build dependency) through the project's node_modules.
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
    const env = { ...process.env, CXXFLAGS: `${process.env.CXXFLAGS ?? ""} -O3 -march=native`.trim() };
    const args = [gyp, "rebuild", ...(process.env.npm_config_nodedir ? [`--nodedir=${process.env.npm_config_nodedir}`] : [])];
    execFileSync(process.execPath, args, { cwd: copy, env, stdio: "ignore" });
    const tuned = join(copy, "build", "Release", "addon.node");
    if (!works(tuned)) return log("kept the portable build (the tuned addon failed its check)");
    copyFileSync(tuned, `${addon}.tuned`);
    execFileSync("mv", ["-f", `${addon}.tuned`, addon]);
    writeFileSync(join(pkgDir, "build", "TESSERA_TUNED"), "-O3 -march=native\n");
    log("hnswlib-node rebuilt with -O3 -march=native");
  } catch (err) {
    log(`kept the portable build (${String(err?.message ?? err).split("\n")[0]})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** npm's bundled node-gyp, or one on the project path. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
    "/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
  ];
  return candidates.find((c) => c !== undefined && existsSync(c));
}

/** Loads the addon in a child process (an illegal instruction kills the child, not us) and runs a tiny search. */
function works(addonPath) {
  const probe = `
    const { HierarchicalNSW } = require(${JSON.stringify(addonPath)});
    const ix = new HierarchicalNSW("l2", 32); ix.initIndex(200, 16, 100, 42);
    for (let i = 0; i < 200; i++) ix.addPoint(Array.from({ length: 32 }, (_, j) => Math.sin(i * 7 + j)), i);
    const r = ix.searchKnn(Array.from({ length: 32 }, (_, j) => Math.sin(5 * 7 + j)), 1);
    process.exit(r.neighbors[0] === 5 ? 0 : 1);`;
  return spawnSync(process.execPath, ["-e", probe], { stdio: "ignore", timeout: 60_000 }).status === 0;
}

main();
