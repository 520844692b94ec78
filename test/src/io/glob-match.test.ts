import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { globToRegExp, hasGlob, literalPrefix } from "../../../src/io/glob-match.js";

const cases: [string, string[], string[]][] = [
  ["*.jsonl", ["a.jsonl", "b.c.jsonl"], ["dir/a.jsonl", "a.json", "a.jsonl.gz"]],
  ["data/*.csv", ["data/x.csv"], ["data/sub/x.csv", "x.csv", "data/x.csvx"]],
  ["data/**/*.csv", ["data/x.csv", "data/a/x.csv", "data/a/b/c.csv"], ["x.csv", "datax/a.csv"]],
  ["**", ["a", "a/b/c"], []],
  ["**/x", ["x", "a/x", "a/b/x"], ["ax", "a/bx"]],
  ["logs/**", ["logs/a", "logs/a/b"], ["logs", "logsx/a"]],
  ["part-?.parquet", ["part-1.parquet"], ["part-10.parquet", "part-/.parquet"]],
  ["*.{json,jsonl}", ["a.json", "a.jsonl"], ["a.jsonx", "a.csv"]],
  ["{a,b/{c,d}}/*.txt", ["a/x.txt", "b/c/x.txt", "b/d/y.txt"], ["b/x.txt", "c/x.txt"]],
  ["[ab]*.txt", ["a1.txt", "b.txt"], ["c.txt"]],
  ["[!ab]*.txt", ["c.txt"], ["a.txt", "/x.txt"]],
  ["a\\*b", ["a*b"], ["axb"]],
  ["weird(1)+.txt", ["weird(1)+.txt"], ["weird1.txt"]],
  ["unclosed[.txt", ["unclosed[.txt"], []],
];

describe("globToRegExp", () => {
  for (const [pattern, yes, no] of cases) {
    it(`${pattern}`, () => {
      const re = globToRegExp(pattern);
      for (const p of yes) assert.ok(re.test(p), `${pattern} should match ${p}`);
      for (const p of no) assert.ok(!re.test(p), `${pattern} should not match ${p}`);
    });
  }

  it("finds the literal prefix and glob characters", () => {
    assert.equal(literalPrefix("data/2024-*/x.csv"), "data/2024-");
    assert.equal(literalPrefix("a\\*b*"), "a*b");
    assert.equal(literalPrefix("plain/path.csv"), "plain/path.csv");
    assert.ok(hasGlob("a/{b,c}"));
    assert.ok(!hasGlob("a/b\\*c"));
  });
});
