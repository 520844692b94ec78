// Every relative link in the README and docs/ points at a file that exists, and every #anchor at a heading of it
// (GitHub's slugs), so the docs cannot drift from the tree.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const root = fileURLToPath(new URL("../", import.meta.url));

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith(".md") ? [join(dir, e.name)] : [],
  );
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

describe("documentation links", () => {
  it("the slug follows GitHub's rules", () => {
    assert.equal(slug("vector — vector search (`npm run bench -- vector`)"), "vector--vector-search-npm-run-bench----vector");
    assert.equal(slug("Tags and time travel"), "tags-and-time-travel");
  });

  for (const file of [join(root, "README.md"), ...markdownFiles(join(root, "docs"))]) {
    it(relative(root, file), () => {
      const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
      const broken: string[] = [];
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1]!;
        if (/^[a-z]+:/i.test(link)) continue; // http:, https:, mailto:
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = path === "" ? file : join(dirname(file), decodeURIComponent(path));
        if (!existsSync(target)) broken.push(`${link} (no such file)`);
        else if (anchor !== undefined && target.endsWith(".md") && !anchors(target).has(anchor)) broken.push(`${link} (no such heading)`);
      }
      assert.deepEqual(broken, [], `${relative(root, file)} has broken links`);
    });
  }
});
