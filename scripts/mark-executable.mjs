// After `tsc`: makes every `bin` entry of package.json executable. tsc writes files 0644, and `npx tessera` in this
// repository runs the bin file directly (npm sets the mode only when it installs the package elsewhere).
import { chmodSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const bin of bins) chmodSync(new URL(`../${bin}`, import.meta.url), 0o755);
