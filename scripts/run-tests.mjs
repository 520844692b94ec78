// Finds every test/**/*.test.ts and runs them with Node's own test runner (through tsx), so CI reads its summary.
// Extra arguments pass through: `npm test -- --test-name-pattern=take`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "fixtures" || e.name === "bench" ? [] : find(p);
    return e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const files = find("test").sort();
const args = ["--import", "tsx", "--test", "--test-concurrency=2", ...process.argv.slice(2), ...files];
const r = spawnSync(process.execPath, args, { stdio: "inherit" });
process.exit(r.status ?? 1);
