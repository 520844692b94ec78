// The layers form a one-way graph: format/ imports nothing from index/ or src/, and index/ nothing from src/.
// Read from the import specifiers of every source file, static and dynamic.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { it } from "node:test";

const root = resolve(import.meta.dirname, "..");
const FORBIDDEN: Record<string, string[]> = { format: ["index", "src"], index: ["src"], src: [] };

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Every module specifier in a file: import/export ... from "x", import "x", import("x"). */
export function specifiers(code: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;
  for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

it("finds static, re-export and dynamic specifiers", () => {
  const code = `import a from "./a.js";\nexport { b } from '../b.js';\nimport "./c.js";\nconst d = await import("./d.js");`;
  assert.deepEqual(specifiers(code), ["./a.js", "../b.js", "./c.js", "./d.js"]);
});

it("keeps the layers one-way: format <- index <- src", () => {
  const violations: string[] = [];
  let files = 0;
  for (const [layer, banned] of Object.entries(FORBIDDEN)) {
    let list: string[];
    try {
      list = sources(join(root, layer));
    } catch {
      continue; // a layer with no code yet
    }
    for (const file of list) {
      files++;
      for (const spec of specifiers(readFileSync(file, "utf8"))) {
        if (!spec.startsWith(".")) continue;
        const target = relative(root, resolve(dirname(file), spec)).split("/")[0]!;
        if (banned.includes(target)) violations.push(`${relative(root, file)} imports ${spec} (${layer}/ may not use ${target}/)`);
      }
    }
  }
  assert.ok(files > 10, "the check saw the source files");
  assert.deepEqual(violations, []);
});
